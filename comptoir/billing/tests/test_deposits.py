"""Billing schedules, deposit invoices (386) and the invoices that deduct them."""

from decimal import Decimal

import pytest

from comptoir.accounting import selectors as ledger_view
from comptoir.billing import einvoicing, schedule
from comptoir.billing.models import Invoice
from comptoir.billing.selectors import DRAFTED, INVOICED, PLANNED, REACHED, order_billing_status
from comptoir.billing.services import (
    cancel_draft_invoice,
    create_credit_note,
    create_invoice_from_order,
    create_milestone_invoice,
    invoiceable_lines,
    issue_invoice,
)
from comptoir.core.errors import DomainError
from comptoir.core.models import AuditEvent
from comptoir.core.testing import make_product
from comptoir.einvoice.cii import amounts_from_cii
from comptoir.einvoice.validate import read_back, validate_many, validate_ubl_many
from comptoir.parties.services import configure_company
from comptoir.payments import selectors as payment_view
from comptoir.payments.services import register_payment
from comptoir.sales.models import BillingMilestone
from comptoir.sales.services import confirm_order, create_order, mark_milestone_reached, set_billing_schedule
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

D = Decimal
DEPOSIT_30 = {
    "label": "Acompte à la commande",
    "trigger": "confirmation",
    "percent": "30",
    "is_deposit": True,
}


def _balance(code: str) -> Decimal:
    row = ledger_view.trial_balance().by_code().get(code)
    return row.balance if row else D("0")


def _order(boss, customer, lines, steps=(), *, confirm=True):
    order = create_order(customer, lines, by=boss)
    if steps:
        set_billing_schedule(order, list(steps), by=boss)
    if confirm:
        confirm_order(order, by=boss)
    return order


def _deliver(boss, order, lines=None):
    return validate_delivery(create_delivery(order, lines, by=boss), by=boss)


def _issue(boss, draft):
    return issue_invoice(draft, by=boss)


def _pay(boss, invoice, amount):
    return register_payment(
        invoice.customer,
        amount=amount,
        method="transfer",
        allocations=[{"invoice": invoice, "amount": amount}],
        by=boss,
    )


def _refusal(call, *args, **kwargs) -> str:
    with pytest.raises(DomainError) as exc:
        call(*args, **kwargs)
    return exc.value.code


@pytest.fixture
def stocked(boss, product):
    receive_stock([{"product": product, "quantity": "100", "unit_cost": "70"}], by=boss)
    return product


@pytest.fixture
def book(boss):
    book = make_product(boss, sku="LIV-1", name="Guide de l'outillage", sale_price="19.99", vat_rate="5.5")
    receive_stock([{"product": book, "quantity": "100", "unit_cost": "5"}], by=boss)
    return book


# --- The arithmetic, without a database ---------------------------------------------------------


def test_a_pro_rata_split_adds_up_exactly_and_the_last_share_takes_the_remainder():
    shares = schedule.split_pro_rata(
        D("100.00"), [("a", D("1")), ("b", D("1")), ("c", D("1")), ("d", D("0"))]
    )
    assert shares == [("a", D("33.33")), ("b", D("33.33")), ("c", D("33.34"))]


def test_an_invoice_deducts_at_most_what_it_bills_in_a_vat_group_and_what_is_left_of_a_deposit():
    key, other = (D("20.00"), "S"), (D("5.50"), "S")
    left = [
        schedule.DepositLeft(1, key, D("300.00"), D("60.00")),
        schedule.DepositLeft(2, key, D("100.00"), D("20.00")),
        schedule.DepositLeft(1, other, D("50.00"), D("2.75")),
    ]
    deductions = schedule.allocate_deductions({key: (D("350.00"), D("70.00"))}, left)
    # The first deposit whole, the second in part with its VAT pro rata; nothing in a group not billed
    assert deductions == [
        schedule.Deduction(1, key, D("300.00"), D("60.00")),
        schedule.Deduction(2, key, D("50.00"), D("10.00")),
    ]


