"""The scenarios of the assistant's quality bench (bench/assistant_eval.py), built through the services.

Each scenario is what an ADV, a warehouse or an accountant meets in a French B2B company, produced with
the calls the API and the web UI make (sales, stock, billing, payments, returns services) — never by
writing a model or a snapshot. `LABELS` says, for each kind, what the business would call it: an anomaly
or a clean chain, written from the situation, with the finding codes that would be an acceptable way of
telling it (any of them). A service refusing an anomaly raises a `DomainError` out of the scenario: the
bench counts it as prevented.

A scenario gets a `World` (users, products with stock, the random generator) and returns a `Case`: its
customer, the orders and invoices to ask the assistant about, and the gate's refusals met on the way.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

D = Decimal
ANOMALY, CLEAN = "anomaly", "clean"
GATE_CODE = "invoice_blocked_by_findings"


@dataclass
class World:
    boss: object  # direction: every business action
    colleague: object  # a second person, for the four-eyes steps (return approval)
    products: list  # (product, unit cost received) of the shared catalogue, all in stock
    rng: object
    today: datetime.date
    serial: int = 0

    def next(self) -> int:
        self.serial += 1
        return self.serial


@dataclass
class Case:
    kind: str
    customer: object = None
    orders: list = field(default_factory=list)
    invoices: list = field(default_factory=list)
    # Customers whose open items a payment scenario involves beside the scenario's own.
    also_customers: list = field(default_factory=list)
    gate_refusals: list = field(default_factory=list)  # drafts the gate at issue refused
    item: object = None  # the product a history was built on


# --- Building blocks: the calls the UI makes ------------------------------------------------------------

SIRENS = ["542107651", "552032534", "409251261", "383474814", "443061841", "652014051", "732829320"]


def customer(world: World, **fields):
    from comptoir.parties.services import create_customer

    n = world.next()
    base = {
        "name": f"Client {n:04d} SARL",
        "siren": SIRENS[n % len(SIRENS)],
        "street": f"{n} rue du Commerce",
        "city": "Lyon",
        "postal_code": "69003",
    }
    return create_customer(by=world.boss, **(base | fields))


def product(world: World, *, price="120.00", cost="70.00", vat_rate="20.00", stock="500"):
    """A product of its own (for a scenario that changes its card), received in stock at `cost`."""
    from comptoir.catalog.services import create_product
    from comptoir.stock.services import receive_stock

    n = world.next()
    made = create_product(
        by=world.boss,
        sku=f"SC-{n:05d}",
        name=f"Article spécifique {n}",
        sale_price=D(price),
        purchase_cost=D(cost),
        vat_rate=D(vat_rate),
    )
    receive_stock(
        [{"product": made, "quantity": stock, "unit_cost": cost}],
        by=world.boss,
        date=world.today - datetime.timedelta(days=180),
    )
    return made


def pick(world: World, k: int = 1):
    return world.rng.sample([p for p, _ in world.products], k)


def lines_of(items):
    return [
        item if isinstance(item, dict) else {"product": item[0], "quantity": str(item[1])} for item in items
    ]


def sold(world: World, buyer, *items, date=None, po=""):
    """Quote sent, accepted (the order linked to it line by line), order confirmed."""
    from comptoir.sales.services import accept_quote, confirm_order, create_quote, send_quote

    quote = create_quote(buyer, lines_of(items), by=world.boss, date=date)
    send_quote(quote, by=world.boss)
    order = accept_quote(quote, by=world.boss, date=date, customer_reference=po)
    return confirm_order(order, by=world.boss)


def keyed(world: World, buyer, *items, date=None, po=""):
    """An order keyed by hand from the customer's purchase order, confirmed."""
    from comptoir.sales.services import confirm_order, create_order

    order = create_order(buyer, lines_of(items), by=world.boss, date=date, customer_reference=po)
    return confirm_order(order, by=world.boss)


def ship(world: World, order, *parts, date=None):
    """A validated delivery note: (product, quantity) pairs, or everything left."""
    from comptoir.stock.services import create_delivery, validate_delivery

    wanted = None
    if parts:
        wanted = [{"order_line": order.lines.get(product=p), "quantity": str(q)} for p, q in parts]
    return validate_delivery(create_delivery(order, wanted, by=world.boss, date=date), by=world.boss)


def draft(world: World, order):
    from comptoir.billing.services import create_invoice_from_order

    return create_invoice_from_order(order, by=world.boss)


def issue(world: World, case: Case, invoice, date=None):
    """Issue a draft as the UI does; the gate's refusal is noted on the case (the draft stays)."""
    from comptoir.billing.services import issue_invoice
    from comptoir.core.errors import DomainError

    try:
        return issue_invoice(invoice, by=world.boss, date=date)
    except DomainError as refusal:
        if refusal.code != GATE_CODE:
            raise
        case.gate_refusals.append(invoice.pk)
        invoice.refresh_from_db()
        return invoice


def pay(world: World, buyer, amount, *, allocate=(), reference="", date=None):
    from comptoir.payments.services import register_payment

    return register_payment(
        buyer,
        by=world.boss,
        amount=str(amount),
        method="transfer",
        reference=reference,
        date=date,
        allocations=[{"invoice": inv, "amount": str(a)} for inv, a in allocate],
    )


def cycle(world: World, case: Case, buyer, *items, po="", paid=True, date=None):
    """Quote → order → delivery → invoice issued (→ paid in full)."""
    order = sold(world, buyer, *items, po=po, date=date)
    ship(world, order, date=date)
    invoice = issue(world, case, draft(world, order), date=date)
    case.orders.append(order)
    case.invoices.append(invoice)
    if paid and invoice.status == "issued":
        pay(world, buyer, invoice.total, allocate=[(invoice, invoice.total)], reference=invoice.number)
    return order, invoice


def approved_case(world: World, delivery, quantity, reason="damaged"):
    from comptoir.returns.services import approve_case, open_case, submit_case

    case = open_case(
        delivery,
        [{"delivery_line": delivery.lines.first(), "quantity": str(quantity)}],
        by=world.boss,
        reason=reason,
    )
    return approve_case(submit_case(case, by=world.boss), by=world.colleague)


def goods_back(world: World, rcase, quantity):
    from comptoir.returns.services import receive_goods

    return receive_goods(
        rcase,
        [
            {
                "line": rcase.lines.first(),
                "quantity": str(quantity),
                "inspection": "Carton enfoncé, produit rayé",
                "disposition": "back_to_stock",
            }
        ],
        by=world.boss,
    )


def qty(world: World, low=2, high=12) -> int:
    return world.rng.randint(low, high)


# --- Clean but tricky chains ---------------------------------------------------------------------------


def clean_full_cycle(world, case):
    buyer = case.customer = customer(world)
    a, b = pick(world, 2)
    cycle(world, case, buyer, (a, qty(world)), (b, qty(world)))


