"""The demo data set: a year (by default) in the life of a Lyon tool distributor, told through the
real services only.

The history is a small day-by-day simulation. Each business day brings new quotes and direct orders;
each document schedules what happens to it next (sent, accepted or refused, confirmed, shipped in one
or two deliveries, invoiced, paid on time, late, partly or never). Events run in date order, so
invoices are issued chronologically as the law (and `issue_invoice`) requires, and every service
gets an explicit `date=` so the documents carry their historical dates. Nothing in the future runs:
what is still pending today is left open (quotes awaiting an answer, orders to ship, backorders,
unpaid and overdue invoices).

Everything comes from one `random.Random(seed)`: the same options give the same data.
"""

import datetime
import heapq
import itertools
import math
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.catalog.services import create_product
from comptoir.core import audit
from comptoir.core.management.accounts import create_user
from comptoir.core.models import AuditEvent
from comptoir.core.money import amount as money_amount
from comptoir.core.permissions import Role
from comptoir.demo import names
from comptoir.parties.models import Company
from comptoir.parties.services import configure_company, create_customer
from comptoir.payments.services import register_payment
from comptoir.sales.services import (
    accept_quote,
    cancel_order,
    cancel_quote,
    confirm_order,
    create_order,
    create_quote,
    refuse_quote,
    send_quote,
)
from comptoir.stock.services import create_delivery, create_receipt, receive_stock, validate_delivery

DEMO_PASSWORD = "demo1234"
SEEDED = "demo.seeded"
DEMO_USERS = [
    ("demo", Role.ADMIN),
    ("commercial", Role.COMMERCIAL),
    ("adv", Role.ADV),
    ("logistique", Role.LOGISTIQUE),
    ("compta", Role.COMPTABILITE),
    ("direction", Role.DIRECTION),
]

# Per business day and per customer: how many quotes and direct orders come in.
QUOTE_RATE = 0.035
DIRECT_ORDER_RATE = 0.015
# Goods sold below this share of their shelf stock are reordered on Mondays.
REORDER_POINT = 0.5

PAYMENT_TERMS = [(30, False)] * 5 + [(45, False)] * 2 + [(45, True)] * 2 + [(30, True)]
REFUSAL_REASONS = [
    "Prix trop élevé par rapport à la concurrence",
    "Projet reporté à l'an prochain",
    "Commande passée chez un autre fournisseur",
    "Budget non validé par la direction",
]
CANCEL_REASONS = ["Erreur de saisie : commande en double", "Chantier annulé par le maître d'ouvrage"]
# Share of each payment behaviour for each kind of payer.
PAYERS = {
    "good": {"early": 15, "on_time": 75, "late": 7, "partial": 3},
    "slow": {"on_time": 35, "late": 45, "partial": 15, "never": 5},
    "bad": {"on_time": 10, "late": 35, "partial": 30, "never": 25},
}


# What the summary reports, in the order of the flow: (count key, singular, plural).
SUMMARY = [
    ("clients", "client", "clients"),
    ("produits", "produit", "produits"),
    ("réceptions", "réception", "réceptions"),
    ("devis", "devis", "devis"),
    ("devis acceptés", "devis accepté", "devis acceptés"),
    ("devis refusés", "devis refusé", "devis refusés"),
    ("commandes", "commande", "commandes"),
    ("commandes annulées", "commande annulée", "commandes annulées"),
    ("livraisons", "livraison", "livraisons"),
    ("factures émises", "facture émise", "factures émises"),
    ("règlements", "règlement", "règlements"),
    ("réceptions prévues", "réception prévue", "réceptions prévues"),
]


@dataclass
class SeedResult:
    created: bool
    message: str
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def summary(self) -> str:
        return ", ".join(
            f"{self.counts[key]} {one if self.counts[key] == 1 else many}"
            for key, one, many in SUMMARY
            if self.counts.get(key)
        )


def demo_company() -> Company | None:
    return Company.objects.first()


class DemoInterrupted(Exception):
    """A previous load stopped half-way: the database holds part of the demo."""