def test_the_balance_keeps_only_its_own_vat_pending_and_a_deposit_vat_waits_as_far_as_not_cashed():
    # 90 of the 330 VAT is on services; the 99 of deposit VAT is not this invoice's to collect
    assert schedule.pending_after_deposits(D("330.00"), D("90.00"), D("99.00")) == D("63.00")
    assert schedule.pending_after_deposits(D("330.00"), D("0"), D("99.00")) == D("0")
    # A deposit of 360 goods + 135 services: (goods, services) of its 99 of VAT still waiting
    goods, services = D("360") / D("495"), D("135") / D("495")
    assert schedule.deposit_vat_waiting(D("99.00"), goods, services, D("99.00"), D("99.00")) == (
        D("72.00"),
        D("27.00"),
    )
    assert schedule.deposit_vat_waiting(D("99.00"), goods, services, D("49.50"), D("99.00")) == (
        D("36.00"),
        D("13.50"),
    )
    assert schedule.deposit_vat_waiting(D("99.00"), goods, services, D("0"), D("99.00")) == (D("0"), D("0"))


# --- Setting the schedule -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("steps", "code"),
    [
        (
            [
                {"label": "A", "trigger": "confirmation", "percent": "60", "is_deposit": True},
                {"label": "B", "trigger": "manual", "percent": "50", "is_deposit": True},
            ],
            "schedule_percent_over_100",
        ),
        (
            [
                {"label": "A", "trigger": "confirmation", "percent": "50", "is_deposit": True},
                {"label": "B", "trigger": "manual", "amount": "1000", "is_deposit": True},
            ],
            "schedule_exceeds_order",
        ),
        (
            [
                {"label": "A", "trigger": "confirmation", "percent": "30"},
                {"label": "B", "trigger": "acceptance", "percent": "50"},
            ],
            "schedule_incomplete",
        ),
        (
            [{"label": "A", "trigger": "confirmation", "percent": "30", "amount": "100"}],
            "milestone_percent_xor_amount",
        ),
        ([{"label": "A", "trigger": "confirmation"}], "milestone_percent_xor_amount"),
        ([{"label": "A", "trigger": "confirmation", "percent": "0"}], "milestone_percent_out_of_range"),
        (
            [{"label": "A", "trigger": "confirmation", "amount": "-5", "is_deposit": True}],
            "milestone_amount_not_positive",
        ),
        ([{"label": "A", "trigger": "demain", "percent": "100"}], "milestone_trigger_invalid"),
        ([{"label": " ", "trigger": "manual", "percent": "100"}], "milestone_label_missing"),
        (
            [{"label": "A", "trigger": "delivery", "percent": "30", "is_deposit": True}],
            "deposit_trigger_after_delivery",
        ),
        ([{"label": "A", "trigger": "confirmation", "percent": "x", "is_deposit": True}], "invalid_number"),
    ],
)
def test_a_schedule_that_does_not_fit_the_order_is_refused(boss, customer, stocked, steps, code):
    order = _order(boss, customer, [{"product": stocked, "quantity": "10"}], confirm=False)  # 1 200 € HT
    assert _refusal(set_billing_schedule, order, steps, by=boss) == code
    assert not order.milestones.exists()


@pytest.mark.django_db
def test_a_delivery_step_needs_goods_to_deliver(boss, customer, service_product):
    order = _order(boss, customer, [{"product": service_product, "quantity": "2"}], confirm=False)
    steps = [{"label": "Livraison", "trigger": "delivery", "percent": "100"}]
    assert _refusal(set_billing_schedule, order, steps, by=boss) == "delivery_milestone_without_goods"


@pytest.mark.django_db
def test_a_schedule_is_audited_and_its_confirmation_steps_are_reached_when_the_order_is_confirmed(
    boss, customer, stocked
):
    order = _order(boss, customer, [{"product": stocked, "quantity": "10"}], [DEPOSIT_30], confirm=False)
    step = order.milestones.get()
    assert (step.percent, step.is_deposit, step.reached_at) == (D("30.00"), True, None)
    assert AuditEvent.objects.filter(action="order.billing_schedule_set").count() == 1
    confirm_order(order, by=boss)
    step.refresh_from_db()
    assert step.reached_at is not None


