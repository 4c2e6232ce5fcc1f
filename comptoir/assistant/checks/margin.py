"""Checks of the margin: an invoice line sold below the cost its goods left the stock at (the average
cost stamped on the delivery line at shipment, `stock.DeliveryLine.unit_cost`). A warning, never a
block: a clearance or a commercial gesture may sell at a loss on purpose. Pure."""

from django.utils.translation import gettext

from comptoir.assistant.chain import Chain, Kind
from comptoir.assistant.checks._common import CENT, ZERO, _delivery_ev, _invoice_ev, _label, _noun, _sentence
from comptoir.assistant.findings import Finding, Severity, euros, units


def check_sale_below_cost(chain: Chain) -> list[Finding]:
    findings = []
    for invoice in chain.subjects(Kind.INVOICE):
        for line in invoice.lines:
            found = chain.delivery_line_by_id.get(line.delivery_line_id)
            if found is None or line.quantity <= 0:
                continue
            delivery, dl = found
            if dl.unit_cost is None or dl.unit_cost <= 0:
                continue
            cost = (dl.unit_cost * line.quantity).quantize(CENT)
            loss = cost - line.net_amount
            if loss < CENT:
                continue
            net_unit = (line.net_amount / line.quantity).quantize(CENT)
            findings.append(
                Finding(
                    "sale_below_cost",
                    Severity.WARNING,
                    gettext(
                        "%(noun)s %(invoice)s vend %(sku)s à %(price)s HT l'unité, sous son coût de sortie de stock "
                        "(%(cost)s l'unité, %(delivery)s) : une perte de %(loss)s sur %(quantity)s. "
                        "Vérifiez le prix ou la remise."
                    )
                    % {
                        "noun": _sentence(_noun(invoice)),
                        "invoice": _label(invoice),
                        "sku": line.product.sku,
                        "price": euros(net_unit),
                        "cost": euros(dl.unit_cost.quantize(CENT)),
                        "delivery": delivery.number,
                        "loss": euros(loss),
                        "quantity": units(line.quantity),
                    },
                    (
                        _invoice_ev(invoice, line, net_unit_price=net_unit, net_amount=line.net_amount),
                        _delivery_ev(delivery, dl, unit_cost=dl.unit_cost, loss=max(loss, ZERO)),
                    ),
                )
            )
    return findings
