"""Invoicing: draft from what was delivered (or ordered, for services), then issue.

Issuing is the legal act: it takes the next number of the series, freezes the invoice (totals, the
buyer as they are today) and posts the sales-journal entry, all in one transaction.
"""

import dataclasses
import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone

from comptoir.accounting import chart
from comptoir.accounting import services as ledger
from comptoir.billing import einvoicing, errors
from comptoir.billing.models import Invoice, InvoiceLine, InvoiceTax
from comptoir.billing.terms import due_date
from comptoir.catalog.models import Product
from comptoir.core import audit, money, numbering, permissions, vat, workflow
from comptoir.core.errors import DomainError
from comptoir.core.taxes import document_totals
from comptoir.parties.models import Company, VatRegime
from comptoir.sales.models import Order, OrderLine
from comptoir.stock.models import Delivery, DeliveryLine

ZERO = Decimal("0")


def _fail(error, **params):
    code, message = error
    raise DomainError(code, message, **params)


def _claimed(field: str, ids) -> dict[int, Decimal]:
    """Quantities already on draft or issued invoices, per delivery line or order line."""
    rows = (
        InvoiceLine.objects.filter(**{f"{field}__in": ids})
        .exclude(invoice__status=Invoice.Status.CANCELLED)
        .values(field)
        .annotate(q=Sum("quantity"))
    )
    return {row[field]: row["q"] for row in rows}


def invoiceable_lines(order: Order) -> list[dict]:
    """What can still be invoiced on an order: delivered goods not yet on an invoice, and services
    ordered not yet on an invoice. Each item says which line it comes from."""
    order_lines = list(order.lines.select_related("product").all())
    service_lines = [ol for ol in order_lines if ol.product.kind == Product.Kind.SERVICE]
    delivery_lines = list(
        DeliveryLine.objects.filter(delivery__order=order, delivery__status=Delivery.Status.VALIDATED)
        .select_related("order_line", "product")
        .order_by("order_line__position", "id")
    )
    claimed_dl = _claimed("delivery_line_id", [dl.pk for dl in delivery_lines])
    claimed_ol = _claimed("order_line_id", [ol.pk for ol in service_lines])
    items = []
    for dl in delivery_lines:
        qty = dl.quantity - claimed_dl.get(dl.pk, ZERO)
        if qty > 0:
            items.append({"order_line": dl.order_line, "delivery_line": dl, "quantity": qty})
    for ol in service_lines:
        qty = ol.quantity - claimed_ol.get(ol.pk, ZERO)
        if qty > 0:
            items.append({"order_line": ol, "delivery_line": None, "quantity": qty})
    items.sort(key=lambda item: (item["order_line"].position, item["order_line"].pk))
    return items


@transaction.atomic
def create_invoice_from_order(order: Order, *, by) -> Invoice:
    permissions.require(by, "invoice.manage")
    order = Order.objects.select_for_update().select_related("customer").get(pk=order.pk)
    if order.status != Order.Status.CONFIRMED:
        _fail(errors.ORDER_NOT_CONFIRMED, number=order.number)
    items = invoiceable_lines(order)
    if not items:
        _fail(errors.NOTHING_TO_INVOICE, number=order.number)
    company = Company.objects.only("invoice_series").first()
    invoice = Invoice.objects.create(
        series=company.invoice_series if company else "FA",
        customer=order.customer,
        order=order,
        created_by=by if getattr(by, "pk", None) else None,
    )
    lines = []
    for position, item in enumerate(items, start=1):
        ol: OrderLine = item["order_line"]
        lines.append(
            InvoiceLine(
                invoice=invoice,
                position=position,
                order_line=ol,
                delivery_line=item["delivery_line"],
                product_id=ol.product_id,
                description=ol.description,
                quantity=item["quantity"],
                unit_price=ol.unit_price,
                discount_percent=ol.discount_percent,
                vat_rate=ol.vat_rate,
                vat_category=ol.vat_category,
                vat_exemption_reason=ol.vat_exemption_reason,
                net_amount=money.line_net(item["quantity"], ol.unit_price, ol.discount_percent),
            )
        )
    InvoiceLine.objects.bulk_create(lines)
    totals = document_totals((line.net_amount, line.vat_rate, line.vat_category) for line in lines)
    invoice.total_untaxed, invoice.total_vat, invoice.total = totals.untaxed, totals.vat, totals.total
    invoice.save(update_fields=["total_untaxed", "total_vat", "total"])
    audit.record("invoice.drafted", by=by, obj=invoice, data={"order": order.number, "total": invoice.total_untaxed})
    return invoice