@pytest.mark.django_db
def test_the_schedule_cannot_change_once_something_is_invoiced(boss, company, customer, stocked):
    order = _order(boss, customer, [{"product": stocked, "quantity": "10"}], [DEPOSIT_30])
    draft = create_milestone_invoice(order.milestones.get(), by=boss)
    assert _refusal(set_billing_schedule, order, [], by=boss) == "schedule_order_invoiced"
    # A cancelled draft does not count, and lets go of the step it billed
    cancel_draft_invoice(draft, by=boss)
    set_billing_schedule(order, [{**DEPOSIT_30, "percent": "40"}], by=boss)
    assert order.milestones.get().percent == D("40.00")


@pytest.mark.django_db
def test_only_acceptance_and_manual_steps_are_marked_reached_by_hand_and_only_once(boss, customer, stocked):
    order = _order(
        boss,
        customer,
        [{"product": stocked, "quantity": "10"}],
        [
            {"label": "Commande", "trigger": "confirmation", "percent": "30"},
            {"label": "Livraison", "trigger": "delivery", "percent": "40"},
            {"label": "Réception", "trigger": "acceptance", "percent": "30"},
        ],
    )
    at_order, on_delivery, on_acceptance = order.milestones.all()
    assert _refusal(mark_milestone_reached, at_order, by=boss) == "milestone_reached_automatically"
    assert _refusal(mark_milestone_reached, on_delivery, by=boss) == "milestone_reached_automatically"
    mark_milestone_reached(on_acceptance, by=boss)
    assert _refusal(mark_milestone_reached, on_acceptance, by=boss) == "milestone_already_reached"


# --- Invoicing the steps ------------------------------------------------------------------------


@pytest.mark.django_db
def test_milestones_of_30_40_30_make_three_invoices_that_add_up_to_the_order(
    boss, company, customer, stocked, book, service_product
):
    # Three VAT groups (goods 20 %, books 5.5 %, services 20 %) and amounts that do not split evenly
    order = _order(
        boss,
        customer,
        [
            {"product": stocked, "quantity": "7", "discount_percent": "3.5"},
            {"product": book, "quantity": "13"},
            {"product": service_product, "quantity": "1", "unit_price": "333.33"},
        ],
        [
            {"label": "Commande", "trigger": "confirmation", "percent": "30"},
            {"label": "Livraison", "trigger": "delivery", "percent": "40"},
            {"label": "Réception", "trigger": "acceptance", "percent": "30"},
        ],
    )
    at_order, on_delivery, on_acceptance = order.milestones.all()
    # The order is billed by its schedule, not by quantities
    assert invoiceable_lines(order) == []
    assert _refusal(create_invoice_from_order, order, by=boss) == "order_billed_by_schedule"
    # A step is invoiced only once reached
    assert _refusal(create_milestone_invoice, on_delivery, by=boss) == "milestone_not_delivered"
    assert _refusal(create_milestone_invoice, on_acceptance, by=boss) == "milestone_not_reached"

    first = _issue(boss, create_milestone_invoice(at_order, by=boss))
    _deliver(boss, order)
    second = _issue(boss, create_milestone_invoice(on_delivery, by=boss))
    mark_milestone_reached(on_acceptance, by=boss)
    third = _issue(boss, create_milestone_invoice(on_acceptance, by=boss))

    invoices = [first, second, third]
    assert {(inv.kind, Invoice.TYPE_CODES[inv.kind]) for inv in invoices} == {(Invoice.Kind.INVOICE, "380")}
    assert first.total_untaxed == (order.total_untaxed * D("0.3")).quantize(D("0.01"))
    assert first.lines.first().description.startswith(
        f"Échéance « Commande » (30\u00a0%) sur la commande {order.number}"
    )
    assert sum(inv.total_untaxed for inv in invoices) == order.total_untaxed
    # VAT is rounded once per invoice and rate (BR-CO-17), so the VAT of three invoices may differ from
    # the order's by a cent or two; the amounts excl. VAT, which the schedule splits, add up exactly.
    assert abs(sum(inv.total for inv in invoices) - order.total) <= D("0.02")
    # Each VAT group is billed exactly, on the right revenue account
    for rate in (D("20.00"), D("5.50")):
        ordered = sum(line.net_amount for line in order.lines.filter(vat_rate=rate))
        assert sum(line.net_amount for inv in invoices for line in inv.lines.filter(vat_rate=rate)) == ordered
    assert _balance("706") == -D("333.33") and _balance("707") == -(order.total_untaxed - D("333.33"))
    assert second.delivery_date is not None
    status = order_billing_status(order)
    assert (status.remaining_untaxed, status.billed_by_schedule) == (D("0.00"), True)
    assert [m.state for m in status.milestones] == [INVOICED, INVOICED, INVOICED]
    reports = validate_many([einvoicing.cii_xml(inv) for inv in invoices])
    assert [[str(f) for f in r.errors] for r in reports] == [[], [], []]