def seed_demo(
    *, months: int = 12, customers: int = 30, products: int = 100, seed: int = 42, progress: bool = False
):
    """Load the demo data set, unless a company is already configured (then do nothing)."""
    existing = demo_company()
    if existing is not None:
        if AuditEvent.objects.filter(action=SEEDED).exists():
            return SeedResult(
                False, f"Les données de démonstration sont déjà chargées ({existing.legal_name})."
            )
        if existing.legal_name == names.COMPANY["legal_name"]:
            raise DemoInterrupted(
                "Un chargement précédent des données de démonstration a été interrompu : repartez d'une base "
                "vide (supprimez var/comptoir.sqlite3 ou recréez la base PostgreSQL, puis `comptoir migrate`)."
            )
        return SeedResult(
            False,
            f"Une société est déjà configurée ({existing.legal_name}) : pas de données de démonstration.",
        )
    if months < 1 or customers < 1 or products < 2:
        raise ValueError("months ≥ 1, customers ≥ 1 and products ≥ 2")
    started = time.perf_counter()
    story = _Story(random.Random(seed), months=months, n_customers=customers, n_products=products)
    # Each service commits on its own, as in production. One transaction around a whole year would
    # be all-or-nothing, but PostgreSQL would then keep every version of the counter rows updated
    # thousands of times (audit chain head, number sequences, stock levels) and slow down to a crawl.
    story.run(progress=progress)
    # The mark that the load finished (a run that stops before it is reported as interrupted).
    with transaction.atomic():
        audit.record(
            SEEDED,
            by=story.admin,
            object_type="demo",
            object_repr=names.COMPANY["legal_name"],
            data={"months": months, "customers": customers, "products": products, "seed": seed},
        )
    return SeedResult(
        True,
        f"Données de démonstration chargées : {names.COMPANY['legal_name']}.",
        story.counts,
        time.perf_counter() - started,
    )


# --- Calendar ------------------------------------------------------------------------------------

_FIXED_HOLIDAYS = {(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)}


def is_business_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and (day.month, day.day) not in _FIXED_HOLIDAYS


def add_business_days(day: datetime.date, n: int) -> datetime.date:
    while n > 0 or not is_business_day(day):
        day += datetime.timedelta(days=1)
        if is_business_day(day):
            n -= 1
    return day


def months_before(day: datetime.date, months: int) -> datetime.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    last_day = (datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last_day))


def poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def scaled(value: Decimal, rng: random.Random, low: float, high: float) -> Decimal:
    """`value` times a random factor in [low, high], to the cent. The factor is drawn as a float (it is
    randomness, not money) and turned into a 4-place Decimal before it touches the amount."""
    factor = Decimal(f"{rng.uniform(low, high):.4f}")
    return money_amount(value * factor)


# --- The simulation ------------------------------------------------------------------------------


@dataclass(eq=False)
class _Customer:
    obj: object
    payer: str
    weight: float
    addresses: list = field(default_factory=list)


@dataclass(eq=False)
class _Product:
    obj: object
    seed: names.ProductSeed
    cost: Decimal

    @property
    def stocked(self) -> bool:
        return self.seed.kind == "goods"


@dataclass(eq=False)
class _OrderLine:
    pk: int
    product: _Product
    remaining: Decimal


@dataclass(eq=False)
class _Order:
    obj: object
    customer: _Customer
    lines: list[_OrderLine]
    split: bool
    shipments: int = 0