def clean_partial_delivery(world, case):
    """Half shipped now and invoiced (delivery-based billing), the rest waits for the supplier."""
    buyer = case.customer = customer(world)
    (a,) = pick(world)
    order = sold(world, buyer, (a, 10))
    ship(world, order, (a, 4))
    case.orders.append(order)
    case.invoices.append(issue(world, case, draft(world, order)))


def clean_two_deliveries_two_invoices(world, case):
    buyer = case.customer = customer(world)
    a, b = pick(world, 2)
    order = sold(world, buyer, (a, 6), (b, 3))
    case.orders.append(order)
    ship(world, order, (a, 6))
    case.invoices.append(issue(world, case, draft(world, order)))
    ship(world, order)
    case.invoices.append(issue(world, case, draft(world, order)))


def clean_quote_revision(world, case):
    """The customer asked for another quantity and a second product before accepting the revised quote."""
    from comptoir.sales.services import (
        accept_quote,
        confirm_order,
        create_quote,
        replace_quote_lines,
        send_quote,
    )

    buyer = case.customer = customer(world)
    a, b = pick(world, 2)
    quote = create_quote(buyer, lines_of([(a, 5)]), by=world.boss)
    replace_quote_lines(quote, lines_of([(a, 8), (b, 2)]), by=world.boss)
    send_quote(quote, by=world.boss)
    order = confirm_order(accept_quote(quote, by=world.boss), by=world.boss)
    ship(world, order)
    case.orders.append(order)
    case.invoices.append(issue(world, case, draft(world, order)))


def clean_customer_discount(world, case):
    """A 12 % discount granted on the quote, carried to the order and the invoice."""
    buyer = case.customer = customer(world)
    (a,) = pick(world)
    cycle(world, case, buyer, {"product": a, "quantity": str(qty(world)), "discount_percent": "12"})


def clean_deposit_then_closing(world, case):
    """30 % deposit invoiced at confirmation, goods delivered, closing invoice deducting it."""
    from comptoir.billing.services import create_milestone_invoice
    from comptoir.sales.services import (
        accept_quote,
        confirm_order,
        create_quote,
        send_quote,
        set_billing_schedule,
    )

    buyer = case.customer = customer(world)
    (a,) = pick(world)
    quote = create_quote(buyer, lines_of([(a, 10)]), by=world.boss)
    send_quote(quote, by=world.boss)
    order = accept_quote(quote, by=world.boss)
    set_billing_schedule(
        order,
        [{"label": "Acompte 30 %", "trigger": "confirmation", "percent": "30", "is_deposit": True}],
        by=world.boss,
    )
    order = confirm_order(order, by=world.boss)
    deposit = issue(world, case, create_milestone_invoice(order.milestones.get(), by=world.boss))
    pay(world, buyer, deposit.total, allocate=[(deposit, deposit.total)], reference=deposit.number)
    ship(world, order)
    closing = issue(world, case, draft(world, order))
    case.orders.append(order)
    case.invoices += [deposit, closing]


def clean_split_payment(world, case):
    """An invoice paid in two transfers, each allocated to it."""
    buyer = case.customer = customer(world)
    (a,) = pick(world)
    _, invoice = cycle(world, case, buyer, (a, qty(world)), paid=False)
    first = (invoice.total / 2).quantize(D("0.01"))
    pay(world, buyer, first, allocate=[(invoice, first)], reference=invoice.number)
    pay(
        world,
        buyer,
        invoice.total - first,
        allocate=[(invoice, invoice.total - first)],
        reference=invoice.number,
    )


def clean_one_transfer_two_invoices(world, case):
    buyer = case.customer = customer(world)
    a, b = pick(world, 2)
    _, first = cycle(world, case, buyer, (a, qty(world)), paid=False)
    _, second = cycle(world, case, buyer, (b, qty(world)), paid=False)
    pay(
        world,
        buyer,
        first.total + second.total,
        allocate=[(first, first.total), (second, second.total)],
        reference=f"{first.number} {second.number}",
    )


def clean_partly_paid(world, case):
    """An instalment paid, the balance not due yet."""
    buyer = case.customer = customer(world)
    (a,) = pick(world)
    _, invoice = cycle(world, case, buyer, (a, qty(world, 5, 12)), paid=False)
    part = (invoice.total * D("0.4")).quantize(D("0.01"))
    pay(world, buyer, part, allocate=[(invoice, part)], reference=invoice.number)


def clean_export(world, case):
    """A Swiss customer: export, exempt of French VAT (CGI art. 262 I)."""
    buyer = case.customer = customer(
        world, siren="", country="CH", city="Basel", postal_code="4051", vat_regime="export"
    )
    (a,) = pick(world)
    cycle(world, case, buyer, (a, qty(world)))


def clean_intra_eu(world, case):
    """A German company with its VAT number: intra-EU supply, 0 % (CGI art. 262 ter I)."""
    buyer = case.customer = customer(
        world,
        siren="",
        country="DE",
        city="Köln",
        postal_code="50667",
        vat_number="DE136695976",
        vat_regime="eu",
    )
    (a,) = pick(world)
    cycle(world, case, buyer, (a, qty(world)))


def clean_rate_change_after_delivery(world, case):
    """Delivered while the product was at 10 %; the rate went to 20 % before invoicing. The tax fell due
    at delivery: the 10 % invoice is right."""
    from comptoir.catalog.services import update_product

    buyer = case.customer = customer(world)
    item = product(world, vat_rate="10.00")
    past = world.today - datetime.timedelta(days=world.rng.randint(2, 6))
    order = sold(world, buyer, (item, qty(world)), date=past)
    ship(world, order, date=past)
    update_product(item, by=world.boss, vat_rate="20.00")
    case.orders.append(order)
    case.invoices.append(issue(world, case, draft(world, order)))


def clean_regular_reorder(world, case):
    """The same consumables every week, each under its own purchase-order number."""
    buyer = case.customer = customer(world)
    (a,) = pick(world)
    quantity = qty(world)
    n = world.next()
    for week in range(world.rng.randint(2, 3)):
        order = keyed(world, buyer, (a, quantity), po=f"BC-{n}-{week + 1:02d}")
        ship(world, order)
        invoice = issue(world, case, draft(world, order))
        case.orders.append(order)
        case.invoices.append(invoice)
        pay(world, buyer, invoice.total, allocate=[(invoice, invoice.total)], reference=invoice.number)


def clean_return_credited_through_case(world, case):
    """Two units arrived damaged: case approved, goods back, the case's credit note."""
    from comptoir.returns.services import resolve_with_credit_note

    buyer = case.customer = customer(world)
    (a,) = pick(world)
    order = sold(world, buyer, (a, 10))
    delivery = ship(world, order)
    invoice = issue(world, case, draft(world, order))
    rcase = approved_case(world, delivery, 2)
    goods_back(world, rcase, 2)
    resolve_with_credit_note(rcase, by=world.boss, reason="Casse au transport")
    case.orders.append(order)
    case.invoices.append(invoice)