@transaction.atomic
def cancel_draft_invoice(invoice: Invoice, *, by, reason: str = "") -> Invoice:
    """Drop a draft (it never had a number); its quantities become invoiceable again."""
    permissions.require(by, "invoice.manage")
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    workflow.require(Invoice.TRANSITIONS, invoice.status, Invoice.Status.CANCELLED, document=str(invoice), labels=Invoice.Status)
    invoice.status = Invoice.Status.CANCELLED
    invoice.save(update_fields=["status"])
    audit.record("invoice.cancelled", by=by, obj=invoice, data={"reason": reason})
    return invoice


def _address_text(customer) -> str:
    return "\n".join(customer.address_lines)


def _is_service(line: InvoiceLine) -> bool:
    return line.product.kind == Product.Kind.SERVICE


def _tax_rows(invoice: Invoice, lines: list[InvoiceLine], totals, *, vat_on_receipts: bool) -> list[InvoiceTax]:
    """The frozen VAT breakdown. For services taxed on receipts (no option for debits), the share of
    each rate's VAT that belongs to service lines waits in 44574 until the customer pays."""
    reasons = {(line.vat_rate, line.vat_category): line.vat_exemption_reason for line in lines}
    rows = []
    for tax in totals.taxes:
        pending = ZERO
        if vat_on_receipts and tax.amount and tax.base:
            service_base = sum(
                (ln.net_amount for ln in lines if _is_service(ln) and (ln.vat_rate, ln.vat_category) == (tax.rate, tax.category)),
                ZERO,
            )
            pending = money.amount(tax.amount * service_base / tax.base)
        rows.append(
            InvoiceTax(
                invoice=invoice, vat_rate=tax.rate, category=tax.category, base=tax.base, amount=tax.amount,
                amount_on_receipts=pending, exemption_reason=reasons.get((tax.rate, tax.category), ""),
            )
        )
    return rows


