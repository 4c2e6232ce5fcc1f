"""The demo's stories told on purpose, so that every case the invoicing pages know about is in the demo
even when it is small: an invoice at every VAT rate with an exempt training day, a customer abroad,
services paid in two goes (VAT on receipts), orders with a deposit or billed by milestones, commercial
gestures, an invoice blocked by a dispute and a backorder."""

import datetime
from decimal import Decimal

from comptoir.billing import approving
from comptoir.billing.services import (
    create_credit_note,
    create_invoice_from_order,
    create_milestone_invoice,
    issue_invoice,
)
from comptoir.core import money as core_money
from comptoir.demo.business_days import add_business_days
from comptoir.demo.tracking import StoryCustomer, StoryOrder
from comptoir.payments.services import apply_credit_note
from comptoir.sales.services import confirm_order, create_order, mark_milestone_reached

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


class Showcase:
    """Plans the stories on the story's calendar and tells each one when its day comes."""

    def __init__(self, story):
        self.story = story

    def plan(self, days: list[datetime.date]) -> None:
        """The stories told on purpose, at fixed points of the period (a share of its business days)."""
        story = self.story
        rng = story.rng

        def day_at(share: float) -> datetime.date:
            return days[min(len(days) - 1, int(share * len(days)))]

        story.at(day_at(0.08), self._showcase_order)
        story.at(day_at(0.12), self._service_contract)
        for customer, share in zip([c for c in story.customers if c.abroad], (0.15, 0.2), strict=False):
            story.at(day_at(share), self._foreign_order, customer)
        for share in [0.18] + [rng.uniform(0.3, 0.8) for _ in range(story.months // 4)]:
            story.at(day_at(share), self._deposit_order)
        for share in [0.22] + [rng.uniform(0.35, 0.75) for _ in range(story.months // 6)]:
            story.at(day_at(share), self._milestone_order)
        for share in [0.3] + [rng.uniform(0.35, 0.9) for _ in range(story.months // 3)]:
            story.at(day_at(share), self._gesture, 5)
        if len(days) > 6:
            story.at(days[-3], self._blocked_invoice)

    def _showcase_order(self, day) -> None:
        """A site opening: goods at 20 %, 10 %, 5.5 % and 2.1 %, a discounted line, an exempt training
        day and an installation (service at 20 %): one invoice with every French VAT case."""
        story = self.story
        rng = story.rng
        standard = [p for p in story.goods if p.seed.vat_rate == Decimal("20.00")]
        chosen = rng.sample(standard, min(2, len(standard))) + story.sales.pick(
            ["BOI-GRA1", "EAU-PAK6", "PRE-MAG1", "SRV-FORM", "SRV-INST"]
        )
        lines = []
        for product in chosen:
            quantity = rng.randint(*product.seed.order_qty)
            if product.stocked:
                # What is on the shelf, so that everything leaves on one delivery note and one invoice.
                quantity = min(quantity, int(story.stock[product.obj.pk] - story.demand[product.obj.pk]))
            if quantity > 0:
                lines.append({"product": product.obj, "quantity": quantity})
        if not lines:
            return
        lines[0]["discount_percent"] = 10
        lines[0]["discount_category"] = "negotiated"
        customer = story.sales.french_customer()
        order, _ = story.sales.order(day, customer, lines, "BC-OUVERTURE-CHANTIER")
        state = story.sales.track(order, customer, split=False)
        if any(line.product.stocked for line in state.lines):
            story.at(add_business_days(day, 1), story.ship, state)
        else:
            story.at(add_business_days(day, 2), story.receivables.invoice, state)

    def _service_contract(self, day) -> None:
        """Services only (VAT due on receipts): the customer pays part, then the rest, so the VAT
        moves from 44574 to 44571 in two goes."""
        story = self.story
        services = [p for p in story.services if p.seed.vat_rate > 0]
        if not services:
            return
        customer = story.sales.french_customer()
        lines = [{"product": p.obj, "quantity": p.seed.order_qty[0]} for p in services[:2]]
        order, _ = story.sales.order(day, customer, lines, "CONTRAT-MAINTENANCE")
        story.at(
            add_business_days(day, 3),
            story.receivables.invoice,
            story.sales.track(order, customer),
            None,
            "in_two_goes",
        )

    def _foreign_order(self, day, customer: StoryCustomer) -> None:
        """A customer abroad: goods (intra-EU supply or export) and, when there is one, an installation
        (reverse charge for the EU business)."""
        story = self.story
        rng = story.rng
        goods = rng.sample(story.goods, min(3, len(story.goods)))
        lines = [{"product": p.obj, "quantity": rng.randint(*p.seed.order_qty)} for p in goods]
        lines += [{"product": p.obj, "quantity": 1} for p in story.sales.pick(["SRV-INST"])]
        order, _ = story.sales.order(day, customer, lines, f"PO-{rng.randint(10000, 99999)}")
        story.at(add_business_days(day, 2), story.ship, story.sales.track(order, customer))

    def _big_project_lines(self, with_service: bool) -> list[dict]:
        story = self.story
        rng = story.rng
        dear = sorted(story.goods, key=lambda p: p.seed.price, reverse=True)[: max(3, len(story.goods) // 4)]
        chosen = rng.sample(dear, min(3, len(dear)))
        lines = [{"product": p.obj, "quantity": rng.randint(*p.seed.order_qty)} for p in chosen]
        if with_service:
            lines += [{"product": p.obj, "quantity": 1} for p in story.sales.pick(["SRV-INST"])]
        return lines

    def _deposit_order(self, day) -> None:
        """A big order with 30 % down at confirmation: the deposit invoice is issued and paid, then the
        goods ship and the final invoice bills everything and deducts the deposit."""
        story = self.story
        if not story.goods:
            return
        customer = story.sales.french_customer()
        order, (step,) = story.sales.order(
            day, customer, self._big_project_lines(True), "BC-ACOMPTE", steps=DEPOSIT_SCHEDULE
        )
        story.counts["commandes avec acompte"] += 1
        state = story.sales.track(order, customer)
        deposit = issue_invoice(
            create_milestone_invoice(step, by=story.users["adv"]), by=story.users["compta"], date=day
        )
        story.counts["factures émises"] += 1
        story.counts["factures d'acompte"] += 1
        story.due[deposit.pk] = deposit.amount_payable
        paid_on = add_business_days(day, story.rng.randint(2, 5))
        story.at(paid_on, story.receivables.pay, deposit, customer, deposit.total)
        # The goods leave once the deposit is in.
        story.at(add_business_days(paid_on, 1), story.ship, state)

    def _milestone_order(self, day) -> None:
        """A workshop fitted out and installed, billed 30 % at the order, 40 % at delivery and 30 % when
        the customer accepts the installation."""
        story = self.story
        if not story.goods:
            return
        customer = story.sales.french_customer()
        order, steps = story.sales.order(
            day, customer, self._big_project_lines(True), "BC-AMENAGEMENT-ATELIER", steps=MILESTONE_SCHEDULE
        )
        story.counts["commandes facturées par échéances"] += 1
        state = story.sales.track(order, customer, steps=steps)
        self.bill_step(day, state, steps[0])
        story.at(add_business_days(day, story.rng.randint(2, 4)), story.ship, state)

    def bill_step(self, day, state: StoryOrder, step) -> None:
        story = self.story
        invoice = create_milestone_invoice(step, by=story.users["adv"])
        story.counts["factures d'échéance"] += 1
        story.receivables.issue(day, invoice, state.customer)

    def installation_accepted(self, day, state: StoryOrder) -> None:
        story = self.story
        step = state.steps[-1]
        mark_milestone_reached(step, by=story.users["adv"])
        self.bill_step(day, state, step)

    def _gesture(self, day, tries: int) -> None:
        """A credit note without a return case: a commercial gesture, with its category."""
        story = self.story
        rng = story.rng
        recent = [
            (issued_on, invoice, customer)
            for issued_on, invoice, customer in story.invoices[-40:]
            if (day - issued_on).days <= 45
            and customer.payer == "good"
            and not customer.abroad
            and invoice.milestone_id is None
            and invoice.pk not in story.corrected
        ]
        if not recent:
            if tries:
                story.at(add_business_days(day, 5), self._gesture, tries - 1)
            return
        _, invoice, customer = rng.choice(recent)
        story.corrected.add(invoice.pk)
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
            by=story.users["compta"],
            reason=reason,
            gesture_category=category,
        )
        if approving.gesture_approval(note).pending:
            # Four eyes: above the gesture threshold, direction approves what accounting drafted.
            approving.approve_credit_note(note, by=story.users["direction"], reason="Geste validé")
        note = issue_invoice(note, by=story.users["compta"], date=day)
        story.counts["gestes commerciaux"] += 1
        story.counts["avoirs"] += 1
        left = note.total
        if story.due.get(invoice.pk, Decimal("0")) > 0:
            applied = apply_credit_note(note, invoice, by=story.users["compta"], date=day)
            story.due[invoice.pk] -= applied.amount
            left -= applied.amount
        if left > 0:
            story.credits[customer.obj.pk].append(note)

    def _blocked_invoice(self, day) -> None:
        """Shipped and its invoice drafted, then the customer reports a missing box before the invoice
        leaves: the draft cannot be issued while the case is open (the invoicing block)."""
        story = self.story
        in_stock = [p for p in story.goods if story.stock[p.obj.pk] - story.demand[p.obj.pk] >= 3]
        if len(in_stock) < 2:
            return
        rng = story.rng
        customer = story.sales.french_customer()
        chosen = rng.sample(in_stock, 2)
        lines = [{"product": p.obj, "quantity": min(3, p.seed.order_qty[1]) or 1} for p in chosen]
        order, _ = story.sales.order(day, customer, lines, f"BC-{rng.randint(1000, 99999)}")
        state = story.sales.track(order, customer, split=False)
        state.hold_invoice = True
        shipment = story.ship(day, state)
        if shipment is None:
            return
        shipment.invoice = create_invoice_from_order(order, by=story.users["adv"])
        story.returns.block(day, shipment)
        story.counts["factures bloquées par un litige"] += 1

    def backorder(self, day: datetime.date) -> None:
        """A big order for a product the supplier cannot deliver before next week: a backorder."""
        story = self.story
        candidates = [p for p in story.goods if p.seed.shelf >= 20] or story.goods
        if not candidates:
            return
        product = story.rng.choice(candidates)
        story.out_of_stock.add(product.obj.pk)
        customer = max((c for c in story.customers if not c.abroad), key=lambda c: c.weight)
        quantity = int(story.stock[product.obj.pk] + product.seed.shelf // 2 + 5)
        order = create_order(
            customer.obj,
            [{"product": product.obj, "quantity": quantity}],
            by=story.users["adv"],
            date=day,
            customer_reference="BC-URGENT",
        )
        story.counts["commandes"] += 1
        story.sales.approve_discounts(order)
        confirm_order(order, by=story.users["adv"])
        story.at(add_business_days(day, 1), story.ship, story.sales.track(order, customer))
