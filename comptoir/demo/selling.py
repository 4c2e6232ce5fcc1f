"""The demo's quotes and orders: quotes written, sent, accepted, refused or left unanswered, orders
taken directly, discounts approved, orders confirmed and followed until they ship (`track`)."""

import datetime

from comptoir.demo.business_days import add_business_days
from comptoir.demo.tracking import StoryCustomer, StoryOrder, StoryOrderLine, StoryProduct
from comptoir.sales import discounts as sales_discounts
from comptoir.sales.models import Order
from comptoir.sales.services import (
    accept_quote,
    cancel_order,
    cancel_quote,
    confirm_order,
    create_order,
    create_quote,
    refuse_quote,
    send_quote,
    set_billing_schedule,
)

# The category each discount of the story is granted under (#22 point 2).
DISCOUNT_CATEGORIES = {5: "volume", 10: "negotiated", 15: "promotion"}
REFUSAL_REASONS = [
    "Prix trop élevé par rapport à la concurrence",
    "Projet reporté à l'an prochain",
    "Commande passée chez un autre fournisseur",
    "Budget non validé par la direction",
]
CANCEL_REASONS = ["Erreur de saisie : commande en double", "Chantier annulé par le maître d'ouvrage"]


class SalesDesk:
    """The sales side of the story: what each quote and order becomes, scheduled on the story."""

    def __init__(self, story):
        self.story = story

    def _pick_customer(self, day: datetime.date) -> StoryCustomer:
        story = self.story
        pool = [c for c in story.customers if not story.slowing.silent(c, day)]
        return story.rng.choices(pool, weights=[c.weight for c in pool])[0]

    def french_customer(self, payer: str = "good") -> StoryCustomer:
        """A French customer of that kind of payer (any French one when there is none), by weight."""
        story = self.story
        french = [c for c in story.customers if not c.abroad and c is not story.slowing.customer]
        pool = [c for c in french if c.payer == payer] or french
        return story.rng.choices(pool, weights=[c.weight for c in pool])[0]

    def _lines(self, customer: StoryCustomer) -> list[dict]:
        story = self.story
        rng = story.rng
        count = min(len(story.goods), rng.choice([1, 1, 2, 2, 3, 3, 4, 5, 6]))
        chosen = rng.sample(story.goods, count) if story.goods else []
        if story.services and (not chosen or rng.random() < 0.12):
            chosen.append(rng.choice(story.services))
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

    def new_quote(self, day: datetime.date) -> None:
        story = self.story
        rng = story.rng
        customer = self._pick_customer(day)
        quote = create_quote(customer.obj, self._lines(customer), by=story.users["commercial"], date=day)
        story.counts["devis"] += 1
        recent = (story.today - day).days < 7
        if recent and rng.random() < 0.3:
            return  # still being written
        story.at(day, self._send_quote, quote)
        outcome = rng.choices(["accept", "refuse", "silence", "cancel"], weights=[62, 16, 19, 3])[0]
        if outcome == "accept":
            story.at(add_business_days(day, rng.randint(1, 18)), self._accept_quote, quote, customer)
        elif outcome == "refuse":
            story.at(add_business_days(day, rng.randint(2, 15)), self._refuse_quote, quote)
        elif outcome == "cancel":
            story.at(add_business_days(day, rng.randint(1, 5)), self._cancel_quote, quote)

    def _send_quote(self, day, quote) -> None:
        story = self.story
        self.approve_discounts(quote)
        send_quote(quote, by=story.users["commercial"])

    def approve_discounts(self, document) -> None:
        """A discount above the seller's (10 %) or ADV's (5 %) threshold: direction approves it before the
        quote is sent or the order confirmed. Drafts still being written keep theirs waiting."""
        story = self.story
        if sales_discounts.discount_state(document).pending:
            sales_discounts.approve_discounts(document, by=story.users["direction"], reason="Client fidèle")
            story.counts["remises approuvées"] += 1

    def _refuse_quote(self, day, quote) -> None:
        story = self.story
        refuse_quote(quote, by=story.users["commercial"], reason=story.rng.choice(REFUSAL_REASONS))
        story.counts["devis refusés"] += 1

    def _cancel_quote(self, day, quote) -> None:
        story = self.story
        cancel_quote(quote, by=story.users["commercial"], reason="Remplacé par un nouveau devis")

    def _accept_quote(self, day, quote, customer: StoryCustomer) -> None:
        story = self.story
        order = accept_quote(
            quote,
            by=story.users["commercial"],
            date=day,
            customer_reference=f"BC-{story.rng.randint(1000, 99999)}",
        )
        story.counts["devis acceptés"] += 1
        self._confirm(day, order, customer)

    def new_direct_order(self, day: datetime.date) -> None:
        story = self.story
        rng = story.rng
        customer = self._pick_customer(day)
        order = create_order(
            customer.obj,
            self._lines(customer),
            by=story.users["adv"],
            date=day,
            customer_reference=f"BC-{rng.randint(1000, 99999)}",
            delivery_address=rng.choice(customer.addresses)
            if customer.addresses and rng.random() < 0.6
            else None,
            # A customer in four sends its direct orders from its purchasing system, through the API.
            channel=Order.Channel.API if customer.obj.pk % 4 == 1 else Order.Channel.MANUAL,
        )
        if rng.random() < 0.03:
            cancel_order(order, by=story.users["adv"], reason=rng.choice(CANCEL_REASONS))
            story.counts["commandes annulées"] += 1
            return
        self._confirm(day, order, customer)

    def _confirm(self, day, order, customer: StoryCustomer) -> None:
        story = self.story
        story.counts["commandes"] += 1
        if (story.today - day).days < 5 and story.rng.random() < 0.3:
            return  # waiting for the customer's purchase order number before confirming
        self.approve_discounts(order)
        confirm_order(order, by=story.users["adv"])
        state = self.track(order, customer)
        if any(line.product.stocked for line in state.lines):
            story.at(add_business_days(day, story.rng.randint(1, 3)), story.ship, state)
        else:
            story.at(add_business_days(day, story.rng.randint(2, 10)), story.receivables.invoice, state)

    def track(self, order, customer: StoryCustomer, *, steps=(), split: bool | None = None) -> StoryOrder:
        """Follow a confirmed order: its lines to ship, and the demand they put on the stock."""
        story = self.story
        lines = [
            StoryOrderLine(line.pk, story.product_by_pk[line.product_id], line.quantity)
            for line in order.lines.all()
        ]
        for line in lines:
            if line.product.stocked:
                story.demand[line.product.obj.pk] += line.remaining
        goods = [line for line in lines if line.product.stocked]
        if split is None:
            split = not steps and len(goods) >= 2 and story.rng.random() < 0.2
        return StoryOrder(order, customer, lines, split, steps=list(steps))

    def pick(self, skus) -> list[StoryProduct]:
        """The products of these references that the catalogue has."""
        story = self.story
        return [story.product_by_sku[sku] for sku in skus if sku in story.product_by_sku]

    def order(self, day, customer: StoryCustomer, lines: list[dict], reference: str, *, steps=None):
        story = self.story
        order = create_order(
            customer.obj, lines, by=story.users["adv"], date=day, customer_reference=reference
        )
        story.counts["commandes"] += 1
        milestones = set_billing_schedule(order, steps, by=story.users["adv"]) if steps else []
        self.approve_discounts(order)
        confirm_order(order, by=story.users["adv"])
        return order, milestones
