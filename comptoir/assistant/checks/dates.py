"""Checks of the dates along the chain: a delivery dated after the invoice that bills it, or in the
future. Business dates (`core.dates`) refuse both through the services; these read the books as they
are (an import, a history from before those rules). Pure."""

from django.utils.translation import gettext

from comptoir.assistant.chain import Chain, Kind
from comptoir.assistant.checks._common import _delivery_ev, _invoice_ev, _label, _noun
from comptoir.assistant.findings import Finding, Severity


def _day(value) -> str:
    return value.strftime("%d/%m/%Y")


def check_delivery_dates(chain: Chain) -> list[Finding]:
    """A validated delivery dated after an issued invoice that bills it (VAT on goods falls due at
    delivery: one of the two dates is wrong), or dated after today."""
    findings = []
    reported = set()
    for invoice in chain.subjects(Kind.INVOICE, Kind.DEPOSIT):
        if invoice.is_draft:
            continue  # a draft is dated the day it was made; its invoice date is set at issue
        for line in invoice.lines:
            found = chain.delivery_line_by_id.get(line.delivery_line_id)
            if found is None:
                continue
            delivery, _dl = found
            if delivery.status != "validated" or delivery.date <= invoice.date or delivery.id in reported:
                continue
            reported.add(delivery.id)
            findings.append(
                Finding(
                    "delivery_after_invoice",
                    Severity.WARNING,
                    gettext(
                        "Le bon de livraison %(delivery)s est daté du %(delivered)s, après %(noun)s %(invoice)s "
                        "du %(invoiced)s qui le facture : une date de livraison ou de facture à vérifier (la "
                        "TVA des biens est due à la livraison)."
                    )
                    % {
                        "delivery": delivery.number,
                        "delivered": _day(delivery.date),
                        "noun": _noun(invoice),
                        "invoice": _label(invoice),
                        "invoiced": _day(invoice.date),
                    },
                    (
                        _delivery_ev(delivery, None, date=delivery.date),
                        _invoice_ev(invoice, None, date=invoice.date),
                    ),
                )
            )
    if chain.today is not None:
        for delivery in chain.deliveries:
            if delivery.status == "validated" and delivery.date > chain.today:
                findings.append(
                    Finding(
                        "delivery_in_future",
                        Severity.WARNING,
                        gettext(
                            "Le bon de livraison %(delivery)s est daté du %(delivered)s, dans le futur (nous "
                            "sommes le %(today)s)."
                        )
                        % {
                            "delivery": delivery.number,
                            "delivered": _day(delivery.date),
                            "today": _day(chain.today),
                        },
                        (_delivery_ev(delivery, None, date=delivery.date),),
                    )
                )
    return findings