def clean_replacement_for_missing(world, case):
    """Two units missing on arrival: case approved, replaced (a new delivery note, never invoiced)."""
    from comptoir.returns.services import resolve_with_replacement

    buyer = case.customer = customer(world)
    (a,) = pick(world)
    order = sold(world, buyer, (a, 10))
    delivery = ship(world, order)
    invoice = issue(world, case, draft(world, order))
    rcase = approved_case(world, delivery, 2, reason="short_shipment")
    resolve_with_replacement(rcase, by=world.boss, reason="Renvoi des manquants")
    case.orders.append(order)
    case.invoices.append(invoice)


def clean_hand_keyed_order(world, case):
    """An order keyed from the customer's PO, no quote ever made."""
    buyer = case.customer = customer(world)
    a, b = pick(world, 2)
    order = keyed(world, buyer, (a, qty(world)), (b, qty(world)), po=f"PO-{world.next()}")
    ship(world, order)
    case.orders.append(order)
    case.invoices.append(issue(world, case, draft(world, order)))


def clean_prepayment_of_draft(world, case):
    """The customer paid the pro forma before the invoice was issued."""
    buyer = case.customer = customer(world)
    (a,) = pick(world)
    order = sold(world, buyer, (a, qty(world)))
    ship(world, order)
    invoice = draft(world, order)
    pay(world, buyer, invoice.total, reference=order.number)
    case.orders.append(order)
    case.invoices.append(invoice)


def clean_delivered_awaiting_invoice(world, case):
    """Shipped this morning, the invoice run is tonight."""
    buyer = case.customer = customer(world)
    a, b = pick(world, 2)
    order = sold(world, buyer, (a, qty(world)), (b, qty(world)))
    ship(world, order)
    case.orders.append(order)


def clean_special_price(world, case):
    """A negotiated price on the quote (below list, above cost), kept through to the invoice."""
    buyer = case.customer = customer(world)
    item = product(world, price="150.00", cost="80.00")
    cycle(world, case, buyer, {"product": item, "quantity": str(qty(world)), "unit_price": "118.00"})


def clean_promotion_above_cost(world, case):
    """A promotion: 8 % above cost, thin but a margin."""
    buyer = case.customer = customer(world)
    item = product(world, price="120.00", cost="70.00")
    cycle(world, case, buyer, {"product": item, "quantity": str(qty(world)), "unit_price": "75.60"})


def clean_list_price_raised_after_order(world, case):
    """The catalogue price went up after the order; the order's price is what the customer owes."""
    from comptoir.catalog.services import update_product

    buyer = case.customer = customer(world)
    item = product(world, price="80.00", cost="45.00")
    order = sold(world, buyer, (item, qty(world)))
    update_product(item, by=world.boss, sale_price=D("86.00"))
    ship(world, order)
    case.orders.append(order)
    case.invoices.append(issue(world, case, draft(world, order)))


def clean_gesture_credit_note(world, case):
    """A 5 % commercial gesture on a late delivery, credited on the invoice (category, below threshold)."""
    from comptoir.billing.services import create_credit_note, issue_invoice

    buyer = case.customer = customer(world)
    (a,) = pick(world)
    _, invoice = cycle(world, case, buyer, (a, 4), paid=False)
    line = invoice.lines.get()
    note = create_credit_note(
        invoice,
        [
            {
                "invoice_line": line,
                "quantity": line.quantity,
                "unit_price": str((line.unit_price * D("0.05")).quantize(D("0.01"))),
            }
        ],
        by=world.boss,
        reason="Geste commercial : livraison en retard",
        gesture_category="retard",
    )
    issue_invoice(note, by=world.boss)


def clean_credit_note_citing_case(world, case):
    """Two units back in stock; the accountant types the credit note citing the case (not from the case page)."""
    from comptoir.billing.services import create_credit_note, issue_invoice

    buyer = case.customer = customer(world)
    (a,) = pick(world)
    order = sold(world, buyer, (a, 10))
    delivery = ship(world, order)
    invoice = issue(world, case, draft(world, order))
    rcase = approved_case(world, delivery, 2)
    goods_back(world, rcase, 2)
    note = create_credit_note(
        invoice,
        [{"invoice_line": invoice.lines.get(), "quantity": "2"}],
        by=world.boss,
        reason="Retour casse",
        source_reference=rcase.number,
    )
    issue_invoice(note, by=world.boss)
    case.orders.append(order)


def clean_order_more_than_quoted(world, case):
    """The customer ordered 15 where the quote said 10, at the quoted price."""
    from comptoir.sales.services import (
        accept_quote,
        confirm_order,
        create_quote,
        replace_order_lines,
        send_quote,
    )

    buyer = case.customer = customer(world)
    (a,) = pick(world)
    quote = create_quote(buyer, lines_of([(a, 10)]), by=world.boss)
    send_quote(quote, by=world.boss)
    order = accept_quote(quote, by=world.boss)
    replace_order_lines(
        order, [{"product": a, "quantity": "15", "quote_line": quote.lines.get().pk}], by=world.boss
    )
    order = confirm_order(order, by=world.boss)
    ship(world, order)
    case.orders.append(order)
    case.invoices.append(issue(world, case, draft(world, order)))


def clean_order_part_of_quote(world, case):
    """The customer accepted one of the two quoted lines."""
    from comptoir.sales.services import (
        accept_quote,
        confirm_order,
        create_quote,
        replace_order_lines,
        send_quote,
    )

    buyer = case.customer = customer(world)
    a, b = pick(world, 2)
    quote = create_quote(buyer, lines_of([(a, 6), (b, 3)]), by=world.boss)
    send_quote(quote, by=world.boss)
    order = accept_quote(quote, by=world.boss)
    kept = quote.lines.get(product=a)
    replace_order_lines(order, [{"product": a, "quantity": "6", "quote_line": kept.pk}], by=world.boss)
    order = confirm_order(order, by=world.boss)
    ship(world, order)
    case.orders.append(order)
    case.invoices.append(issue(world, case, draft(world, order)))


def clean_two_deliveries_one_invoice(world, case):
    """Shipped in two trucks, invoiced once at month end."""
    buyer = case.customer = customer(world)
    a, b = pick(world, 2)
    order = sold(world, buyer, (a, 8), (b, 4))
    ship(world, order, (a, 8))
    ship(world, order)
    case.orders.append(order)
    case.invoices.append(issue(world, case, draft(world, order)))


def clean_reduced_rate_product(world, case):
    """Technical books at 5.5 % beside tools at 20 % on one order."""
    buyer = case.customer = customer(world)
    book = product(world, price="42.00", cost="25.00", vat_rate="5.50")
    (a,) = pick(world)
    cycle(world, case, buyer, (book, qty(world)), (a, qty(world)))


def clean_exempt_training(world, case):
    """A training session exempt of VAT (CGI art. 261-4-4°), its reason on the product card."""
    from comptoir.catalog.services import create_product

    buyer = case.customer = customer(world)
    n = world.next()
    training = create_product(
        by=world.boss,
        sku=f"FORM-{n:05d}",
        name="Formation sécurité machines (1 jour)",
        sale_price=D("650.00"),
        purchase_cost=D("0"),
        vat_rate=D("0"),
        vat_exemption_reason="Exonération de TVA, article 261-4-4° du CGI",
        vat_exemption_code="VATEX-FR-261-4-4",
        kind="service",
    )
    order = sold(world, buyer, (training, 1))  # a service: invoiced once performed, no delivery note
    case.orders.append(order)
    case.invoices.append(issue(world, case, draft(world, order)))


