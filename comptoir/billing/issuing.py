"""Issuing an invoice or a credit note: the legal act.

It takes the next number of the series, freezes the document (totals, VAT breakdown, the buyer and the
seller as they are today) and posts the sales-journal entry, all in one transaction, after the
assistant's blocking gate.
"""

import dataclasses
import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from comptoir.accounting import chart, periods
from comptoir.accounting import services as ledger
from comptoir.assistant import blocking
from comptoir.billing import approving, discounting, einvoicing, errors, integrity, schedule
from comptoir.billing import selectors as billing_selectors
from comptoir.billing import totals as invoice_totals
from comptoir.billing.milestones import _check_deposit_fits
from comptoir.billing.models import AllowanceCharge, DepositDeduction, Invoice, InvoiceLine, InvoiceTax
from comptoir.billing.terms import due_date
from comptoir.catalog.models import Product
from comptoir.core import audit, dates, money, numbering, permissions, rows, vat, workflow
from comptoir.core.compiled import Compiled
from comptoir.core.errors import fail as _fail
from comptoir.parties import selectors as parties_selectors
from comptoir.parties.models import Company, VatRegime
from comptoir.sales.models import Order, OrderLine
from comptoir.stock.models import Delivery, DeliveryLine

ZERO = Decimal("0")
_fr = money.fr


_INVOICE_LOCKED = Compiled(
    lambda invoice_id: (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("customer", "order")
        .filter(pk=invoice_id)
    )
)
_LINES_TO_ISSUE = Compiled(
    lambda invoice_id: (
        InvoiceLine.objects.filter(invoice_id=invoice_id)
        .select_related("product", "delivery_line__delivery")
        .order_by("position", "id")
    )
)
_DEDUCTIONS_WITH_DEPOSIT = Compiled(
    lambda invoice_id: DepositDeduction.objects.filter(invoice_id=invoice_id).select_related("deposit")
)


def _address_text(customer) -> str:
    return "\n".join(customer.address_lines)


def _is_service(line: InvoiceLine) -> bool:
    return line.product.kind == Product.Kind.SERVICE


def _tax_rows(invoice: Invoice, lines: list[InvoiceLine], totals, *, due_on_receipt) -> list[InvoiceTax]:
    """The frozen VAT breakdown. The share of each rate's VAT that belongs to lines taxed on receipt
    (`due_on_receipt(line)`) waits in 44574 until the customer pays."""
    reasons = {(line.vat_rate, line.vat_category): line.vat_exemption_reason for line in lines}
    # The VATEX code (BT-121) of an exempt product goes with its reason (the other zero-VAT categories
    # have their own standard code, see einvoice.document.DEFAULT_EXEMPTIONS).
    codes = {
        (line.vat_rate, line.vat_category): line.product.vat_exemption_code
        for line in reversed(lines)
        if line.vat_category == vat.Category.EXEMPT and line.product.vat_exemption_code
    }
    rows = []
    for tax in totals.taxes:
        pending = ZERO
        if tax.amount and tax.base and tax.lines_base > 0:
            on_receipt_base = sum(
                (
                    ln.net_amount
                    for ln in lines
                    if due_on_receipt(ln) and (ln.vat_rate, ln.vat_category) == (tax.rate, tax.category)
                ),
                ZERO,
            )
            # The share of the lines taxed on receipt among the lines of this breakdown (its allowances
            # and charges follow the lines they adjust).
            pending = money.amount(tax.amount * on_receipt_base / tax.lines_base)
        rows.append(
            InvoiceTax(
                invoice=invoice,
                vat_rate=tax.rate,
                category=tax.category,
                base=tax.base,
                amount=tax.amount,
                amount_on_receipts=pending,
                exemption_reason=reasons.get((tax.rate, tax.category), ""),
                exemption_code=codes.get((tax.rate, tax.category), ""),
            )
        )
    return rows


