"""Chains to check, built with the real services.

Some inconsistencies cannot be produced through Comptoir's services, which refuse them; they arrive in
practice through a draft edited by hand, an import or an older version. `edit_draft_line` and
`copy_as_draft` write those drafts directly, the way `returns` writes its re-invoicing drafts, and say so.
"""

from decimal import Decimal

from comptoir.assistant.services import findings_for_invoice, findings_for_order
from comptoir.billing.models import Invoice, InvoiceLine
from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core import money
from comptoir.core.taxes import document_totals
from comptoir.sales.services import accept_quote, confirm_order, create_quote, send_quote
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery


def stock(boss, *products, quantity="100", date=None):
    receive_stock(
        [{"product": p, "quantity": quantity, "unit_cost": "50"} for p in products], by=boss, date=date
    )


def sold(boss, customer, *lines, date=None):
    """A confirmed order from an accepted quote; `lines` are (product, quantity) or line dicts."""
    data = [line if isinstance(line, dict) else {"product": line[0], "quantity": line[1]} for line in lines]
    quote = create_quote(customer, data, by=boss, date=date)
    send_quote(quote, by=boss)
    return confirm_order(accept_quote(quote, by=boss, date=date), by=boss)


def ship(boss, order, *lines, date=None):
    """A validated delivery note of (product, quantity) pairs; everything left when none is given."""
    wanted = None
    if lines:
        wanted = [{"order_line": order.lines.get(product=product), "quantity": qty} for product, qty in lines]
    return validate_delivery(create_delivery(order, wanted, by=boss, date=date), by=boss)


def delivered_not_invoiced(boss, customer, product, quantity="10"):
    """A confirmed order of `quantity` × product, fully delivered, nothing invoiced yet."""
    stock(boss, product)
    order = sold(boss, customer, (product, quantity))
    ship(boss, order)
    return order


def draft(boss, order):
    return create_invoice_from_order(order, by=boss)


def issued(boss, order):
    return issue_invoice(create_invoice_from_order(order, by=boss), by=boss)


def edit_draft_line(line: InvoiceLine, **fields) -> InvoiceLine:
    """Change a draft line as a hand edit would, keeping its net amount and the draft's totals right."""
    for name, value in fields.items():
        setattr(line, name, value)
    line.net_amount = money.line_net(line.quantity, line.unit_price, line.discount_percent)
    line.save()
    _retotal(line.invoice_id)
    return line


def copy_as_draft(invoice: Invoice) -> Invoice:
    """A second draft billing the very same lines (same links), as an import or a hand-made draft would."""
    copy = Invoice.objects.create(
        series=invoice.series, customer_id=invoice.customer_id, order_id=invoice.order_id
    )
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(
                invoice=copy,
                position=line.position,
                order_line_id=line.order_line_id,
                delivery_line_id=line.delivery_line_id,
                product_id=line.product_id,
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                vat_rate=line.vat_rate,
                vat_category=line.vat_category,
                vat_exemption_reason=line.vat_exemption_reason,
                net_amount=line.net_amount,
            )
            for line in invoice.lines.all()
        ]
    )
    _retotal(copy.pk)
    return copy


def _retotal(invoice_id: int) -> None:
    lines = list(InvoiceLine.objects.filter(invoice_id=invoice_id))
    totals = document_totals((line.net_amount, line.vat_rate, line.vat_category) for line in lines)
    Invoice.objects.filter(pk=invoice_id).update(
        total_untaxed=totals.untaxed, total_vat=totals.vat, total=totals.total
    )


def codes(findings) -> list[str]:
    return [finding.code for finding in findings]


def the(findings, code: str):
    """The one finding of this code."""
    found = [finding for finding in findings if finding.code == code]
    assert len(found) == 1, (code, [f.message for f in findings])
    return found[0]


def invoice_findings(invoice):
    return findings_for_invoice(invoice)


def order_findings(order):
    return findings_for_order(order)


D = Decimal
