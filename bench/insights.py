#!/usr/bin/env python
"""Insights benchmark: server time of the margin pages, the rankings and customers at risk, and their API
on a scaled dataset (issue 22).

Seeds the same dataset as bench/pages.py (issued invoices with their orders, deliveries carrying the cost at
shipment, sales entries and payments, dates over two years, `bulk_create`), then asks each margin page and
API answer N times with Django's test client logged in as a direction user and times `client.get`.
Prints one JSON line: `backend`, `invoice_lines`, per page p50/p95 (ms) and query count, `worst_page`,
`worst_p95_ms`, `customer_page_p95_ms` (the slowest of one customer's pages: its margins per product, its
page with the real-margin waterfall, the waterfall through the API), the targets (1 s for every
page, 150 ms for a single customer's) and whether they are met.

    python bench/insights.py --invoices 2000
    python bench/insights.py --invoices 2000 --database-url postgres://postgres@127.0.0.1:5432/postgres
"""

import contextlib
import json
import sys
from pathlib import Path

import pages as page_bench  # noqa: E402  (bench/ is not a package: the seeder and the timer of bench/pages.py)
from o2c import fresh_database, setup_django  # noqa: E402

TARGET_MS = 1000
CUSTOMER_TARGET_MS = 150
# A single customer's pages: its margins per product, its page with the real-margin waterfall, the API's.
CUSTOMER_PAGES = (
    "customer_margins",
    "customer_detail_waterfall",
    "customer_detail_waterfall_quarter",
    "api_customer_waterfall",
)


def insight_pages(seeder) -> list[tuple[str, str]]:
    from django.urls import reverse

    from comptoir.billing.models import Invoice
    from comptoir.parties.models import Customer

    invoice = Invoice.objects.filter(status="issued").order_by("-id").values("pk", "order_id")[10]
    customer = Customer.objects.order_by("pk").values_list("pk", flat=True)[7]
    margins = reverse("web:margins")
    return [
        ("margins_by_customer", margins + "?par=client"),
        ("margins_by_product", margins + "?par=produit"),
        ("margins_by_salesperson", margins + "?par=commercial"),
        ("margins_by_month", margins + "?par=mois"),
        ("margins_by_product_sorted_rate", margins + "?par=produit&tri=-taux"),
        ("margins_last_quarter", margins + "?par=client&du=" + _months_ago(3)),
        ("customer_margins", margins + f"?par=produit&client={customer}"),
        ("api_margins_by_product", "/api/v1/insights/margins?by=product"),
        ("api_margins_by_month", "/api/v1/insights/margins?by=month"),
        # The real-margin waterfall of one customer (#22 point 4): its panel on the customer page, and the API.
        ("customer_detail_waterfall", reverse("web:customer_detail", args=[customer])),
        (
            "customer_detail_waterfall_quarter",
            reverse("web:customer_detail", args=[customer]) + "?du=" + _months_ago(3),
        ),
        ("api_customer_waterfall", f"/api/v1/insights/customers/{customer}/waterfall"),
        # Rankings and customers at risk (#22 point 5): the page (at-risk list and twelve months' rankings),
        # a quarter's rankings, and both through the API.
        ("customers_watch", reverse("web:customers_watch")),
        ("customers_watch_quarter", reverse("web:customers_watch") + "?du=" + _months_ago(3)),
        ("api_rankings", "/api/v1/insights/rankings"),
        ("api_at_risk", "/api/v1/insights/at-risk"),
        # Lead times, revenue per channel and month, products against their stock (#22 point 8): the last
        # twelve months by default.
        ("lead_times_by_customer", reverse("web:lead_times") + "?par=client"),
        ("lead_times_by_product", reverse("web:lead_times") + "?par=produit"),
        ("revenue_by_channel", reverse("web:revenue") + "?par=canal"),
        ("revenue_by_customer", reverse("web:revenue") + "?par=client"),
        ("products_stock", reverse("web:products_stock")),
        ("api_lead_times_by_product", "/api/v1/insights/lead-times?by=product"),
        ("api_revenue_by_channel", "/api/v1/insights/revenue?by=channel"),
        ("api_products_stock", "/api/v1/insights/products-stock"),
        ("invoice_detail", reverse("web:invoice_detail", args=[invoice["pk"]])),
        ("order_detail", reverse("web:order_detail", args=[invoice["order_id"]])),
    ]


