"""Property test: random return scenarios never lose stock, unbalance the books or over-settle a claim.

Hypothesis drives the real services — sales (order, delivery, invoice), declarations, decisions, goods
received back with random dispositions, credit notes, replacements, re-invoices, refusals, closings — in
random order with random quantities. A refused action (DomainError) is a legitimate outcome and must leave
everything as it was; after every step the invariants below hold.
"""

from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from comptoir.accounting.models import EntryLine, JournalEntry
from comptoir.billing.models import Invoice, InvoiceLine
from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core.errors import DomainError
from comptoir.core.testing import colleague_of, make_customer, make_product
from comptoir.returns.models import (
    Reason,
    Resolution,
    ResolutionLine,
    ReturnCase,
    ReturnLine,
    ReturnReceiptLine,
)
from comptoir.returns.services import (
    approve_case,
    close_case,
    open_case,
    receive_goods,
    refuse,
    reject_case,
    resolve_with_credit_note,
    resolve_with_reinvoice,
    resolve_with_replacement,
    submit_case,
)
from comptoir.sales.models import OrderLine
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock.models import Delivery, DeliveryLine, StockLevel, StockMove
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

ZERO = Decimal("0")
quantities = st.integers(min_value=1, max_value=6).map(Decimal)
picks = st.integers(0, 100)
GOODS_BACK = {Reason.DAMAGED, Reason.WRONG_REFERENCE, Reason.QUALITY}


def _sum(qs, field):
    return qs.aggregate(s=Sum(field))["s"] or ZERO


