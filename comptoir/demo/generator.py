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
by milestones, commercial gestures, and a year of return cases (`disputes.py`). The services stamp
some facts (audit events, validations, decisions) with the current time, so the story runs on a clock set
to each day (`clock.py`).

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

from comptoir.accounting.services import open_fiscal_year
from comptoir.assistant import services as assistant
from comptoir.billing import approving
from comptoir.billing.services import (
    create_credit_note,
    create_invoice_from_order,
    create_milestone_invoice,
    issue_invoice,
)
from comptoir.catalog.services import create_product
from comptoir.core import audit
from comptoir.core import money as core_money
from comptoir.core.errors import DomainError
from comptoir.core.management.accounts import create_user
from comptoir.core.models import AuditEvent
from comptoir.core.money import amount as money_amount
from comptoir.core.permissions import Role
from comptoir.demo import names, pipeline, profitability
from comptoir.demo.business_days import add_business_days, is_business_day, months_before
from comptoir.demo.clock import DemoClock
from comptoir.demo.disputes import ReturnsDesk
from comptoir.parties.models import Company
from comptoir.parties.services import configure_company, create_customer
from comptoir.payments import selectors as payment_view
from comptoir.payments.refunding import approve_refund, request_refund
from comptoir.payments.services import (
    apply_credit_note,
    credit_available_used,
    refund_credit_note,
    register_payment,
)
from comptoir.pricing import services as pricing_services
from comptoir.sales import discounts as sales_discounts
from comptoir.sales.services import (
    accept_quote,
    cancel_order,
    cancel_quote,
    confirm_order,
    create_order,
    create_quote,
    mark_milestone_reached,
    refuse_quote,
    send_quote,
    set_billing_schedule,
)
from comptoir.stock.services import create_delivery, create_receipt, receive_stock, validate_delivery

DEMO_PASSWORD = "demo1234"
SEEDED = "demo.seeded"
# The category each discount of the story is granted under (#22 point 2).
DISCOUNT_CATEGORIES = {5: "volume", 10: "negotiated", 15: "promotion"}
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


# Commercial gestures: credit notes without a return case, each with its category.
GESTURES = [
    ("Fidélité", "Geste commercial : client fidèle, remise exceptionnelle"),
    ("Retard de livraison", "Geste commercial pour le retard de livraison du chantier"),
    ("Remise de fin d'année", "Remise de fin d'année accordée sur la commande"),
]
DEPOSIT_SCHEDULE = [
    {"label": "Acompte à la commande", "trigger": "confirmation", "percent": "30", "is_deposit": True}
]
MILESTONE_SCHEDULE = [
    {"label": "À la commande", "trigger": "confirmation", "percent": "30"},
    {"label": "À la livraison", "trigger": "delivery", "percent": "40"},
    {"label": "À la réception de l'installation", "trigger": "acceptance", "percent": "30"},
]

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
    abroad: bool = False


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
    # Billed by its schedule (milestones), not by delivered quantities: the steps, in order.
    steps: list = field(default_factory=list)
    # Shipped but not invoiced: the invoice is kept back (the blocked-invoice story).
    hold_invoice: bool = False


@dataclass(eq=False)
class Shipment:
    """A delivery of goods, what it carried, and the invoice that billed it (return cases start here)."""

    delivery: object
    order: _Order
    day: datetime.date
    goods: list[tuple[_Product, Decimal]]
    invoice: object = None
    issued: bool = False
    disputed: bool = False