class _Story:
    def __init__(self, rng: random.Random, *, months: int, n_customers: int, n_products: int):
        self.rng = rng
        self.today = timezone.localdate()
        self.start = add_business_days(months_before(self.today, months), 0)
        self.n_customers, self.n_products = n_customers, n_products
        self.events: list = []
        self._seq = itertools.count()
        self.stock: dict[int, Decimal] = defaultdict(Decimal)
        self.demand: dict[int, Decimal] = defaultdict(Decimal)
        self.out_of_stock: set[int] = set()
        self.issued = 0
        self.counts: dict[str, int] = defaultdict(int)

    # Scheduling: (date, sequence) keeps the order of events of one day stable.
    def at(self, day: datetime.date, action, *args) -> None:
        if day <= self.today:
            heapq.heappush(self.events, (day, next(self._seq), action, args))

    def run(self, *, progress: bool) -> None:
        self._create_people_and_catalogue()
        days = [
            self.start + datetime.timedelta(days=n)
            for n in range((self.today - self.start).days + 1)
            if is_business_day(self.start + datetime.timedelta(days=n))
        ]
        self._opening_stock(days[0])
        backorder_day = days[-4] if len(days) > 4 else days[0]
        with tqdm(days, desc="Données de démo", unit="jour", disable=not progress, leave=False) as bar:
            for day in bar:
                self._live(day, days[0], backorder_day)
                bar.set_postfix(factures=self.counts["factures émises"], refresh=False)
        self._planned_receipt()

    def _live(self, day: datetime.date, first_day: datetime.date, backorder_day: datetime.date) -> None:
        """One business day: restocking on Mondays, new quotes and orders, then what was planned."""
        if day.weekday() == 0 and day != first_day:
            self._replenish(day)
        if day == backorder_day:
            self._backorder_scenario(day)
        for _ in range(poisson(self.rng, QUOTE_RATE * self.n_customers)):
            self._new_quote(day)
        for _ in range(poisson(self.rng, DIRECT_ORDER_RATE * self.n_customers)):
            self._new_direct_order(day)
        while self.events and self.events[0][0] <= day:
            event_day, _, action, args = heapq.heappop(self.events)
            action(event_day, *args)

    # --- People, company, catalogue, customers --------------------------------------------------

    def _create_people_and_catalogue(self) -> None:
        rng = self.rng
        self.users = {}
        for username, role in DEMO_USERS:
            self.users[username] = create_user(
                username,
                roles=[role],
                password=DEMO_PASSWORD,
                email=f"{username}@comptoir-lyonnais-outillage.fr",
                superuser=username == "demo",
                by=self.users.get("demo"),
            )
        self.admin = self.users["demo"]
        configure_company(by=self.admin, **names.COMPANY)

        self.products: list[_Product] = []
        for seed in names.catalogue(rng, self.n_products):
            cost = scaled(Decimal(seed.price), rng, 0.52, 0.68)
            obj = create_product(
                by=self.users["logistique"],
                sku=seed.sku,
                name=seed.name,
                sale_price=seed.price,
                purchase_cost=cost,
                unit=seed.unit,
                kind=seed.kind,
                vat_rate=seed.vat_rate,
                low_stock_threshold=Decimal(seed.shelf // 5),
            )
            self.products.append(_Product(obj, seed, cost))
        self.product_by_pk = {p.obj.pk: p for p in self.products}
        self.goods = [p for p in self.products if p.stocked]
        self.services = [p for p in self.products if not p.stocked]
        self.counts["produits"] = len(self.products)

        self.customers: list[_Customer] = []
        sirens = {names.COMPANY_SIREN}
        for seed in names.customer_names(rng, self.n_customers):
            self.customers.append(self._create_customer(seed, sirens))
        self.counts["clients"] = len(self.customers)

    def _create_customer(self, seed: names.CustomerSeed, sirens: set[str]) -> _Customer:
        rng = self.rng
        siren = names.random_siren(rng, sirens)
        domain = names.slug(seed.name) + ".fr"
        days, end_of_month = rng.choice(PAYMENT_TERMS)
        contacts = []
        for _ in range(rng.randint(1, 3)):
            who = names.person(rng)
            contacts.append(
                {
                    "name": who,
                    "job_title": rng.choice(names.JOB_TITLES),
                    "email": f"{names.slug(who).replace('-', '.')}@{domain}",
                    "phone": names.phone(rng, seed.phone_prefix),
                }
            )
        addresses = []
        if rng.random() < 0.3:
            for label in rng.sample(
                ["Dépôt", "Chantier Confluence", "Atelier 2", "Chantier Part-Dieu"], rng.randint(1, 2)
            ):
                city, postal_code, _ = rng.choice(names.CITIES)
                addresses.append(
                    {"label": label, "street": names.street(rng), "postal_code": postal_code, "city": city}
                )
        obj = create_customer(
            by=self.users["commercial"],
            name=seed.name,
            siren=siren,
            siret=names.siret_from(siren, rng.randint(1, 3)),
            vat_number=names.vat_from(siren),
            email=f"comptabilite@{domain}",
            phone=names.phone(rng, seed.phone_prefix),
            street=names.street(rng),
            postal_code=seed.postal_code,
            city=seed.city,
            payment_days=days,
            payment_end_of_month=end_of_month,
            contacts=contacts,
            delivery_addresses=addresses,
        )
        payer = rng.choices(["good", "slow", "bad"], weights=[70, 20, 10])[0]
        # A few customers buy far more than the others, as in any customer base.
        return _Customer(
            obj, payer, rng.paretovariate(1.6), list(obj.delivery_addresses.all()) if addresses else []
        )

    # --- Stock ----------------------------------------------------------------------------------

    def _receive(self, day: datetime.date, quantities: dict[_Product, int]) -> None:
        by_supplier: dict[str, list] = defaultdict(list)
        for product, qty in quantities.items():
            by_supplier[names.supplier_for(product.seed.sku)].append((product, qty))
        for supplier, items in sorted(by_supplier.items()):
            lines = []
            for product, qty in items:
                # Purchase prices drift a little from one delivery to the next: the average cost moves.
                unit_cost = scaled(Decimal(product.cost), self.rng, 0.96, 1.06)
                lines.append({"product": product.obj, "quantity": qty, "unit_cost": unit_cost})
                self.stock[product.obj.pk] += qty
            receive_stock(lines, by=self.users["logistique"], supplier_name=supplier, date=day)
            self.counts["réceptions"] += 1

    def _opening_stock(self, day: datetime.date) -> None:
        self._receive(day, {p: max(2, round(p.seed.shelf * self.rng.uniform(0.9, 1.3))) for p in self.goods})

    def _replenish(self, day: datetime.date) -> None:
        wanted = {}
        for product in self.goods:
            pk = product.obj.pk
            if pk in self.out_of_stock:
                continue
            if self.stock[pk] - self.demand[pk] < product.seed.shelf * REORDER_POINT:
                wanted[product] = int(product.seed.shelf + self.demand[pk] - self.stock[pk])
        if wanted:
            self._receive(day, {p: q for p, q in wanted.items() if q > 0})

    def _planned_receipt(self) -> None:
        """The supplier confirmed a delivery date for the products out of stock: an expected receipt."""
        for product in (p for p in self.goods if p.obj.pk in self.out_of_stock):
            quantity = int(product.seed.shelf + self.demand[product.obj.pk])
            create_receipt(
                [{"product": product.obj, "quantity": quantity, "unit_cost": product.cost}],
                by=self.users["logistique"],
                supplier_name=names.supplier_for(product.seed.sku),
                date=add_business_days(self.today, 5),
            )
            self.counts["réceptions prévues"] += 1

    # --- Quotes and orders ----------------------------------------------------------------------

    def _pick_customer(self) -> _Customer:
        return self.rng.choices(self.customers, weights=[c.weight for c in self.customers])[0]

    def _lines(self, customer: _Customer) -> list[dict]:
        rng = self.rng
        count = min(len(self.goods), rng.choice([1, 1, 2, 2, 3, 3, 4, 5, 6]))
        chosen = rng.sample(self.goods, count) if self.goods else []
        if self.services and (not chosen or rng.random() < 0.12):
            chosen.append(rng.choice(self.services))
        lines = []
        for product in chosen:
            low, high = product.seed.order_qty
            line = {"product": product.obj, "quantity": rng.randint(low, high)}
            # Good customers negotiate: a discount on some lines.
            if customer.payer == "good" and rng.random() < 0.25:
                line["discount_percent"] = rng.choice([5, 5, 10, 10, 15])
            lines.append(line)
        return lines

    def _new_quote(self, day: datetime.date) -> None:
        rng = self.rng
        customer = self._pick_customer()
        quote = create_quote(customer.obj, self._lines(customer), by=self.users["commercial"], date=day)
        self.counts["devis"] += 1
        recent = (self.today - day).days < 7
        if recent and rng.random() < 0.3:
            return  # still being written
        self.at(day, self._send_quote, quote)
        outcome = rng.choices(["accept", "refuse", "silence", "cancel"], weights=[62, 16, 19, 3])[0]
        if outcome == "accept":
            self.at(add_business_days(day, rng.randint(1, 18)), self._accept_quote, quote, customer)
        elif outcome == "refuse":
            self.at(add_business_days(day, rng.randint(2, 15)), self._refuse_quote, quote)
        elif outcome == "cancel":
            self.at(add_business_days(day, rng.randint(1, 5)), self._cancel_quote, quote)

    def _send_quote(self, day, quote) -> None:
        send_quote(quote, by=self.users["commercial"])

    def _refuse_quote(self, day, quote) -> None:
        refuse_quote(quote, by=self.users["commercial"], reason=self.rng.choice(REFUSAL_REASONS))
        self.counts["devis refusés"] += 1

    def _cancel_quote(self, day, quote) -> None:
        cancel_quote(quote, by=self.users["commercial"], reason="Remplacé par un nouveau devis")

    def _accept_quote(self, day, quote, customer: _Customer) -> None:
        order = accept_quote(
            quote,
            by=self.users["commercial"],
            date=day,
            customer_reference=f"BC-{self.rng.randint(1000, 99999)}",
        )
        self.counts["devis acceptés"] += 1
        self._confirm(day, order, customer)

    def _new_direct_order(self, day: datetime.date) -> None:
        rng = self.rng
        customer = self._pick_customer()
        order = create_order(
            customer.obj,
            self._lines(customer),
            by=self.users["adv"],
            date=day,
            customer_reference=f"BC-{rng.randint(1000, 99999)}",
            delivery_address=rng.choice(customer.addresses)
            if customer.addresses and rng.random() < 0.6
            else None,
        )
        if rng.random() < 0.03:
            cancel_order(order, by=self.users["adv"], reason=rng.choice(CANCEL_REASONS))
            self.counts["commandes annulées"] += 1
            return
        self._confirm(day, order, customer)

    def _confirm(self, day, order, customer: _Customer) -> None:
        self.counts["commandes"] += 1
        if (self.today - day).days < 5 and self.rng.random() < 0.3:
            return  # waiting for the customer's purchase order number before confirming
        confirm_order(order, by=self.users["adv"])
        lines = [
            _OrderLine(line.pk, self.product_by_pk[line.product_id], line.quantity)
            for line in order.lines.all()
        ]
        for line in lines:
            if line.product.stocked:
                self.demand[line.product.obj.pk] += line.remaining
        goods = [line for line in lines if line.product.stocked]
        state = _Order(order, customer, lines, split=len(goods) >= 2 and self.rng.random() < 0.2)
        if goods:
            self.at(add_business_days(day, self.rng.randint(1, 3)), self._ship, state)
        else:
            self.at(add_business_days(day, self.rng.randint(2, 10)), self._invoice, state)

    def _backorder_scenario(self, day: datetime.date) -> None:
        """A big order for a product the supplier cannot deliver before next week: a backorder."""
        candidates = [p for p in self.goods if p.seed.shelf >= 20] or self.goods
        if not candidates:
            return
        product = self.rng.choice(candidates)
        self.out_of_stock.add(product.obj.pk)
        customer = max(self.customers, key=lambda c: c.weight)
        quantity = int(self.stock[product.obj.pk] + product.seed.shelf // 2 + 5)
        order = create_order(
            customer.obj,
            [{"product": product.obj, "quantity": quantity}],
            by=self.users["adv"],
            date=day,
            customer_reference="BC-URGENT",
        )
        self.counts["commandes"] += 1
        confirm_order(order, by=self.users["adv"])
        line = order.lines.get()
        self.demand[product.obj.pk] += line.quantity
        self.at(
            add_business_days(day, 1),
            self._ship,
            _Order(order, customer, [_OrderLine(line.pk, product, line.quantity)], False),
        )

    # --- Delivery, invoicing, payment -----------------------------------------------------------

    def _ship(self, day, state: _Order) -> None:
        wanted = []
        goods = [line for line in state.lines if line.product.stocked and line.remaining > 0]
        first_half_only = state.split and state.shipments == 0
        for index, line in enumerate(goods):
            if first_half_only and index % 2:
                continue
            quantity = min(line.remaining, self.stock[line.product.obj.pk])
            if quantity > 0:
                wanted.append((line, quantity))
        if not wanted:
            # Nothing on the shelf: the order waits for the next receipt.
            self.at(add_business_days(day, 5), self._ship, state)
            return
        delivery = create_delivery(
            state.obj,
            [{"order_line": line.pk, "quantity": qty} for line, qty in wanted],
            by=self.users["adv"],
            date=day,
        )
        validate_delivery(delivery, by=self.users["logistique"], date=day)
        self.counts["livraisons"] += 1
        state.shipments += 1
        for line, qty in wanted:
            line.remaining -= qty
            self.stock[line.product.obj.pk] -= qty
            self.demand[line.product.obj.pk] -= qty
        if any(line.product.stocked and line.remaining > 0 for line in state.lines):
            self.at(add_business_days(day, self.rng.randint(3, 8)), self._ship, state)
        self._invoice(day, state)

    def _invoice(self, day, state: _Order) -> None:
        invoice = create_invoice_from_order(state.obj, by=self.users["adv"])
        # Most invoices leave the same day; some wait for the accountant's next round.
        self.at(
            add_business_days(day, 0 if self.rng.random() < 0.8 else 1), self._issue, invoice, state.customer
        )

    def _issue(self, day, invoice, customer: _Customer) -> None:
        rng = self.rng
        invoice = issue_invoice(invoice, by=self.users["compta"], date=day)
        self.counts["factures émises"] += 1
        self.issued += 1
        # The first two invoices show the two happy-and-less-happy cases even in a tiny demo.
        if self.issued == 1:
            behaviour = "early"
        elif self.issued == 2:
            behaviour = "partial"
        else:
            weights = PAYERS[customer.payer]
            behaviour = rng.choices(list(weights), weights=list(weights.values()))[0]
        total, due = invoice.total, invoice.due_date
        if behaviour == "early":
            self.at(add_business_days(day, rng.randint(4, 12)), self._pay, invoice, customer, total)
        elif behaviour == "on_time":
            pay_day = max(due - datetime.timedelta(days=rng.randint(0, 7)), day + datetime.timedelta(days=3))
            self.at(add_business_days(pay_day, 0), self._pay, invoice, customer, total)
        elif behaviour == "late":
            self.at(add_business_days(due, rng.randint(6, 40)), self._pay, invoice, customer, total)
        elif behaviour == "partial":
            first = scaled(total, rng, 0.3, 0.7)
            first_day = min(add_business_days(day, rng.randint(6, 18)), add_business_days(due, 0))
            self.at(first_day, self._pay, invoice, customer, first)
            if rng.random() < 0.5:
                self.at(
                    add_business_days(due, rng.randint(15, 50)), self._pay, invoice, customer, total - first
                )

    def _pay(self, day, invoice, customer: _Customer, amount: Decimal) -> None:
        rng = self.rng
        method = rng.choices(["transfer", "cheque", "card"], weights=[75, 20, 5])[0]
        reference = {
            "transfer": f"VIR {customer.obj.name[:20].upper()} {invoice.number}",
            "cheque": f"Chèque n° {rng.randint(1000000, 9999999)}",
            "card": f"CB {rng.randint(100000, 999999)}",
        }[method]
        register_payment(
            customer.obj,
            by=self.users["compta"],
            amount=amount,
            method=method,
            date=day,
            reference=reference,
            allocations=[{"invoice": invoice.pk, "amount": amount}],
        )
        self.counts["règlements"] += 1
