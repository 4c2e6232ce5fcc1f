"""The demo's receivables: invoices drafted and issued, paid early, on time, late, in part or never;
credit notes deducted from an invoice, from the customer's next one, or refunded."""

import datetime
from decimal import Decimal

from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core.errors import DomainError
from comptoir.demo.business_days import add_business_days
from comptoir.demo.draws import scaled
from comptoir.demo.tracking import Shipment, StoryCustomer, StoryOrder
from comptoir.payments import selectors as payment_view
from comptoir.payments.refunding import approve_refund, request_refund
from comptoir.payments.services import (
    apply_credit_note,
    credit_available_used,
    refund_credit_note,
    register_payment,
)

# Share of each payment behaviour for each kind of payer.
PAYERS = {
    "good": {"early": 15, "on_time": 75, "late": 7, "partial": 3},
    "slow": {"on_time": 35, "late": 45, "partial": 15, "never": 5},
    "bad": {"on_time": 10, "late": 35, "partial": 30, "never": 25},
}


class Receivables:
    """What each invoice is owed and how it is settled, scheduled on the story."""

    def __init__(self, story):
        self.story = story

    def invoice(self, day, state: StoryOrder, shipment: Shipment | None = None, behaviour=None) -> None:
        story = self.story
        invoice = create_invoice_from_order(state.obj, by=story.users["adv"])
        if shipment is not None:
            shipment.invoice = invoice
        # Most invoices leave the same day; some wait for the accountant's next round.
        story.at(
            add_business_days(day, 0 if story.rng.random() < 0.8 else 1),
            self.issue,
            invoice,
            state.customer,
            shipment,
            behaviour,
        )

    def issue(
        self, day, invoice, customer: StoryCustomer, shipment: Shipment | None = None, behaviour=None
    ) -> None:
        story = self.story
        rng = story.rng
        invoice = issue_invoice(invoice, by=story.users["compta"], date=day)
        story.counts["factures émises"] += 1
        if invoice.deposits_deducted > 0:
            story.counts["acomptes déduits"] += 1
        story.issued += 1
        story.due[invoice.pk] = invoice.amount_payable
        story.invoices.append((day, invoice, customer))
        if shipment is not None:
            shipment.invoice, shipment.issued = invoice, True
            story.shipments.append(shipment)
        self._deduct_credits(day, invoice, customer)
        # The first two invoices show the two happy-and-less-happy cases even in a tiny demo.
        if behaviour is None and story.issued == 1:
            behaviour = "early"
        elif behaviour is None and story.issued == 2:
            behaviour = "partial"
        elif behaviour is None:
            weights = PAYERS[customer.payer]
            behaviour = rng.choices(list(weights), weights=list(weights.values()))[0]
        total, due = invoice.amount_payable, invoice.due_date
        if behaviour == "early":
            story.at(add_business_days(day, rng.randint(4, 12)), self.pay, invoice, customer, total)
        elif behaviour == "on_time":
            pay_day = max(due - datetime.timedelta(days=rng.randint(0, 7)), day + datetime.timedelta(days=3))
            story.at(add_business_days(pay_day, 0), self.pay, invoice, customer, total)
        elif behaviour == "late":
            story.at(add_business_days(due, rng.randint(6, 40)), self.pay, invoice, customer, total)
        elif behaviour in ("partial", "in_two_goes"):
            first = scaled(total, rng, 0.3, 0.7)
            first_day = min(add_business_days(day, rng.randint(6, 18)), add_business_days(due, 0))
            story.at(first_day, self.pay, invoice, customer, first)
            if behaviour == "in_two_goes":
                story.at(
                    add_business_days(first_day, rng.randint(5, 15)),
                    self.pay,
                    invoice,
                    customer,
                    total - first,
                )
            elif rng.random() < 0.5:
                story.at(
                    add_business_days(due, rng.randint(15, 50)), self.pay, invoice, customer, total - first
                )

    def _deduct_credits(self, day, invoice, customer: StoryCustomer) -> None:
        """Credit notes waiting on the customer's account are deducted from their next invoice."""
        story = self.story
        waiting = story.credits.get(customer.obj.pk)
        while waiting and story.due[invoice.pk] > 0:
            note = waiting[0]
            applied = apply_credit_note(note, invoice, by=story.users["compta"], date=day)
            story.due[invoice.pk] -= applied.amount
            story.applied_elsewhere.add(note.pk)
            if credit_available_used(note) >= note.total:
                waiting.pop(0)

    def credit_settled(self, day, note, customer: StoryCustomer, *, refund: bool = False) -> None:
        """A credit note a return case issued: the service deducted it from its invoice when that was
        still unpaid; what is left is paid back (`refund`) or waits for the customer's next invoice."""
        story = self.story
        story.counts["avoirs"] += 1
        story.corrected.add(note.corrects_id)
        if note.corrects_id in story.due:
            state = payment_view.invoice_payment_state(note.corrects)
            story.due[note.corrects_id] = state.balance_due
        if credit_available_used(note) >= note.total:
            return
        if refund:
            story.at(add_business_days(day, story.rng.randint(2, 5)), self._refund, note, customer)
            return
        story.credits[customer.obj.pk].append(note)
        # Deducted from an invoice of theirs still unpaid, else from the next one.
        for _, invoice, owner in story.invoices:
            if owner is customer and invoice.pk != note.corrects_id and story.due.get(invoice.pk, 0) > 0:
                self._deduct_credits(day, invoice, customer)

    def _refund(self, day, note, customer: StoryCustomer) -> None:
        story = self.story
        reference = f"VIR REMBOURSEMENT {customer.obj.name[:20].upper()} {note.number}"
        try:
            refund_credit_note(
                note, by=story.users["compta"], method="transfer", date=day, reference=reference
            )
        except DomainError as refused:
            if refused.code != "refund_approval_required":
                raise
            # Four eyes: above the refund threshold, accounting asks and direction approves the payment.
            request = request_refund(note, by=story.users["compta"], method="transfer", reference=reference)
            approve_refund(request, by=story.users["direction"], date=day)
        story.counts["remboursements"] += 1

    def pay(self, day, invoice, customer: StoryCustomer, amount: Decimal) -> None:
        # Credit notes may have lowered what the customer owes since the payment was planned.
        story = self.story
        amount = min(amount, story.due.get(invoice.pk, amount))
        if amount <= 0:
            return
        rng = story.rng
        method = rng.choices(["transfer", "cheque", "card"], weights=[75, 20, 5])[0]
        reference = {
            "transfer": f"VIR {customer.obj.name[:20].upper()} {invoice.number}",
            "cheque": f"Chèque n° {rng.randint(1000000, 9999999)}",
            "card": f"CB {rng.randint(100000, 999999)}",
        }[method]
        register_payment(
            customer.obj,
            by=story.users["compta"],
            amount=amount,
            method=method,
            date=day,
            reference=reference,
            allocations=[{"invoice": invoice.pk, "amount": amount}],
        )
        story.due[invoice.pk] = story.due.get(invoice.pk, amount) - amount
        story.counts["règlements"] += 1