def clean_prepayment_of_order(world, case):
    """A new customer pays its order in full before shipping (pro forma), naming the order."""
    buyer = case.customer = customer(world)
    (a,) = pick(world)
    order = sold(world, buyer, (a, qty(world)))
    pay(world, buyer, order.total, reference=f"Proforma {order.number}")
    case.orders.append(order)


def clean_same_content_other_site(world, case):
    """Two sites of one customer order the same kit the same day, each with its own PO."""
    buyer = case.customer = customer(world)
    a, b = pick(world, 2)
    items = [(a, 5), (b, 2)]
    for site in ("LYON", "VIENNE"):
        order = keyed(world, buyer, *items, po=f"{site}-{world.next()}")
        ship(world, order)
        case.orders.append(order)
        case.invoices.append(issue(world, case, draft(world, order)))


def clean_transfer_without_remittance(world, case):
    """One transfer paying two invoices exactly, without saying which: to allocate, nothing wrong."""
    buyer = case.customer = customer(world)
    a, b = pick(world, 2)
    _, first = cycle(world, case, buyer, (a, qty(world)), paid=False)
    _, second = cycle(world, case, buyer, (b, qty(world)), paid=False)
    pay(world, buyer, first.total + second.total, reference="VIR SEPA")


def clean_eu_service_reverse_charge(world, case):
    """An installation service for a German company: reverse charge (autoliquidation)."""
    from comptoir.catalog.services import create_product

    buyer = case.customer = customer(
        world,
        siren="",
        country="DE",
        city="Köln",
        postal_code="50667",
        vat_number="DE136695976",
        vat_regime="eu",
    )
    n = world.next()
    service = create_product(
        by=world.boss,
        sku=f"INST-{n:05d}",
        name="Mise en service sur site",
        sale_price=D("480.00"),
        kind="service",
    )
    order = sold(world, buyer, (service, 1))
    case.orders.append(order)
    case.invoices.append(issue(world, case, draft(world, order)))


def clean_quote_renewed(world, case):
    """An offer made again (renewed) with the same prices, then accepted."""
    from comptoir.sales.services import accept_quote, confirm_order, create_quote, renew_quote, send_quote

    buyer = case.customer = customer(world)
    (a,) = pick(world)
    first = create_quote(buyer, [{"product": a, "quantity": "6", "discount_percent": "5"}], by=world.boss)
    send_quote(first, by=world.boss)
    quote = renew_quote(first, by=world.boss)
    send_quote(quote, by=world.boss)
    order = confirm_order(accept_quote(quote, by=world.boss), by=world.boss)
    ship(world, order)
    case.orders.append(order)
    case.invoices.append(issue(world, case, draft(world, order)))


def clean_amended_after_quote(world, case):
    """Quoted, accepted and confirmed; then the customer negotiated a better price for a larger quantity,
    recorded as an amendment with its reason. The order differs from the quote, and the amendment says
    why: nothing to flag along the chain to the invoice."""
    from comptoir.sales.amending import amend_order

    buyer = case.customer = customer(world)
    (a,) = pick(world)
    order = sold(world, buyer, (a, 10))
    line = order.lines.get()
    amend_order(
        order,
        by=world.boss,
        reason="Le client passe à 14 unités : prix ramené de 5 % (accord téléphonique du 12)",
        lines=[
            {
                "line": line,
                "quantity": "14",
                "unit_price": str((line.unit_price * D("0.95")).quantize(D("0.01"))),
                "discount_percent": "3",
            }
        ],
    )
    ship(world, order)
    case.orders.append(order)
    case.invoices.append(issue(world, case, draft(world, order)))


def history_price_rise(world, case):
    case.customer = customer(world)
    case.item = product(world, price="100.00", cost="55.00")
    return habit(world, case.customer, case.item, 10, "100.00")


def clean_yearly_price_rise(world, case):
    """The yearly 6 % price rise, announced: 106 € where the customer paid 100 €."""
    order = sold(world, case.customer, {"product": case.item, "quantity": "10", "unit_price": "106.00"})
    ship(world, order)
    case.orders.append(order)
    case.invoices.append(issue(world, case, draft(world, order)))


def history_busy_season(world, case):
    case.customer = customer(world)
    (case.item,) = pick(world)
    return habit(world, case.customer, case.item, 10, case.item.sale_price)


def clean_busy_season_order(world, case):
    """The building season: 25 where the customer orders 10 a month."""
    order = sold(world, case.customer, (case.item, 25))
    ship(world, order)
    case.orders.append(order)
    case.invoices.append(issue(world, case, draft(world, order)))


# --- Anomalies ------------------------------------------------------------------------------------------


def anomaly_overbilled_quantity(world, case):
    """8 delivered, the draft corrected to bill 10 (the two still on the dock)."""
    from comptoir.billing.services import correct_draft_line

    buyer = case.customer = customer(world)
    (a,) = pick(world)
    order = sold(world, buyer, (a, 10))
    ship(world, order, (a, 8))
    invoice = draft(world, order)
    correct_draft_line(invoice.lines.get(), by=world.boss, quantity="10", reason="Quantité commandée")
    case.orders.append(order)
    case.invoices.append(issue(world, case, invoice))


def anomaly_order_keyed_twice(world, case):
    """The customer's PO keyed twice, shipped twice, invoiced twice."""
    buyer = case.customer = customer(world)
    a, b = pick(world, 2)
    items = [(a, qty(world)), (b, qty(world))]
    po = f"BC-{world.next()}"
    for _ in range(2):
        order = keyed(world, buyer, *items, po=po)
        ship(world, order)
        case.orders.append(order)
        case.invoices.append(issue(world, case, draft(world, order)))


def anomaly_invoiced_before_shipping(world, case):
    """The invoice drawn up from the order while nothing has left the warehouse."""
    buyer = case.customer = customer(world)
    (a,) = pick(world)
    order = sold(world, buyer, (a, qty(world)))
    case.orders.append(order)
    case.invoices.append(issue(world, case, draft(world, order)))


def anomaly_french_vat_to_eu_customer(world, case):
    """The customer moved to Germany (EU VAT number) after ordering; the invoice still carries 20 %."""
    from comptoir.parties.services import update_customer

    buyer = case.customer = customer(world)
    (a,) = pick(world)
    order = sold(world, buyer, (a, qty(world)))
    ship(world, order)
    update_customer(buyer, by=world.boss, country="DE", vat_number="DE136695976", vat_regime="eu", siren="")
    case.orders.append(order)
    case.invoices.append(issue(world, case, draft(world, order)))


