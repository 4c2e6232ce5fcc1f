"""Every customer's real margin at once, for the rankings: the facts of `insights.real_margin` read for all
customers in one query per table, grouped by customer in SQL, then built into a waterfall each by the same
pure rules (`waterfall.build`). The number of queries does not depend on the number of customers.

The per-customer reads (`real_margin.facts`) stay the reference: a test reconciles the two.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Round

from comptoir.aftersales.models import Adjustment, ShippingRate, Ticket, TimeEntry
from comptoir.aftersales.selectors import financing_rate
from comptoir.billing.models import AllowanceCharge, Invoice
from comptoir.core import dates, money
from comptoir.insights import waterfall
from comptoir.insights.margins import Margin
from comptoir.insights.selectors import counted_lines, with_margin
from comptoir.parties.models import Customer
from comptoir.payments.models import CreditApplication, EarlyPaymentDiscount, PaymentAllocation
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


@dataclass(frozen=True)
class CustomerMargin:
    """One customer's real margin over the period, and what the resource ranking weighs."""

    customer_id: int
    name: str
    result: waterfall.Waterfall
    time_cost: Decimal  # every activity's time, after-sales included
    aftersales_cost: Decimal  # the tickets' parts and travel
    returns_credited: Decimal  # what credit notes citing a return case took back

    @property
    def net_revenue(self) -> Decimal:
        return self.result.net_revenue

    @property
    def real_margin(self) -> Decimal:
        return self.result.real_margin

    @property
    def real_rate(self) -> Decimal | None:
        return self.result.real_rate

    @property
    def resources(self) -> Decimal:
        return self.time_cost + self.aftersales_cost + self.returns_credited


def _add(table: dict, key, amount: Decimal) -> None:
    table[key] = table.get(key, ZERO) + amount


def _lines(date_from, date_to) -> dict[int, dict]:
    credit = Q(invoice__kind=Invoice.Kind.CREDIT_NOTE)
    gross = Round(ExpressionWrapper(F("quantity") * F("unit_price"), output_field=_AMOUNT), 2)
    rows = (
        with_margin(counted_lines().filter(_between("invoice__date", date_from, date_to)))
        .values("invoice__customer_id")
        .annotate(
            gross=Sum(gross, filter=~credit),
            net=Sum("net_amount", filter=~credit),
            revenue_sum=Sum("revenue"),
            cost_sum=Sum("cost"),
        )
        .order_by()
    )
    return {
        row["invoice__customer_id"]: {
            key: _d(row[key]) for key in ("gross", "net", "revenue_sum", "cost_sum")
        }
        for row in rows
    }