def _due_on_receipt(invoice: Invoice, company: Company):
    """Which lines have their VAT due only when the customer pays (fr-compliance §5.4): services, unless
    the company opted for debits; on a deposit invoice, goods too (CGI 269-2-a). A credit note reverses
    its VAT where the VAT of the invoice it corrects sits (`_credit_where_vat_waits`)."""
    if invoice.kind == Invoice.Kind.CREDIT_NOTE:
        return lambda line: False
    return _waits_for_cash(invoice.kind, company.vat_on_debits)


def _waits_for_cash(kind: str, vat_on_debits: bool):
    if kind == Invoice.Kind.DEPOSIT:
        return lambda line: not (vat_on_debits and _is_service(line))
    return lambda line: _is_service(line) and not vat_on_debits


def _credit_where_vat_waits(note: Invoice, lines: list[InvoiceLine], taxes: list[InvoiceTax]) -> None:
    """Set on a credit note's VAT rows the part to reverse on 44574 (`amount_on_receipts`): the VAT it
    credits on lines whose VAT waited for the customer's cash on the invoice it corrects (services
    without the option for debits; a deposit's lines), in the proportion of that invoice's VAT on
    receipts not cashed yet. The rest is reversed on 44571, where the VAT already due sits. VAT never
    declared is thus never taken off the VAT due: a credit note on an unpaid services invoice reverses
    44574 only, one on a half-paid invoice half on each."""
    # Locked like a payment locks it: what waits on the invoice cannot move while it is read.
    corrected = Invoice.objects.select_for_update().get(pk=note.corrects_id)
    state = billing_selectors.vat_on_receipts([corrected.pk])
    if not state:
        return
    waits = _waits_for_cash(corrected.kind, bool((corrected.seller or {}).get("vat_on_debits")))
    left = {rate: s.left for (_, rate), s in state.items()}
    for tax in taxes:
        waiting = state.get((corrected.pk, tax.vat_rate))
        if waiting is None or waiting.waiting <= 0 or tax.amount <= 0 or tax.base <= 0:
            continue
        eligible_base = sum(
            (
                line.net_amount
                for line in lines
                if waits(line) and (line.vat_rate, line.vat_category) == (tax.vat_rate, tax.category)
            ),
            ZERO,
        )
        lines_base = sum(
            (ln.net_amount for ln in lines if (ln.vat_rate, ln.vat_category) == (tax.vat_rate, tax.category)),
            ZERO,
        )
        if lines_base <= 0:
            continue
        uncashed = min(left[tax.vat_rate], waiting.waiting) / waiting.waiting
        reversed_there = min(
            left[tax.vat_rate], money.amount(tax.amount * eligible_base / lines_base * uncashed)
        )
        tax.amount_on_receipts = reversed_there
        left[tax.vat_rate] -= reversed_there


@dataclasses.dataclass(frozen=True)
class _Reversal:
    """A deducted part of a deposit, and where its VAT sits when the deducting invoice is issued."""

    deduction: DepositDeduction
    vat_due: Decimal  # on 44571: the deposit was cashed (or its VAT was due on debits)
    vat_pending: Decimal  # on 44574: not cashed yet
    made_due: Decimal  # of `vat_pending`, the goods share: the delivery billed makes it due now


