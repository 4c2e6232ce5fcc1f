"""Reads of a customer's real margin: the facts of `insights.waterfall` summed by the database, a fixed
number of queries whatever the customer's history (docs/architecture.md, « Real profitability »).

Dates: invoices and credit notes by their date, deliveries by theirs, tickets by the day they were opened,
time by the day worked, adjustments by theirs, early-payment discounts by the payment's day; the payment
delay counts the days late that fall inside the period.
"""

import datetime
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Round
from django.utils.translation import gettext_lazy as _l

from comptoir.aftersales.models import Adjustment, ShippingRate, Ticket, TimeEntry
from comptoir.aftersales.selectors import financing_rate
from comptoir.billing.models import AllowanceCharge, Invoice
from comptoir.core import dates, money
from comptoir.insights import waterfall
from comptoir.insights.margins import Margin
from comptoir.insights.selectors import counted_lines, with_margin
from comptoir.payments.models import CreditApplication, EarlyPaymentDiscount, PaymentAllocation
from comptoir.pricing.models import DiscountCategory
from comptoir.stock.models import Delivery

ZERO = Decimal("0")
_AMOUNT = DecimalField(max_digits=20, decimal_places=2)
Detail = waterfall.Detail


def _d(value) -> Decimal:
    # SQLite sums decimals as floats: back to exact cents.
    return money.amount(value or ZERO)


def _between(field: str, date_from, date_to) -> Q:
    q = Q()
    if date_from:
        q &= Q(**{f"{field}__gte": date_from})
    if date_to:
        q &= Q(**{f"{field}__lte": date_to})
    return q


def _lines(customer, date_from, date_to) -> dict:
    credit = Q(invoice__kind=Invoice.Kind.CREDIT_NOTE)
    gross = Round(ExpressionWrapper(F("quantity") * F("unit_price"), output_field=_AMOUNT), 2)
    qs = with_margin(
        counted_lines().filter(
            Q(invoice__customer_id=customer.pk) & _between("invoice__date", date_from, date_to)
        )
    )
    rows = list(
        qs.values("discount_category")
        .annotate(
            gross=Sum(gross, filter=~credit),
            net=Sum("net_amount", filter=~credit),
            # Aliases other than the annotations' names: an aggregate named like an annotation replaces it.
            revenue_sum=Sum("revenue"),
            cost_sum=Sum("cost"),
        )
        .order_by()
    )
    totals = {
        key: sum((_d(row[key]) for row in rows), ZERO) for key in ("gross", "net", "revenue_sum", "cost_sum")
    }
    # The invoices' line discounts per category chosen when they were granted (`pricing.DiscountCategory`).
    totals["discounts"] = {
        _category(row["discount_category"]): _d(row["gross"]) - _d(row["net"]) for row in rows
    }
    return totals


def _category(code: str | None) -> str:
    """A discount category as the waterfall shows it: its French label, "" for none (« non catégorisé »)."""
    if not code or code == DiscountCategory.UNCATEGORISED:
        return waterfall.UNCATEGORISED
    return str(DiscountCategory(code).label)


def _credit_notes(customer, date_from, date_to) -> list[Detail]:
    """What credit notes took back (HT: lines less allowances plus charges): on a return case, and the
    others per gesture category."""
    notes = Q(invoice__kind=Invoice.Kind.CREDIT_NOTE, invoice__customer_id=customer.pk) & _between(
        "invoice__date", date_from, date_to
    )
    lines = (
        counted_lines()
        .filter(notes)
        .values("invoice__source_reference", "invoice__gesture_category")
        .annotate(total=Sum("net_amount"), notes=Count("invoice_id", distinct=True))
    )
    parts = (
        AllowanceCharge.objects.filter(invoice__status=Invoice.Status.ISSUED)
        .filter(notes)
        .values("invoice__source_reference", "invoice__gesture_category", "is_charge")
        .annotate(total=Sum("amount"))
    )
    by_key: dict[tuple[str, str], list] = {}

    def key_of(row) -> tuple[str, str]:
        if row["invoice__source_reference"]:
            return ("returns", "")
        return ("other", row["invoice__gesture_category"] or waterfall.UNCATEGORISED)

    for row in lines:
        entry = by_key.setdefault(key_of(row), [ZERO, 0])
        entry[0] += _d(row["total"])
        entry[1] += row["notes"]
    for row in parts:
        entry = by_key.setdefault(key_of(row), [ZERO, 0])
        entry[0] += _d(row["total"]) if row["is_charge"] else -_d(row["total"])
    return [
        Detail(kind, amount, label=category, count=count)
        for (kind, category), (amount, count) in sorted(by_key.items())
    ]