def _sales_entry_lines(invoice: Invoice, lines: list[InvoiceLine], taxes: list[InvoiceTax]) -> list[ledger.Line]:
    """411 debit for the total; 707 goods / 706 services credits per rate; VAT per rate on 44571, or
    on 44574 for the part due on receipt."""
    label = f"{invoice.number} {invoice.customer.name}"
    revenue: dict[tuple[str, Decimal], Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        default = chart.SALES_SERVICES if _is_service(line) else chart.SALES_GOODS
        revenue[(line.account_code or default, line.vat_rate)] += line.net_amount
    entry_lines = [ledger.Line(chart.CUSTOMERS, debit=invoice.total, label=label, partner_id=invoice.customer_id)]
    for (account, rate), net in sorted(revenue.items()):
        if net > 0:
            entry_lines.append(ledger.Line(account, credit=net, label=label, vat_rate=rate))
        elif net < 0:
            entry_lines.append(ledger.Line(account, debit=-net, label=label, vat_rate=rate))
    for tax in taxes:
        due_now = tax.amount - tax.amount_on_receipts
        if due_now:
            entry_lines.append(ledger.Line(chart.VAT_COLLECTED, credit=due_now, label=label, vat_rate=tax.vat_rate))
        if tax.amount_on_receipts:
            entry_lines.append(
                ledger.Line(chart.VAT_PENDING, credit=tax.amount_on_receipts, label=label, vat_rate=tax.vat_rate)
            )
    if invoice.kind == Invoice.Kind.CREDIT_NOTE:
        # A credit note is the mirror of an invoice: 411 credit, revenue and VAT debit.
        entry_lines = [dataclasses.replace(line, debit=line.credit, credit=line.debit) for line in entry_lines]
    return entry_lines


def _check_buyer(customer, lines: list[InvoiceLine]) -> None:
    """What the law needs to know about the buyer before an invoice can carry its name."""
    if customer.vat_regime == VatRegime.FRANCE and not customer.siren:
        _fail(errors.BUYER_SIREN_MISSING, customer=customer.name)
    if any(line.vat_category in vat.NEED_BUYER_VAT for line in lines) and not customer.vat_number:
        _fail(errors.BUYER_VAT_MISSING, customer=customer.name)


def _seller_snapshot(company: Company | None) -> dict:
    if company is None:
        _fail(errors.COMPANY_MISSING)
    return {
        "name": company.legal_name, "legal_form": company.legal_form, "siren": company.siren,
        "siret": company.siret, "vat_number": company.vat_number, "rcs_city": company.rcs_city,
        "share_capital": str(company.share_capital) if company.share_capital is not None else "",
        "street": company.street, "street2": company.street2, "postal_code": company.postal_code,
        "city": company.city, "country": company.country, "iban": company.iban, "bic": company.bic,
        "email": company.email, "phone": company.phone, "vat_on_debits": company.vat_on_debits,
        "late_penalty_rate": str(company.late_penalty_rate), "early_payment_discount": company.early_payment_discount,
    }


def _nature(lines: list[InvoiceLine]) -> str:
    kinds = {_is_service(line) for line in lines}
    if kinds == {True}:
        return Invoice.Nature.SERVICES
    return Invoice.Nature.MIXED if len(kinds) == 2 else Invoice.Nature.GOODS


def _terms_text(customer) -> str:
    if customer.payment_days == 0:
        return "Paiement à réception de facture"
    text = f"Paiement à {customer.payment_days} jours"
    return text + (" fin de mois" if customer.payment_end_of_month else " date de facture")


@transaction.atomic
def issue_invoice(invoice: Invoice, *, by, date: datetime.date | None = None) -> Invoice:
    """Issue a draft: number, freeze (totals, buyer and seller as they are today), post the sales entry."""
    permissions.require(by, "invoice.issue")
    invoice = Invoice.objects.select_for_update().select_related("customer").get(pk=invoice.pk)
    if invoice.status == Invoice.Status.ISSUED:
        _fail(errors.NOT_DRAFT, number=invoice.number)
    workflow.require(Invoice.TRANSITIONS, invoice.status, Invoice.Status.ISSUED, document=str(invoice), labels=Invoice.Status)
    today = timezone.localdate()
    date = date or today
    if date > today:
        _fail(errors.DATE_IN_FUTURE, date=date.strftime("%d/%m/%Y"))
    last = Invoice.objects.filter(
        series=invoice.series, status=Invoice.Status.ISSUED, date__year=date.year
    ).aggregate(last=Max("date"))["last"]
    if last and date < last:
        _fail(errors.DATE_BEFORE_LAST, date=date.strftime("%d/%m/%Y"), last=last.strftime("%d/%m/%Y"))
    lines = list(invoice.lines.select_related("product", "delivery_line__delivery").all())
    if not lines:
        _fail(errors.NO_LINES)
    totals = document_totals((line.net_amount, line.vat_rate, line.vat_category) for line in lines)
    if totals.total < 0:
        _fail(errors.TOTAL_NEGATIVE)
    customer = invoice.customer
    _check_buyer(customer, lines)
    company = Company.objects.first()
    invoice.seller = _seller_snapshot(company)
    invoice.number = numbering.next_number(invoice.series, date.year)
    invoice.date = date
    invoice.due_date = due_date(date, customer.payment_days, customer.payment_end_of_month)
    invoice.payment_terms = _terms_text(customer)
    invoice.total_untaxed, invoice.total_vat, invoice.total = totals.untaxed, totals.vat, totals.total
    invoice.buyer_name = customer.name
    invoice.buyer_address = _address_text(customer)
    invoice.buyer_siren = customer.siren
    invoice.buyer_vat_number = customer.vat_number
    invoice.buyer_details = einvoicing.buyer_details(customer, invoice.order)
    invoice.operation_nature = _nature(lines)
    delivered_on = [line.delivery_line.delivery.date for line in lines if line.delivery_line_id]
    invoice.delivery_date = max(delivered_on) if delivered_on else None
    # A credit note reverses VAT on 44571; pending VAT of the invoice it corrects is released when the
    # credit note is applied to that invoice (payments.apply_credit_note).
    on_receipts = not company.vat_on_debits and invoice.kind != Invoice.Kind.CREDIT_NOTE
    taxes = _tax_rows(invoice, lines, totals, vat_on_receipts=on_receipts)
    entry, _ = ledger.post_entry(
        "VE",
        date=date,
        label=f"{invoice.get_kind_display()} {invoice.number}",
        document_number=invoice.number,
        lines=_sales_entry_lines(invoice, lines, taxes),
    )
    InvoiceTax.objects.bulk_create(taxes)
    if invoice.kind != Invoice.Kind.CREDIT_NOTE:
        _count_invoiced(lines)
    invoice.entry = entry
    invoice.status = Invoice.Status.ISSUED
    invoice.issued_at = timezone.now()
    invoice.issued_by = by if getattr(by, "pk", None) else None
    invoice.save()
    # The e-invoice must be valid before the invoice exists: its rules are checked on the frozen data,
    # and the structured invoice (CII XML) is archived with its fingerprint in the same transaction.
    einvoice_problems = einvoicing.problems(invoice)
    if einvoice_problems:
        _fail(errors.EINVOICE_INVALID, problems=" ; ".join(einvoice_problems))
    einvoicing.freeze(invoice)
    audit.record(
        "invoice.issued", by=by, obj=invoice,
        data={"number": invoice.number, "untaxed": invoice.total_untaxed, "vat": invoice.total_vat, "total": invoice.total},
    )
    return invoice


def _count_invoiced(lines: list[InvoiceLine]) -> None:
    """Advance the invoiced counters of the order and delivery lines behind an issued invoice."""
    by_order_line: dict[int, Decimal] = defaultdict(lambda: ZERO)
    by_delivery_line: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        if line.order_line_id:
            by_order_line[line.order_line_id] += line.quantity
        if line.delivery_line_id:
            by_delivery_line[line.delivery_line_id] += line.quantity
    order_lines = list(OrderLine.objects.select_for_update().filter(pk__in=by_order_line).order_by("pk"))
    for ol in order_lines:
        ol.quantity_invoiced += by_order_line[ol.pk]
    OrderLine.objects.bulk_update(order_lines, ["quantity_invoiced"])
    delivery_lines = list(DeliveryLine.objects.select_for_update().filter(pk__in=by_delivery_line).order_by("pk"))
    for dl in delivery_lines:
        dl.quantity_invoiced += by_delivery_line[dl.pk]
    DeliveryLine.objects.bulk_update(delivery_lines, ["quantity_invoiced"])


# --- Credit notes (avoirs) ----------------------------------------------------------------------


def credited_so_far(invoice_line_ids) -> dict[int, tuple[Decimal, Decimal]]:
    """(quantity, amount) already credited per invoice line, on draft or issued credit notes."""
    rows = (
        InvoiceLine.objects.filter(credited_line_id__in=invoice_line_ids)
        .exclude(invoice__status=Invoice.Status.CANCELLED)
        .values("credited_line_id")
        .annotate(q=Sum("quantity"), a=Sum("net_amount"))
    )
    return {row["credited_line_id"]: (row["q"] or ZERO, row["a"] or ZERO) for row in rows}


@transaction.atomic
def create_credit_note(
    invoice: Invoice, lines, *, by, reason: str, source_reference: str = "", gesture_category: str = "",
) -> Invoice:
    """Draft a credit note (avoir) correcting an issued invoice.

    `lines` are {"invoice_line": InvoiceLine or id, "quantity": …, "unit_price": … (optional, for a price
    correction: the amount credited per unit)}. Rules: a credit note needs the case number that
    justifies it (`source_reference`, e.g. RET-2026-00042), unless it is a pure commercial gesture,
    which needs a category and its own permission; per invoice line, the credited quantity cannot
    exceed the invoiced quantity and the credited amount cannot exceed what is left to credit.
    """
    permissions.require(by, "credit_note.manage")
    if not source_reference and not gesture_category:
        _fail(errors.CREDIT_NOTE_NEEDS_CASE)
    if gesture_category and not source_reference:
        permissions.require(by, "credit_note.gesture")
    # Locking the invoice serialises two credit notes racing on the same lines.
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status != Invoice.Status.ISSUED or invoice.kind == Invoice.Kind.CREDIT_NOTE:
        _fail(errors.CREDIT_ONLY_ISSUED_INVOICE, number=str(invoice))
    if not lines:
        _fail(errors.NO_LINES)
    originals = {line.pk: line for line in invoice.lines.select_related("product")}
    so_far = credited_so_far(list(originals))
    requested: dict[int, tuple[Decimal, Decimal]] = {}
    new_lines = []
    for position, data in enumerate(lines, start=1):
        ref = data.get("invoice_line")
        original = originals.get(getattr(ref, "pk", ref))
        if original is None:
            _fail(errors.LINE_NOT_ON_INVOICE, number=invoice.number)
        qty = _decimal(data.get("quantity"))
        if qty <= 0:
            _fail(errors.CREDIT_QUANTITY_NOT_POSITIVE)
        price = _decimal(data["unit_price"]) if data.get("unit_price") not in (None, "") else original.unit_price
        if price <= 0 or price > original.unit_price:
            _fail(errors.CREDIT_PRICE_OUT_OF_RANGE, sku=original.product.sku)
        net = money.line_net(qty, price, original.discount_percent)
        done_qty, done_amount = so_far.get(original.pk, (ZERO, ZERO))
        prev_qty, prev_amount = requested.get(original.pk, (ZERO, ZERO))
        if done_qty + prev_qty + qty > original.quantity:
            _fail(errors.CREDIT_EXCEEDS_QUANTITY, sku=original.product.sku, left=_fmt(original.quantity - done_qty - prev_qty))
        if done_amount + prev_amount + net > original.net_amount:
            _fail(errors.CREDIT_EXCEEDS_AMOUNT, sku=original.product.sku, left=original.net_amount - done_amount - prev_amount)
        requested[original.pk] = (prev_qty + qty, prev_amount + net)
        new_lines.append(
            InvoiceLine(
                position=position, credited_line=original, order_line_id=original.order_line_id,
                delivery_line_id=original.delivery_line_id, product_id=original.product_id,
                description=original.description, quantity=qty, unit_price=price,
                discount_percent=original.discount_percent, vat_rate=original.vat_rate,
                vat_category=original.vat_category, vat_exemption_reason=original.vat_exemption_reason,
                net_amount=net,
                # A price reduction is booked on 709; goods or services taken back reverse 707/706.
                account_code=chart.DISCOUNTS_GRANTED if price != original.unit_price or gesture_category else original.account_code,
            )
        )
    note = Invoice.objects.create(
        kind=Invoice.Kind.CREDIT_NOTE, series="AV", customer_id=invoice.customer_id, order_id=invoice.order_id,
        corrects=invoice, source_reference=source_reference, gesture_category=gesture_category, reason=reason,
        created_by=by if getattr(by, "pk", None) else None,
    )
    for line in new_lines:
        line.invoice = note
    InvoiceLine.objects.bulk_create(new_lines)
    totals = document_totals((line.net_amount, line.vat_rate, line.vat_category) for line in new_lines)
    note.total_untaxed, note.total_vat, note.total = totals.untaxed, totals.vat, totals.total
    note.save(update_fields=["total_untaxed", "total_vat", "total"])
    audit.record(
        "credit_note.drafted", by=by, obj=note,
        data={"invoice": invoice.number, "case": source_reference, "gesture": gesture_category, "reason": reason,
              "total": note.total},
    )
    return note


def _decimal(value) -> Decimal:
    try:
        return money.D(value)
    except (ValueError, TypeError, ArithmeticError):
        _fail(errors.INVALID_NUMBER, value=value)


def _fmt(qty: Decimal) -> str:
    return format(qty.normalize(), "f").replace(".", ",")
