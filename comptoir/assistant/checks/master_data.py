"""Checks of the customer's record against what an invoice must say of its buyer, before it is issued.
Pure.

A French business buyer's SIREN is mandatory on an invoice between French businesses and is its
electronic invoicing address (BR-FR-11, BT-47/BT-49): `billing.issue_invoice` refuses a draft without it,
so the finding says it on the draft, with what to fill in, before anyone tries. The buyer's postal address
(CGI art. 242 nonies A) is not refused at issue: an invoice without a postal code or town would leave
as it is. A street is not asked for: a rural address may have none (« Le Bourg, 12340 Bozouls »). An EU
buyer's VAT number is the customer record's own rule (`parties`: the EU regime needs one) and, on the
lines that need it, `check_reverse_charge_vat_number`'s. Warnings, never blocks: the issue refuses what
must be refused, and an address is filled in in a minute.
"""

from decimal import Decimal

from django.utils.translation import gettext

from comptoir.assistant.chain import Chain, Kind
from comptoir.assistant.checks._common import _invoice_ev, _label, _noun, _sentence
from comptoir.assistant.findings import Evidence, Finding, Proposal, Severity
from comptoir.core import vat
from comptoir.parties.identifiers import clean_siren

# The address fields an invoice cannot go without.
_ADDRESS_FIELDS = ("postal_code", "city")


def check_buyer_details(chain: Chain) -> list[Finding]:
    """A draft whose buyer has no SIREN (a French business) or no postal code or town."""
    customer = chain.customer
    drafts = [invoice for invoice in chain.subjects(Kind.INVOICE, Kind.DEPOSIT) if invoice.is_draft]
    if not drafts:
        return []
    needs_siren = customer.vat_regime == vat.Regime.FRANCE and customer.siren == ""
    missing = [field for field in _ADDRESS_FIELDS if getattr(customer, field) == ""]
    findings = []
    for invoice in drafts:
        if needs_siren:
            findings.append(
                Finding(
                    "customer_siren_missing",
                    Severity.WARNING,
                    _sentence(
                        gettext(
                            "%(noun)s %(label)s ne pourra pas être émise : le client %(customer)s n'a pas de "
                            "SIREN, obligatoire sur une facture entre entreprises françaises (il sert aussi "
                            "d'adresse de facturation électronique). Renseignez ses 9 chiffres sur la fiche "
                            "du client."
                        )
                        % {"noun": _noun(invoice), "label": _label(invoice), "customer": customer.name}
                    ),
                    (
                        _invoice_ev(invoice),
                        Evidence(
                            "customer",
                            customer.name,
                            customer.id,
                            None,
                            {
                                "siren": customer.siren,
                                "vat_regime": customer.vat_regime,
                                "vat_number": customer.vat_number,
                            },
                        ),
                    ),
                    _siren_from_vat_number(customer),
                )
            )
        if missing:
            findings.append(
                Finding(
                    "customer_address_incomplete",
                    Severity.WARNING,
                    _sentence(
                        gettext(
                            "%(noun)s %(label)s porterait l'adresse du client %(customer)s sans %(missing)s : "
                            "une facture doit indiquer l'adresse de l'acheteur. Complétez la fiche du client "
                            "avant d'émettre."
                        )
                        % {
                            "noun": _noun(invoice),
                            "label": _label(invoice),
                            "customer": customer.name,
                            "missing": _missing_in_words(missing),
                        }
                    ),
                    (
                        _invoice_ev(invoice),
                        Evidence(
                            "customer",
                            customer.name,
                            customer.id,
                            None,
                            {
                                "street": customer.street or "",
                                "postal_code": customer.postal_code or "",
                                "city": customer.city or "",
                                "country": customer.country,
                            },
                        ),
                    ),
                )
            )
    return findings


def _missing_in_words(missing: list[str]) -> str:
    if missing == ["postal_code"]:
        return gettext("code postal")
    if missing == ["city"]:
        return gettext("ville")
    return gettext("code postal ni ville")


def _siren_from_vat_number(customer) -> Proposal | None:
    """A French VAT number is FR, a two-digit key and the SIREN: when the customer's record carries one,
    its SIREN is known for sure and filling it in (`parties.update_customer`, which checks the two agree)
    fixes the draft. Otherwise nothing can be proposed: the finding says what to fill in."""
    number = (customer.vat_number or "").upper()
    siren = clean_siren(number[4:]) if number.startswith("FR") and len(number) == 13 else None
    if siren is None:
        return None
    return Proposal(
        "set_customer_siren",
        {"customer_id": customer.id, "siren": siren},
        gettext(
            "Renseigner sur la fiche de %(customer)s le SIREN %(siren)s, que porte son numéro de TVA "
            "intracommunautaire %(vat)s."
        )
        % {"customer": customer.name, "siren": siren, "vat": number},
        Decimal("0.9"),
    )
