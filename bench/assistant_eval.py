#!/usr/bin/env python
"""Quality bench of the assistant's consistency checks (issue 6, « Quality bar »).

Generates a labelled set of document chains — quote → order → deliveries → invoices / deposits / credit
notes → payments — as `assistant.chain` snapshots (plain dataclasses, no database), runs every check of
`assistant.checks.CHECKS` on each, and prints ONE JSON line:

    python bench/assistant_eval.py            # 5,000 chains, seed 20260601
    python bench/assistant_eval.py -n 20000 --seed 7

The generator is independent from the checks. Each chain comes from a *situation*: a business story
(« ordered 10, delivered 8, nothing planned for the rest », « the invoice bills 12 where the delivery note
shipped 10 », « an EU business with a valid VAT number billed French VAT »…) built with the documents
a real cycle produces, and the situation carries its own label: the finding codes a competent ADV or
accountant would expect (`EXPECTED`, written from the business meaning, not from the checks' code
paths). VAT is worked out here from the French rules (`vat_due`), not from `comptoir.core.vat`.

Scoring, per chain: the set of expected codes against the set of codes the checks found.
- per code: tp (expected and found), fp (found, not expected), fn (expected, not found);
- overall precision and recall: micro-averaged over all codes (sum of tp / fp / fn);
- `clean_false_positive_rate`: share of clean chains (situations expecting nothing) with at least one
  finding of severity **warning or blocking**. Info findings (`delivered_not_invoiced`, `delivery_short`,
  `payment_matches_open_items`) say « normal progress, here is the next step », so they do not count
  there; they still count as fp in the per-code precision when a situation does not expect them, and
  `clean_any_finding_rate` reports the share of clean chains with any finding at all, info included;
- `check_ms_p50` / `check_ms_p95`: time to run every check on one chain.

Targets (issue 6): precision ≥ 0.98, recall ≥ 0.95, clean false positives < 1 %. The script exits 1 when
a target is missed, so `make`-style callers can use it as a gate.

Design decisions the labels rely on (said here so that they can be argued with):
- VAT is judged on invoices still in draft: that is where it can be fixed before issue (an issued
  invoice is corrected by a credit note, and the product's rate or the customer's regime may have
  changed since); the VAT situations therefore inject the error on a draft.
- An invoice of the order that bills every delivered quantity while an issued deposit is left
  undeducted is « deposit not deducted »; intermediate invoices are not expected to deduct.
- The same lines for the same amount to the same customer within a week is a probable duplicate even
  across two orders (« the same order keyed twice »); two equal partial shipments of one order, each
  invoiced on its own delivery note, are not.
"""

import argparse
import datetime
import itertools
import json
import os
import random
import statistics
import sys
import time
from collections import Counter
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The checks write their sentences through Django's translation machinery (French unless a user chose
# otherwise): settings are needed, the database is not.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings")
django.setup()

from comptoir.assistant.chain import (  # noqa: E402
    Chain,
    Customer,
    Delivery,
    DeliveryLine,
    DepositDeduction,
    Invoice,
    InvoiceLine,
    Kind,
    OpenItem,
    Order,
    OrderLine,
    Payment,
    Product,
    Quote,
    QuoteLine,
    ReturnCase,
    ReturnLine,
    Status,
)
from comptoir.assistant.checks import CHECKS, run  # noqa: E402
from comptoir.assistant.findings import Severity  # noqa: E402

D = Decimal
CENT = D("0.01")
ZERO = D("0")
HUNDRED = D("100")
BASE_DAY = datetime.date(2026, 3, 16)
TARGETS = {"precision": 0.98, "recall": 0.95, "clean_false_positive_rate": 0.01}

# --- What a competent ADV expects, per situation ---------------------------------------------------

CLEAN = {
    "clean_full_cycle_issued": "ordered, fully shipped on one note, invoiced at the agreed terms",
    "clean_draft_ready_to_issue": "the draft invoice bills exactly what was shipped, VAT right",
    "clean_split_deliveries": "two delivery notes, each invoiced on its own",
    "clean_backorder_planned": "short shipment with the rest on a planned delivery note, shipped part invoiced",
    "clean_not_yet_shipped": "confirmed order, nothing shipped yet",
    "clean_deposit_deducted": "deposit invoiced at order, deducted from the closing invoice",
    "clean_eu_business": "EU business with a valid VAT number: goods K, services AE, draft",
    "clean_export": "customer outside the EU: export exemption G, draft",
    "clean_reduced_and_exempt_rates": "products at 5.5 %, 10 % and exempt, draft at the product's VAT",
    "clean_credit_note_within_return": "credit note for the goods an approved return case accepted",
    "clean_commercial_gesture": "a price-correction credit note that cites no return case",
    "clean_equal_partial_shipments": "two equal partial shipments of one order, invoiced per note",
    "clean_service_not_shipped": "an installation service billed with the goods, no delivery note for it",
    "clean_payments_allocated": "the customer owes other invoices; every payment is fully allocated",
    "clean_quote_line_reentered": "an order line typed again from the quote, same product and terms",
    "clean_replacement_after_return": "returned goods replaced by a replacement delivery, not invoiced",
    "clean_invoicing_on_hold": "a shipped note whose invoicing waits for its dispute to end",
    "clean_deposit_deducted_in_two_steps": "deposit deducted partly on the first invoice, rest on the last",
    "clean_busy_customer": "a customer with many invoices the same weeks and open items, no payment pending",
}

