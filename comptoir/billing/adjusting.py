"""Document-level allowances and charges (EN 16931 BG-20 / BG-21) and the early-payment discount
(escompte) of a draft invoice.

A remise globale lowers, and frais de port or d'emballage raise, the VAT base of one rate and category
(BR-S-08); they are printed and sent with the invoice, posted on 709 and 7085 at issue
(billing.issuing._sales_entry_lines) and carried in proportion onto its credit notes. Only invoices
drafted from deliveries or by hand take them: the steps of a billing schedule (deposits, milestones)
are shares of the order computed together, and a credit note takes those of the invoice it corrects.
"""

from decimal import Decimal, InvalidOperation

from django.db import transaction

from comptoir.billing import drafting, errors
from comptoir.billing.models import AllowanceCharge, Invoice, InvoiceLine
from comptoir.core import audit, money, permissions, vat
from comptoir.core.errors import NotFound
from comptoir.core.errors import fail as _fail
from comptoir.einvoice.document import FRENCH_VAT_RATES
from comptoir.sales import discounts as sales_discounts

ZERO = Decimal("0")
HUNDRED = Decimal("100")
CATEGORIES = {
    vat.Category.STANDARD,
    vat.Category.ZERO,
    vat.Category.EXEMPT,
    vat.Category.REVERSE_CHARGE,
    vat.Category.INTRA_EU_GOODS,
    vat.Category.EXPORT,
}


def _lock_draft(invoice_id) -> Invoice:
    try:
        invoice = Invoice.objects.select_for_update().get(pk=int(invoice_id))
    except (Invoice.DoesNotExist, TypeError, ValueError):
        raise NotFound("invoice_missing", "Cette facture n'existe pas.") from None
    if (
        invoice.status != Invoice.Status.DRAFT
        or invoice.kind != Invoice.Kind.INVOICE
        or invoice.milestone_id is not None
    ):
        _fail(errors.ADJUSTMENT_ONLY_ON_INVOICE_DRAFT, number=str(invoice))
    return invoice


def _number(value, error) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return money.D(value)
    except (ValueError, TypeError, ArithmeticError, InvalidOperation):
        _fail(error)


def _vat(invoice: Invoice, vat_rate, vat_category: str) -> tuple[Decimal, str]:
    """The VAT of an allowance or charge: given, or that of the invoice's lines when they all share one."""
    if vat_rate in (None, "") and not vat_category:
        found = set(InvoiceLine.objects.filter(invoice=invoice).values_list("vat_rate", "vat_category"))
        if len(found) == 1:
            return found.pop()
        vat_category = vat.Category.STANDARD
    category = (vat_category or vat.Category.STANDARD).strip().upper()
    try:
        rate = None if vat_rate in (None, "") else money.D(vat_rate)
    except (ValueError, TypeError, ArithmeticError, InvalidOperation):
        _fail(errors.ADJUSTMENT_VAT_INVALID, category=category, rate=str(vat_rate)[:10])
    rate = ZERO if rate is None and category != vat.Category.STANDARD else rate
    if rate is None:
        _fail(errors.ADJUSTMENT_VAT_INVALID, category=category, rate="?")
    valid = category in CATEGORIES and (
        (rate > 0 and rate.normalize() in FRENCH_VAT_RATES)
        if category == vat.Category.STANDARD
        else rate == 0
    )
    if not valid:
        _fail(errors.ADJUSTMENT_VAT_INVALID, category=category, rate=money.fr(rate))
    return rate.quantize(Decimal("0.01")), category