def _deposit_reversals(deductions: list[DepositDeduction]) -> list[_Reversal]:
    """Where each deducted part of a deposit's VAT sits, and how much of it the delivery makes due.

    A deposit's VAT waits in 44574 until the deposit is cashed (goods and services, CGI art. 269-2-a);
    what still waits when the goods are delivered and invoiced falls due then for the goods. Each part
    deducted is split like the deposit's lines of its rate (goods, services on receipts, services on
    debits), and its waiting shares scaled by what of the deposit is not cashed yet."""
    if not deductions:
        return []
    deposit_ids = {d.deposit_id for d in deductions}
    # The deposit's lines of each VAT group: goods, services on receipts, services due on debits.
    bases: dict[tuple[int, Decimal, str], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])
    on_debits = {d.deposit_id: bool((d.deposit.seller or {}).get("vat_on_debits")) for d in deductions}
    for invoice_id, rate, category, kind, net in InvoiceLine.objects.filter(
        invoice_id__in=deposit_ids
    ).values_list("invoice_id", "vat_rate", "vat_category", "product__kind", "net_amount"):
        service = kind == Product.Kind.SERVICE
        bases[(invoice_id, rate, category)][(2 if on_debits[invoice_id] else 1) if service else 0] += net
    on_receipts = billing_selectors.vat_on_receipts(deposit_ids)
    reversals = []
    for d in deductions:
        goods, services, _due_on_debits = bases[(d.deposit_id, d.vat_rate, d.category)]
        whole = sum(bases[(d.deposit_id, d.vat_rate, d.category)], ZERO)
        state = on_receipts.get((d.deposit_id, d.vat_rate))
        if state is None or state.left <= 0 or whole <= 0:
            reversals.append(_Reversal(d, d.vat, ZERO, ZERO))
            continue
        goods_pending, services_pending = schedule.deposit_vat_waiting(
            d.vat, goods / whole, services / whole, state.left, state.waiting
        )
        reversals.append(
            _Reversal(
                d, d.vat - goods_pending - services_pending, goods_pending + services_pending, goods_pending
            )
        )
    return reversals