@pytest.mark.django_db
def test_a_deposit_cannot_be_invoiced_twice(boss, company, customer, stocked):
    order = _order(boss, customer, [{"product": stocked, "quantity": "10"}], [DEPOSIT_30])
    step = order.milestones.get()
    draft = create_milestone_invoice(step, by=boss)
    assert _refusal(create_milestone_invoice, step, by=boss) == "milestone_already_invoiced"
    _issue(boss, draft)
    assert _refusal(create_milestone_invoice, step, by=boss) == "milestone_already_invoiced"
    assert Invoice.objects.filter(milestone=step).count() == 1


@pytest.mark.django_db
def test_the_milestone_states_follow_the_order(boss, company, customer, stocked):
    order = _order(
        boss,
        customer,
        [{"product": stocked, "quantity": "10"}],
        [
            DEPOSIT_30,
            {"label": "Solde sur décision", "trigger": "manual", "amount": "100", "is_deposit": True},
        ],
    )
    assert [m.state for m in order_billing_status(order).milestones] == [REACHED, PLANNED]
    create_milestone_invoice(order.milestones.first(), by=boss)
    status = order_billing_status(order)
    assert [m.state for m in status.milestones] == [DRAFTED, PLANNED]
    assert [m.amount_untaxed for m in status.milestones] == [D("360.00"), D("100")]


@pytest.mark.django_db
def test_a_deposit_is_deducted_once_across_partial_invoices(boss, company, customer, stocked):
    order = _order(boss, customer, [{"product": stocked, "quantity": "10"}], [DEPOSIT_30])  # 1 200 € HT
    deposit = _issue(boss, create_milestone_invoice(order.milestones.get(), by=boss))  # 360 + 72
    line = order.lines.get()

    # 2 drills (240 € HT) delivered: the invoice deducts as much of the deposit as it bills, and is due 0
    _deliver(boss, order, [{"order_line": line, "quantity": "2"}])
    first = _issue(boss, create_invoice_from_order(order, by=boss))
    assert (first.total, first.deposits_deducted, first.amount_payable) == (
        D("288.00"),
        D("288.00"),
        D("0.00"),
    )
    # The rest is deducted by the next invoice, never more than the deposit
    _deliver(boss, order)
    second = _issue(boss, create_invoice_from_order(order, by=boss))
    assert (second.total, second.deposits_deducted) == (D("1152.00"), D("144.00"))
    assert first.deposits_deducted + second.deposits_deducted == deposit.total
    assert _balance("4191") == D("0.00")
    # What the customer owes in all: the order total
    assert deposit.total + first.amount_payable + second.amount_payable == order.total
    assert _refusal(_pay, boss, second, "1008.01") == "allocation_exceeds_balance"
    assert payment_view.invoice_payment_state(first).status == payment_view.PAID
    # A deducted deposit is corrected through the invoice that deducts it, not by a credit note of its own
    code = _refusal(
        create_credit_note,
        deposit,
        [{"invoice_line": deposit.lines.get(), "quantity": "1"}],
        by=boss,
        reason="Annulation",
        source_reference="RET-2026-00001",
    )
    assert code == "deposit_already_deducted"
    reports = validate_many([einvoicing.cii_xml(first), einvoicing.cii_xml(second)])
    assert [[str(f) for f in r.errors] for r in reports] == [[], []]