def seed_costs(entries_per_customer: int = 60, tickets_per_customer: int = 6) -> None:
    """The costs of serving customers the waterfall reads: time entries and tickets per customer over the
    period of the invoices, a carrier cost on every other delivery note, a few carrier rates (bulk)."""
    import datetime
    import random
    from decimal import Decimal

    from django.contrib.auth import get_user_model

    from comptoir.aftersales.models import ShippingRate, Ticket, TimeEntry
    from comptoir.core import guards
    from comptoir.parties.models import Customer
    from comptoir.sales.models import Order
    from comptoir.stock.models import Delivery

    rng = random.Random(22)
    user = get_user_model().objects.get(username="direction")
    today = datetime.date.today()
    customers = list(Customer.objects.values_list("pk", flat=True))
    with guards.suspended():
        ShippingRate.objects.bulk_create(
            [ShippingRate(max_weight_kg=Decimal("30"), cost=Decimal("14")), ShippingRate(cost=Decimal("48"))]
        )
        tickets = [
            Ticket(
                number=f"SAV-B-{pk}-{n}",
                customer_id=pk,
                title="Intervention",
                opened_on=today - datetime.timedelta(days=rng.randint(0, 700)),
                parts_cost=Decimal(rng.randint(0, 400)),
                travel_cost=Decimal(rng.randint(0, 150)),
            )
            for pk in customers
            for n in range(tickets_per_customer)
        ]
        Ticket.objects.bulk_create(tickets, batch_size=2000)
        activities = ["presales", "project", "aftersales", "admin"]
        TimeEntry.objects.bulk_create(
            [
                TimeEntry(
                    user=user,
                    customer_id=pk,
                    date=today - datetime.timedelta(days=rng.randint(0, 700)),
                    minutes=(minutes := rng.choice([30, 60, 120, 240])),
                    activity=rng.choice(activities),
                    hourly_cost=Decimal("60"),
                    cost=Decimal(minutes),
                )
                for pk in customers
                for _ in range(entries_per_customer)
            ],
            batch_size=5000,
        )
        # How the orders came in: one in five through the API, one in ten by e-mail, one in twenty by EDI.
        orders = list(Order.objects.order_by("pk").values_list("pk", flat=True))
        for channel, share in (("api", orders[::5]), ("email", orders[1::10]), ("edi", orders[2::20])):
            for start in range(0, len(share), 5000):
                Order.objects.filter(pk__in=share[start : start + 5000]).update(channel=channel)
        ids = list(Delivery.objects.values_list("pk", flat=True)[::2])
        for start in range(0, len(ids), 5000):
            Delivery.objects.filter(pk__in=ids[start : start + 5000]).update(carrier_cost=Decimal("32.50"))


def _months_ago(months: int) -> str:
    import datetime

    return (datetime.date.today() - datetime.timedelta(days=30 * months)).isoformat()


def main(argv=None) -> int:
    args = page_bench.parse_args(argv)
    if args.keep and args.keep.startswith("postgres"):
        database = contextlib.nullcontext((args.keep, "postgresql"))
    elif args.keep:
        database = contextlib.nullcontext((f"sqlite:///{Path(args.keep).resolve()}", "sqlite"))
    else:
        database = fresh_database(args.database_url)
    with database as (url, backend):
        setup_django(url)
        if args.keep and page_bench.seeded():
            seeder, seconds = page_bench.Reused(), None
        else:
            seeder, seconds = page_bench.seed(args.invoices, args.customers, args.products)
        if not (args.keep and page_bench.seeded()):
            seed_costs()
        page_bench.pages = insight_pages  # measure() asks the pages this function lists
        results = page_bench.measure(seeder, args.repeat)
        from comptoir.billing.models import InvoiceLine

        lines = InvoiceLine.objects.count()
    worst = max(results, key=lambda name: results[name]["p95_ms"])
    customer_p95 = max(results[name]["p95_ms"] for name in CUSTOMER_PAGES)
    out = {
        "system": "comptoir",
        "benchmark": "insights",
        "backend": backend,
        "invoices": args.invoices,
        "invoice_lines": lines,
        "repeat": args.repeat,
        "pages": results,
        "worst_page": worst,
        "worst_p95_ms": results[worst]["p95_ms"],
        "customer_page_p95_ms": customer_p95,
        "target_ms": TARGET_MS,
        "customer_target_ms": CUSTOMER_TARGET_MS,
        "meets_target": results[worst]["p95_ms"] < TARGET_MS and customer_p95 < CUSTOMER_TARGET_MS,
        "seed_seconds": None if seconds is None else round(seconds, 1),
    }
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