class _Story:
    def __init__(self, rng: random.Random, *, months: int, n_customers: int, n_products: int):
        self.rng = rng
        self.today = timezone.localdate()
        self.start = add_business_days(months_before(self.today, months), 0)
        self.months = months
        self.n_customers, self.n_products = n_customers, n_products
        self.clock = DemoClock(self.today)
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
        self.invoices: list[tuple[datetime.date, object, _Customer]] = []
        # Credit notes left on a customer's account, deducted from their next invoice.
        self.credits: dict[int, list] = defaultdict(list)
        # Invoices a credit note already corrects: a gesture and a return case never share one, so that each
        # correction reads on its own (a case's credit note credits the price the goods were invoiced at).
        self.corrected: set[int] = set()
        self.applied_elsewhere: set[int] = set()
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
        self.counts["dossiers en cours"] = self.returns.open_cases()
        self.counts["avoirs imputés sur une autre facture"] = len(self.applied_elsewhere)

    def _plan(self, days: list[datetime.date]) -> None:
        """The stories told on purpose, at fixed points of the period (a share of its business days)."""
        rng = self.rng

        def day_at(share: float) -> datetime.date:
            return days[min(len(days) - 1, int(share * len(days)))]

        self.at(day_at(0.08), self._showcase_order)
        self.at(day_at(0.12), self._service_contract)
        for customer, share in zip([c for c in self.customers if c.abroad], (0.15, 0.2), strict=False):
            self.at(day_at(share), self._foreign_order, customer)
        for share in [0.18] + [rng.uniform(0.3, 0.8) for _ in range(self.months // 4)]:
            self.at(day_at(share), self._deposit_order)
        for share in [0.22] + [rng.uniform(0.35, 0.75) for _ in range(self.months // 6)]:
            self.at(day_at(share), self._milestone_order)
        for share in [0.3] + [rng.uniform(0.35, 0.9) for _ in range(self.months // 3)]:
            self.at(day_at(share), self._gesture, 5)
        if len(days) > 6:
            self.at(days[-3], self._blocked_invoice)
        self.returns.plan(days)

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
                vat_exemption_reason=seed.exemption,
                vat_exemption_code=seed.exemption_code,
                low_stock_threshold=Decimal(seed.shelf // 5),
            )
            self.products.append(_Product(obj, seed, cost))
        self.product_by_pk = {p.obj.pk: p for p in self.products}
        self.product_by_sku = {p.seed.sku: p for p in self.products}
        self.goods = [p for p in self.products if p.stocked]
        self.services = [p for p in self.products if not p.stocked]
        self.counts["produits"] = len(self.products)

        self.customers: list[_Customer] = []
        sirens = {names.COMPANY_SIREN}
        # From three customers on, two of them are abroad: one in the EU, one outside.
        abroad = names.FOREIGN_CUSTOMERS if self.n_customers >= 3 else []
        for seed in names.customer_names(rng, self.n_customers - len(abroad)):
            self.customers.append(self._create_customer(seed, sirens))
        for seed in abroad:
            self.customers.append(self._create_foreign_customer(seed))
        self.counts["clients"] = len(self.customers)
        self.counts["clients à l'étranger"] = len(abroad)
        self._price_lists()

    def _price_lists(self) -> None:
        """The wholesalers' price list of the current year, with quantity breaks, for the first good-paying
        French customers (no draw of the story's random generator: the rest of the story stays as it was)."""
        french = [c for c in self.customers if not c.abroad and c.payer == "good"][:3]
        goods = self.goods[:6]
        if not french or not goods:
            return
        direction = self.users["direction"]
        group = pricing_services.create_customer_group("GROS", "Grossistes", by=direction)
        for customer in french:
            pricing_services.set_customer_group(customer.obj, group, by=direction)
        year = self.today.year
        lines = []
        for product in goods:
            low, high = product.seed.order_qty
            price = Decimal(product.seed.price)
            lines.append(
                {
                    "product": product.obj,
                    "min_quantity": 1,
                    "price": core_money.unit_price(price * Decimal("0.95")),
                }
            )
            lines.append(
                {
                    "product": product.obj,
                    "min_quantity": max(2, (low + high) // 2),
                    "price": core_money.unit_price(price * Decimal("0.88")),
                }
            )
        pricing_services.create_price_list(
            f"Grossistes {year}",
            group=group,
            valid_from=datetime.date(year, 1, 1),
            valid_until=datetime.date(year, 12, 31),
            lines=lines,
            by=direction,
        )
        self.counts["listes de prix"] = 1

    def _contacts(self, domain: str, phone_prefix: str | None) -> list[dict]:
        rng = self.rng
        contacts = []
        for _ in range(rng.randint(1, 3)):
            who = names.person(rng)
            contacts.append(
                {
                    "name": who,
                    "job_title": rng.choice(names.JOB_TITLES),
                    "email": f"{names.slug(who).replace('-', '.')}@{domain}",
                    "phone": names.phone(rng, phone_prefix) if phone_prefix else "",
                }
            )
        return contacts

    def _create_customer(self, seed: names.CustomerSeed, sirens: set[str]) -> _Customer:
        rng = self.rng
        siren = names.random_siren(rng, sirens)
        domain = names.slug(seed.name) + ".fr"
        days, end_of_month = rng.choice(PAYMENT_TERMS)
        contacts = self._contacts(domain, seed.phone_prefix)
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

    def _create_foreign_customer(self, seed: names.ForeignCustomerSeed) -> _Customer:
        """A customer abroad: the VAT regime follows from the country (EU business or export)."""
        obj = create_customer(
            by=self.users["commercial"],
            name=seed.name,
            vat_number=seed.vat_number,
            email=f"comptabilite@{seed.domain}",
            phone=seed.phone,
            street=seed.street,
            postal_code=seed.postal_code,
            city=seed.city,
            country=seed.country,
            einvoice_address=seed.einvoice_address,
            einvoice_scheme=seed.einvoice_scheme,
            payment_days=30,
            contacts=self._contacts(seed.domain, None),
        )
        # They order now and then, and pay by transfer on time.
        return _Customer(obj, "good", 0.6, abroad=True)

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

    # --- Quotes and orders ----------------------------------------------------------------------

    def _pick_customer(self) -> _Customer:
        return self.rng.choices(self.customers, weights=[c.weight for c in self.customers])[0]

    def _french_customer(self, payer: str = "good") -> _Customer:
        """A French customer of that kind of payer (any French one when there is none), by weight."""
        french = [c for c in self.customers if not c.abroad]
        pool = [c for c in french if c.payer == payer] or french
        return self.rng.choices(pool, weights=[c.weight for c in pool])[0]

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
                # Each discount has its category, chosen as it is granted (#22 point 2).
                line["discount_category"] = DISCOUNT_CATEGORIES[line["discount_percent"]]
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
        self._approve_discounts(quote)
        send_quote(quote, by=self.users["commercial"])

    def _approve_discounts(self, document) -> None:
        """A discount above the seller's (10 %) or ADV's (5 %) threshold: direction approves it before the
        quote is sent or the order confirmed. Drafts still being written keep theirs waiting."""
        if sales_discounts.discount_state(document).pending:
            sales_discounts.approve_discounts(document, by=self.users["direction"], reason="Client fidèle")
            self.counts["remises approuvées"] += 1

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
        self._approve_discounts(order)
        confirm_order(order, by=self.users["adv"])
        state = self._track(order, customer)
        if any(line.product.stocked for line in state.lines):
            self.at(add_business_days(day, self.rng.randint(1, 3)), self._ship, state)
        else:
            self.at(add_business_days(day, self.rng.randint(2, 10)), self._invoice, state)

    def _track(self, order, customer: _Customer, *, steps=(), split: bool | None = None) -> _Order:
        """Follow a confirmed order: its lines to ship, and the demand they put on the stock."""
        lines = [
            _OrderLine(line.pk, self.product_by_pk[line.product_id], line.quantity)
            for line in order.lines.all()
        ]
        for line in lines:
            if line.product.stocked:
                self.demand[line.product.obj.pk] += line.remaining
        goods = [line for line in lines if line.product.stocked]
        if split is None:
            split = not steps and len(goods) >= 2 and self.rng.random() < 0.2
        return _Order(order, customer, lines, split, steps=list(steps))

    def _backorder_scenario(self, day: datetime.date) -> None:
        """A big order for a product the supplier cannot deliver before next week: a backorder."""
        candidates = [p for p in self.goods if p.seed.shelf >= 20] or self.goods
        if not candidates:
            return
        product = self.rng.choice(candidates)
        self.out_of_stock.add(product.obj.pk)
        customer = max((c for c in self.customers if not c.abroad), key=lambda c: c.weight)
        quantity = int(self.stock[product.obj.pk] + product.seed.shelf // 2 + 5)
        order = create_order(
            customer.obj,
            [{"product": product.obj, "quantity": quantity}],
            by=self.users["adv"],
            date=day,
            customer_reference="BC-URGENT",
        )
        self.counts["commandes"] += 1
        self._approve_discounts(order)
        confirm_order(order, by=self.users["adv"])
        self.at(add_business_days(day, 1), self._ship, self._track(order, customer))

    # --- The stories told on purpose ------------------------------------------------------------

    def _pick(self, skus) -> list[_Product]:
        """The products of these references that the catalogue has."""
        return [self.product_by_sku[sku] for sku in skus if sku in self.product_by_sku]

    def _order(self, day, customer: _Customer, lines: list[dict], reference: str, *, steps=None):
        order = create_order(
            customer.obj, lines, by=self.users["adv"], date=day, customer_reference=reference
        )
        self.counts["commandes"] += 1
        milestones = set_billing_schedule(order, steps, by=self.users["adv"]) if steps else []
        self._approve_discounts(order)
        confirm_order(order, by=self.users["adv"])
        return order, milestones

    def _showcase_order(self, day) -> None:
        """A site opening: goods at 20 %, 10 %, 5.5 % and 2.1 %, a discounted line, an exempt training
        day and an installation (service at 20 %): one invoice with every French VAT case."""
        rng = self.rng
        standard = [p for p in self.goods if p.seed.vat_rate == Decimal("20.00")]
        chosen = rng.sample(standard, min(2, len(standard))) + self._pick(
            ["BOI-GRA1", "EAU-PAK6", "PRE-MAG1", "SRV-FORM", "SRV-INST"]
        )
        lines = []
        for product in chosen:
            quantity = rng.randint(*product.seed.order_qty)
            if product.stocked:
                # What is on the shelf, so that everything leaves on one delivery note and one invoice.
                quantity = min(quantity, int(self.stock[product.obj.pk] - self.demand[product.obj.pk]))
            if quantity > 0:
                lines.append({"product": product.obj, "quantity": quantity})
        if not lines:
            return
        lines[0]["discount_percent"] = 10
        lines[0]["discount_category"] = "negotiated"
        customer = self._french_customer()
        order, _ = self._order(day, customer, lines, "BC-OUVERTURE-CHANTIER")
        state = self._track(order, customer, split=False)
        if any(line.product.stocked for line in state.lines):
            self.at(add_business_days(day, 1), self._ship, state)
        else:
            self.at(add_business_days(day, 2), self._invoice, state)

    def _service_contract(self, day) -> None:
        """Services only (VAT due on receipts): the customer pays part, then the rest, so the VAT
        moves from 44574 to 44571 in two goes."""
        services = [p for p in self.services if p.seed.vat_rate > 0]
        if not services:
            return
        customer = self._french_customer()
        lines = [{"product": p.obj, "quantity": p.seed.order_qty[0]} for p in services[:2]]
        order, _ = self._order(day, customer, lines, "CONTRAT-MAINTENANCE")
        self.at(add_business_days(day, 3), self._invoice, self._track(order, customer), None, "in_two_goes")

    def _foreign_order(self, day, customer: _Customer) -> None:
        """A customer abroad: goods (intra-EU supply or export) and, when there is one, an installation
        (reverse charge for the EU business)."""
        rng = self.rng
        goods = rng.sample(self.goods, min(3, len(self.goods)))
        lines = [{"product": p.obj, "quantity": rng.randint(*p.seed.order_qty)} for p in goods]
        lines += [{"product": p.obj, "quantity": 1} for p in self._pick(["SRV-INST"])]
        order, _ = self._order(day, customer, lines, f"PO-{rng.randint(10000, 99999)}")
        self.at(add_business_days(day, 2), self._ship, self._track(order, customer))

    def _big_project_lines(self, with_service: bool) -> list[dict]:
        rng = self.rng
        dear = sorted(self.goods, key=lambda p: p.seed.price, reverse=True)[: max(3, len(self.goods) // 4)]
        chosen = rng.sample(dear, min(3, len(dear)))
        lines = [{"product": p.obj, "quantity": rng.randint(*p.seed.order_qty)} for p in chosen]
        if with_service:
            lines += [{"product": p.obj, "quantity": 1} for p in self._pick(["SRV-INST"])]
        return lines

    def _deposit_order(self, day) -> None:
        """A big order with 30 % down at confirmation: the deposit invoice is issued and paid, then the
        goods ship and the final invoice bills everything and deducts the deposit."""
        if not self.goods:
            return
        customer = self._french_customer()
        order, (step,) = self._order(
            day, customer, self._big_project_lines(True), "BC-ACOMPTE", steps=DEPOSIT_SCHEDULE
        )
        self.counts["commandes avec acompte"] += 1
        state = self._track(order, customer)
        deposit = issue_invoice(
            create_milestone_invoice(step, by=self.users["adv"]), by=self.users["compta"], date=day
        )
        self.counts["factures émises"] += 1
        self.counts["factures d'acompte"] += 1
        self.due[deposit.pk] = deposit.amount_payable
        paid_on = add_business_days(day, self.rng.randint(2, 5))
        self.at(paid_on, self._pay, deposit, customer, deposit.total)
        # The goods leave once the deposit is in.
        self.at(add_business_days(paid_on, 1), self._ship, state)

    def _milestone_order(self, day) -> None:
        """A workshop fitted out and installed, billed 30 % at the order, 40 % at delivery and 30 % when
        the customer accepts the installation."""
        if not self.goods:
            return
        customer = self._french_customer()
        order, steps = self._order(
            day, customer, self._big_project_lines(True), "BC-AMENAGEMENT-ATELIER", steps=MILESTONE_SCHEDULE
        )
        self.counts["commandes facturées par échéances"] += 1
        state = self._track(order, customer, steps=steps)
        self._bill_step(day, state, steps[0])
        self.at(add_business_days(day, self.rng.randint(2, 4)), self._ship, state)

    def _bill_step(self, day, state: _Order, step) -> None:
        invoice = create_milestone_invoice(step, by=self.users["adv"])
        self.counts["factures d'échéance"] += 1
        self._issue(day, invoice, state.customer)

    def _installation_accepted(self, day, state: _Order) -> None:
        step = state.steps[-1]
        mark_milestone_reached(step, by=self.users["adv"])
        self._bill_step(day, state, step)

    def _gesture(self, day, tries: int) -> None:
        """A credit note without a return case: a commercial gesture, with its category."""
        rng = self.rng
        recent = [
            (issued_on, invoice, customer)
            for issued_on, invoice, customer in self.invoices[-40:]
            if (day - issued_on).days <= 45
            and customer.payer == "good"
            and not customer.abroad
            and invoice.milestone_id is None
            and invoice.pk not in self.corrected
        ]
        if not recent:
            if tries:
                self.at(add_business_days(day, 5), self._gesture, tries - 1)
            return
        _, invoice, customer = rng.choice(recent)
        self.corrected.add(invoice.pk)
        line = max(invoice.lines.all(), key=lambda ln: ln.net_amount)
        category, reason = rng.choice(GESTURES)
        percent = Decimal(rng.choice([5, 10, 15]))
        note = create_credit_note(
            invoice,
            [
                {
                    "invoice_line": line,
                    "quantity": line.quantity,
                    "unit_price": core_money.unit_price(line.unit_price * percent / core_money.HUNDRED),
                }
            ],
            by=self.users["compta"],
            reason=reason,
            gesture_category=category,
        )
        if approving.gesture_approval(note).pending:
            # Four eyes: above the gesture threshold, direction approves what accounting drafted.
            approving.approve_credit_note(note, by=self.users["direction"], reason="Geste validé")
        note = issue_invoice(note, by=self.users["compta"], date=day)
        self.counts["gestes commerciaux"] += 1
        self.counts["avoirs"] += 1
        left = note.total
        if self.due.get(invoice.pk, Decimal("0")) > 0:
            applied = apply_credit_note(note, invoice, by=self.users["compta"], date=day)
            self.due[invoice.pk] -= applied.amount
            left -= applied.amount
        if left > 0:
            self.credits[customer.obj.pk].append(note)

    def _blocked_invoice(self, day) -> None:
        """Shipped and its invoice drafted, then the customer reports a missing box before the invoice
        leaves: the draft cannot be issued while the case is open (the invoicing block)."""
        in_stock = [p for p in self.goods if self.stock[p.obj.pk] - self.demand[p.obj.pk] >= 3]
        if len(in_stock) < 2:
            return
        rng = self.rng
        customer = self._french_customer()
        chosen = rng.sample(in_stock, 2)
        lines = [{"product": p.obj, "quantity": min(3, p.seed.order_qty[1]) or 1} for p in chosen]
        order, _ = self._order(day, customer, lines, f"BC-{rng.randint(1000, 99999)}")
        state = self._track(order, customer, split=False)
        state.hold_invoice = True
        shipment = self._ship(day, state)
        if shipment is None:
            return
        shipment.invoice = create_invoice_from_order(order, by=self.users["adv"])
        self.returns.block(day, shipment)
        self.counts["factures bloquées par un litige"] += 1

    # --- Delivery, invoicing, payment -----------------------------------------------------------

    def _ship(self, day, state: _Order) -> Shipment | None:
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
            self.at(add_business_days(day, self.rng.randint(3, 8)), self._ship, state)
        if state.steps:
            if everything_left:
                # The delivery step is reached; the customer accepts the installation a week or two later.
                self._bill_step(day, state, state.steps[1])
                self.at(add_business_days(day, self.rng.randint(5, 10)), self._installation_accepted, state)
        elif not state.hold_invoice:
            self._invoice(day, state, shipment)
        return shipment

    def _invoice(self, day, state: _Order, shipment: Shipment | None = None, behaviour=None) -> None:
        invoice = create_invoice_from_order(state.obj, by=self.users["adv"])
        if shipment is not None:
            shipment.invoice = invoice
        # Most invoices leave the same day; some wait for the accountant's next round.
        self.at(
            add_business_days(day, 0 if self.rng.random() < 0.8 else 1),
            self._issue,
            invoice,
            state.customer,
            shipment,
            behaviour,
        )

    def _issue(
        self, day, invoice, customer: _Customer, shipment: Shipment | None = None, behaviour=None
    ) -> None:
        rng = self.rng
        invoice = issue_invoice(invoice, by=self.users["compta"], date=day)
        self.counts["factures émises"] += 1
        if invoice.deposits_deducted > 0:
            self.counts["acomptes déduits"] += 1
        self.issued += 1
        self.due[invoice.pk] = invoice.amount_payable
        self.invoices.append((day, invoice, customer))
        if shipment is not None:
            shipment.invoice, shipment.issued = invoice, True
            self.shipments.append(shipment)
        self._deduct_credits(day, invoice, customer)
        # The first two invoices show the two happy-and-less-happy cases even in a tiny demo.
        if behaviour is None and self.issued == 1:
            behaviour = "early"
        elif behaviour is None and self.issued == 2:
            behaviour = "partial"
        elif behaviour is None:
            weights = PAYERS[customer.payer]
            behaviour = rng.choices(list(weights), weights=list(weights.values()))[0]
        total, due = invoice.amount_payable, invoice.due_date
        if behaviour == "early":
            self.at(add_business_days(day, rng.randint(4, 12)), self._pay, invoice, customer, total)
        elif behaviour == "on_time":
            pay_day = max(due - datetime.timedelta(days=rng.randint(0, 7)), day + datetime.timedelta(days=3))
            self.at(add_business_days(pay_day, 0), self._pay, invoice, customer, total)
        elif behaviour == "late":
            self.at(add_business_days(due, rng.randint(6, 40)), self._pay, invoice, customer, total)
        elif behaviour in ("partial", "in_two_goes"):
            first = scaled(total, rng, 0.3, 0.7)
            first_day = min(add_business_days(day, rng.randint(6, 18)), add_business_days(due, 0))
            self.at(first_day, self._pay, invoice, customer, first)
            if behaviour == "in_two_goes":
                self.at(
                    add_business_days(first_day, rng.randint(5, 15)),
                    self._pay,
                    invoice,
                    customer,
                    total - first,
                )
            elif rng.random() < 0.5:
                self.at(
                    add_business_days(due, rng.randint(15, 50)), self._pay, invoice, customer, total - first
                )

    def _deduct_credits(self, day, invoice, customer: _Customer) -> None:
        """Credit notes waiting on the customer's account are deducted from their next invoice."""
        waiting = self.credits.get(customer.obj.pk)
        while waiting and self.due[invoice.pk] > 0:
            note = waiting[0]
            applied = apply_credit_note(note, invoice, by=self.users["compta"], date=day)
            self.due[invoice.pk] -= applied.amount
            self.applied_elsewhere.add(note.pk)
            if credit_available_used(note) >= note.total:
                waiting.pop(0)

    def credit_settled(self, day, note, customer: _Customer, *, refund: bool = False) -> None:
        """A credit note a return case issued: the service deducted it from its invoice when that was
        still unpaid; what is left is paid back (`refund`) or waits for the customer's next invoice."""
        self.counts["avoirs"] += 1
        self.corrected.add(note.corrects_id)
        if note.corrects_id in self.due:
            state = payment_view.invoice_payment_state(note.corrects)
            self.due[note.corrects_id] = state.balance_due
        if credit_available_used(note) >= note.total:
            return
        if refund:
            self.at(add_business_days(day, self.rng.randint(2, 5)), self._refund, note, customer)
            return
        self.credits[customer.obj.pk].append(note)
        # Deducted from an invoice of theirs still unpaid, else from the next one.
        for _, invoice, owner in self.invoices:
            if owner is customer and invoice.pk != note.corrects_id and self.due.get(invoice.pk, 0) > 0:
                self._deduct_credits(day, invoice, customer)

    def _refund(self, day, note, customer: _Customer) -> None:
        reference = f"VIR REMBOURSEMENT {customer.obj.name[:20].upper()} {note.number}"
        try:
            refund_credit_note(
                note, by=self.users["compta"], method="transfer", date=day, reference=reference
            )
        except DomainError as refused:
            if refused.code != "refund_approval_required":
                raise
            # Four eyes: above the refund threshold, accounting asks and direction approves the payment.
            request = request_refund(note, by=self.users["compta"], method="transfer", reference=reference)
            approve_refund(request, by=self.users["direction"], date=day)
        self.counts["remboursements"] += 1

    def _pay(self, day, invoice, customer: _Customer, amount: Decimal) -> None:
        # Credit notes may have lowered what the customer owes since the payment was planned.
        amount = min(amount, self.due.get(invoice.pk, amount))
        if amount <= 0:
            return
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
        self.due[invoice.pk] = self.due.get(invoice.pk, amount) - amount
        self.counts["règlements"] += 1