@pytest.mark.django_db
def test_a_deposit_too_big_for_what_remains_to_invoice_is_refused(boss, company, customer, stocked):
    order = _order(
        boss,
        customer,
        [{"product": stocked, "quantity": "10"}],
        [
            DEPOSIT_30,
            {"label": "Complément", "trigger": "manual", "percent": "20", "is_deposit": True},
        ],
    )
    first, extra = order.milestones.all()
    _issue(boss, create_milestone_invoice(first, by=boss))
    _deliver(boss, order)
    _issue(boss, create_invoice_from_order(order, by=boss))
    mark_milestone_reached(extra, by=boss)
    assert _refusal(create_milestone_invoice, extra, by=boss) == "deposit_exceeds_remaining"


@pytest.mark.django_db
def test_an_ordinary_step_deducts_the_deposit_and_bills_its_share(boss, company, customer, stocked):
    order = _order(
        boss,
        customer,
        [{"product": stocked, "quantity": "10"}],
        [
            DEPOSIT_30,
            {"label": "Réception", "trigger": "acceptance", "percent": "70"},
        ],
    )
    deposit_step, acceptance = order.milestones.all()
    deposit = _issue(boss, create_milestone_invoice(deposit_step, by=boss))
    mark_milestone_reached(acceptance, by=boss)
    final = _issue(boss, create_milestone_invoice(acceptance, by=boss))
    # 70 % of 1 200 + the 360 of the deposit taken back: the whole order, the deposit deducted
    assert [line.net_amount for line in final.lines.all()] == [D("840.00"), D("360.00")]
    assert (final.total, final.deposits_deducted, final.amount_payable) == (
        D("1440.00"),
        D("432.00"),
        D("1008.00"),
    )
    assert _balance("4191") == D("0.00") and _balance("707") == D("-1200.00")
    # Once all is invoiced, no deposit can come any more
    assert order_billing_status(order).remaining_untaxed == D("0.00")
    assert _refusal(create_milestone_invoice, deposit_step, by=boss) == "milestone_already_invoiced"
    assert amounts_from_cii(einvoicing.cii_xml(final))["BT-115"] == D("1008.00")
    assert deposit.deducted_in.get().invoice == final


@pytest.mark.django_db
def test_delivery_makes_the_goods_vat_of_an_unpaid_deposit_due_and_only_its_services_vat_waits(
    boss, company, customer, stocked, service_product
):
    order = _order(
        boss,
        customer,
        [{"product": stocked, "quantity": "10"}, {"product": service_product, "quantity": "1"}],
        [DEPOSIT_30],
    )
    # 495 + 99 of VAT (72 on the goods, 27 on the services), not paid: all of it waits in 44574
    deposit = _issue(boss, create_milestone_invoice(order.milestones.get(), by=boss))
    assert (_balance("44571"), _balance("44574")) == (D("0.00"), D("-99.00"))
    _deliver(boss, order)
    final = _issue(boss, create_invoice_from_order(order, by=boss))
    # Delivery makes the whole VAT of the goods due (CGI art. 269-2-a), the deposit's share included:
    # 240 on 44571. Only services wait for the cash: the deposit's 27 and the balance's 63 (90 − 27).
    assert (_balance("44571"), _balance("44574"), _balance("4191")) == (D("-240.00"), D("-90.00"), D("0.00"))
    vat_lines = final.entry.lines.filter(account__code__in=["44571", "44574"])
    assert sorted((ln.account.code, ln.debit, ln.credit) for ln in vat_lines) == [
        ("44571", D("0"), D("240.00")),
        ("44574", D("0"), D("90.00")),
        ("44574", D("99.00"), D("0")),  # the deposit's VAT taken back where it sat
    ]
    assert final.deposit_deductions.get().vat_due_at_delivery == D("72.00")
    # Cashing half of the deposit releases half of what still waits on it (its services VAT), not more
    _pay(boss, deposit, "297.00")
    assert (_balance("44571"), _balance("44574")) == (D("-253.50"), D("-76.50"))
    _pay(boss, final, str(final.amount_payable))
    _pay(boss, deposit, "297.00")
    assert (_balance("44571"), _balance("44574"), _balance("411")) == (D("-330.00"), D("0.00"), D("0.00"))
    assert all(line.letter for line in ledger_view.customer_statement(customer).lines)