def anomaly_wrong_rate_on_card(world, case):
    """A book sold at 20 %: the card was wrong (5.5 %), corrected after the draft was made."""
    from comptoir.catalog.services import update_product

    buyer = case.customer = customer(world)
    item = product(world, price="35.00", cost="20.00")
    order = sold(world, buyer, (item, qty(world)))
    ship(world, order)
    invoice = draft(world, order)
    update_product(item, by=world.boss, vat_rate="5.50", vat_rate_correction=True)
    case.orders.append(order)
    case.invoices.append(issue(world, case, invoice))


def anomaly_credit_beyond_return(world, case):
    """Two units came back; the credit note cites the case and credits five."""
    from comptoir.billing.services import create_credit_note

    buyer = case.customer = customer(world)
    (a,) = pick(world)
    order = sold(world, buyer, (a, 10))
    delivery = ship(world, order)
    invoice = issue(world, case, draft(world, order))
    rcase = approved_case(world, delivery, 2)
    goods_back(world, rcase, 2)
    case.orders.append(order)
    case.invoices.append(invoice)
    note = create_credit_note(
        invoice,
        [{"invoice_line": invoice.lines.get(), "quantity": "5"}],
        by=world.boss,
        reason="Retour",
        source_reference=rcase.number,
    )
    case.invoices.append(note)


def anomaly_double_compensation(world, case):
    """Missing goods replaced through the case, then credited too by a credit note typed directly."""
    from comptoir.billing.services import create_credit_note
    from comptoir.returns.services import resolve_with_replacement

    buyer = case.customer = customer(world)
    (a,) = pick(world)
    order = sold(world, buyer, (a, 10))
    delivery = ship(world, order)
    invoice = issue(world, case, draft(world, order))
    rcase = approved_case(world, delivery, 2, reason="short_shipment")
    case.orders.append(order)
    case.invoices.append(invoice)
    resolve_with_replacement(rcase, by=world.boss, reason="Renvoi")
    note = create_credit_note(
        invoice,
        [{"invoice_line": invoice.lines.get(), "quantity": "2"}],
        by=world.boss,
        reason="Manquants",
        source_reference=rcase.number,
    )
    case.invoices.append(note)


def anomaly_credit_then_replacement(world, case):
    """Credited directly for the missing units, then the case ships them again as well."""
    from comptoir.billing.services import create_credit_note, issue_invoice
    from comptoir.returns.services import resolve_with_replacement

    buyer = case.customer = customer(world)
    (a,) = pick(world)
    order = sold(world, buyer, (a, 10))
    delivery = ship(world, order)
    invoice = issue(world, case, draft(world, order))
    rcase = approved_case(world, delivery, 2, reason="short_shipment")
    case.orders.append(order)
    case.invoices.append(invoice)
    note = create_credit_note(
        invoice,
        [{"invoice_line": invoice.lines.get(), "quantity": "2"}],
        by=world.boss,
        reason="Manquants",
        source_reference=rcase.number,
    )
    case.invoices.append(issue_invoice(note, by=world.boss))
    resolve_with_replacement(rcase, by=world.boss, reason="Renvoi")


def anomaly_payment_on_wrong_customer(world, case):
    """A transfer naming customer A's invoice booked on customer B, who owes something else."""
    buyer = case.customer = customer(world)
    other = customer(world)
    a, b = pick(world, 2)
    _, invoice = cycle(world, case, buyer, (a, qty(world)), paid=False)
    helper = Case("noise")
    cycle(world, helper, other, (b, qty(world, 13, 20)), paid=False)
    case.invoices += helper.invoices
    case.also_customers.append(other)
    pay(world, other, invoice.total, reference=invoice.number)


def anomaly_near_miss_amount(world, case):
    """The transfer arrived 0.80 € short (bank fee), left unallocated."""
    buyer = case.customer = customer(world)
    (a,) = pick(world)
    _, invoice = cycle(world, case, buyer, (a, qty(world)), paid=False)
    fee = D(world.rng.choice(["0.80", "1.50", "2.35", "0.04"]))
    pay(world, buyer, invoice.total - fee, reference=invoice.number)


def anomaly_payment_entered_twice(world, case):
    """The same transfer keyed twice: once allocated, once left on account."""
    buyer = case.customer = customer(world)
    (a,) = pick(world)
    _, invoice = cycle(world, case, buyer, (a, qty(world)), paid=False)
    pay(world, buyer, invoice.total, allocate=[(invoice, invoice.total)], reference=invoice.number)
    pay(world, buyer, invoice.total, reference=invoice.number)


def anomaly_payment_allocated_elsewhere(world, case):
    """The transfer names invoice 1 and was allocated to invoice 2 of the same amount."""
    buyer = case.customer = customer(world)
    (a,) = pick(world)
    quantity = qty(world)
    _, first = cycle(world, case, buyer, (a, quantity), paid=False, po=f"BC-{world.next()}")
    _, second = cycle(world, case, buyer, (a, quantity), paid=False, po=f"BC-{world.next()}")
    pay(world, buyer, second.total, allocate=[(second, second.total)], reference=first.number)


def anomaly_sale_below_cost(world, case):
    """A price typed 40 € on goods that cost 70 €."""
    buyer = case.customer = customer(world)
    item = product(world, price="120.00", cost="70.00")
    order = sold(world, buyer, {"product": item, "quantity": str(qty(world)), "unit_price": "40.00"})
    ship(world, order)
    case.orders.append(order)
    case.invoices.append(draft(world, order))


def anomaly_buyer_without_siren(world, case):
    """A French company set up without its SIREN: its B2B invoice cannot name the buyer."""
    buyer = case.customer = customer(world, siren="")
    (a,) = pick(world)
    order = sold(world, buyer, (a, qty(world)))
    ship(world, order)
    case.orders.append(order)
    case.invoices.append(draft(world, order))


def anomaly_buyer_without_address(world, case):
    buyer = case.customer = customer(world, street="", city="", postal_code="")
    (a,) = pick(world)
    order = sold(world, buyer, (a, qty(world)))
    ship(world, order)
    case.orders.append(order)
    case.invoices.append(draft(world, order))


def anomaly_delivery_after_invoice(world, case):
    """The invoice issued with a date before the delivery note it bills."""
    buyer = case.customer = customer(world)
    (a,) = pick(world)
    order = sold(world, buyer, (a, qty(world)), date=world.today - datetime.timedelta(days=5))
    ship(world, order, date=world.today - datetime.timedelta(days=1))
    case.orders.append(order)
    case.invoices.append(
        issue(world, case, draft(world, order), date=world.today - datetime.timedelta(days=3))
    )


def anomaly_delivery_in_future(world, case):
    buyer = case.customer = customer(world)
    (a,) = pick(world)
    order = sold(world, buyer, (a, qty(world)))
    ship(world, order, date=world.today + datetime.timedelta(days=4))
    case.orders.append(order)