EXPECTED: dict[str, frozenset[str]] = {kind: frozenset() for kind in CLEAN} | {
    # delivered ↔ ordered
    "short_shipment": frozenset({"delivery_short"}),
    "over_shipment": frozenset({"delivery_exceeds_order"}),
    # invoiced ↔ delivered
    "invoice_qty_above_delivered": frozenset({"invoice_qty_exceeds_delivered"}),
    "invoice_qty_below_delivered": frozenset({"invoice_misses_delivered_quantity"}),
    "invoice_missing_delivered_line": frozenset({"invoice_misses_delivered_quantity"}),
    "invoice_line_not_delivered": frozenset({"invoice_line_not_delivered"}),
    "delivered_not_invoiced": frozenset({"delivered_not_invoiced"}),
    "delivery_invoiced_twice": frozenset({"delivery_invoiced_twice"}),
    "invoice_copied_on_same_delivery": frozenset({"delivery_invoiced_twice", "duplicate_invoice"}),
    # products
    "product_changed_quote_to_order": frozenset({"product_changed_along_chain"}),
    "product_changed_order_to_delivery": frozenset({"product_changed_along_chain"}),
    "product_changed_delivery_to_invoice": frozenset({"product_changed_along_chain"}),
    # prices and discounts
    "invoice_price_differs": frozenset({"invoice_price_differs"}),
    "invoice_discount_differs": frozenset({"invoice_discount_differs"}),
    "order_price_differs_from_quote": frozenset({"order_price_differs_from_quote"}),
    "order_discount_differs_from_quote": frozenset({"order_discount_differs_from_quote"}),
    # VAT
    "vat_rate_not_the_products": frozenset({"invoice_vat_inconsistent"}),
    "reverse_charge_without_eu_vat_number": frozenset({"reverse_charge_without_eu_vat_number"}),
    "domestic_vat_for_eu_business": frozenset({"invoice_vat_inconsistent"}),
    "vat_charged_on_export": frozenset({"invoice_vat_inconsistent"}),
    # deposits, duplicates
    "deposit_not_deducted": frozenset({"deposit_not_deducted"}),
    "manual_invoice_entered_twice": frozenset({"duplicate_invoice"}),
    "order_keyed_twice": frozenset({"duplicate_invoice"}),
    # credit notes
    "credit_note_exceeds_return": frozenset({"credit_note_exceeds_return"}),
    "credit_note_for_rejected_return": frozenset({"credit_note_exceeds_return"}),
    "credit_note_unknown_case": frozenset({"credit_note_case_not_found"}),
    # payments
    "payment_matches_no_open_item": frozenset({"payment_matches_no_open_item"}),
    "payment_matches_open_items": frozenset({"payment_matches_open_items"}),
}
ANOMALIES = [kind for kind in EXPECTED if kind not in CLEAN]
CLEAN_SHARE = 0.6


# --- VAT, from the French rules --------------------------------------------------------------------


def vat_due(customer: Customer, product: Product) -> tuple[str, Decimal]:
    """(category, rate) a sale of `product` to `customer` must carry: intra-EU B2B goods are exempt (K),
    services to an EU business are reverse-charged (AE), exports are exempt (G); in France, the
    product's rate (S), or its exemption (E), or zero-rated (Z)."""
    if customer.vat_regime == "eu":
        return ("AE" if product.is_service else "K"), ZERO
    if customer.vat_regime == "export":
        return "G", ZERO
    if product.vat_exemption_reason:
        return "E", ZERO
    if product.vat_rate == 0:
        return "Z", ZERO
    return "S", product.vat_rate


def net(quantity: Decimal, price: Decimal, discount: Decimal) -> Decimal:
    return (quantity * price * (HUNDRED - discount) / HUNDRED).quantize(CENT, ROUND_HALF_UP)


# --- A small world of documents ---------------------------------------------------------------------