@pytest.mark.django_db
def test_a_deposit_partly_cashed_before_delivery_makes_the_goods_share_of_the_rest_due(
    boss, company, customer, stocked, service_product
):
    order = _order(
        boss,
        customer,
        [{"product": stocked, "quantity": "10"}, {"product": service_product, "quantity": "1"}],
        [DEPOSIT_30],
    )
    deposit = _issue(boss, create_milestone_invoice(order.milestones.get(), by=boss))
    _pay(boss, deposit, "297.00")  # half cashed: 49.50 of its VAT due, 49.50 waits
    _deliver(boss, order)
    final = _issue(boss, create_invoice_from_order(order, by=boss))
    # Of the 49.50 still waiting, the goods share (36) falls due at delivery; 13.50 of services waits,
    # with the balance's own 63
    assert (_balance("44571"), _balance("44574")) == (D("-253.50"), D("-76.50"))
    assert final.deposit_deductions.get().vat_due_at_delivery == D("36.00")
    _pay(boss, deposit, "297.00")
    _pay(boss, final, str(final.amount_payable))
    assert (_balance("44571"), _balance("44574")) == (D("-330.00"), D("0.00"))


@pytest.mark.django_db
def test_a_company_opting_for_debits_owes_the_service_vat_of_a_deposit_at_once(
    boss, admin_user, company, customer, stocked, service_product
):
    configure_company(by=admin_user, vat_on_debits=True)
    order = _order(
        boss,
        customer,
        [{"product": stocked, "quantity": "10"}, {"product": service_product, "quantity": "1"}],
        [DEPOSIT_30],
    )
    _issue(boss, create_milestone_invoice(order.milestones.get(), by=boss))  # goods 360, services 135
    assert (_balance("44571"), _balance("44574")) == (D("-27.00"), D("-72.00"))


@pytest.mark.django_db
def test_deposit_and_final_invoices_make_valid_factur_x_and_ubl(boss, company, customer, stocked, book):
    order = _order(
        boss,
        customer,
        [{"product": stocked, "quantity": "3"}, {"product": book, "quantity": "7"}],
        [DEPOSIT_30],
    )
    deposit = _issue(boss, create_milestone_invoice(order.milestones.get(), by=boss))
    _pay(boss, deposit, str(deposit.total))
    _deliver(boss, order)
    final = _issue(boss, create_invoice_from_order(order, by=boss))
    assert [t.vat_rate for t in deposit.taxes.all()] == [D("20.00"), D("5.50")]
    documents = [deposit, final]
    reports = validate_many([einvoicing.cii_xml(doc) for doc in documents])
    assert [[str(f) for f in r.errors] for r in reports] == [[], []]
    ubl = validate_ubl_many([einvoicing.ubl_xml(doc) for doc in documents])
    assert [[str(f) for f in r.errors] for r in ubl] == [[], []]
    for doc in documents:
        back = read_back(einvoicing.facturx_pdf(doc))
        amounts = amounts_from_cii(back.xml)
        assert (amounts["BT-112"], amounts["BT-113"], amounts["BT-115"]) == (
            doc.total,
            doc.deposits_deducted,
            doc.total - doc.deposits_deducted,
        )
    assert final.deposits_deducted == deposit.total


@pytest.mark.django_db
def test_a_step_of_a_cancelled_schedule_cannot_be_invoiced_on_an_unconfirmed_order(
    boss, company, customer, stocked
):
    order = _order(boss, customer, [{"product": stocked, "quantity": "10"}], [DEPOSIT_30], confirm=False)
    step = order.milestones.get()
    assert step.trigger == BillingMilestone.Trigger.CONFIRMATION
    assert _refusal(create_milestone_invoice, step, by=boss) == "order_not_confirmed"


def test_an_order_with_an_issued_deposit_cannot_be_cancelled(boss, customer, product, stocked):
    from comptoir.sales.services import cancel_order

    order = _order(boss, customer, [{"product": product, "quantity": "2"}], [DEPOSIT_30])
    step = order.milestones.get()
    deposit = _issue(boss, create_milestone_invoice(step, by=boss))
    # Nothing is delivered and no line counter moved, yet the customer was billed a deposit.
    assert _refusal(cancel_order, order, by=boss) == "order_has_invoices"
    order.refresh_from_db()
    assert order.status == "confirmed"
    assert deposit.order_id == order.pk