class ReturnScenarios(RuleBasedStateMachine):
    def __init__(self, boss, customers, products):
        super().__init__()
        self.boss, self.customers, self.products = boss, customers, products
        self.deliveries: list[Delivery] = []
        self.cases: list[ReturnCase] = []
        self._atomic = transaction.atomic()
        self._atomic.__enter__()

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _try(self, action, *args, **kwargs):
        try:
            with transaction.atomic():
                return action(*args, **kwargs)
        except DomainError:
            return None

    def _case(self, pick):
        return ReturnCase.objects.get(pk=self.cases[pick % len(self.cases)].pk)

    @initialize(qty=quantities, invoiced=st.booleans())
    def a_first_sale(self, qty, invoiced):
        for product in self.products:
            receive_stock(
                [{"product": product, "quantity": "40", "unit_cost": product.purchase_cost}], by=self.boss
            )
        self.sell(0, 0, qty, invoiced, "0")
        self.sell(1, 1, qty, not invoiced, "12.5")

    @rule(product=picks, qty=quantities, cost=st.sampled_from(["35.50", "70", "91.25"]))
    def receive(self, product, qty, cost):
        receive_stock(
            [
                {
                    "product": self.products[product % len(self.products)],
                    "quantity": qty * 3,
                    "unit_cost": cost,
                }
            ],
            by=self.boss,
        )

    @rule(
        customer=picks,
        product=picks,
        qty=quantities,
        invoiced=st.booleans(),
        discount=st.sampled_from(["0", "12.5"]),
    )
    def sell(self, customer, product, qty, invoiced, discount):
        order = create_order(
            self.customers[customer % len(self.customers)],
            [
                {
                    "product": self.products[product % len(self.products)],
                    "quantity": qty,
                    "discount_percent": discount,
                }
            ],
            by=self.boss,
        )
        confirm_order(order, by=self.boss)
        delivery = self._try(create_delivery, order, by=self.boss)
        if delivery is None or self._try(validate_delivery, delivery, by=self.boss) is None:
            return
        self.deliveries.append(delivery)
        if invoiced:
            draft = self._try(create_invoice_from_order, order, by=self.boss)
            if draft is not None:
                issue_invoice(draft, by=self.boss)

    @precondition(lambda self: self.deliveries)
    @rule(
        pick=picks,
        qty=quantities,
        reason=st.sampled_from(Reason.values),
        then=st.sampled_from(["keep as draft", "approve", "approve", "approve", "reject"]),
    )
    def declare(self, pick, qty, reason, then):
        delivery = self.deliveries[pick % len(self.deliveries)]
        line = delivery.lines.first()
        case = self._try(
            open_case, delivery, [{"delivery_line": line, "quantity": qty}], by=self.boss, reason=reason
        )
        if case is not None:
            self.cases.append(case)
            if then != "keep as draft":
                self.decide(len(self.cases) - 1, then)

    @precondition(lambda self: self.cases)
    @rule(pick=picks, verdict=st.sampled_from(["approve", "approve", "reject"]))
    def decide(self, pick, verdict):
        case = self._case(pick)
        if case.status == "draft":
            self._try(submit_case, case, by=self.boss)
        if verdict == "approve":
            self._try(approve_case, case, by=colleague_of(self.boss))  # four eyes
        else:
            self._try(reject_case, case, by=self.boss, reason="non fondé")

    @precondition(lambda self: self.cases)
    @rule(
        pick=picks,
        qty=quantities,
        disposition=st.sampled_from(["back_to_stock", "back_to_stock", "scrap", "repair"]),
    )
    def receive_back(self, pick, qty, disposition):
        case = self._case(pick)
        self._try(
            receive_goods,
            case,
            [{"line": case.lines.first(), "quantity": qty, "disposition": disposition}],
            by=self.boss,
        )

    @precondition(lambda self: self.cases)
    @rule(pick=picks, how=st.sampled_from(["all", "one", "price", "price on all", "amount"]))
    def credit(self, pick, how):
        case = self._case(pick)
        line = case.lines.first()
        if how == "all":
            self._try(resolve_with_credit_note, case, by=self.boss)
        elif how == "one":
            self._try(resolve_with_credit_note, case, [{"line": line, "quantity": "1"}], by=self.boss)
        elif how == "price":
            self._try(
                resolve_with_credit_note,
                case,
                [{"line": line, "quantity": "1", "unit_price": "3.33"}],
                by=self.boss,
            )
        elif how == "price on all":
            self._try(
                resolve_with_credit_note,
                case,
                [{"line": line, "quantity": line.quantity, "unit_price": "17.5"}],
                by=self.boss,
            )
        else:
            self._try(resolve_with_credit_note, case, amount="7.77", by=self.boss)

    @precondition(lambda self: self.cases)
    @rule(pick=picks, qty=quantities)
    def replace(self, pick, qty):
        case = self._case(pick)
        self._try(
            resolve_with_replacement, case, [{"line": case.lines.first(), "quantity": qty}], by=self.boss
        )

    @precondition(lambda self: self.cases)
    @rule(pick=picks)
    def reinvoice(self, pick):
        resolution = self._try(resolve_with_reinvoice, self._case(pick), by=self.boss)
        if resolution is not None:
            issue_invoice(resolution.invoice, by=self.boss)

    @precondition(lambda self: self.cases)
    @rule(pick=picks, then_close=st.booleans())
    def finish(self, pick, then_close):
        case = self._case(pick)
        if case.status != "resolved":
            self._try(refuse, case, by=self.boss, reason="clos sans suite")
        if then_close:
            self._try(close_case, case, by=self.boss)

    # --- Invariants ---

    @invariant()
    def stock_is_conserved(self):
        for level in StockLevel.objects.all():
            assert level.on_hand >= 0
            assert level.on_hand == _sum(StockMove.objects.filter(product_id=level.product_id), "quantity")
        assert _sum(StockMove.objects.filter(kind="return"), "quantity") == _sum(
            ReturnReceiptLine.objects.filter(disposition="back_to_stock"), "quantity"
        )
        assert -_sum(StockMove.objects.filter(kind="delivery"), "quantity") == _sum(
            DeliveryLine.objects.filter(delivery__status="validated"), "quantity"
        )
        # A surplus the customer keeps leaves the stock when it is re-invoiced, and only then.
        assert -_sum(StockMove.objects.filter(kind="surplus"), "quantity") == _sum(
            ResolutionLine.objects.filter(
                resolution__kind="reinvoice", resolution__case__reason=Reason.SURPLUS
            ),
            "quantity",
        )

    @invariant()
    def the_books_balance(self):
        # Compared in Python: SQLite stores decimals with REAL affinity.
        for d, c in JournalEntry.objects.annotate(d=Sum("lines__debit"), c=Sum("lines__credit")).values_list(
            "d", "c"
        ):
            assert d == c
        assert _sum(EntryLine.objects, "debit") == _sum(EntryLine.objects, "credit")
        issued = Invoice.objects.filter(status=Invoice.Status.ISSUED)
        receivable = EntryLine.objects.filter(account__code="411")
        assert _sum(receivable, "debit") - _sum(receivable, "credit") == _sum(
            issued.exclude(kind=Invoice.Kind.CREDIT_NOTE), "total"
        ) - _sum(issued.filter(kind=Invoice.Kind.CREDIT_NOTE), "total")

    @invariant()
    def nothing_is_credited_beyond_what_was_invoiced(self):
        for line in InvoiceLine.objects.filter(invoice__kind=Invoice.Kind.INVOICE, invoice__status="issued"):
            credited = InvoiceLine.objects.filter(credited_line=line).exclude(invoice__status="cancelled")
            # A price reduction credits an amount and takes no unit back.
            assert _sum(credited.filter(price_reduction=False), "quantity") <= line.quantity
            assert _sum(credited, "net_amount") <= line.net_amount

    @invariant()
    def claims_stay_within_what_was_delivered_and_settled_within_claims(self):
        claimed = defaultdict(lambda: ZERO)
        for line in ReturnLine.objects.select_related("case", "delivery_line"):
            settled = ResolutionLine.objects.filter(return_line=line)
            # Units settled: a credit note's price reduction takes none back.
            done = {
                kind: _sum(
                    settled.filter(resolution__kind=kind).exclude(invoice_line__price_reduction=True),
                    "quantity",
                )
                for kind in Resolution.Kind.values
            }
            received = _sum(ReturnReceiptLine.objects.filter(return_line=line), "quantity")
            assert done["credit_note"] + done["replacement"] <= line.quantity
            assert done["reinvoice"] <= line.quantity
            assert received <= line.quantity
            assert _sum(settled.filter(resolution__kind="credit_note"), "amount") <= line.net_amount
            if line.case.reason == Reason.SURPLUS:
                assert done["reinvoice"] + received <= line.quantity
            if line.case.reason in GOODS_BACK:
                assert done["credit_note"] <= received
            was_rejected = line.case.status == "rejected" or (
                line.case.status == "closed" and line.case.resolved_at is None
            )
            if not was_rejected and line.case.reason != Reason.SURPLUS:
                refused = line.case.resolutions.filter(kind="refusal").exists()
                claimed[line.delivery_line_id] += (
                    done["credit_note"] + done["replacement"] if refused else line.quantity
                )
            if line.case.status in ("approved", "rejected"):
                assert line.case.decided_at is not None
        for delivery_line_id, qty in claimed.items():
            assert qty <= DeliveryLine.objects.get(pk=delivery_line_id).quantity

    @invariant()
    def replacements_never_count_as_ordered_deliveries(self):
        for line in OrderLine.objects.all():
            sold = DeliveryLine.objects.filter(
                order_line=line, delivery__status="validated", delivery__kind="sale"
            )
            assert line.quantity_delivered == _sum(sold, "quantity") <= line.quantity
        for delivery in Delivery.objects.filter(kind=Delivery.Kind.REPLACEMENT):
            assert delivery.invoicing_blocked
            assert not InvoiceLine.objects.filter(delivery_line__delivery=delivery).exists()


@pytest.mark.django_db
def test_random_return_scenarios_keep_stock_conserved_and_books_balanced(boss, company):
    customers = [make_customer(boss), make_customer(boss)]
    products = [
        make_product(boss, sale_price="120", purchase_cost="70"),
        make_product(boss, sale_price="19.99", purchase_cost="8.40", vat_rate="5.5"),
    ]
    run_state_machine_as_test(
        lambda: ReturnScenarios(boss, customers, products),
        settings=settings(
            max_examples=30,
            stateful_step_count=30,
            deadline=None,
            phases=[Phase.explicit, Phase.reuse, Phase.generate],
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