def _sales_entry_lines(
    invoice: Invoice,
    lines: list[InvoiceLine],
    taxes: list[InvoiceTax],
    reversals: list[_Reversal] = (),
    adjustments: list[AllowanceCharge] = (),
) -> list[ledger.Line]:
    """411 debit for the total; 707 goods / 706 services credits per rate (4191 for a deposit); VAT per
    rate on 44571, or on 44574 for the part due on receipt. Document-level allowances debit 709 (rabais,
    remises et ristournes accordés) and charges credit 7085 (ports et frais accessoires facturés), per
    rate; their VAT is in the breakdown of their rate.

    For each deposit deducted: 4191 debit (its amount excl. VAT), VAT debit where the deposit's VAT
    sits (44571 once cashed, 44574 until then), 411 credit (incl. VAT). The invoice credits the same
    VAT accounts with the VAT of the whole operation: of the deposit's VAT still pending, the services
    share stays on 44574 and keeps following the deposit's own payments, the goods share falls due now
    with the delivery (44571); the rest falls due as this invoice's own VAT.
    """
    label = f"{invoice.number} {invoice.customer.name}"
    revenue: dict[tuple[str, Decimal], Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        default = chart.SALES_SERVICES if _is_service(line) else chart.SALES_GOODS
        revenue[(line.account_code or default, line.vat_rate)] += line.net_amount
    entry_lines = [
        ledger.Line(chart.CUSTOMERS, debit=invoice.total, label=label, partner_id=invoice.customer_id)
    ]
    for item in adjustments:
        default = chart.CHARGES_INVOICED if item.is_charge else chart.DISCOUNTS_GRANTED
        revenue[(item.account_code or default, item.vat_rate)] += item.signed_amount
    for (account, rate), net in sorted(revenue.items()):
        # Advances received (4191) are the customer's, like 411: the FEC names them (CompAuxNum).
        partner = invoice.customer_id if account == chart.CUSTOMER_DEPOSITS else None
        if net > 0:
            entry_lines.append(
                ledger.Line(account, credit=net, label=label, vat_rate=rate, partner_id=partner)
            )
        elif net < 0:
            entry_lines.append(
                ledger.Line(account, debit=-net, label=label, vat_rate=rate, partner_id=partner)
            )
    # What of the deposits' VAT still waits for their cash: their services share (the goods share falls
    # due with this invoice's delivery, on 44571 with its own goods VAT).
    deposit_pending: dict[tuple[Decimal, str], Decimal] = defaultdict(lambda: ZERO)
    for reversal in reversals:
        deposit_pending[(reversal.deduction.vat_rate, reversal.deduction.category)] += (
            reversal.vat_pending - reversal.made_due
        )
    for tax in taxes:
        on_pending = tax.amount_on_receipts + deposit_pending[(tax.vat_rate, tax.category)]
        due_now = tax.amount - on_pending
        if due_now:
            entry_lines.append(
                ledger.Line(chart.VAT_COLLECTED, credit=due_now, label=label, vat_rate=tax.vat_rate)
            )
        if on_pending:
            entry_lines.append(
                ledger.Line(chart.VAT_PENDING, credit=on_pending, label=label, vat_rate=tax.vat_rate)
            )
    by_deposit: dict[int, list[_Reversal]] = defaultdict(list)
    for reversal in reversals:
        by_deposit[reversal.deduction.deposit_id].append(reversal)
    for group in by_deposit.values():
        deposit = group[0].deduction.deposit
        deposit_label = f"{invoice.number} acompte {deposit.number} déduit"
        base = sum((r.deduction.base for r in group), ZERO)
        entry_lines.append(
            ledger.Line(
                chart.CUSTOMER_DEPOSITS, debit=base, label=deposit_label, partner_id=invoice.customer_id
            )
        )
        for r in group:
            rate = r.deduction.vat_rate
            entry_lines.append(
                ledger.Line(chart.VAT_COLLECTED, debit=r.vat_due, label=deposit_label, vat_rate=rate)
            )
            entry_lines.append(
                ledger.Line(chart.VAT_PENDING, debit=r.vat_pending, label=deposit_label, vat_rate=rate)
            )
        total = sum((r.deduction.amount for r in group), ZERO)
        entry_lines.append(
            ledger.Line(chart.CUSTOMERS, credit=total, label=deposit_label, partner_id=invoice.customer_id)
        )
    if invoice.kind == Invoice.Kind.CREDIT_NOTE:
        # A credit note is the mirror of an invoice: 411 credit, revenue and VAT debit.
        entry_lines = [
            dataclasses.replace(line, debit=line.credit, credit=line.debit) for line in entry_lines
        ]
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
        "name": company.legal_name,
        "legal_form": company.legal_form,
        "siren": company.siren,
        "siret": company.siret,
        "vat_number": company.vat_number,
        "rcs_city": company.rcs_city,
        "share_capital": str(company.share_capital) if company.share_capital is not None else "",
        "street": company.street,
        "street2": company.street2,
        "postal_code": company.postal_code,
        "city": company.city,
        "country": company.country,
        "iban": company.iban,
        "bic": company.bic,
        "email": company.email,
        "phone": company.phone,
        "vat_on_debits": company.vat_on_debits,
        "late_penalty_rate": str(company.late_penalty_rate),
        "early_payment_discount": company.early_payment_discount,
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
    invoice = _INVOICE_LOCKED.get(invoice.pk)
    if invoice.status == Invoice.Status.ISSUED:
        _fail(errors.NOT_DRAFT, number=invoice.number)
    workflow.require(
        Invoice.TRANSITIONS,
        invoice.status,
        Invoice.Status.ISSUED,
        document=str(invoice),
        labels=Invoice.Status,
    )
    lines = _LINES_TO_ISSUE.objects(invoice.pk, invoice=invoice)
    date = periods.check_business_date(date, follows=_issue_follows(invoice, lines))
    if invoice.kind != Invoice.Kind.CREDIT_NOTE:
        blocked = sorted(
            {
                ln.delivery_line.delivery.number
                for ln in lines
                if ln.delivery_line_id and ln.delivery_line.delivery.invoicing_blocked
            }
        )
        if blocked:
            _fail(errors.DELIVERY_INVOICING_BLOCKED, numbers=", ".join(blocked))
    if not lines:
        _fail(errors.NO_LINES)
    adjustments = invoice_totals.adjustments_of(invoice)
    totals = invoice_totals.invoice_totals(lines, adjustments)
    if totals.total < 0:
        _fail(errors.TOTAL_NEGATIVE)
    customer = invoice.customer
    _check_buyer(customer, lines)
    # The assistant's blocking findings (billed beyond delivered, billed twice, VAT) stop the issue
    # unless someone allowed overrode them with a written reason.
    blocking.refuse_if_blocked(invoice, lines)
    if invoice.kind == Invoice.Kind.CREDIT_NOTE:
        # Four eyes: a commercial gesture above the threshold waits for another person's approval. Checked
        # after the document's own rules, so that a trial issue (the billing agent's) finds those first.
        approving.require_approved(invoice)
    company = parties_selectors.company()
    invoice.seller = _seller_snapshot(company)
    try:
        # Chronological numbering is checked under the counter's lock, where two issues cannot cross.
        invoice.number = numbering.next_number(invoice.series, date.year, dated=date)
    except numbering.OutOfOrder as late:
        _fail(
            errors.DATE_BEFORE_LAST, date=date.strftime("%d/%m/%Y"), last=late.last_date.strftime("%d/%m/%Y")
        )
    invoice.date = date
    invoice.due_date = due_date(date, customer.payment_days, customer.payment_end_of_month)
    invoice.payment_terms = _terms_text(customer)
    invoice_totals.set_totals(invoice, totals)
    invoice.buyer_name = customer.name
    invoice.buyer_address = _address_text(customer)
    invoice.buyer_siren = customer.siren
    invoice.buyer_vat_number = customer.vat_number
    invoice.buyer_details = einvoicing.buyer_details(customer, invoice.order)
    invoice.operation_nature = _nature(lines)
    delivered_on = [line.delivery_line.delivery.date for line in lines if line.delivery_line_id]
    if not delivered_on and invoice.milestone_id and invoice.kind == Invoice.Kind.INVOICE:
        # A schedule step billed after the goods left: the last delivery of the order.
        delivered_on = [
            d
            for d in Delivery.objects.filter(
                order_id=invoice.order_id, status=Delivery.Status.VALIDATED
            ).values_list("date", flat=True)
        ]
    # Lines billing no delivery line (a kept surplus re-invoiced by a return case) keep the delivery date
    # their draft was given: an intra-EU supply needs one (BR-IC-11).
    invoice.delivery_date = max(delivered_on) if delivered_on else invoice.delivery_date
    if invoice.kind == Invoice.Kind.DEPOSIT and invoice.order_id:
        order = Order.objects.select_for_update().get(pk=invoice.order_id)
        _check_deposit_fits(order, list(order.milestones.all()))
    deductions = _DEDUCTIONS_WITH_DEPOSIT.objects(invoice.pk, invoice=invoice)
    invoice.deposits_deducted = sum((d.amount for d in deductions), ZERO)
    if invoice.deposits_deducted > totals.total:
        _fail(
            errors.DEDUCTION_EXCEEDS_TOTAL, deducted=_fr(invoice.deposits_deducted), total=_fr(totals.total)
        )
    if invoice.early_discount_percent > 0 and invoice.kind == Invoice.Kind.INVOICE:
        # The escompte's deadline is frozen from the invoice date, its conditions printed in BT-20.
        invoice.early_discount_until = date + datetime.timedelta(days=invoice.early_discount_days)
        invoice.payment_terms += " — " + early_discount_terms(invoice, totals.taxes)
    taxes = _tax_rows(invoice, lines, totals, due_on_receipt=_due_on_receipt(invoice, company))
    if invoice.kind == Invoice.Kind.CREDIT_NOTE and invoice.corrects_id:
        _credit_where_vat_waits(invoice, lines, taxes)
    if deductions:
        deducted_vat: dict[tuple[Decimal, str], Decimal] = defaultdict(lambda: ZERO)
        for d in deductions:
            deducted_vat[(d.vat_rate, d.category)] += d.vat
        for tax in taxes:
            tax.amount_on_receipts = schedule.pending_after_deposits(
                tax.amount, tax.amount_on_receipts, deducted_vat[(tax.vat_rate, tax.category)]
            )
    reversals = _deposit_reversals(deductions)
    for reversal in reversals:
        reversal.deduction.vat_due_at_delivery = reversal.made_due
    rows.update_each([r.deduction for r in reversals if r.made_due], ["vat_due_at_delivery"])
    entry, _ = ledger.post_entry(
        "VE",
        date=date,
        label=f"{invoice.get_kind_display()} {invoice.number}",
        document_number=invoice.number,
        lines=_sales_entry_lines(invoice, lines, taxes, reversals, adjustments),
    )
    rows.insert_many(taxes)
    if invoice.kind != Invoice.Kind.CREDIT_NOTE:
        _count_invoiced(lines)
    invoice.entry = entry
    invoice.status = Invoice.Status.ISSUED
    invoice.issued_at = timezone.now()
    invoice.issued_by = by if getattr(by, "pk", None) else None
    rows.update_one(invoice)
    # The e-invoice must be valid before the invoice exists: its rules are checked on the frozen data,
    # and the structured invoice (CII XML) is archived with its fingerprint in the same transaction.
    einvoice_problems = einvoicing.problems(
        invoice, rows=lines, taxes=taxes, deductions=deductions, adjustments=adjustments
    )
    if einvoice_problems:
        _fail(errors.EINVOICE_INVALID, problems=" ; ".join(einvoice_problems))
    archive = einvoicing.freeze(invoice)
    audit.record(
        "invoice.issued",
        by=by,
        obj=invoice,
        data={
            "number": invoice.number,
            "untaxed": invoice.total_untaxed,
            "vat": invoice.total_vat,
            "total": invoice.total,
        }
        | integrity.seal(invoice, lines, taxes, archive, adjustments),
    )
    return invoice


def early_discount_terms(invoice: Invoice, taxes) -> str:
    """The escompte conditions of an invoice (BT-20 and the AAB note): `taxes` are its VAT breakdown
    (InvoiceTax rows or core.taxes.TaxLine), whose bases the discount applies to."""
    discount = discounting.early_discount(
        ((t.vat_rate if hasattr(t, "vat_rate") else t.rate, t.category, t.base) for t in taxes),
        invoice.early_discount_percent,
    )
    return discounting.terms_text(
        discount, until=invoice.early_discount_until, payable=invoice.amount_payable
    )


def _issue_follows(invoice: Invoice, lines: list[InvoiceLine]) -> list[dates.Follows]:
    """What an invoice cannot be dated before: the order it bills, each delivery whose goods it bills (so
    the latest of them), and for a credit note the invoice it corrects."""
    earlier = []
    if invoice.kind == Invoice.Kind.CREDIT_NOTE:
        corrected = Invoice.objects.filter(pk=invoice.corrects_id).values("number", "date").first()
        if corrected:
            earlier += dates.follows(f"la facture {corrected['number']}", corrected["date"])
    elif invoice.order_id:
        earlier += dates.follows(f"la commande {invoice.order.number}", invoice.order.date)
    for line in lines:
        if line.delivery_line_id:
            delivery = line.delivery_line.delivery
            earlier += dates.follows(f"le bon de livraison {delivery.number}", delivery.date)
    return earlier


def _count_invoiced(lines: list[InvoiceLine]) -> None:
    """Advance the invoiced counters of the order and delivery lines behind an issued invoice.

    One UPDATE per table adding this invoice's quantities in SQL (rows.add_each): the rows are locked
    by the UPDATE itself and the counters can never be overwritten with a stale value.
    """
    for model, link in ((OrderLine, "order_line_id"), (DeliveryLine, "delivery_line_id")):
        added: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for line in lines:
            if getattr(line, link) is not None:
                added[getattr(line, link)] += line.quantity
        rows.add_each(model, "quantity_invoiced", dict(added))