def anomaly_order_price_differs_from_quote(world, case):
    """The quote said 120 €; the order was keyed at 132 € on the quoted line."""
    from comptoir.sales.services import (
        accept_quote,
        confirm_order,
        create_quote,
        replace_order_lines,
        send_quote,
    )

    buyer = case.customer = customer(world)
    (a,) = pick(world)
    quantity = str(qty(world))
    quote = create_quote(buyer, lines_of([(a, quantity)]), by=world.boss)
    send_quote(quote, by=world.boss)
    order = accept_quote(quote, by=world.boss)
    price = (a.sale_price * D("1.10")).quantize(D("0.01"))
    replace_order_lines(
        order,
        [{"product": a, "quantity": quantity, "unit_price": str(price), "quote_line": quote.lines.get().pk}],
        by=world.boss,
    )
    order = confirm_order(order, by=world.boss)
    case.orders.append(order)


def anomaly_product_substituted(world, case):
    """The quote was for one reference; the order line taken from it carries another."""
    from comptoir.sales.services import (
        accept_quote,
        confirm_order,
        create_quote,
        replace_order_lines,
        send_quote,
    )

    buyer = case.customer = customer(world)
    a, b = pick(world, 2)
    quote = create_quote(buyer, lines_of([(a, 5)]), by=world.boss)
    send_quote(quote, by=world.boss)
    order = accept_quote(quote, by=world.boss)
    replace_order_lines(
        order, [{"product": b, "quantity": "5", "quote_line": quote.lines.get().pk}], by=world.boss
    )
    case.orders.append(confirm_order(order, by=world.boss))


def anomaly_order_discount_differs(world, case):
    from comptoir.sales.services import (
        accept_quote,
        confirm_order,
        create_quote,
        replace_order_lines,
        send_quote,
    )

    buyer = case.customer = customer(world)
    (a,) = pick(world)
    quote = create_quote(buyer, [{"product": a, "quantity": "10", "discount_percent": "8"}], by=world.boss)
    send_quote(quote, by=world.boss)
    order = accept_quote(quote, by=world.boss)
    replace_order_lines(
        order,
        [{"product": a, "quantity": "10", "discount_percent": "15", "quote_line": quote.lines.get().pk}],
        by=world.boss,
    )
    case.orders.append(confirm_order(order, by=world.boss))


def anomaly_hand_keyed_beside_open_quote(world, case):
    """A quote is out; the order is keyed by hand with other prices instead of accepting it."""
    from comptoir.sales.services import create_quote, send_quote

    buyer = case.customer = customer(world)
    a, b = pick(world, 2)
    quote = create_quote(buyer, lines_of([(a, 10), (b, 4)]), by=world.boss)
    send_quote(quote, by=world.boss)
    order = keyed(
        world,
        buyer,
        {"product": a, "quantity": "10", "unit_price": str((a.sale_price * D("1.08")).quantize(D("0.01")))},
        (b, 4),
    )
    case.orders.append(order)


def anomaly_eu_company_as_export(world, case):
    """A Belgian company with its VAT number set up as "export"."""
    buyer = case.customer = customer(
        world,
        siren="",
        country="BE",
        city="Liège",
        postal_code="4000",
        vat_number="BE0403170701",
        vat_regime="export",
    )
    (a,) = pick(world)
    order = sold(world, buyer, (a, qty(world)))
    ship(world, order)
    case.orders.append(order)
    case.invoices.append(draft(world, order))


def anomaly_invoice_price_changed(world, case):
    """The draft's unit price changed from the order's agreed price."""
    from comptoir.billing.services import correct_draft_line

    buyer = case.customer = customer(world)
    (a,) = pick(world)
    order = sold(world, buyer, (a, qty(world)))
    ship(world, order)
    invoice = draft(world, order)
    correct_draft_line(
        invoice.lines.get(), by=world.boss, unit_price=str(a.sale_price + D("9.00")), reason="Tarif 2027"
    )
    case.orders.append(order)
    case.invoices.append(invoice)


def anomaly_invoice_discount_changed(world, case):
    from comptoir.billing.services import correct_draft_line

    buyer = case.customer = customer(world)
    (a,) = pick(world)
    order = sold(world, buyer, (a, qty(world)))
    ship(world, order)
    invoice = draft(world, order)
    correct_draft_line(invoice.lines.get(), by=world.boss, discount_percent="20", reason="Remise")
    case.orders.append(order)
    case.invoices.append(invoice)


def anomaly_invoice_misses_delivered(world, case):
    """10 delivered, the draft lowered to 7: three units given away."""
    from comptoir.billing.services import correct_draft_line

    buyer = case.customer = customer(world)
    (a,) = pick(world)
    order = sold(world, buyer, (a, 10))
    ship(world, order)
    invoice = draft(world, order)
    correct_draft_line(invoice.lines.get(), by=world.boss, quantity="7", reason="Saisie")
    case.orders.append(order)
    case.invoices.append(issue(world, case, invoice))


def anomaly_deposit_not_deducted(world, case):
    """The closing invoice drawn up while the deposit invoice was still a draft: issued since, the
    deposit is deducted nowhere and the customer would pay it twice."""
    from comptoir.billing.services import create_milestone_invoice
    from comptoir.sales.services import (
        accept_quote,
        confirm_order,
        create_quote,
        send_quote,
        set_billing_schedule,
    )

    buyer = case.customer = customer(world)
    (a,) = pick(world)
    quote = create_quote(buyer, lines_of([(a, 10)]), by=world.boss)
    send_quote(quote, by=world.boss)
    order = accept_quote(quote, by=world.boss)
    set_billing_schedule(
        order,
        [{"label": "Acompte 30 %", "trigger": "confirmation", "percent": "30", "is_deposit": True}],
        by=world.boss,
    )
    order = confirm_order(order, by=world.boss)
    deposit = create_milestone_invoice(order.milestones.get(), by=world.boss)
    ship(world, order)
    closing = draft(world, order)
    issue(world, case, deposit)
    case.orders.append(order)
    case.invoices += [deposit, closing]


def anomaly_small_leftover(world, case):
    """The transfer a few cents short, allocated: the invoice stays open for 0.03 €."""
    buyer = case.customer = customer(world)
    (a,) = pick(world)
    _, invoice = cycle(world, case, buyer, (a, qty(world)), paid=False)
    short = invoice.total - D(world.rng.choice(["0.03", "0.10", "0.47"]))
    pay(world, buyer, short, allocate=[(invoice, short)], reference=invoice.number)


def habit(world, buyer, item, quantity, price, times=4):
    """The customer's own history, to run before any document of today: `times` orders of `quantity` ×
    item at `price`, a month apart. Returns (date, step) pairs: the bench runs every scenario's history
    in date order (invoices are numbered in date order)."""
    steps = []
    for month in range(times, 0, -1):
        day = world.today - datetime.timedelta(days=30 * month + world.rng.randint(0, 5))
        line = {"product": item, "quantity": str(quantity), "unit_price": str(price)}

        def step(day=day, line=line):
            cycle(world, Case("history"), buyer, line, po=f"BC-{world.next()}", date=day)

        steps.append((day, step))
    return steps


def history_unusual_price(world, case):
    case.customer = customer(world)
    case.item = product(world, price="120.00", cost="70.00")
    return habit(world, case.customer, case.item, 10, "120.00")