def _allowances(customer, date_from, date_to) -> tuple[dict[str, Decimal], Decimal]:
    """Document allowances (per category) and charges of the customer's invoices (not credit notes, not
    deposits)."""
    rows = (
        AllowanceCharge.objects.filter(
            Q(
                invoice__customer_id=customer.pk,
                invoice__status=Invoice.Status.ISSUED,
                invoice__kind=Invoice.Kind.INVOICE,
            )
            & _between("invoice__date", date_from, date_to)
        )
        .values("discount_category", "is_charge")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    allowances: dict[str, Decimal] = {}
    charges = ZERO
    for row in rows:
        if row["is_charge"]:
            charges += _d(row["amount"])
        else:
            key = _category(row["discount_category"])
            allowances[key] = allowances.get(key, ZERO) + _d(row["amount"])
    return allowances, charges


def _early_discounts(customer, date_from, date_to) -> Decimal:
    sums = EarlyPaymentDiscount.objects.filter(
        Q(invoice__customer_id=customer.pk) & _between("payment__date", date_from, date_to)
    ).aggregate(total=Sum("untaxed"))
    return _d(sums["total"])


def _rates() -> list[waterfall.ShippingRate]:
    return [
        waterfall.ShippingRate(country, prefix, weight, cost)
        for country, prefix, weight, cost in ShippingRate.objects.values_list(
            "country", "postal_prefix", "max_weight_kg", "cost"
        )
    ]


def _logistics(customer, date_from, date_to) -> list[Detail]:
    """The customer's shipped notes: the carrier cost entered, else the zone/weight rate of its weight;
    the urgent deliveries absorbed apart. Grouped by weight in SQL, so the rate is looked up per weight."""
    groups = (
        Delivery.objects.filter(
            Q(order__customer_id=customer.pk, status=Delivery.Status.VALIDATED)
            & _between("date", date_from, date_to)
        )
        .values("weight_kg", "urgent_absorbed")
        .annotate(
            notes=Count("id"),
            entered=Sum("carrier_cost"),
            unpriced=Count("id", filter=Q(carrier_cost__isnull=True)),
        )
    )
    rates = None
    totals = {False: [ZERO, 0, 0], True: [ZERO, 0, 0]}  # amount, notes, notes priced by no rate
    for row in groups:
        entry = totals[row["urgent_absorbed"]]
        entry[0] += _d(row["entered"])
        entry[1] += row["notes"]
        if row["unpriced"]:
            rates = _rates() if rates is None else rates
            cost = waterfall.shipping_cost(
                rates, country=customer.country, postal_code=customer.postal_code, weight=row["weight_kg"]
            )
            if cost is None:
                entry[2] += row["unpriced"]
            else:
                entry[0] += cost * row["unpriced"]
    details = []
    if totals[False][1]:
        details.append(Detail("deliveries", totals[False][0], count=totals[False][1]))
    if totals[True][1]:
        details.append(Detail("urgent_absorbed", totals[True][0], count=totals[True][1]))
    unpriced = totals[False][2] + totals[True][2]
    if unpriced:
        details.append(Detail("unpriced", ZERO, count=unpriced))
    return details


def _time(customer, date_from, date_to) -> dict[str, tuple[Decimal, int]]:
    rows = (
        TimeEntry.objects.filter(Q(customer_id=customer.pk) & _between("date", date_from, date_to))
        .values("activity")
        .annotate(cost=Sum("cost"), minutes=Sum("minutes"))
    )
    return {row["activity"]: (_d(row["cost"]), row["minutes"] or 0) for row in rows}


def _tickets(customer, date_from, date_to) -> tuple[Decimal, Decimal, int]:
    sums = Ticket.objects.filter(
        Q(customer_id=customer.pk) & _between("opened_on", date_from, date_to)
    ).aggregate(parts=Sum("parts_cost"), travel=Sum("travel_cost"), tickets=Count("id"))
    return _d(sums["parts"]), _d(sums["travel"]), sums["tickets"] or 0


def _adjustments(customer, date_from, date_to) -> list[Detail]:
    rows = Adjustment.objects.filter(
        Q(customer_id=customer.pk) & _between("date", date_from, date_to)
    ).values_list("pk", "reason", "amount")
    return [Detail(f"adjustment_{pk}", _d(amount), label=reason) for pk, reason, amount in rows]


def receivables(customer, date_to: datetime.date) -> list[waterfall.Receivable]:
    """The customer's issued invoices due before the end of the period, with what settled each and when:
    payments allocated (the payment's day), credit notes applied, early-payment discounts granted."""
    invoices = {
        pk: (due, _d(total) - _d(deducted))
        for pk, due, total, deducted in Invoice.objects.filter(
            customer_id=customer.pk,
            status=Invoice.Status.ISSUED,
            kind__in=[Invoice.Kind.INVOICE, Invoice.Kind.DEPOSIT],
            due_date__lt=date_to,
        ).values_list("pk", "due_date", "total", "deposits_deducted")
    }
    settled: dict[int, list] = {pk: [] for pk in invoices}
    scope = {"invoice__customer_id": customer.pk, "invoice__due_date__lt": date_to}
    for pk, day, amount in PaymentAllocation.objects.filter(**scope).values_list(
        "invoice_id", "payment__date", "amount"
    ):
        settled.setdefault(pk, []).append((day, _d(amount)))
    for pk, day, amount in CreditApplication.objects.filter(**scope).values_list(
        "invoice_id", "date", "amount"
    ):
        settled.setdefault(pk, []).append((day, _d(amount)))
    for pk, day, amount in EarlyPaymentDiscount.objects.filter(**scope).values_list(
        "invoice_id", "payment__date", "amount"
    ):
        settled.setdefault(pk, []).append((day, _d(amount)))
    return [
        waterfall.Receivable(due, owed, tuple(settled.get(pk, ())))
        for pk, (due, owed) in invoices.items()
        if due is not None
    ]


def facts(customer, *, date_from=None, date_to=None) -> waterfall.Facts:
    """Everything the customer's waterfall is built from, for invoices and costs dated from–to (both
    included; no end: today)."""
    date_to = date_to or dates.today()
    lines = _lines(customer, date_from, date_to)
    gross_lines = lines["gross"]
    allowances, charges = _allowances(customer, date_from, date_to)
    discounts = [
        *(
            Detail("line_discounts", amount, label=label)
            for label, amount in sorted(lines["discounts"].items())
        ),
        *(Detail("allowances", amount, label=label) for label, amount in sorted(allowances.items())),
        Detail("early_payment", _early_discounts(customer, date_from, date_to), label="early_payment"),
    ]
    time = _time(customer, date_from, date_to)
    parts, travel, tickets = _tickets(customer, date_from, date_to)
    aftersales_time, aftersales_minutes = time.pop(TimeEntry.Activity.AFTERSALES, (ZERO, 0))
    aftersales = [
        Detail("parts", parts, count=tickets),
        Detail("travel", travel, count=tickets),
        Detail("time", aftersales_time, count=aftersales_minutes),
    ]
    internal = [
        Detail(activity, time[activity][0], count=time[activity][1])
        for activity in TimeEntry.Activity.values
        if activity in time
    ]
    delay = waterfall.delay_cost(
        receivables(customer, date_to),
        date_from=date_from,
        date_to=date_to,
        annual_rate=financing_rate(),
    )
    return waterfall.Facts(
        gross_revenue=gross_lines + charges,
        discounts=tuple(d for d in discounts if d.amount),
        credit_notes=tuple(_credit_notes(customer, date_from, date_to)),
        cost_of_goods=_d(lines["cost_sum"]),
        logistics=tuple(_logistics(customer, date_from, date_to)),
        aftersales=tuple(d for d in aftersales if d.amount),
        internal_time=tuple(internal),
        payment_delay=delay,
        adjustments=tuple(_adjustments(customer, date_from, date_to)),
        sales_view=Margin(_d(lines["revenue_sum"]), _d(lines["cost_sum"])),
    )


def customer_waterfall(customer, *, date_from=None, date_to=None) -> waterfall.Waterfall:
    return waterfall.build(facts(customer, date_from=date_from, date_to=date_to))


# The words of the waterfall, for the page and the API (the pure module only knows keys).
STEP_LABELS = {
    "gross_revenue": _l("Chiffre d'affaires facturé"),
    "discounts": _l("Remises"),
    "credit_notes": _l("Retours et avoirs"),
    "net_revenue": _l("Chiffre d'affaires net"),
    "cost_of_goods": _l("Coût des marchandises"),
    "logistics": _l("Logistique"),
    "aftersales": _l("Après-vente"),
    "internal_time": _l("Temps interne"),
    "payment_delay": _l("Coût du retard de paiement"),
    "adjustments": _l("Ajustements exceptionnels"),
    "real_margin": _l("Marge réelle"),
}
DETAIL_LABELS = {
    "line_discounts": _l("Remises sur lignes"),
    "allowances": _l("Remises globales"),
    "early_payment": _l("Escomptes pour paiement anticipé"),
    "returns": _l("Avoirs sur retour"),
    "other": _l("Autres avoirs"),
    "deliveries": _l("Livraisons"),
    "urgent_absorbed": _l("Urgences absorbées pour la relation"),
    "unpriced": _l("Livraisons sans coût ni tarif"),
    "parts": _l("Pièces"),
    "travel": _l("Déplacements"),
    "time": _l("Temps après-vente"),
    "presales": _l("Avant-vente"),
    "project": _l("Gestion de projet"),
    "admin": _l("Administratif"),
}
UNCATEGORISED_LABEL = _l("non catégorisé")


def detail_label(detail: Detail) -> str:
    """A detail in words: its kind, and its category (« non catégorisé » when none) or its reason."""
    if detail.key.startswith("adjustment_"):
        return detail.label
    name = str(DETAIL_LABELS.get(detail.key, detail.key))
    if detail.key in ("line_discounts", "allowances", "other"):
        return f"{name} — {detail.label or UNCATEGORISED_LABEL}"
    return name
