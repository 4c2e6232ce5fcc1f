#!/usr/bin/env python
"""Page benchmark: server time of Comptoir's main pages with the demo scaled to 100,000 invoices.

Builds a fresh database (SQLite in a temporary folder, or a new PostgreSQL database dropped afterwards),
seeds a believable dataset with `bulk_create` (not through the services: this measures reading pages,
bench/o2c.py measures the writes), then asks each page N times with Django's test client logged in as a
direction user and times `client.get` (the server's work: there is no network). Prints one JSON line:
per page p50/p95 in milliseconds and its query count, the worst p95, the dataset sizes, the seeding
time, and whether every page meets the target (150 ms, "Quality bar" of issue 5); `pickers_p95_ms` is
the worst p95 of the pickers' answers as you type, against their own target (100 ms, issue 20).

    python bench/pages.py
    python bench/pages.py --invoices 100000 --repeat 20
    python bench/pages.py --database-url postgres://postgres@127.0.0.1:5432/postgres
    python bench/pages.py --keep /tmp/pages.sqlite3   # seeds the file once, later runs reuse it
    python bench/pages.py --keep postgres://postgres@127.0.0.1:5432/pages   # the same in that database

The dataset: 300 customers, 1,000 products (a fifth of them services) with their stock levels, and
for every issued invoice its confirmed order (1 to 5 lines), the validated delivery of its goods, its
sales entry (411 / 707 / 706 / 44571) and, for most of those older than their due date, a payment with
its bank entry and allocation; a third of the orders come from an accepted quote. Dates spread over
the two years before today. A few drafts (quotes sent, orders, deliveries, invoices) feed the home page.
"""

import argparse
import contextlib
import datetime
import json
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from o2c import fresh_database, setup_django  # noqa: E402  (bench/ is not a package)

TARGET_MS = 150
PICKER_TARGET_MS = 100  # search-as-you-type must feel instant (#20)
BATCH = 2000  # invoices per bulk_create round
CENT = Decimal("0.01")
VAT = Decimal("20.00")
CITIES = [
    ("Lyon", "69003"),
    ("Paris", "75011"),
    ("Marseille", "13002"),
    ("Toulouse", "31000"),
    ("Nantes", "44000"),
    ("Lille", "59000"),
    ("Bordeaux", "33000"),
    ("Grenoble", "38000"),
    ("Rennes", "35000"),
    ("Strasbourg", "67000"),
]
TRADES = ["Menuiserie", "Garage", "Plomberie", "Électricité", "Bâtiment", "Serrurerie", "Carrosserie"]
SURNAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
]
FORMS = ["SARL", "SAS", "EURL", "SA"]
TOOLS = [
    "Perceuse",
    "Visseuse",
    "Meuleuse",
    "Scie sauteuse",
    "Ponceuse",
    "Clé dynamométrique",
    "Niveau laser",
]
SERVICES = ["Installation", "Formation", "Maintenance", "Étalonnage", "Réparation"]


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT)


def _siren(rng) -> str:
    from stdnum import luhn

    body = f"{rng.randrange(10_000_000, 99_999_999)}"
    return body + luhn.calc_check_digit(body)