def anomaly_unusual_price_for_customer(world, case):
    """Bought at 120 € for months; this order says 84 € (above cost, no promotion running)."""
    order = sold(world, case.customer, {"product": case.item, "quantity": "10", "unit_price": "84.00"})
    ship(world, order)
    case.orders.append(order)
    case.invoices.append(draft(world, order))


def history_unusual_quantity(world, case):
    case.customer = customer(world)
    (case.item,) = pick(world)
    return habit(world, case.customer, case.item, 10, case.item.sale_price)


def anomaly_unusual_quantity_for_customer(world, case):
    """Orders 10 every month; this one says 100 (a typing slip the customer will refuse)."""
    order = sold(world, case.customer, (case.item, 100))
    case.orders.append(order)


def anomaly_zero_rate_without_reason(world, case):
    """A product card set at 0 % VAT with no exemption reason, sold to a French company."""
    buyer = case.customer = customer(world)
    item = product(world, price="60.00", cost="30.00", vat_rate="0")
    order = sold(world, buyer, (item, qty(world)))
    ship(world, order)
    case.orders.append(order)
    case.invoices.append(draft(world, order))


def paying_habit(world, buyer, days_to_pay, times=4):
    """The customer's own past of paying: `times` invoices a month apart, each paid in full `days_to_pay`
    days (± 2) after its date. Returns (date, step) pairs, invoices and payments each on its own day (the
    bench runs every scenario's history in date order: numbers follow dates)."""
    steps = []
    for month in range(times + 2, 2, -1):  # from half a year back to three months back
        day = world.today - datetime.timedelta(days=30 * month + world.rng.randint(0, 5))
        paid_on = day + datetime.timedelta(days=days_to_pay + world.rng.randint(-2, 2))
        holder = {}

        def invoiced(day=day, holder=holder):
            (item,) = pick(world)
            _, holder["invoice"] = cycle(
                world,
                Case("history"),
                buyer,
                (item, qty(world)),
                po=f"BC-{world.next()}",
                paid=False,
                date=day,
            )

        def paid(paid_on=paid_on, holder=holder):
            invoice = holder["invoice"]
            pay(
                world,
                buyer,
                invoice.total,
                allocate=[(invoice, invoice.total)],
                reference=invoice.number,
                date=paid_on,
            )

        steps += [(day, invoiced), (paid_on, paid)]
    return steps


def _invoiced_days_ago(world, case, days):
    """The invoice of the scenario: goods shipped and invoiced `days` days ago, not paid (a history step)."""

    def step():
        (item,) = pick(world)
        cycle(
            world,
            case,
            case.customer,
            (item, qty(world)),
            paid=False,
            date=world.today - datetime.timedelta(days=days),
        )

    return world.today - datetime.timedelta(days=days), step


def history_late_against_habit(world, case):
    case.customer = customer(world, email=f"compta{world.next()}@client.example")
    return [*paying_habit(world, case.customer, 31), _invoiced_days_ago(world, case, 75)]


def anomaly_payment_late_against_habit(world, case):
    """Pays every invoice in about 31 days; this one, invoiced 75 days ago, is still unpaid."""


def history_slow_payer(world, case):
    case.customer = customer(world, email=f"compta{world.next()}@client.example")
    return [*paying_habit(world, case.customer, 62), _invoiced_days_ago(world, case, 55)]


def clean_slow_payer_on_habit(world, case):
    """Always pays in about two months (30-day terms, a large account that takes its time); this invoice,
    55 days old, is past due but within the customer's own habit: nothing unusual to flag."""


def history_new_customer_long_overdue(world, case):
    case.customer = customer(world, email=f"compta{world.next()}@client.example")
    return [_invoiced_days_ago(world, case, 80)]


def anomaly_new_customer_long_overdue(world, case):
    """A new customer (no payment history) whose first invoice is 50 days past due."""


def history_new_customer_just_due(world, case):
    case.customer = customer(world, email=f"compta{world.next()}@client.example")
    return [_invoiced_days_ago(world, case, 38)]


def clean_new_customer_just_due(world, case):
    """A new customer whose first invoice is a week past due: too early to call it anything."""


# --- The labels: the business meaning of each kind, written before looking at any check ----------------

