"""The demo data set: a year (by default) in the life of a Lyon tool distributor, told through the
real services only.

The history is a small day-by-day simulation. Each business day brings new quotes and direct orders;
each document schedules what happens to it next (sent, accepted or refused, confirmed, shipped in one
or two deliveries, invoiced, paid on time, late, partly or never). Events run in date order, so
invoices are issued chronologically as the law (and `issue_invoice`) requires, and every service
gets an explicit `date=` so the documents carry their historical dates. Nothing in the future runs:
what is still pending today is left open (quotes awaiting an answer, orders to ship, backorders,
unpaid and overdue invoices).

On top of the daily flow, a few stories are told on purpose, so that every case the invoicing and
returns pages know about is in the demo even when it is small: an invoice at every VAT rate with an
exempt training day, a customer in Belgium (reverse charge, intra-EU supply) and one in Switzerland
(export), service contracts paid in two goes (VAT on receipts), orders with a 30 % deposit or billed
by milestones, commercial gestures (`showcase.py`), and a year of return cases (`disputes.py`). The
services stamp some facts (audit events, validations, decisions) with the current time, so the story runs
on a clock set to each day (`clock.py`).

The story (`_Story`) keeps the calendar, the stock and what it created (`tracking.py`); the customers
(`customers.py`), the price list (`price_lists.py`), quotes and orders (`selling.py`), invoices and what
settles them (`receivables.py`) and the costs of serving customers (`profitability.py`) are told beside it.

Everything comes from one `random.Random(seed)`: the same options give the same data.
"""

import datetime
import heapq
import itertools
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from comptoir.accounting.services import open_fiscal_year
from comptoir.assistant import services as assistant
from comptoir.catalog.services import create_product
from comptoir.core import audit
from comptoir.core.management.accounts import create_user
from comptoir.core.models import AuditEvent
from comptoir.core.permissions import Role
from comptoir.demo import customers as demo_customers
from comptoir.demo import names, pipeline, price_lists, profitability, slowing
from comptoir.demo.business_days import add_business_days, is_business_day, months_before
from comptoir.demo.clock import DemoClock
from comptoir.demo.disputes import ReturnsDesk
from comptoir.demo.draws import poisson, scaled
from comptoir.demo.receivables import Receivables
from comptoir.demo.selling import SalesDesk
from comptoir.demo.showcase import Showcase
from comptoir.demo.tracking import Shipment, StoryCustomer, StoryOrder, StoryProduct
from comptoir.parties.models import Company
from comptoir.parties.services import configure_company
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