class World:
    """Builds the documents of one chain with unique ids and plausible numbers, dates and amounts."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self._ids = itertools.count(1)
        self.today = BASE_DAY + datetime.timedelta(days=rng.randint(0, 300))
        self.day = self.today - datetime.timedelta(days=rng.randint(25, 60))

    def id(self) -> int:
        return next(self._ids)

    def later(self, low: int = 0, high: int = 3) -> datetime.date:
        self.day = min(self.today, self.day + datetime.timedelta(days=self.rng.randint(low, high)))
        return self.day

    # parties and products

    def customer(self, regime: str = "france", vat_number: str | None = None) -> Customer:
        i = self.id()
        if vat_number is None:
            vat_number = {
                "france": f"FR{self.rng.randint(10, 99)}{self.rng.randint(100000000, 999999999)}",
                "eu": self.rng.choice(["DE", "BE", "IT", "ES", "NL"]) + str(self.rng.randint(10**8, 10**9)),
                "export": "",
            }[regime]
        country = {"france": "FR", "export": self.rng.choice(["CH", "GB", "US"])}.get(regime, vat_number[:2])
        return Customer(i, f"C{i:05d}", f"Client {i} SARL", regime, vat_number, country)

    def product(self, *, service: bool = False, rate: Decimal | None = None, exempt: bool = False) -> Product:
        i = self.id()
        if exempt:
            return Product(
                i,
                f"FORM-{i}",
                "Formation professionnelle",
                True,
                ZERO,
                "Exonération de TVA, article 261-4-4° a du CGI",
                "VATEX-EU-132",
            )
        if rate is None:
            rate = D("20.00") if service else self.rng.choice([D("20.00")] * 8 + [D("5.50"), D("10.00")])
        prefix = "PRE" if service else "REF"
        return Product(i, f"{prefix}-{i}", f"Article {i}", service, rate)

    def sibling(self, product: Product) -> Product:
        """Another reference of the same family (a variant), same VAT rate."""
        i = self.id()
        return Product(i, f"REF-{i}", f"Variante {i}", product.is_service, product.vat_rate)

    # sales

    def sale(self, customer: Customer, products=None, *, n_lines: int | None = None):
        """An accepted quote and the confirmed order taken from it."""
        if products is None:
            products = [self.product() for _ in range(n_lines or self.rng.randint(1, 4))]
        quote_lines, order_lines = [], []
        for position, product in enumerate(products, 1):
            quantity = D(self.rng.randint(1, 40)) if not product.is_service else D(self.rng.randint(1, 3))
            price = D(self.rng.randint(500, 250000)) / HUNDRED
            discount = self.rng.choice([ZERO] * 6 + [D("5"), D("10"), D("2.5")])
            category, rate = vat_due(customer, product)
            ql = QuoteLine(self.id(), product, quantity, price, discount)
            quote_lines.append(ql)
            order_lines.append(
                OrderLine(self.id(), product, quantity, price, discount, rate, category, ql.id, position)
            )
        quote = Quote(self.id(), f"DEV-2026-{self.id():05d}", tuple(quote_lines))
        return quote, self.order(order_lines)

    def order(self, lines) -> Order:
        total = sum((net(line.quantity, line.unit_price, line.discount_percent) for line in lines), ZERO)
        return Order(
            self.id(), f"CMD-2026-{self.id():05d}", "confirmed", self.later(0, 2), tuple(lines), total
        )

    def deliver(self, quantities, *, status: str = Status.VALIDATED, products=None, **flags) -> Delivery:
        """A delivery note of {order line: quantity}; `products` replaces a line's product."""
        products = products or {}
        lines = tuple(
            DeliveryLine(self.id(), line.id, products.get(line.id, line.product), D(quantity))
            for line, quantity in quantities.items()
            if D(quantity) > 0
        )
        return Delivery(self.id(), f"BL-2026-{self.id():05d}", status, self.later(1, 4), lines, **flags)

    @staticmethod
    def shipped(order: Order, *, skip_services: bool = True):
        return {
            line: line.quantity for line in order.lines if not (skip_services and line.product.is_service)
        }

    # invoicing

    def item(self, customer, order_line, quantity, *, delivery_line=None, product=None, **changes) -> dict:
        product = product or (delivery_line.product if delivery_line else order_line.product)
        category, rate = vat_due(customer, product)
        item = {
            "product": product,
            "quantity": D(quantity),
            "unit_price": order_line.unit_price if order_line else D("100"),
            "discount_percent": order_line.discount_percent if order_line else ZERO,
            "vat_rate": rate,
            "vat_category": category,
            "order_line_id": order_line.id if order_line else None,
            "delivery_line_id": delivery_line.id if delivery_line else None,
        }
        item.update(changes)
        return item

    def bill(self, customer, order, delivery, quantities=None) -> list[dict]:
        """Items billing a delivery note's lines at the order's terms (`quantities` overrides some)."""
        quantities = quantities or {}
        by_id = {line.id: line for line in order.lines}
        return [
            self.item(customer, by_id[dl.order_line_id], quantities.get(dl.id, dl.quantity), delivery_line=dl)
            for dl in delivery.lines
        ]

    def invoice(self, customer, items, *, order=None, status=None, kind=Kind.INVOICE, **fields) -> Invoice:
        status = status or self.rng.choice([Status.ISSUED, Status.ISSUED, Status.DRAFT])
        i = self.id()
        lines = tuple(
            InvoiceLine(
                self.id(),
                item["product"],
                item["quantity"],
                item["unit_price"],
                item["discount_percent"],
                item["vat_rate"],
                item["vat_category"],
                net(item["quantity"], item["unit_price"], item["discount_percent"]),
                item.get("order_line_id"),
                item.get("delivery_line_id"),
                item.get("credited_line_id"),
            )
            for item in items
        )
        untaxed = sum((line.net_amount for line in lines), ZERO)
        tax = sum(((line.net_amount * line.vat_rate / HUNDRED).quantize(CENT) for line in lines), ZERO)
        prefix = "AV" if kind == Kind.CREDIT_NOTE else "FA"
        number = f"{prefix}-2026-{i:05d}" if status == Status.ISSUED else None
        fields.setdefault("date", self.later(0, 3))
        return Invoice(
            i,
            number,
            kind,
            status,
            customer.id,
            total_untaxed=untaxed,
            total=untaxed + tax,
            lines=lines,
            order_id=order.id if order else None,
            **fields,
        )

    def neighbours(self, customer, count=None) -> tuple[Invoice, ...]:
        """The customer's other invoices of the same days: other orders, other lines."""
        found = []
        for _ in range(self.rng.randint(0, 2) if count is None else count):
            _, other = self.sale(customer)
            items = [
                self.item(customer, line, line.quantity, delivery_line_id=self.id()) for line in other.lines
            ]
            date = self.today - datetime.timedelta(days=self.rng.randint(0, 20))
            found.append(self.invoice(customer, items, order=other, status=Status.ISSUED, date=date))
        return tuple(found)

    def open_items(self, count: int) -> tuple[OpenItem, ...]:
        return tuple(
            OpenItem(
                self.id(),
                f"FA-2026-{self.id():05d}",
                D(self.rng.randint(5000, 900000)) / HUNDRED,
                self.today + datetime.timedelta(days=self.rng.randint(-40, 30)),
            )
            for _ in range(count)
        )

    def chain(self, customer, **parts) -> Chain:
        if "neighbours" not in parts:
            parts["neighbours"] = self.neighbours(customer)
        return Chain(customer=customer, today=self.today, **parts)


# --- Situations ------------------------------------------------------------------------------------
# Each builds one chain telling its story; the label is EXPECTED[situation].


def _full_cycle(w: World, customer=None, *, status=None, products=None, n_lines=None):
    customer = customer or w.customer()
    quote, order = w.sale(customer, products, n_lines=n_lines)
    delivery = w.deliver(w.shipped(order))
    invoice = w.invoice(customer, w.bill(customer, order, delivery), order=order, status=status)
    return customer, quote, order, delivery, invoice


def clean_full_cycle_issued(w):
    customer, quote, order, delivery, invoice = _full_cycle(w, status=Status.ISSUED)
    return w.chain(customer, order=order, quote=quote, deliveries=(delivery,), invoices=(invoice,))


def clean_draft_ready_to_issue(w):
    customer, quote, order, delivery, invoice = _full_cycle(w, status=Status.DRAFT)
    focus = w.rng.choice([None, invoice.id])
    return w.chain(
        customer, focus=focus, order=order, quote=quote, deliveries=(delivery,), invoices=(invoice,)
    )