LABELS = {
    "full_cycle": (CLEAN, clean_full_cycle, ()),
    "partial_delivery": (CLEAN, clean_partial_delivery, ()),
    "two_deliveries_two_invoices": (CLEAN, clean_two_deliveries_two_invoices, ()),
    "quote_revision": (CLEAN, clean_quote_revision, ()),
    "customer_discount": (CLEAN, clean_customer_discount, ()),
    "deposit_then_closing": (CLEAN, clean_deposit_then_closing, ()),
    "split_payment": (CLEAN, clean_split_payment, ()),
    "one_transfer_two_invoices": (CLEAN, clean_one_transfer_two_invoices, ()),
    "partly_paid": (CLEAN, clean_partly_paid, ()),
    "export_exempt": (CLEAN, clean_export, ()),
    "intra_eu": (CLEAN, clean_intra_eu, ()),
    "rate_change_after_delivery": (CLEAN, clean_rate_change_after_delivery, ()),
    "regular_reorder": (CLEAN, clean_regular_reorder, ()),
    "return_credited_through_case": (CLEAN, clean_return_credited_through_case, ()),
    "replacement_for_missing": (CLEAN, clean_replacement_for_missing, ()),
    "hand_keyed_order": (CLEAN, clean_hand_keyed_order, ()),
    "prepayment_of_draft": (CLEAN, clean_prepayment_of_draft, ()),
    "delivered_awaiting_invoice": (CLEAN, clean_delivered_awaiting_invoice, ()),
    "special_price": (CLEAN, clean_special_price, ()),
    "promotion_above_cost": (CLEAN, clean_promotion_above_cost, ()),
    "list_price_raised_after_order": (CLEAN, clean_list_price_raised_after_order, ()),
    "gesture_credit_note": (CLEAN, clean_gesture_credit_note, ()),
    "credit_note_citing_case": (CLEAN, clean_credit_note_citing_case, ()),
    "order_more_than_quoted": (CLEAN, clean_order_more_than_quoted, ()),
    "order_part_of_quote": (CLEAN, clean_order_part_of_quote, ()),
    "two_deliveries_one_invoice": (CLEAN, clean_two_deliveries_one_invoice, ()),
    "reduced_rate_product": (CLEAN, clean_reduced_rate_product, ()),
    "exempt_training": (CLEAN, clean_exempt_training, ()),
    "prepayment_of_order": (CLEAN, clean_prepayment_of_order, ()),
    "same_content_other_site": (CLEAN, clean_same_content_other_site, ()),
    "transfer_without_remittance": (CLEAN, clean_transfer_without_remittance, ()),
    "eu_service_reverse_charge": (CLEAN, clean_eu_service_reverse_charge, ()),
    "quote_renewed": (CLEAN, clean_quote_renewed, ()),
    "yearly_price_rise": (CLEAN, clean_yearly_price_rise, ()),
    "busy_season_order": (CLEAN, clean_busy_season_order, ()),
    "slow_payer_on_habit": (CLEAN, clean_slow_payer_on_habit, ()),
    "new_customer_just_due": (CLEAN, clean_new_customer_just_due, ()),
    "amended_after_quote": (CLEAN, clean_amended_after_quote, ()),
    "overbilled_quantity": (ANOMALY, anomaly_overbilled_quantity, ("invoice_qty_exceeds_delivered",)),
    "order_keyed_twice": (
        ANOMALY,
        anomaly_order_keyed_twice,
        ("duplicate_invoice", "delivery_invoiced_twice"),
    ),
    "invoiced_before_shipping": (
        ANOMALY,
        anomaly_invoiced_before_shipping,
        ("invoice_line_not_delivered", "invoice_qty_exceeds_delivered"),
    ),
    "french_vat_to_eu_customer": (ANOMALY, anomaly_french_vat_to_eu_customer, ("invoice_vat_inconsistent",)),
    "wrong_rate_on_card": (ANOMALY, anomaly_wrong_rate_on_card, ("invoice_vat_inconsistent",)),
    "credit_beyond_return": (ANOMALY, anomaly_credit_beyond_return, ("credit_note_exceeds_return",)),
    "double_compensation": (
        ANOMALY,
        anomaly_double_compensation,
        ("credit_note_double_compensation", "credit_note_exceeds_return"),
    ),
    "credit_then_replacement": (
        ANOMALY,
        anomaly_credit_then_replacement,
        ("credit_note_double_compensation", "credit_note_exceeds_return"),
    ),
    "payment_on_wrong_customer": (
        ANOMALY,
        anomaly_payment_on_wrong_customer,
        ("payment_matches_no_open_item", "payment_allocated_elsewhere"),
    ),
    "near_miss_amount": (ANOMALY, anomaly_near_miss_amount, ("payment_near_open_item",)),
    "payment_entered_twice": (
        ANOMALY,
        anomaly_payment_entered_twice,
        ("payment_entered_twice", "payment_matches_no_open_item"),
    ),
    "payment_allocated_elsewhere": (
        ANOMALY,
        anomaly_payment_allocated_elsewhere,
        ("payment_allocated_elsewhere",),
    ),
    "sale_below_cost": (ANOMALY, anomaly_sale_below_cost, ("sale_below_cost",)),
    "buyer_without_siren": (ANOMALY, anomaly_buyer_without_siren, ("customer_siren_missing",)),
    "buyer_without_address": (ANOMALY, anomaly_buyer_without_address, ("customer_address_incomplete",)),
    "delivery_after_invoice": (ANOMALY, anomaly_delivery_after_invoice, ("delivery_after_invoice",)),
    "delivery_in_future": (ANOMALY, anomaly_delivery_in_future, ("delivery_in_future",)),
    "order_price_differs_from_quote": (
        ANOMALY,
        anomaly_order_price_differs_from_quote,
        ("order_price_differs_from_quote",),
    ),
    "product_substituted": (ANOMALY, anomaly_product_substituted, ("product_changed_along_chain",)),
    "order_discount_differs": (
        ANOMALY,
        anomaly_order_discount_differs,
        ("order_discount_differs_from_quote",),
    ),
    "hand_keyed_beside_open_quote": (
        ANOMALY,
        anomaly_hand_keyed_beside_open_quote,
        ("order_may_answer_open_quote", "order_price_differs_from_quote"),
    ),
    "eu_company_as_export": (ANOMALY, anomaly_eu_company_as_export, ("customer_vat_regime_implausible",)),
    "invoice_price_changed": (ANOMALY, anomaly_invoice_price_changed, ("invoice_price_differs",)),
    "invoice_discount_changed": (ANOMALY, anomaly_invoice_discount_changed, ("invoice_discount_differs",)),
    "invoice_misses_delivered": (
        ANOMALY,
        anomaly_invoice_misses_delivered,
        ("invoice_misses_delivered_quantity",),
    ),
    "deposit_not_deducted": (ANOMALY, anomaly_deposit_not_deducted, ("deposit_not_deducted",)),
    "small_leftover_balance": (ANOMALY, anomaly_small_leftover, ("invoice_small_balance",)),
    "unusual_price_for_customer": (
        ANOMALY,
        anomaly_unusual_price_for_customer,
        ("price_unusual_for_customer", "invoice_price_differs", "order_price_unusual"),
    ),
    "unusual_quantity_for_customer": (
        ANOMALY,
        anomaly_unusual_quantity_for_customer,
        ("quantity_unusual_for_customer", "order_quantity_unusual"),
    ),
    "payment_late_against_habit": (
        ANOMALY,
        anomaly_payment_late_against_habit,
        ("payment_late_against_habit",),
    ),
    "new_customer_long_overdue": (
        ANOMALY,
        anomaly_new_customer_long_overdue,
        ("payment_late_against_habit",),
    ),
    "zero_rate_without_reason": (
        ANOMALY,
        anomaly_zero_rate_without_reason,
        ("zero_rate_without_exemption_reason", "invoice_vat_inconsistent"),
    ),
}

# Kinds whose customer has a history of its own, built (all kinds together, in date order) before the
# scenarios; it sets `case.customer` (and what the scenario needs) and returns dated steps.
HISTORY = {
    "yearly_price_rise": history_price_rise,
    "busy_season_order": history_busy_season,
    "unusual_price_for_customer": history_unusual_price,
    "unusual_quantity_for_customer": history_unusual_quantity,
    "payment_late_against_habit": history_late_against_habit,
    "slow_payer_on_habit": history_slow_payer,
    "new_customer_long_overdue": history_new_customer_long_overdue,
    "new_customer_just_due": history_new_customer_just_due,
}

EXPECTED = {kind: {"expected": label, "codes": set(codes)} for kind, (label, _, codes) in LABELS.items()}
CLEAN_KINDS = [kind for kind, (label, _, _) in LABELS.items() if label == CLEAN]
ANOMALY_KINDS = [kind for kind, (label, _, _) in LABELS.items() if label == ANOMALY]


def plan(count: int, rng) -> list[str]:
    """`count` scenario kinds: every kind once when count allows, then more of each in turn until half are
    clean and half anomalies (as near as the kinds allow), in a shuffled order (noise: other scenarios'
    documents between them)."""
    if count < len(LABELS):
        half = count // 2
        kinds = [CLEAN_KINDS[i % len(CLEAN_KINDS)] for i in range(count - half)]
        kinds += [ANOMALY_KINDS[i % len(ANOMALY_KINDS)] for i in range(half)]
    else:
        anomalies = max(count // 2, len(ANOMALY_KINDS))
        clean = count - anomalies
        if clean < len(CLEAN_KINDS):
            clean, anomalies = len(CLEAN_KINDS), count - len(CLEAN_KINDS)
        kinds = [CLEAN_KINDS[i % len(CLEAN_KINDS)] for i in range(clean)]
        kinds += [ANOMALY_KINDS[i % len(ANOMALY_KINDS)] for i in range(anomalies)]
    rng.shuffle(kinds)
    return kinds
