"""What the company's own history says about an order: a price or a quantity far from what this customer
usually pays or orders for this product. Learned per customer and product from their earlier confirmed
orders (`Chain.past_lines`), explained by quoting them; silent when the history is too thin (the rules of
the other checks are the fallback). A warning, never a block: a new price list or a one-off project is
normal, a person checks. Pure."""

from decimal import Decimal
from statistics import median

from django.utils.translation import gettext

from comptoir.assistant.chain import Chain
from comptoir.assistant.checks._common import CENT, _order_ev
from comptoir.assistant.findings import Evidence, Finding, Severity, euros, units

# A year of orders, at most this many lines per product, and at least HABIT_MIN of them to speak.
HABIT_DAYS = 365
HABIT_LINES = 6
HABIT_MIN = 3
# A net unit price this far (share) from the customer's median is unusual.
PRICE_GAP = Decimal("0.15")
# A quantity this many times above the customer's largest order, or below its smallest divided by it.
QUANTITY_FACTOR = Decimal("3")


def check_order_against_habits(chain: Chain) -> list[Finding]:
    if chain.order is None or not chain.past_lines:
        return []
    findings = []
    for line in chain.order.lines:
        past = [p for p in chain.past_lines if p.product_id == line.product.id][:HABIT_LINES]
        if len(past) < HABIT_MIN:
            continue
        quoted = ", ".join(p.order_number for p in past[:4])
        net = line.unit_price * (1 - line.discount_percent / 100)
        usual = Decimal(median(p.net_unit_price for p in past))
        if usual > 0 and abs(net - usual) > usual * PRICE_GAP:
            findings.append(
                Finding(
                    "price_unusual_for_customer",
                    Severity.WARNING,
                    gettext(
                        "La commande %(order)s vend %(sku)s à %(price)s HT l'unité ; %(customer)s l'a payé "
                        "%(usual)s en médiane sur ses %(count)s dernières commandes (%(orders)s) : vérifiez "
                        "le prix ou la remise."
                    )
                    % {
                        "order": chain.order.number,
                        "sku": line.product.sku,
                        "price": euros(net.quantize(CENT)),
                        "customer": chain.customer.name,
                        "usual": euros(usual.quantize(CENT)),
                        "count": len(past),
                        "orders": quoted,
                    },
                    (
                        _order_ev(chain, line, net_unit_price=net.quantize(CENT)),
                        *_history_ev(past, net_unit_price=True),
                    ),
                )
            )
        smallest, largest = min(p.quantity for p in past), max(p.quantity for p in past)
        if line.quantity > largest * QUANTITY_FACTOR or line.quantity * QUANTITY_FACTOR < smallest:
            findings.append(
                Finding(
                    "quantity_unusual_for_customer",
                    Severity.WARNING,
                    (
                        gettext(
                            "La commande %(order)s porte %(quantity)s de %(sku)s ; %(customer)s en commande "
                            "d'habitude %(smallest)s (%(orders)s) : vérifiez la quantité avec le client."
                        )
                        if smallest == largest
                        else gettext(
                            "La commande %(order)s porte %(quantity)s de %(sku)s ; %(customer)s en commande "
                            "d'habitude de %(smallest)s à %(largest)s (%(orders)s) : vérifiez la quantité "
                            "avec le client."
                        )
                    )
                    % {
                        "order": chain.order.number,
                        "quantity": units(line.quantity),
                        "sku": line.product.sku,
                        "customer": chain.customer.name,
                        "smallest": units(smallest),
                        "largest": units(largest),
                        "orders": quoted,
                    },
                    (_order_ev(chain, line, quantity=line.quantity), *_history_ev(past)),
                )
            )
    return findings


def _history_ev(past, *, net_unit_price=False):
    for p in past[:4]:
        values = {"date": p.date, "quantity": p.quantity}
        if net_unit_price:
            values["net_unit_price"] = p.net_unit_price.quantize(CENT)
        yield Evidence("order", p.order_number, p.order_id, None, values)