def _allowances(date_from, date_to) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    rows = (
        AllowanceCharge.objects.filter(
            Q(invoice__status=Invoice.Status.ISSUED, invoice__kind=Invoice.Kind.INVOICE)
            & _between("invoice__date", date_from, date_to)
        )
        .values("invoice__customer_id", "is_charge")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    allowances: dict[int, Decimal] = {}
    charges: dict[int, Decimal] = {}
    for row in rows:
        _add(charges if row["is_charge"] else allowances, row["invoice__customer_id"], _d(row["amount"]))
    return allowances, charges


def _credit_notes(date_from, date_to) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """What credit notes took back (lines less allowances plus charges), per customer: all of it, and the
    part citing a return case."""
    notes = Q(invoice__kind=Invoice.Kind.CREDIT_NOTE) & _between("invoice__date", date_from, date_to)
    on_case = ~Q(invoice__source_reference="")
    lines = (
        counted_lines()
        .filter(notes)
        .values("invoice__customer_id")
        .annotate(total=Sum("net_amount"), returns=Sum("net_amount", filter=on_case))
        .order_by()
    )
    parts = (
        AllowanceCharge.objects.filter(invoice__status=Invoice.Status.ISSUED)
        .filter(notes)
        .values("invoice__customer_id", "is_charge")
        .annotate(total=Sum("amount"), returns=Sum("amount", filter=on_case))
        .order_by()
    )
    total: dict[int, Decimal] = {}
    returns: dict[int, Decimal] = {}
    for row in lines:
        _add(total, row["invoice__customer_id"], _d(row["total"]))
        _add(returns, row["invoice__customer_id"], _d(row["returns"]))
    for row in parts:
        sign = 1 if row["is_charge"] else -1
        _add(total, row["invoice__customer_id"], sign * _d(row["total"]))
        _add(returns, row["invoice__customer_id"], sign * _d(row["returns"]))
    return total, returns


def _early_discounts(date_from, date_to) -> dict[int, Decimal]:
    rows = (
        EarlyPaymentDiscount.objects.filter(_between("payment__date", date_from, date_to))
        .values("invoice__customer_id")
        .annotate(total=Sum("untaxed"))
        .order_by()
    )
    return {row["invoice__customer_id"]: _d(row["total"]) for row in rows}


def _logistics(date_from, date_to, addresses: dict[int, tuple[str, str]]) -> dict[int, Decimal]:
    """Shipped notes per customer: the carrier cost entered, else the zone/weight rate of their weight
    (grouped by customer and weight in SQL, so the rate is looked up per group)."""
    groups = (
        Delivery.objects.filter(Q(status=Delivery.Status.VALIDATED) & _between("date", date_from, date_to))
        .values("order__customer_id", "weight_kg")
        .annotate(entered=Sum("carrier_cost"), unpriced=Count("id", filter=Q(carrier_cost__isnull=True)))
        .order_by()
    )
    rates = None
    totals: dict[int, Decimal] = {}
    for row in groups:
        customer_id = row["order__customer_id"]
        _add(totals, customer_id, _d(row["entered"]))
        if row["unpriced"]:
            if rates is None:
                rates = [
                    waterfall.ShippingRate(*values)
                    for values in ShippingRate.objects.values_list(
                        "country", "postal_prefix", "max_weight_kg", "cost"
                    )
                ]
            country, postal_code = addresses.get(customer_id, ("", ""))
            cost = waterfall.shipping_cost(
                rates, country=country, postal_code=postal_code, weight=row["weight_kg"]
            )
            if cost is not None:
                _add(totals, customer_id, cost * row["unpriced"])
    return totals


def _time(date_from, date_to) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """Time valued per customer: after-sales apart, the other activities (internal time) together."""
    aftersales = Q(activity=TimeEntry.Activity.AFTERSALES)
    rows = (
        TimeEntry.objects.filter(_between("date", date_from, date_to))
        .values("customer_id")
        .annotate(aftersales=Sum("cost", filter=aftersales), internal=Sum("cost", filter=~aftersales))
        .order_by()
    )
    return (
        {row["customer_id"]: _d(row["aftersales"]) for row in rows},
        {row["customer_id"]: _d(row["internal"]) for row in rows},
    )


def _tickets(date_from, date_to) -> dict[int, Decimal]:
    rows = (
        Ticket.objects.filter(_between("opened_on", date_from, date_to))
        .values("customer_id")
        .annotate(parts=Sum("parts_cost"), travel=Sum("travel_cost"))
        .order_by()
    )
    return {row["customer_id"]: _d(row["parts"]) + _d(row["travel"]) for row in rows}


def _adjustments(date_from, date_to) -> dict[int, Decimal]:
    rows = (
        Adjustment.objects.filter(_between("date", date_from, date_to))
        .values("customer_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {row["customer_id"]: _d(row["total"]) for row in rows}


def _receivables(date_to: datetime.date) -> dict[int, list[waterfall.Receivable]]:
    """Every customer's issued invoices due before the end of the period and what settled each, when (as
    `real_margin.receivables`, for all customers in four queries)."""
    invoices = {
        pk: (customer_id, due, _d(total) - _d(deducted))
        for pk, customer_id, due, total, deducted in Invoice.objects.filter(
            status=Invoice.Status.ISSUED,
            kind__in=[Invoice.Kind.INVOICE, Invoice.Kind.DEPOSIT],
            due_date__lt=date_to,
        ).values_list("pk", "customer_id", "due_date", "total", "deposits_deducted")
    }
    settled: dict[int, list] = {}
    scope = {"invoice__due_date__lt": date_to, "invoice__status": Invoice.Status.ISSUED}
    for model, day in (
        (PaymentAllocation, "payment__date"),
        (CreditApplication, "date"),
        (EarlyPaymentDiscount, "payment__date"),
    ):
        for pk, when, amount in model.objects.filter(**scope).values_list("invoice_id", day, "amount"):
            settled.setdefault(pk, []).append((when, _d(amount)))
    by_customer: dict[int, list[waterfall.Receivable]] = {}
    for pk, (customer_id, due, owed) in invoices.items():
        if due is not None:
            by_customer.setdefault(customer_id, []).append(
                waterfall.Receivable(due, owed, tuple(settled.get(pk, ())))
            )
    return by_customer


def customer_margins(*, date_from=None, date_to=None) -> list[CustomerMargin]:
    """The real margin of every customer with revenue or costs over the period (both dates included; no end:
    today)."""
    date_to = date_to or dates.today()
    customers = {
        pk: (name, country, postal_code)
        for pk, name, country, postal_code in Customer.objects.values_list(
            "pk", "name", "country", "postal_code"
        )
    }
    lines = _lines(date_from, date_to)
    allowances, charges = _allowances(date_from, date_to)
    credited, returns = _credit_notes(date_from, date_to)
    early = _early_discounts(date_from, date_to)
    logistics = _logistics(date_from, date_to, {pk: (c, p) for pk, (_n, c, p) in customers.items()})
    aftersales_time, internal_time = _time(date_from, date_to)
    tickets = _tickets(date_from, date_to)
    adjustments = _adjustments(date_from, date_to)
    receivables = _receivables(date_to)
    rate = financing_rate()
    involved = (
        set(lines)
        | set(allowances)
        | set(charges)
        | set(credited)
        | set(logistics)
        | set(aftersales_time)
        | set(tickets)
        | set(adjustments)
    )
    result = []
    for customer_id in involved:
        line = lines.get(customer_id, {})
        gross, net = line.get("gross", ZERO), line.get("net", ZERO)
        facts = waterfall.Facts(
            gross_revenue=gross + charges.get(customer_id, ZERO),
            discounts=(
                Detail("line_discounts", gross - net),
                Detail("allowances", allowances.get(customer_id, ZERO)),
                Detail("early_payment", early.get(customer_id, ZERO)),
            ),
            credit_notes=(Detail("credit_notes", credited.get(customer_id, ZERO)),),
            cost_of_goods=line.get("cost_sum", ZERO),
            logistics=(Detail("logistics", logistics.get(customer_id, ZERO)),),
            aftersales=(
                Detail("tickets", tickets.get(customer_id, ZERO)),
                Detail("time", aftersales_time.get(customer_id, ZERO)),
            ),
            internal_time=(Detail("internal", internal_time.get(customer_id, ZERO)),),
            payment_delay=waterfall.delay_cost(
                receivables.get(customer_id, ()), date_from=date_from, date_to=date_to, annual_rate=rate
            ),
            adjustments=(Detail("adjustments", adjustments.get(customer_id, ZERO)),),
            sales_view=Margin(line.get("revenue_sum", ZERO), line.get("cost_sum", ZERO)),
        )
        result.append(
            CustomerMargin(
                customer_id=customer_id,
                name=customers.get(customer_id, ("—",))[0],
                result=waterfall.build(facts),
                time_cost=aftersales_time.get(customer_id, ZERO) + internal_time.get(customer_id, ZERO),
                aftersales_cost=tickets.get(customer_id, ZERO),
                returns_credited=returns.get(customer_id, ZERO),
            )
        )
    return result
