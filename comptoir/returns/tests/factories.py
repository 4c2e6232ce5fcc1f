"""A sale to return goods from, built with the real services."""

from dataclasses import dataclass

from comptoir.billing.models import Invoice
from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.sales.models import Order
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock.models import Delivery
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery


@dataclass
class Sale:
    order: Order
    delivery: Delivery
    invoice: Invoice | None

    @property
    def delivery_line(self):
        return self.delivery.lines.get()

    @property
    def invoice_line(self):
        return self.invoice.lines.get()


def make_sale(
    boss, customer, product, *, quantity="10", stock="50", cost="70", invoiced=True, discount="0", price=None
):
    """`quantity` units of `product` ordered, delivered and (by default) invoiced; stock received first."""
    if stock:
        receive_stock([{"product": product, "quantity": stock, "unit_cost": cost}], by=boss)
    line = {"product": product, "quantity": quantity, "discount_percent": discount}
    if price is not None:
        line["unit_price"] = price
    order = confirm_order(create_order(customer, [line], by=boss), by=boss)
    delivery = validate_delivery(create_delivery(order, by=boss), by=boss)
    invoice = issue_invoice(create_invoice_from_order(order, by=boss), by=boss) if invoiced else None
    return Sale(order=order, delivery=delivery, invoice=invoice)


def team():
    """One user per role involved in returns."""
    return {
        "commercial": make_user("sophie", Role.COMMERCIAL),
        "adv": make_user("nadia", Role.ADV),
        "logistique": make_user("karim", Role.LOGISTIQUE),
        "comptabilite": make_user("claire", Role.COMPTABILITE),
    }