def clean_split_deliveries(w):
    customer = w.customer()
    quote, order = w.sale(customer, n_lines=w.rng.randint(2, 4))
    # The first note ships half of each line (all of a single unit), the second the rest.
    first_part = {line: (line.quantity + 1) // 2 for line in order.lines}
    first = w.deliver(first_part)
    second = w.deliver({line: line.quantity - first_part[line] for line in order.lines})
    deliveries = tuple(delivery for delivery in (first, second) if delivery.lines)
    invoices = tuple(
        w.invoice(customer, w.bill(customer, order, delivery), order=order, status=status)
        for delivery, status in zip(deliveries, (Status.ISSUED, None), strict=False)
    )
    return w.chain(customer, order=order, quote=quote, deliveries=deliveries, invoices=invoices)


def clean_backorder_planned(w):
    customer = w.customer()
    quote, order = w.sale(customer)
    quote, order, line = _line_of_at_least(w, quote, order, 2)
    short = D(w.rng.randint(1, int(line.quantity) - 1))
    shipped = w.deliver(w.shipped(order) | {line: line.quantity - short})
    planned = w.deliver({line: short}, status=Status.DRAFT)
    invoice = w.invoice(customer, w.bill(customer, order, shipped), order=order)
    return w.chain(customer, order=order, quote=quote, deliveries=(shipped, planned), invoices=(invoice,))


def clean_not_yet_shipped(w):
    customer = w.customer()
    quote, order = w.sale(customer)
    deliveries = (w.deliver(w.shipped(order), status=Status.DRAFT),) if w.rng.random() < 0.5 else ()
    return w.chain(customer, order=order, quote=quote, deliveries=deliveries)


def _with_deposit(w, *, deducted: bool):
    customer = w.customer()
    quote, order = w.sale(customer)
    share = w.rng.choice([D("0.3"), D("0.4"), D("0.5")])
    advance = w.product(service=True, rate=D("20.00"))
    deposit_item = w.item(
        customer, None, 1, product=advance, unit_price=(order.total_untaxed * share).quantize(CENT)
    )
    deposit = w.invoice(customer, [deposit_item], order=order, status=Status.ISSUED, kind=Kind.DEPOSIT)
    delivery = w.deliver(w.shipped(order))
    closing = w.invoice(
        customer,
        w.bill(customer, order, delivery),
        order=order,
        deposits_deducted=deposit.total if deducted else ZERO,
    )
    deductions = (DepositDeduction(closing.id, deposit.id, deposit.total),) if deducted else ()
    return w.chain(
        customer,
        order=order,
        quote=quote,
        deliveries=(delivery,),
        invoices=(deposit, closing),
        deductions=deductions,
    )


def clean_deposit_deducted(w):
    return _with_deposit(w, deducted=True)


def deposit_not_deducted(w):
    return _with_deposit(w, deducted=False)


def _draft_with_vat(w, customer, products, vat_override=None):
    """A shipped order whose draft invoice is about to be issued; `vat_override(item)` breaks VAT."""
    quote, order = w.sale(customer, products)
    delivery = w.deliver(w.shipped(order))
    items = w.bill(customer, order, delivery)
    items += [
        w.item(customer, line, line.quantity) for line in order.lines if line.product.is_service
    ]  # services billed without a delivery note
    if vat_override:
        victim = w.rng.choice(items)
        victim.update(vat_override(victim))
    invoice = w.invoice(customer, items, order=order, status=Status.DRAFT)
    focus = w.rng.choice([None, invoice.id])
    return w.chain(
        customer, focus=focus, order=order, quote=quote, deliveries=(delivery,), invoices=(invoice,)
    )


def _goods_and_services(w, n_goods=None):
    products = [w.product() for _ in range(n_goods or w.rng.randint(1, 3))]
    if w.rng.random() < 0.5:
        products.append(w.product(service=True))
    return products


def clean_eu_business(w):
    return _draft_with_vat(w, w.customer("eu"), _goods_and_services(w))


def clean_export(w):
    return _draft_with_vat(w, w.customer("export"), _goods_and_services(w))


def clean_reduced_and_exempt_rates(w):
    products = [w.product(rate=D("5.50")), w.product(rate=D("10.00"))]
    if w.rng.random() < 0.5:
        products.append(w.product(exempt=True))
    return _draft_with_vat(w, w.customer(), products)


def vat_rate_not_the_products(w):
    products = [w.product(rate=D("20.00"))] + [w.product() for _ in range(w.rng.randint(0, 2))]

    def wrong_rate(item):
        right = item["vat_rate"]
        return {"vat_rate": w.rng.choice([r for r in (D("5.50"), D("10.00"), D("20.00")) if r != right])}

    return _draft_with_vat(w, w.customer(), products, wrong_rate)


def reverse_charge_without_eu_vat_number(w):
    # Billed as an EU business (goods K, services AE) while the record holds no foreign EU VAT number.
    vat_number = w.rng.choice(["", f"FR{w.rng.randint(10, 99)}{w.rng.randint(100000000, 999999999)}"])
    customer = w.customer("eu", vat_number=vat_number)
    return _draft_with_vat(w, customer, _goods_and_services(w))


def domestic_vat_for_eu_business(w):
    return _draft_with_vat(
        w,
        w.customer("eu"),
        _goods_and_services(w),
        lambda item: {"vat_category": "S", "vat_rate": item["product"].vat_rate},
    )


def vat_charged_on_export(w):
    return _draft_with_vat(
        w,
        w.customer("export"),
        _goods_and_services(w),
        lambda item: {"vat_category": "S", "vat_rate": item["product"].vat_rate},
    )


def _returned(w, *, status="approved", credit_extra=0, reference=None, price_cut=False):
    """Goods shipped and invoiced, some returned; a credit note follows."""
    customer = w.customer()
    quote, order = w.sale(customer, [w.product() for _ in range(w.rng.randint(1, 3))])
    delivery = w.deliver(w.shipped(order))
    invoice = w.invoice(customer, w.bill(customer, order, delivery), order=order, status=Status.ISSUED)
    line = max(invoice.lines, key=lambda item: item.quantity)
    dl = next(d for d in delivery.lines if d.id == line.delivery_line_id)
    returned = D(w.rng.randint(1, max(1, int(line.quantity) - 1)))
    case = ReturnCase(
        w.id(),
        f"RET-2026-{w.id():05d}",
        w.rng.choice(["damaged", "wrong_product", "not_ordered"]),
        status,
        delivery.id,
        (
            ReturnLine(
                w.id(), dl.id, dl.product, returned, net(returned, line.unit_price, line.discount_percent)
            ),
        ),
    )
    credited = min(line.quantity, returned + credit_extra)
    if credit_extra and credited == returned:
        credited = returned + credit_extra  # a credit note beyond even the invoiced quantity
    unit_price = line.unit_price
    if price_cut:
        credited, unit_price = line.quantity, (line.unit_price * D("0.1")).quantize(CENT)
    note_item = {
        "product": line.product,
        "quantity": credited,
        "unit_price": unit_price,
        "discount_percent": line.discount_percent,
        "vat_rate": line.vat_rate,
        "vat_category": line.vat_category,
        "order_line_id": line.order_line_id,
        "credited_line_id": line.id,
    }
    note = w.invoice(
        customer,
        [note_item],
        order=order,
        status=Status.ISSUED,
        kind=Kind.CREDIT_NOTE,
        corrects_id=invoice.id,
        source_reference=case.number if reference is None else reference,
    )
    cases = (case,) if reference is None else ()
    return w.chain(
        customer,
        order=order,
        quote=quote,
        deliveries=(delivery,),
        invoices=(invoice, note),
        return_cases=cases,
    )


def clean_credit_note_within_return(w):
    chain = _returned(w)
    invoice, note = chain.invoices
    (line,) = note.lines
    if line.quantity < 2 or w.rng.random() < 0.5:
        return chain
    # the case credited in two notes, each for part of the returned goods
    first_qty = line.quantity // 2
    first = replace(
        note,
        id=w.id(),
        number=f"AV-2026-{w.id():05d}",
        lines=(
            replace(
                line,
                id=w.id(),
                quantity=first_qty,
                net_amount=net(first_qty, line.unit_price, line.discount_percent),
            ),
        ),
    )
    rest = line.quantity - first_qty
    second_line = replace(line, quantity=rest, net_amount=net(rest, line.unit_price, line.discount_percent))
    second = replace(note, lines=(second_line,))
    first = replace(first, total_untaxed=first.lines[0].net_amount)
    second = replace(second, total_untaxed=second_line.net_amount)
    return replace(chain, invoices=(invoice, first, second))


def clean_commercial_gesture(w):
    return _returned(w, reference="", price_cut=True)


def credit_note_exceeds_return(w):
    return _returned(w, credit_extra=w.rng.randint(1, 3))


def credit_note_for_rejected_return(w):
    return _returned(w, status="rejected")


def credit_note_unknown_case(w):
    return _returned(w, reference=f"RET-2026-{w.rng.randint(90000, 99999):05d}")


def clean_equal_partial_shipments(w):
    customer = w.customer()
    quote, order = w.sale(customer, [w.product()])
    (line,) = order.lines
    if line.quantity % 2:
        order = replace(order, lines=(replace(line, quantity=line.quantity + 1),))
        quote = replace(quote, lines=(replace(quote.lines[0], quantity=line.quantity + 1),))
        (line,) = order.lines
    half = line.quantity / 2
    first, second = w.deliver({line: half}), w.deliver({line: half})
    invoices = (
        w.invoice(customer, w.bill(customer, order, first), order=order, status=Status.ISSUED),
        w.invoice(customer, w.bill(customer, order, second), order=order),
    )
    return w.chain(customer, order=order, quote=quote, deliveries=(first, second), invoices=invoices)


def clean_service_not_shipped(w):
    customer = w.customer()
    products = [w.product() for _ in range(w.rng.randint(1, 3))] + [w.product(service=True)]
    return _draft_with_vat(w, customer, products)


def clean_payments_allocated(w):
    customer, quote, order, delivery, invoice = _full_cycle(w, status=Status.ISSUED)
    items = w.open_items(w.rng.randint(1, 5))
    paid = D(w.rng.randint(1000, 500000)) / HUNDRED
    payments = (Payment(w.id(), f"REG-2026-{w.id():05d}", w.today, paid, ZERO),)
    return w.chain(
        customer,
        order=order,
        quote=quote,
        deliveries=(delivery,),
        invoices=(invoice,),
        payments=payments,
        open_items=items,
    )


def clean_quote_line_reentered(w):
    customer = w.customer()
    quote, order = w.sale(customer, n_lines=w.rng.randint(1, 3))
    victim = w.rng.randrange(len(order.lines))
    lines = list(order.lines)
    lines[victim] = replace(lines[victim], quote_line_id=None, id=w.id())
    order = replace(order, lines=tuple(lines))
    delivery = w.deliver(w.shipped(order))
    invoice = w.invoice(customer, w.bill(customer, order, delivery), order=order)
    return w.chain(customer, order=order, quote=quote, deliveries=(delivery,), invoices=(invoice,))


def clean_replacement_after_return(w):
    customer, quote, order, delivery, invoice = _full_cycle(w, status=Status.ISSUED)
    line = w.rng.choice(delivery.lines)
    ordered = next(x for x in order.lines if x.id == line.order_line_id)
    returned = D(w.rng.randint(1, int(line.quantity)))
    case = ReturnCase(
        w.id(),
        f"RET-2026-{w.id():05d}",
        "damaged",
        "resolved",
        delivery.id,
        (
            ReturnLine(
                w.id(),
                line.id,
                line.product,
                returned,
                net(returned, ordered.unit_price, ordered.discount_percent),
            ),
        ),
    )
    replacement = w.deliver({ordered: returned}, is_replacement=True)
    return w.chain(
        customer,
        order=order,
        quote=quote,
        deliveries=(delivery, replacement),
        invoices=(invoice,),
        return_cases=(case,),
    )


def clean_invoicing_on_hold(w):
    customer = w.customer()
    quote, order = w.sale(customer)
    delivery = w.deliver(w.shipped(order), invoicing_blocked=True)
    return w.chain(customer, order=order, quote=quote, deliveries=(delivery,))


def clean_deposit_deducted_in_two_steps(w):
    customer = w.customer()
    quote, order = w.sale(customer, n_lines=w.rng.randint(2, 4))
    advance = w.product(service=True, rate=D("20.00"))
    deposit_item = w.item(
        customer, None, 1, product=advance, unit_price=(order.total_untaxed * D("0.3")).quantize(CENT)
    )
    deposit = w.invoice(customer, [deposit_item], order=order, status=Status.ISSUED, kind=Kind.DEPOSIT)
    first = w.deliver({order.lines[0]: order.lines[0].quantity})
    second = w.deliver({line: line.quantity for line in order.lines[1:]})
    part = (deposit.total * D(w.rng.randint(1, 9)) / 10).quantize(CENT)
    invoice_1 = w.invoice(
        customer, w.bill(customer, order, first), order=order, status=Status.ISSUED, deposits_deducted=part
    )
    invoice_2 = w.invoice(
        customer, w.bill(customer, order, second), order=order, deposits_deducted=deposit.total - part
    )
    deductions = (
        DepositDeduction(invoice_1.id, deposit.id, part),
        DepositDeduction(invoice_2.id, deposit.id, deposit.total - part),
    )
    return w.chain(
        customer,
        order=order,
        quote=quote,
        deliveries=(first, second),
        invoices=(deposit, invoice_1, invoice_2),
        deductions=deductions,
    )


def clean_busy_customer(w):
    customer, quote, order, delivery, invoice = _full_cycle(w, n_lines=w.rng.randint(3, 8))
    return w.chain(
        customer,
        order=order,
        quote=quote,
        deliveries=(delivery,),
        invoices=(invoice,),
        neighbours=w.neighbours(customer, count=w.rng.randint(5, 15)),
        open_items=w.open_items(w.rng.randint(5, 25)),
    )


def short_shipment(w):
    customer = w.customer()
    quote, order = w.sale(customer)
    quote, order, line = _line_of_at_least(w, quote, order, 2)
    missing = D(w.rng.randint(1, int(line.quantity) - 1))
    if w.rng.random() < 0.3:
        # shipped in two notes, both invoiced, still short in the end
        first_part = {x: x.quantity // 2 for x in order.lines}
        first = w.deliver(first_part)
        rest = w.shipped(order) | {line: line.quantity - missing}
        second = w.deliver({x: rest[x] - first_part[x] for x in order.lines})
        invoices = tuple(
            w.invoice(customer, w.bill(customer, order, d), order=order) for d in (first, second) if d.lines
        )
        deliveries = tuple(d for d in (first, second) if d.lines)
        return w.chain(customer, order=order, quote=quote, deliveries=deliveries, invoices=invoices)
    delivery = w.deliver(w.shipped(order) | {line: line.quantity - missing})
    invoice = w.invoice(customer, w.bill(customer, order, delivery), order=order)
    return w.chain(customer, order=order, quote=quote, deliveries=(delivery,), invoices=(invoice,))


def _line_of_at_least(w, quote, order, quantity):
    """One goods line of the order with at least `quantity` ordered (raised on quote and order if not)."""
    line = w.rng.choice(order.lines)
    if line.quantity >= quantity:
        return quote, order, line
    bigger = D(w.rng.randint(quantity, 40))
    order = replace(
        order, lines=tuple(replace(x, quantity=bigger) if x.id == line.id else x for x in order.lines)
    )
    quote = replace(
        quote,
        lines=tuple(replace(x, quantity=bigger) if x.id == line.quote_line_id else x for x in quote.lines),
    )
    return quote, order, next(x for x in order.lines if x.id == line.id)


def over_shipment(w):
    customer = w.customer()
    quote, order = w.sale(customer)
    line = w.rng.choice(order.lines)
    delivery = w.deliver(w.shipped(order) | {line: line.quantity + w.rng.randint(1, 5)})
    invoice = w.invoice(customer, w.bill(customer, order, delivery), order=order)
    return w.chain(customer, order=order, quote=quote, deliveries=(delivery,), invoices=(invoice,))


def _invoice_changed(w, change, *, n_lines=None, status=None):
    """Fully shipped order; the invoice's items go through `change(items)` before it is made."""
    customer = w.customer()
    quote, order = w.sale(customer, n_lines=n_lines)
    delivery = w.deliver(w.shipped(order))
    items = change(w.bill(customer, order, delivery), order, customer)
    invoice = w.invoice(customer, items, order=order, status=status)
    return w.chain(customer, order=order, quote=quote, deliveries=(delivery,), invoices=(invoice,))


def invoice_qty_above_delivered(w):
    def more(items, order, customer):
        w.rng.choice(items)["quantity"] += w.rng.randint(1, 5)
        return items

    return _invoice_changed(w, more)


def invoice_qty_below_delivered(w):
    customer = w.customer()
    quote, order = w.sale(customer)
    quote, order, line = _line_of_at_least(w, quote, order, 2)
    delivery = w.deliver(w.shipped(order))
    dl = next(x for x in delivery.lines if x.order_line_id == line.id)
    fewer = dl.quantity - w.rng.randint(1, int(dl.quantity) - 1)
    invoice = w.invoice(customer, w.bill(customer, order, delivery, {dl.id: fewer}), order=order)
    return w.chain(customer, order=order, quote=quote, deliveries=(delivery,), invoices=(invoice,))


def invoice_missing_delivered_line(w):
    def drop(items, order, customer):
        items.pop(w.rng.randrange(len(items)))
        return items

    return _invoice_changed(w, drop, n_lines=w.rng.randint(2, 4))


def invoice_price_differs(w):
    def price(items, order, customer):
        victim = w.rng.choice(items)
        factor = w.rng.choice([D("0.9"), D("1.05"), D("1.1"), D("1.2"), D("0.5")])
        victim["unit_price"] = max(CENT, (victim["unit_price"] * factor).quantize(CENT) + CENT)
        return items

    return _invoice_changed(w, price)


def invoice_discount_differs(w):
    def discount(items, order, customer):
        victim = w.rng.choice(items)
        victim["discount_percent"] = w.rng.choice(
            [d for d in (ZERO, D("3"), D("5"), D("10"), D("15")) if d != victim["discount_percent"]]
        )
        return items

    return _invoice_changed(w, discount)


def product_changed_delivery_to_invoice(w):
    def product(items, order, customer):
        victim = w.rng.choice(items)
        victim["product"] = w.sibling(victim["product"])
        return items

    return _invoice_changed(w, product)


def product_changed_order_to_delivery(w):
    customer = w.customer()
    quote, order = w.sale(customer)
    line = w.rng.choice(order.lines)
    delivery = w.deliver(w.shipped(order), products={line.id: w.sibling(line.product)})
    invoice = w.invoice(customer, w.bill(customer, order, delivery), order=order)
    return w.chain(customer, order=order, quote=quote, deliveries=(delivery,), invoices=(invoice,))


def _order_changed(w, change):
    """The order departs from the accepted quote on one line; shipped and invoiced as ordered."""
    customer = w.customer()
    quote, order = w.sale(customer)
    victim = w.rng.randrange(len(order.lines))
    lines = list(order.lines)
    lines[victim] = change(lines[victim])
    order = replace(w.order(lines), id=order.id, number=order.number)
    delivery = w.deliver(w.shipped(order))
    invoice = w.invoice(customer, w.bill(customer, order, delivery), order=order)
    return w.chain(customer, order=order, quote=quote, deliveries=(delivery,), invoices=(invoice,))


def product_changed_quote_to_order(w):
    return _order_changed(w, lambda line: replace(line, product=w.sibling(line.product)))


def order_price_differs_from_quote(w):
    return _order_changed(
        w, lambda line: replace(line, unit_price=line.unit_price + D(w.rng.randint(1, 5000)) / HUNDRED)
    )


def order_discount_differs_from_quote(w):
    return _order_changed(
        w,
        lambda line: replace(
            line,
            discount_percent=w.rng.choice(
                [d for d in (ZERO, D("5"), D("8"), D("12")) if d != line.discount_percent]
            ),
        ),
    )


def invoice_line_not_delivered(w):
    """Billed before shipping: one order line is on a delivery note still planned, yet on the invoice."""
    customer = w.customer()
    quote, order = w.sale(customer, n_lines=w.rng.randint(2, 4))
    late = w.rng.choice(order.lines)
    shipped = w.deliver({line: line.quantity for line in order.lines if line is not late})
    planned = w.deliver({late: late.quantity}, status=Status.DRAFT)
    items = w.bill(customer, order, shipped) + [w.item(customer, late, late.quantity)]
    invoice = w.invoice(customer, items, order=order)
    return w.chain(customer, order=order, quote=quote, deliveries=(shipped, planned), invoices=(invoice,))


def delivered_not_invoiced(w):
    customer = w.customer()
    quote, order = w.sale(customer, n_lines=w.rng.randint(1, 4))
    if w.rng.random() < 0.5 and len(order.lines) > 1:
        # a first note invoiced, a second one shipped since and not invoiced
        first_lines = {order.lines[0]: order.lines[0].quantity}
        first = w.deliver(first_lines)
        second = w.deliver({line: line.quantity for line in order.lines[1:]})
        invoice = w.invoice(customer, w.bill(customer, order, first), order=order, status=Status.ISSUED)
        return w.chain(customer, order=order, quote=quote, deliveries=(first, second), invoices=(invoice,))
    delivery = w.deliver(w.shipped(order))
    return w.chain(customer, order=order, quote=quote, deliveries=(delivery,))


def delivery_invoiced_twice(w):
    """Invoiced once, then a second invoice bills some of the same delivery note again."""
    customer = w.customer()
    quote, order = w.sale(customer, n_lines=w.rng.randint(2, 4))
    delivery = w.deliver(w.shipped(order))
    first = w.invoice(customer, w.bill(customer, order, delivery), order=order, status=Status.ISSUED)
    again = w.bill(customer, order, delivery)
    again = w.rng.sample(again, w.rng.randint(1, len(again) - 1))
    second = w.invoice(customer, again, order=order)
    return w.chain(customer, order=order, quote=quote, deliveries=(delivery,), invoices=(first, second))


def invoice_copied_on_same_delivery(w):
    """The same invoice made twice from the same delivery note (an import, a copy)."""
    customer = w.customer()
    quote, order = w.sale(customer)
    delivery = w.deliver(w.shipped(order))
    items = w.bill(customer, order, delivery)
    first = w.invoice(customer, items, order=order, status=Status.ISSUED)
    second = w.invoice(
        customer, items, order=order, date=first.date + datetime.timedelta(w.rng.randint(0, 6))
    )
    return w.chain(customer, order=order, quote=quote, deliveries=(delivery,), invoices=(first, second))


def manual_invoice_entered_twice(w):
    """An invoice typed by hand (no order), then typed again a few days later."""
    customer = w.customer()
    items = [
        w.item(
            customer,
            None,
            w.rng.randint(1, 20),
            product=w.product(),
            unit_price=D(w.rng.randint(500, 90000)) / 100,
        )
        for _ in range(w.rng.randint(1, 3))
    ]
    first = w.invoice(customer, items, status=Status.ISSUED)
    second = w.invoice(customer, items, date=first.date + datetime.timedelta(w.rng.randint(0, 7)))
    return w.chain(customer, invoices=(second,), neighbours=(first, *w.neighbours(customer)))


def order_keyed_twice(w):
    """The same order keyed twice, both shipped and invoiced within the week."""
    customer = w.customer()
    products = [w.product() for _ in range(w.rng.randint(1, 3))]
    _, first_order = w.sale(customer, products)
    quote, order = w.sale(customer, products)
    order = replace(
        order,
        lines=tuple(
            replace(
                line, quantity=old.quantity, unit_price=old.unit_price, discount_percent=old.discount_percent
            )
            for line, old in zip(order.lines, first_order.lines, strict=True)
        ),
        total_untaxed=first_order.total_untaxed,
    )
    quote = replace(
        quote,
        lines=tuple(
            replace(ql, quantity=ol.quantity, unit_price=ol.unit_price, discount_percent=ol.discount_percent)
            for ql, ol in zip(quote.lines, order.lines, strict=True)
        ),
    )
    other_items = [
        w.item(customer, line, line.quantity, delivery_line_id=w.id()) for line in first_order.lines
    ]
    earlier = w.invoice(customer, other_items, order=first_order, status=Status.ISSUED)
    delivery = w.deliver(w.shipped(order))
    invoice = w.invoice(
        customer,
        w.bill(customer, order, delivery),
        order=order,
        date=earlier.date + datetime.timedelta(w.rng.randint(0, 7)),
    )
    return w.chain(
        customer,
        order=order,
        quote=quote,
        deliveries=(delivery,),
        invoices=(invoice,),
        neighbours=(earlier, *w.neighbours(customer)),
    )


def _payment(w, *, matching: bool):
    customer, quote, order, delivery, invoice = _full_cycle(w, status=Status.ISSUED)
    items = w.open_items(w.rng.randint(2, 5))
    if matching:
        combo = w.rng.sample(items, w.rng.randint(1, min(3, len(items))))
        amount = sum((item.balance_due for item in combo), ZERO)
    else:
        sums = {
            sum((item.balance_due for item in combo), ZERO)
            for size in range(1, len(items) + 1)
            for combo in itertools.combinations(items, size)
        }
        amount = D(w.rng.randint(1000, 900000)) / HUNDRED
        while amount in sums:
            amount += CENT
    paid = amount + (D(w.rng.randint(0, 300000)) / HUNDRED if w.rng.random() < 0.3 else ZERO)
    payment = Payment(w.id(), f"REG-2026-{w.id():05d}", w.today, paid, amount)
    return w.chain(
        customer,
        order=order,
        quote=quote,
        deliveries=(delivery,),
        invoices=(invoice,),
        payments=(payment,),
        open_items=items,
    )


def payment_matches_open_items(w):
    return _payment(w, matching=True)


def payment_matches_no_open_item(w):
    return _payment(w, matching=False)


SITUATIONS = {kind: globals()[kind] for kind in EXPECTED}


# --- The run ----------------------------------------------------------------------------------------


def plan(size: int) -> list[str]:
    """Situation kinds in generation order: CLEAN_SHARE of clean chains, every kind in turn."""
    clean_kinds = list(CLEAN)
    clean = round(size * CLEAN_SHARE)
    return [clean_kinds[i % len(clean_kinds)] for i in range(clean)] + [
        ANOMALIES[i % len(ANOMALIES)] for i in range(size - clean)
    ]


def generate(size: int, seed: int):
    """[(situation, chain)] — `size` chains, reproducible from `seed`."""
    rng = random.Random(seed)
    return [(kind, SITUATIONS[kind](World(rng))) for kind in plan(size)]


def _ratio(num: int, den: int) -> float:
    return round(num / den, 4) if den else 1.0


def evaluate(size: int = 5000, seed: int = 20260601) -> dict:
    started = time.perf_counter()
    cases = generate(size, seed)
    counts = {code: Counter() for code in sorted(set().union(*EXPECTED.values()))}
    durations = []
    clean = clean_flagged = clean_any = 0
    mismatches: Counter = Counter()
    for kind, chain in cases:
        t0 = time.perf_counter()
        findings = run(chain)
        durations.append((time.perf_counter() - t0) * 1000)
        found = {finding.code for finding in findings}
        expected = EXPECTED[kind]
        for code in found | expected:
            stats = counts.setdefault(code, Counter())
            stats["tp" if code in found and code in expected else "fp" if code in found else "fn"] += 1
        if found != expected:
            mismatches[kind] += 1
        if not expected:
            clean += 1
            clean_any += bool(findings)
            clean_flagged += any(f.severity in (Severity.WARNING, Severity.BLOCKING) for f in findings)
    per_check = {
        code: {
            "tp": c["tp"],
            "fp": c["fp"],
            "fn": c["fn"],
            "precision": _ratio(c["tp"], c["tp"] + c["fp"]),
            "recall": _ratio(c["tp"], c["tp"] + c["fn"]),
        }
        for code, c in counts.items()
    }
    tp, fp, fn = (sum(c[key] for c in counts.values()) for key in ("tp", "fp", "fn"))
    durations.sort()
    return {
        "bench": "assistant_eval",
        "seed": seed,
        "chains": len(cases),
        "clean_chains": clean,
        "situation_kinds": len(set(kind for kind, _ in cases)),
        "anomaly_kinds": len({kind for kind, _ in cases if EXPECTED[kind]}),
        "checks": len(CHECKS),
        "precision": _ratio(tp, tp + fp),
        "recall": _ratio(tp, tp + fn),
        "clean_false_positive_rate": _ratio(clean_flagged, clean) if clean else 0.0,
        "clean_any_finding_rate": _ratio(clean_any, clean) if clean else 0.0,
        "per_check": per_check,
        "situations": dict(Counter(kind for kind, _ in cases)),
        "mismatched_situations": dict(mismatches),
        "check_ms_p50": round(statistics.median(durations), 3),
        "check_ms_p95": round(durations[max(0, int(len(durations) * 0.95) - 1)], 3),
        "seconds": round(time.perf_counter() - started, 3),
    }


def meets_targets(result: dict) -> bool:
    return (
        result["precision"] >= TARGETS["precision"]
        and result["recall"] >= TARGETS["recall"]
        and result["clean_false_positive_rate"] < TARGETS["clean_false_positive_rate"]
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--size", type=int, default=5000, help="chains to generate (default 5000)")
    parser.add_argument("--seed", type=int, default=20260601)
    args = parser.parse_args(argv)
    result = evaluate(args.size, args.seed)
    print(json.dumps(result, sort_keys=False))
    return 0 if meets_targets(result) else 1


if __name__ == "__main__":
    sys.exit(main())