@transaction.atomic
def add_allowance_charge(
    invoice: Invoice,
    *,
    by,
    is_charge: bool,
    amount=None,
    percent=None,
    base_amount=None,
    reason: str = "",
    reason_code: str = "",
    vat_rate=None,
    vat_category: str = "",
    discount_category: str = "",
) -> AllowanceCharge:
    """Add a remise globale (`is_charge=False`) or frais (`is_charge=True`) to a draft invoice.

    Either an `amount` excl. VAT, or a `percent` of a `base_amount` (by default the lines of its VAT rate
    and category); a reason text or a UNTDID code (5189 for allowances, 7161 for charges; the text then
    defaults to the code's label); the VAT rate and category it applies to (by default the lines' when
    they share one). Refused when allowances would exceed the lines of their rate. An allowance is a
    discount: `discount_category` (`pricing.DiscountCategory`; « non catégorisé » when none is given).
    """
    permissions.require(by, "invoice.manage")
    invoice = _lock_draft(invoice.pk)
    rate, category = _vat(invoice, vat_rate, vat_category)
    codes = AllowanceCharge.CHARGE_REASONS if is_charge else AllowanceCharge.ALLOWANCE_REASONS
    reason_code = (reason_code or "").strip().upper()
    if reason_code and reason_code not in codes:
        _fail(errors.ADJUSTMENT_REASON_CODE_UNKNOWN, reason_code=reason_code, codes=", ".join(codes))
    reason = (reason or "").strip()[:100] or (str(codes[reason_code]) if reason_code else "")
    if not reason:
        _fail(errors.ADJUSTMENT_REASON_MISSING)
    value = _number(amount, errors.ADJUSTMENT_AMOUNT_INVALID)
    rate_percent = _number(percent, errors.ADJUSTMENT_AMOUNT_INVALID)
    base = _number(base_amount, errors.ADJUSTMENT_AMOUNT_INVALID)
    if rate_percent is not None:
        if not ZERO < rate_percent <= HUNDRED:
            _fail(errors.ADJUSTMENT_AMOUNT_INVALID)
        if base is None:
            base = sum(
                InvoiceLine.objects.filter(invoice=invoice, vat_rate=rate, vat_category=category).values_list(
                    "net_amount", flat=True
                ),
                ZERO,
            )
        base = money.amount(base)
        value = money.percent_of(base, rate_percent) if value is None else value
        rate_percent = rate_percent.quantize(Decimal("0.01"))
    else:
        base = None
    if value is None or money.amount(value) <= 0 or money.amount(value) > money.MAX_LINE_AMOUNT:
        _fail(errors.ADJUSTMENT_AMOUNT_INVALID)
    category_of_discount = (
        "" if is_charge else sales_discounts.category_of(discount_category, Decimal("1"), 1)
    )
    position = AllowanceCharge.objects.filter(invoice=invoice).count() + 1
    item = AllowanceCharge.objects.create(
        invoice=invoice,
        position=position,
        is_charge=bool(is_charge),
        amount=money.amount(value),
        percent=rate_percent,
        base_amount=base,
        reason=reason,
        reason_code=reason_code,
        vat_rate=rate,
        vat_category=category,
        discount_category=category_of_discount,
    )
    # Totals again (and the deposits the new total allows): refused here if an allowance is too large.
    drafting._refresh_draft(invoice)
    audit.record(
        "invoice.charge_added" if item.is_charge else "invoice.allowance_added",
        by=by,
        obj=invoice,
        data={
            "amount": item.amount,
            "percent": item.percent,
            "reason": item.reason,
            "code": item.reason_code,
            "vat_rate": item.vat_rate,
            "vat_category": item.vat_category,
            "discount_category": item.discount_category,
        },
    )
    return item


@transaction.atomic
def remove_allowance_charge(item, *, by) -> Invoice:
    """Take an allowance or charge off a draft invoice."""
    permissions.require(by, "invoice.manage")
    try:
        item_id = int(getattr(item, "pk", item))
        invoice_id = AllowanceCharge.objects.values_list("invoice_id", flat=True).get(pk=item_id)
    except (AllowanceCharge.DoesNotExist, TypeError, ValueError):
        raise NotFound(*errors.ADJUSTMENT_MISSING) from None
    invoice = _lock_draft(invoice_id)
    item = AllowanceCharge.objects.get(pk=item_id)
    item.delete()
    drafting._refresh_draft(invoice)
    audit.record(
        "invoice.allowance_charge_removed",
        by=by,
        obj=invoice,
        data={"charge": item.is_charge, "amount": item.amount, "reason": item.reason},
    )
    return invoice


@transaction.atomic
def set_early_discount(invoice: Invoice, *, by, percent, days) -> Invoice:
    """Offer (or, at 0 %, withdraw) an early-payment discount on a draft invoice: `percent` of the price
    if the customer pays within `days` days of the invoice date. The deadline and the conditions are
    frozen at issue and printed as its payment terms (BT-20, AAB note); a payment within the deadline
    for the discounted amount settles the invoice (payments.register_payment)."""
    permissions.require(by, "invoice.manage")
    invoice = _lock_draft(invoice.pk)
    rate = _number(percent, errors.EARLY_DISCOUNT_INVALID)
    rate = ZERO if rate is None else rate
    try:
        delay = int(days or 0)
    except (TypeError, ValueError):
        _fail(errors.EARLY_DISCOUNT_INVALID)
    if not (ZERO <= rate < HUNDRED and 0 <= delay <= 365) or (rate > 0 and rate.as_tuple().exponent < -2):
        _fail(errors.EARLY_DISCOUNT_INVALID)
    before = {"percent": invoice.early_discount_percent, "days": invoice.early_discount_days}
    invoice.early_discount_percent = rate.quantize(Decimal("0.01"))
    invoice.early_discount_days = delay if rate > 0 else 0
    invoice.save(update_fields=["early_discount_percent", "early_discount_days"])
    audit.record(
        "invoice.early_discount_set",
        by=by,
        obj=invoice,
        data={
            "before": before,
            "percent": invoice.early_discount_percent,
            "days": invoice.early_discount_days,
        },
    )
    return invoice