class Seeder:
    """Writes the dataset in rounds of `bulk_create`, ids assigned here (the database is new)."""

    def __init__(self, invoices: int, customers: int, products: int, seed: int = 2026):
        from comptoir.accounting.models import Account, Journal

        self.n_invoices, self.n_customers, self.n_products = invoices, customers, products
        self.rng = random.Random(seed)
        self.today = datetime.date.today()
        self.first = self.today - datetime.timedelta(days=730)
        self.account = dict(Account.objects.values_list("code", "pk"))
        self.journal = dict(Journal.objects.values_list("code", "pk"))
        self.ids: dict[str, int] = {}
        self.rows: dict[type, list] = {}
        self.counters: dict[tuple[str, int], int] = {}
        self.sizes: dict[str, int] = {}

    # --- helpers

    def next_id(self, name: str) -> int:
        self.ids[name] = self.ids.get(name, 0) + 1
        return self.ids[name]

    def number(self, series: str, year: int, width: int = 6) -> str:
        key = (series, year)
        self.counters[key] = self.counters.get(key, 0) + 1
        return f"{series}-{year}-{self.counters[key]:0{width}d}"

    def add(self, obj) -> None:
        self.rows.setdefault(type(obj), []).append(obj)

    def flush(self) -> None:
        from django.db import transaction

        from comptoir.accounting.models import (
            EntryLine,
            JournalEntry,
            OpenItem,
            ReconciledLine,
            Reconciliation,
        )
        from comptoir.billing.models import Invoice, InvoiceLine, InvoiceTax
        from comptoir.payments.models import Payment, PaymentAllocation
        from comptoir.sales.models import Order, OrderLine, Quote, QuoteLine
        from comptoir.stock.models import Delivery, DeliveryLine

        order = [
            JournalEntry,
            EntryLine,
            OpenItem,
            Quote,
            QuoteLine,
            Order,
            OrderLine,
            Delivery,
            DeliveryLine,
            Invoice,
            InvoiceLine,
            InvoiceTax,
            Payment,
            PaymentAllocation,
            Reconciliation,
            ReconciledLine,
        ]
        from comptoir.core import guards

        # A bulk load below the services, as the tables' owner: the guard lifted for the batch (issued
        # invoices are written as they are, their lines after them).
        with transaction.atomic(), guards.suspended():
            for model in order:
                rows = self.rows.pop(model, [])
                if rows:
                    model.objects.bulk_create(rows, batch_size=1000)
                    self.sizes[model._meta.model_name] = self.sizes.get(model._meta.model_name, 0) + len(rows)
        assert not self.rows, self.rows.keys()

    def at(self, date: datetime.date, hour: int = 10) -> datetime.datetime:
        return datetime.datetime.combine(
            date, datetime.time(hour, self.rng.randrange(60)), tzinfo=datetime.UTC
        )

    # --- master data

    def masters(self) -> None:
        from comptoir.catalog.models import Product
        from comptoir.core.permissions import Role
        from comptoir.core.testing import make_company, make_user
        from comptoir.parties.models import Customer
        from comptoir.stock.models import StockLevel

        admin = make_user("admin", Role.ADMIN)
        make_company(admin)
        self.user = make_user("direction", Role.DIRECTION)
        rng = self.rng
        customers = []
        for i in range(1, self.n_customers + 1):
            city, postal = rng.choice(CITIES)
            name = f"{rng.choice(TRADES)} {rng.choice(SURNAMES)} {i} {rng.choice(FORMS)}"
            siren = _siren(rng)
            customers.append(
                Customer(
                    pk=i,
                    code=f"CLI{i:05d}",
                    name=name,
                    siren=siren,
                    siret=siren + "00017",
                    street=f"{rng.randrange(1, 120)} rue de la République",
                    postal_code=postal,
                    city=city,
                    email=f"compta{i}@exemple.fr",
                    payment_days=rng.choice([30, 30, 45, 60]),
                    is_active=rng.random() > 0.05,
                )
            )
        Customer.objects.bulk_create(customers)
        self.customers = [
            (c.pk, c.name, c.payment_days, f"{c.street}\n{c.postal_code} {c.city}") for c in customers
        ]
        products, levels = [], []
        for j in range(1, self.n_products + 1):
            service = j % 5 == 0
            label = rng.choice(SERVICES) if service else rng.choice(TOOLS)
            price = money(rng.randrange(500, 80_000) / 100)
            products.append(
                Product(
                    pk=j,
                    sku=f"{'SRV' if service else 'ART'}-{j:05d}",
                    ean="" if service else f"{3_000_000_000_000 + j}",
                    name=f"{label} modèle {j}",
                    unit="heure" if service else "pièce",
                    kind=Product.Kind.SERVICE if service else Product.Kind.GOODS,
                    sale_price=price,
                    purchase_cost=(price * Decimal("0.6")).quantize(CENT),
                    vat_rate=VAT,
                    low_stock_threshold=Decimal(5),
                )
            )
            if not service:
                levels.append(
                    StockLevel(
                        product_id=j,
                        on_hand=Decimal(rng.randrange(0, 500)),
                        average_cost=price * Decimal("0.6"),
                    )
                )
        Product.objects.bulk_create(products)
        StockLevel.objects.bulk_create(levels)
        self.products = [(p.pk, p.name, p.sale_price, p.kind == Product.Kind.SERVICE) for p in products]
        self.sizes |= {"customer": len(customers), "product": len(products), "stocklevel": len(levels)}

    # --- documents

    def entry(self, journal: str, date, label: str, document: str) -> int:
        from comptoir.accounting.models import JournalEntry

        pk = self.next_id("entry")
        self.add(
            JournalEntry(
                pk=pk,
                journal_id=self.journal[journal],
                number=self.number(journal, date.year, 6),
                date=date,
                label=label[:200],
                document_number=document,
                document_date=date,
                posted_at=self.at(date, 17),
            )
        )
        return pk

    def line(
        self, entry: int, account: str, label: str, debit=None, credit=None, partner=None, rate=None
    ) -> int:
        from comptoir.accounting.models import EntryLine

        pk = self.next_id("entryline")
        self.add(
            EntryLine(
                pk=pk,
                entry_id=entry,
                account_id=self.account[account],
                partner_id=partner,
                label=label[:200],
                debit=debit or Decimal("0.00"),
                credit=credit or Decimal("0.00"),
                vat_rate=rate,
            )
        )
        return pk

    def sale(self, date: datetime.date, *, status: str = "issued") -> None:
        """One sale: (quote →) order → delivery → invoice (→ payment)."""
        from comptoir.billing.models import Invoice, InvoiceLine, InvoiceTax
        from comptoir.sales.models import Order, OrderLine, Quote, QuoteLine
        from comptoir.stock.models import Delivery, DeliveryLine

        rng = self.rng
        customer, name, days, address = self.customers[rng.randrange(len(self.customers))]
        picked = rng.sample(self.products, rng.randint(1, 5))
        order_date = date - datetime.timedelta(days=rng.randrange(0, 6))
        quote_id = None
        if rng.random() < 0.33:
            quote_id = self.next_id("quote")
        order_id = self.next_id("order")
        lines = []
        for position, (product, label, price, service) in enumerate(picked, start=1):
            quantity = Decimal(rng.randint(1, 12))
            discount = Decimal(rng.choice([0, 0, 0, 5, 10]))
            net = money(quantity * price * (100 - discount) / 100)
            lines.append((position, product, label, price, service, quantity, discount, net))
        untaxed = sum(line[-1] for line in lines)
        vat = money(untaxed * VAT / 100)
        total = untaxed + vat
        goods = sum(line[-1] for line in lines if not line[4])
        services = untaxed - goods
        if quote_id:
            self.add(
                Quote(
                    pk=quote_id,
                    number=self.number("DE", order_date.year),
                    customer_id=customer,
                    status=Quote.Status.ACCEPTED,
                    date=order_date - datetime.timedelta(days=rng.randrange(3, 20)),
                    valid_until=order_date + datetime.timedelta(days=10),
                    total_untaxed=untaxed,
                    total_vat=vat,
                    total=total,
                    created_at=self.at(order_date),
                )
            )
        delivered = status == "issued"
        self.add(
            Order(
                pk=order_id,
                number=self.number("CO", order_date.year),
                customer_id=customer,
                quote_id=quote_id,
                status=Order.Status.CONFIRMED,
                date=order_date,
                customer_reference=f"BC {rng.randrange(1000, 99999)}" if rng.random() < 0.4 else "",
                confirmed_at=self.at(order_date, 11),
                total_untaxed=untaxed,
                total_vat=vat,
                total=total,
                created_at=self.at(order_date),
            )
        )
        delivery_id = None
        if goods and delivered:
            delivery_id = self.next_id("delivery")
            self.add(
                Delivery(
                    pk=delivery_id,
                    number=self.number("BL", date.year),
                    order_id=order_id,
                    status=Delivery.Status.VALIDATED,
                    date=date,
                    validated_at=self.at(date, 9),
                )
            )
        invoice_id = self.next_id("invoice")
        issued = status == "issued"
        entry_id = None
        number = None
        if issued:
            number = self.number("FA", date.year)
            label = f"Facture {number} {name}"
            entry_id = self.entry("VE", date, label, number)
            receivable = self.line(entry_id, "411", label, debit=total, partner=customer)
            if goods:
                self.line(entry_id, "707", label, credit=goods, rate=VAT)
            if services:
                self.line(entry_id, "706", label, credit=services, rate=VAT)
            self.line(entry_id, "44571", label, credit=vat, rate=VAT)
        due = date + datetime.timedelta(days=days)
        nature = "mixed" if goods and services else ("goods" if goods else "services")
        self.add(
            Invoice(
                pk=invoice_id,
                number=number,
                status=status,
                customer_id=customer,
                order_id=order_id,
                date=date if issued else None,
                due_date=due if issued else None,
                total_untaxed=untaxed,
                total_vat=vat,
                total=total,
                buyer_name=name,
                buyer_address=address,
                operation_nature=nature,
                delivery_date=date if goods else None,
                payment_terms=f"{days} jours",
                entry_id=entry_id,
                issued_at=self.at(date, 16) if issued else None,
                issued_by_id=self.user.pk if issued else None,
                created_at=self.at(date, 15),
            )
        )
        self.add(InvoiceTax(invoice_id=invoice_id, vat_rate=VAT, base=untaxed, amount=vat))
        for position, product, label, price, service, quantity, discount, net in lines:
            common = dict(
                position=position,
                product_id=product,
                description=label,
                quantity=quantity,
                unit_price=price,
                discount_percent=discount,
                vat_rate=VAT,
                net_amount=net,
            )
            quote_line_id = None
            if quote_id:
                quote_line_id = self.next_id("quoteline")
                self.add(QuoteLine(pk=quote_line_id, quote_id=quote_id, **common))
            order_line_id = self.next_id("orderline")
            self.add(
                OrderLine(
                    pk=order_line_id,
                    order_id=order_id,
                    quote_line_id=quote_line_id,
                    quantity_delivered=quantity if delivered and not service else Decimal(0),
                    quantity_invoiced=quantity if issued else Decimal(0),
                    **common,
                )
            )
            delivery_line_id = None
            if delivery_id and not service:
                delivery_line_id = self.next_id("deliveryline")
                self.add(
                    DeliveryLine(
                        pk=delivery_line_id,
                        delivery_id=delivery_id,
                        order_line_id=order_line_id,
                        product_id=product,
                        quantity=quantity,
                        unit_cost=(price * Decimal("0.6")).quantize(Decimal("0.0001")),
                        quantity_invoiced=quantity if issued else Decimal(0),
                    )
                )
            self.add(
                InvoiceLine(
                    invoice_id=invoice_id,
                    order_line_id=order_line_id,
                    delivery_line_id=delivery_line_id,
                    **common,
                )
            )
        if issued and not self.maybe_pay(invoice_id, number, customer, name, due, total, receivable):
            from comptoir.accounting.models import OpenItem

            # Not lettered: still open on 411.
            self.add(OpenItem(line_id=receivable, account_id=self.account["411"], entry_id=entry_id))

    def maybe_pay(self, invoice_id, number, customer, name, due, total, receivable) -> bool:
        """Most invoices past their due date are paid (a few days around it); some recent ones too.
        Says whether this one is (its receivable then lettered with the payment)."""
        from comptoir.accounting.ledger import letter_code
        from comptoir.accounting.models import ReconciledLine, Reconciliation
        from comptoir.payments.models import Payment, PaymentAllocation

        rng = self.rng
        paid_on = due + datetime.timedelta(days=rng.randrange(-20, 15))
        # A few stay unpaid: more among the recent ones, the old ones having gone to collection.
        unpaid = 0.03 if (self.today - due).days < 90 else 0.003
        if paid_on > self.today or rng.random() < unpaid:
            return False
        payment_id = self.next_id("payment")
        reference = f"VIR {rng.randrange(10**6, 10**7)}"
        payment_number = self.number("REG", paid_on.year)
        label = f"Règlement {payment_number} {name}"
        entry_id = self.entry("BQ", paid_on, label, payment_number)
        self.line(entry_id, "512", label, debit=total)
        credit = self.line(entry_id, "411", f"{label} — {number}", credit=total, partner=customer)
        self.add(
            Payment(
                pk=payment_id,
                number=payment_number,
                customer_id=customer,
                date=paid_on,
                method=rng.choice(["transfer", "transfer", "transfer", "cheque", "card"]),
                reference=reference,
                amount=total,
                entry_id=entry_id,
                created_at=self.at(paid_on, 12),
            )
        )
        self.add(
            PaymentAllocation(
                payment_id=payment_id, invoice_id=invoice_id, amount=total, entry_line_id=credit
            )
        )
        reconciliation = self.next_id("reconciliation")
        self.add(
            Reconciliation(
                pk=reconciliation,
                code=letter_code(reconciliation),
                account_id=self.account["411"],
                partner_id=customer,
                date=paid_on,
            )
        )
        self.add(ReconciledLine(reconciliation_id=reconciliation, line_id=receivable))
        self.add(ReconciledLine(reconciliation_id=reconciliation, line_id=credit))
        return True

    def drafts(self) -> None:
        """What the home page lists: quotes sent, draft orders and invoices, deliveries to prepare."""
        from comptoir.sales.models import Order, Quote
        from comptoir.stock.models import Delivery

        for _ in range(40):
            self.sale(self.today - datetime.timedelta(days=self.rng.randrange(0, 10)), status="draft")
        for k in range(60):
            date = self.today - datetime.timedelta(days=self.rng.randrange(0, 30))
            customer = self.customers[self.rng.randrange(len(self.customers))][0]
            self.add(
                Quote(
                    pk=self.next_id("quote"),
                    number=self.number("DE", date.year),
                    customer_id=customer,
                    status=Quote.Status.SENT if k % 3 else Quote.Status.DRAFT,
                    date=date,
                    valid_until=date + datetime.timedelta(days=30),
                    total_untaxed=Decimal("1000.00"),
                    total_vat=Decimal("200.00"),
                    total=Decimal("1200.00"),
                    created_at=self.at(date),
                )
            )
        for _ in range(30):
            date = self.today - datetime.timedelta(days=self.rng.randrange(0, 10))
            customer = self.customers[self.rng.randrange(len(self.customers))][0]
            order_id = self.next_id("order")
            self.add(
                Order(
                    pk=order_id,
                    number=self.number("CO", date.year),
                    customer_id=customer,
                    status=Order.Status.DRAFT,
                    date=date,
                    created_at=self.at(date),
                )
            )
        self.flush()
        # Deliveries to prepare, on some of the confirmed orders of the last days (no lines needed).
        recent = (
            Order.objects.filter(status=Order.Status.CONFIRMED).order_by("-id").values_list("pk", "date")[:25]
        )
        Delivery.objects.bulk_create(
            [
                Delivery(
                    pk=self.next_id("delivery"),
                    number=self.number("BL", date.year),
                    order_id=pk,
                    status=Delivery.Status.DRAFT,
                    date=self.today,
                )
                for pk, date in recent
            ]
        )

    def run(self) -> None:
        from comptoir.core.models import NumberSequence

        self.masters()
        span = (self.today - self.first).days
        for i in range(self.n_invoices):
            self.sale(self.first + datetime.timedelta(days=i * span // self.n_invoices))
            if (i + 1) % BATCH == 0:
                self.flush()
        self.flush()
        self.drafts()
        # Numbering continues after the seeded documents.
        NumberSequence.objects.bulk_create(
            [
                NumberSequence(series=series, year=year, last_value=value)
                for (series, year), value in self.counters.items()
            ],
            ignore_conflicts=True,
        )


def seed(invoices: int, customers: int, products: int) -> tuple[dict, float]:
    from django.db import connection

    from comptoir.billing.models import Invoice
    from comptoir.payments.models import Payment
    from comptoir.sales.models import Order, Quote

    # created_at is auto_now_add: let the seeder date the documents in the past.
    auto = [m._meta.get_field("created_at") for m in (Invoice, Order, Quote, Payment)]
    for field in auto:
        field.auto_now_add = False
    start = time.perf_counter()
    try:
        seeder = Seeder(invoices, customers, products)
        seeder.run()
    finally:
        for field in auto:
            field.auto_now_add = True
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Ids were given by the seeder: move the sequences past them.
            from django.apps import apps
            from django.core.management.color import no_style

            for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
                cursor.execute(sql)
        cursor.execute(steady_state_sql(connection))
    return seeder, time.perf_counter() - start


def steady_state_sql(connection) -> str:
    """What a live database's autovacuum has done long before anyone reads it: statistics, and on
    PostgreSQL the visibility map that lets index-only scans skip the table (bulk-seeded rows have
    none until a VACUUM, which would make the first minutes after seeding look slower than any day in
    production)."""
    return "VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE"


# --- The pages ----------------------------------------------------------------------------------


def pages(seeder) -> list[tuple[str, str]]:
    from django.urls import reverse

    from comptoir.billing.models import Invoice
    from comptoir.parties.models import Customer
    from comptoir.returns.models import ReturnCase

    invoice = Invoice.objects.filter(status="issued").order_by("-id").values_list("pk", flat=True)[500]
    customer = Customer.objects.order_by("pk").values_list("pk", flat=True)[7]
    r = reverse
    far = 1500  # page 1500 of 25 rows: row 37,500
    result = [
        ("home", r("web:home")),
        ("invoices", r("web:invoice_list")),
        ("invoices_search", r("web:invoice_list") + "?q=Garage"),
        ("invoices_overdue", r("web:invoice_list") + "?etat=overdue"),
        ("invoices_far_page", r("web:invoice_list") + f"?page={far}"),
        ("orders", r("web:order_list")),
        ("orders_search", r("web:order_list") + "?q=CO-"),
        ("orders_far_page", r("web:order_list") + f"?page={far}"),
        ("quotes", r("web:quote_list")),
        ("quotes_filter", r("web:quote_list") + "?etat=accepted"),
        ("deliveries", r("web:delivery_list")),
        ("deliveries_filter", r("web:delivery_list") + "?etat=validated&q=Martin"),
        ("deliveries_far_page", r("web:delivery_list") + f"?page={far}"),
        ("payments", r("web:payment_list")),
        ("payments_filter", r("web:payment_list") + "?mode=cheque&q=Dubois"),
        ("payments_far_page", r("web:payment_list") + f"?page={far}"),
        ("customers", r("web:customer_list")),
        ("customers_search", r("web:customer_list") + "?q=Lyon"),
        ("products", r("web:product_list")),
        ("products_search", r("web:product_list") + "?q=Perceuse&type=goods"),
        ("invoice_detail", r("web:invoice_detail", args=[invoice])),
        ("customer_detail", r("web:customer_detail", args=[customer])),
        ("trial_balance", r("web:trial_balance")),
        # The global search (as typed in the box; `liste=1` so a single hit lists rather than redirects).
        ("search_name", r("web:search") + "?q=electricite&liste=1"),
        ("search_number", r("web:search") + "?q=00042&liste=1"),
        ("search_product", r("web:search") + "?q=perceuse&liste=1"),
        ("to_ship", r("web:to_ship")),
        # The pickers' answers as you type (JSON): a word in the middle of a name, accents off, and a code.
        ("pick_product_word", r("web:pick", args=["produits"]) + "?q=dynamometrique"),
        ("pick_product_all", r("web:pick", args=["produits"]) + "?q=modele"),  # every product matches
        ("pick_product_code", r("web:pick", args=["produits"]) + "?q=ART-00042"),
        ("pick_customer_word", r("web:pick", args=["clients"]) + "?q=electricite"),
    ]
    if ReturnCase.objects.exists():
        result.append(("returns", r("web:return_board")))
    return result


def seeded() -> bool:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username="direction").exists()


class Reused:
    """What `measure` and the report need from a database seeded by an earlier run (--keep)."""

    def __init__(self):
        from django.apps import apps
        from django.contrib.auth import get_user_model
        from django.db import connection

        self.user = get_user_model().objects.get(username="direction")
        names = [
            "customer", "product", "stocklevel", "journalentry", "entryline", "openitem", "quote", "quoteline",
            "order", "orderline", "delivery", "deliveryline", "invoice", "invoiceline", "invoicetax", "payment",
            "paymentallocation", "reconciliation", "reconciledline",
        ]  # fmt: skip
        models = {m._meta.model_name: m for m in apps.get_models()}
        self.sizes = {name: models[name].objects.count() for name in names}
        with connection.cursor() as cursor:
            # Statistics for the indexes added since the data was seeded.
            cursor.execute(steady_state_sql(connection))


def measure(seeder, repeat: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(seeder.user)
    results = {}
    for name, url in pages(seeder):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)  # warm-up, and the query count
        if response.status_code != 200:
            raise SystemExit(f"{name}: {url} answered {response.status_code}")
        count = len(queries)  # now: later requests reset the connection's query log
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, max(0, round(0.95 * len(times)) - 1))]
        results[name] = {
            "url": url,
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(p95, 1),
            "queries": count,
        }
    return results


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Server time of the main pages on a scaled dataset.")
    parser.add_argument("--invoices", type=int, default=100_000, help="issued invoices (100,000)")
    parser.add_argument("--customers", type=int, default=300, help="customers (300)")
    parser.add_argument("--products", type=int, default=1000, help="products (1,000)")
    parser.add_argument("--repeat", "-n", type=int, default=20, help="requests per page (20)")
    parser.add_argument(
        "--database-url",
        help="PostgreSQL server URL: a fresh database is created there and dropped after "
        "(default: SQLite in a temporary folder)",
    )
    parser.add_argument(
        "--keep",
        metavar="TARGET",
        help="a SQLite file or a PostgreSQL database URL, used as is and kept: seeded on the first run, "
        "reused by the next ones (migrations applied, nothing seeded, --invoices/--customers/--products "
        "ignored)",
    )
    args = parser.parse_args(argv)
    if args.keep and args.database_url:
        parser.error("--keep names the database itself: leave out --database-url")
    if args.invoices < 600 or args.customers < 10 or args.products < 10 or args.repeat < 1:
        parser.error("at least 600 invoices, 10 customers, 10 products and 1 request per page")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.keep and args.keep.startswith("postgres"):
        database = contextlib.nullcontext((args.keep, "postgresql"))
    elif args.keep:
        database = contextlib.nullcontext((f"sqlite:///{Path(args.keep).resolve()}", "sqlite"))
    else:
        database = fresh_database(args.database_url)
    with database as (url, backend):
        setup_django(url)
        if args.keep and seeded():
            seeder, seconds = Reused(), None
        else:
            seeder, seconds = seed(args.invoices, args.customers, args.products)
        results = measure(seeder, args.repeat)
        sizes = dict(sorted(seeder.sizes.items()))
    worst = max(results, key=lambda name: results[name]["p95_ms"])
    pickers_p95 = max(v["p95_ms"] for name, v in results.items() if name.startswith("pick_"))
    out = {
        "system": "comptoir",
        "benchmark": "pages",
        "backend": backend,
        "repeat": args.repeat,
        "pages": results,
        "worst_page": worst,
        "worst_p95_ms": results[worst]["p95_ms"],
        "target_ms": TARGET_MS,
        "meets_target": results[worst]["p95_ms"] < TARGET_MS,
        "pickers_p95_ms": pickers_p95,
        "picker_target_ms": PICKER_TARGET_MS,
        "pickers_meet_target": pickers_p95 < PICKER_TARGET_MS,
        "dataset": sizes,
        "seed_seconds": None if seconds is None else round(seconds, 1),
    }
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