# What the summary reports, in the order of the flow: (count key, singular, plural).
SUMMARY = [
    ("clients", "client", "clients"),
    ("clients à l'étranger", "client à l'étranger", "clients à l'étranger"),
    ("produits", "produit", "produits"),
    ("réceptions", "réception", "réceptions"),
    ("devis", "devis", "devis"),
    ("devis acceptés", "devis accepté", "devis acceptés"),
    ("devis refusés", "devis refusé", "devis refusés"),
    ("commandes", "commande", "commandes"),
    ("commandes annulées", "commande annulée", "commandes annulées"),
    ("commandes avec acompte", "commande avec acompte", "commandes avec acompte"),
    (
        "commandes facturées par échéances",
        "commande facturée par échéances",
        "commandes facturées par échéances",
    ),
    ("livraisons", "livraison", "livraisons"),
    ("factures émises", "facture émise", "factures émises"),
    ("factures d'acompte", "facture d'acompte", "factures d'acompte"),
    ("acomptes déduits", "acompte déduit", "acomptes déduits"),
    ("factures d'échéance", "facture d'échéance", "factures d'échéance"),
    ("règlements", "règlement", "règlements"),
    ("avoirs", "avoir", "avoirs"),
    ("gestes commerciaux", "geste commercial", "gestes commerciaux"),
    (
        "avoirs imputés sur une autre facture",
        "avoir imputé sur une autre facture",
        "avoirs imputés sur une autre facture",
    ),
    ("remboursements", "remboursement", "remboursements"),
    ("dossiers de retour", "dossier de retour", "dossiers de retour"),
    ("dossiers en cours", "dossier en cours", "dossiers en cours"),
    ("dossiers rejetés", "dossier rejeté", "dossiers rejetés"),
    ("retours reçus", "retour reçu", "retours reçus"),
    ("remplacements", "remplacement", "remplacements"),
    ("refacturations", "refacturation", "refacturations"),
    ("factures bloquées par un litige", "facture bloquée par un litige", "factures bloquées par un litige"),
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


# --- The simulation ------------------------------------------------------------------------------


class _Story:
    def __init__(self, rng: random.Random, *, months: int, n_customers: int, n_products: int):
        self.rng = rng
        self.today = timezone.localdate()
        self.start = add_business_days(months_before(self.today, months), 0)
        self.months = months
        self.n_customers, self.n_products = n_customers, n_products
        self.clock = DemoClock(self.today)
        self.slowing = slowing.Slowing(None, None)
        self.events: list = []
        self._seq = itertools.count()
        self.stock: dict[int, Decimal] = defaultdict(Decimal)
        self.demand: dict[int, Decimal] = defaultdict(Decimal)
        self.out_of_stock: set[int] = set()
        self.issued = 0
        self.counts: dict[str, int] = defaultdict(int)
        # What each issued invoice still awaits (payments and credit notes deduct from it).
        self.due: dict[int, Decimal] = {}
        # Deliveries whose invoice is issued, in that order: return cases pick from them.
        self.shipments: list[Shipment] = []
        # Invoices issued (deposits aside), in order: gestures and credit notes left over pick from them.
        self.invoices: list[tuple[datetime.date, object, StoryCustomer]] = []
        # Credit notes left on a customer's account, deducted from their next invoice.
        self.credits: dict[int, list] = defaultdict(list)
        # Invoices a credit note already corrects: a gesture and a return case never share one, so that each
        # correction reads on its own (a case's credit note credits the price the goods were invoiced at).
        self.corrected: set[int] = set()
        self.applied_elsewhere: set[int] = set()
        self.sales = SalesDesk(self)
        self.showcase = Showcase(self)
        self.receivables = Receivables(self)
        self.returns = ReturnsDesk(self)
        # The last day of the fiscal years opened so far.
        self.open_until: datetime.date | None = None

    # Scheduling: (date, sequence) keeps the order of events of one day stable.
    def at(self, day: datetime.date, action, *args) -> None:
        if day <= self.today:
            heapq.heappush(self.events, (day, next(self._seq), action, args))

    def run(self, *, progress: bool) -> None:
        days = [
            self.start + datetime.timedelta(days=n)
            for n in range((self.today - self.start).days + 1)
            if is_business_day(self.start + datetime.timedelta(days=n))
        ]
        with self.clock.running():
            self.clock.set_day(days[0])
            self._create_people_and_catalogue()
            self.slowing = slowing.choose(self.customers, start=self.start, today=self.today)
            self._opening_stock(days[0])
            self._plan(days)
            backorder_day = days[-4] if len(days) > 4 else days[0]
            with tqdm(days, desc="Données de démo", unit="jour", disable=not progress, leave=False) as bar:
                for day in bar:
                    self.clock.set_day(day)
                    self._open_fiscal_year(day)
                    self._live(day, days[0], backorder_day)
                    bar.set_postfix(factures=self.counts["factures émises"], refresh=False)
            self.clock.set_day(self.today)
            self._open_fiscal_year(self.today)
            # Today may be a weekend or a bank holiday: what happens today (mail read, cases opened) still does.
            self._run_events(self.today)
            self._planned_receipt()
            # The costs of serving customers: time, tickets, delivery costs (#22).
            self.counts.update(
                profitability.seed(
                    users=self.users,
                    customers=[c.obj for c in self.customers],
                    today=self.today,
                    rng=self.rng,
                )
            )
            self.counts.update(pipeline.seed(users=self.users, today=self.today, rng=self.rng))  # CRM (#22)
            # The assistant's first pass, so its inbox is not empty at first launch.
            run = assistant.run_agent(by=None, trigger="demo")
            self.counts["brouillons préparés par l'assistant"] = run.stats.get("drafts_prepared", 0)
            self.counts["propositions de l'assistant"] = run.stats.get("proposals_open", 0)
            # Its follow-ups of the customers to watch (#22 point 5), as the weekly job would propose them.
            watch = assistant.run_agent(by=None, trigger="demo", customers_only=True)
            self.counts["suivis de clients proposés"] = watch.stats.get("proposals_created", 0)
        self.counts["dossiers en cours"] = self.returns.open_cases()
        self.counts["avoirs imputés sur une autre facture"] = len(self.applied_elsewhere)

    def _plan(self, days: list[datetime.date]) -> None:
        """The stories told on purpose (`showcase.py`), then the year of return cases (`disputes.py`)."""
        self.showcase.plan(days)
        self.returns.plan(days)

    def _live(self, day: datetime.date, first_day: datetime.date, backorder_day: datetime.date) -> None:
        """One business day: restocking on Mondays, new quotes and orders, then what was planned."""
        if day.weekday() == 0 and day != first_day:
            self._replenish(day)
        if day == backorder_day:
            self.showcase.backorder(day)
        for _ in range(poisson(self.rng, QUOTE_RATE * self.n_customers)):
            self.sales.new_quote(day)
        for _ in range(poisson(self.rng, DIRECT_ORDER_RATE * self.n_customers)):
            self.sales.new_direct_order(day)
        self._run_events(day)

    def _open_fiscal_year(self, day: datetime.date) -> None:
        """The accountant opens each fiscal year on the first business day the story reaches in it: postings
        never open one (accounting.periods)."""
        if self.open_until is None or day > self.open_until:
            self.open_until = open_fiscal_year(day, by=self.users["compta"]).end_date

    def _run_events(self, day: datetime.date) -> None:
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

        self.products: list[StoryProduct] = []
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
                vat_exemption_reason=seed.exemption,
                vat_exemption_code=seed.exemption_code,
                low_stock_threshold=Decimal(seed.shelf // 5),
            )
            self.products.append(StoryProduct(obj, seed, cost))
        self.product_by_pk = {p.obj.pk: p for p in self.products}
        self.product_by_sku = {p.seed.sku: p for p in self.products}
        self.goods = [p for p in self.products if p.stocked]
        self.services = [p for p in self.products if not p.stocked]
        self.counts["produits"] = len(self.products)

        self.customers: list[StoryCustomer] = []
        sirens = {names.COMPANY_SIREN}
        # From three customers on, two of them are abroad: one in the EU, one outside.
        abroad = names.FOREIGN_CUSTOMERS if self.n_customers >= 3 else []
        for seed in names.customer_names(rng, self.n_customers - len(abroad)):
            self.customers.append(
                demo_customers.create_french_customer(rng, seed, sirens, by=self.users["commercial"])
            )
        for seed in abroad:
            self.customers.append(
                demo_customers.create_foreign_customer(rng, seed, by=self.users["commercial"])
            )
        self.counts["clients"] = len(self.customers)
        self.counts["clients à l'étranger"] = len(abroad)
        # The wholesalers' price list (no draw of the random generator: the rest of the story stays as it was).
        self.counts.update(
            price_lists.seed(
                customers=self.customers, goods=self.goods, by=self.users["direction"], today=self.today
            )
        )

    # --- Stock: receipts and deliveries --------------------------------------------------------

    def _receive(self, day: datetime.date, quantities: dict[StoryProduct, int]) -> None:
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
        """The products out of stock are reordered: a receipt awaiting the goods, prepared today (a business
        date is never in the future, so it does not carry the supplier's expected date)."""
        for product in (p for p in self.goods if p.obj.pk in self.out_of_stock):
            quantity = int(product.seed.shelf + self.demand[product.obj.pk])
            create_receipt(
                [{"product": product.obj, "quantity": quantity, "unit_cost": product.cost}],
                by=self.users["logistique"],
                supplier_name=names.supplier_for(product.seed.sku),
                date=self.today,
            )
            self.counts["réceptions prévues"] += 1

    def ship(self, day, state: StoryOrder) -> Shipment | None:
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
            self.at(add_business_days(day, 5), self.ship, state)
            return None
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
        shipment = Shipment(delivery, state, day, [(line.product, qty) for line, qty in wanted])
        everything_left = not any(line.product.stocked and line.remaining > 0 for line in state.lines)
        if not everything_left:
            self.at(add_business_days(day, self.rng.randint(3, 8)), self.ship, state)
        if state.steps:
            if everything_left:
                # The delivery step is reached; the customer accepts the installation a week or two later.
                self.showcase.bill_step(day, state, state.steps[1])
                self.at(
                    add_business_days(day, self.rng.randint(5, 10)),
                    self.showcase.installation_accepted,
                    state,
                )
        elif not state.hold_invoice:
            self.receivables.invoice(day, state, shipment)
        return shipment
