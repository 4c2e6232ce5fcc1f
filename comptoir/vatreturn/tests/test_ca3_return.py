"""The CA3 of a period read from its documents: services taxed on receipts, credit notes, and VAT
that no document explains."""

import datetime
from decimal import Decimal

import pytest

from comptoir.accounting import manual
from comptoir.billing.services import create_credit_note, issue_invoice
from comptoir.core import dates
from comptoir.parties.services import configure_company
from comptoir.payments.services import register_payment
from comptoir.vatreturn import selectors as vat_view
from comptoir.vatreturn.tests.factories import last_month, sale

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture
def month(admin_user, company):
    configure_company(by=admin_user, backdating_days=62)
    return last_month()


def test_a_service_is_declared_in_the_month_it_is_paid_with_the_payment_named(
    boss, customer, service_product, month
):
    start, end = month
    invoice = sale(boss, customer, [{"product": service_product, "quantity": "1"}], start + DAY)
    invoiced_month = vat_view.ca3_return(start, end)
    assert invoiced_month.operations["A1"].base == 0 and invoiced_month.total_gross == 0

    today = dates.today()
    payment = register_payment(
        customer,
        amount=invoice.total,
        method="transfer",
        date=today,
        allocations=[{"invoice": invoice, "amount": invoice.total}],
        by=boss,
    )
    paid_month = vat_view.ca3_return(today.replace(day=1), today)
    (item,) = paid_month.operations["A1"].contributions
    assert (item.document, item.reference, item.base) == (invoice.number, payment.number, Decimal("450.00"))
    (gross,) = paid_month.gross
    assert (gross.code, gross.base, gross.vat) == ("08", Decimal("450.00"), Decimal("90.00"))
    assert not paid_month.gaps


def test_a_credit_note_on_an_unpaid_service_changes_nothing_declared(boss, customer, service_product, month):
    start, end = month
    invoice = sale(boss, customer, [{"product": service_product, "quantity": "1"}], start + DAY)
    issue_invoice(
        create_credit_note(
            invoice,
            [{"invoice_line": invoice.lines.get(), "quantity": "1"}],
            by=boss,
            reason="Prestation annulée",
            gesture_category="prestation annulée",
        ),
        by=boss,
        date=start + 2 * DAY,
    )
    ca3 = vat_view.ca3_return(start, end)
    assert (ca3.operations["A1"].base, ca3.total_gross, ca3.gaps) == (0, 0, {})


def test_vat_keyed_by_hand_on_44571_is_shown_as_a_gap(boss, month):
    start, end = month
    manual.post_manual_entry(
        manual.create_manual_entry(
            by=boss,
            label="Régularisation",
            date=start + DAY,
            document_number="REG-1",
            lines=[{"account": "471", "debit": "20.00"}, {"account": "44571", "credit": "20.00"}],
        ),
        by=boss,
    )
    ca3 = vat_view.ca3_return(start, end)
    assert ca3.gaps  # the ledger has 20.00 no invoice explains
    assert sum(ca3.gaps.values()) == Decimal("20.00")


def test_a_deposit_paid_then_deducted_is_declared_once_and_matches_the_ledger(
    boss, customer, product, service_product
):
    """30 % deposit on drills (1 200.00) and an installation (450.00), paid, then the final invoice
    deducting it, unpaid: the goods' VAT is due in full (the deposit's share when it was cashed, the rest
    at the final invoice), the installation's only for the deposit's share cashed."""
    from comptoir.billing.services import create_invoice_from_order, create_milestone_invoice
    from comptoir.sales.services import confirm_order, create_order, set_billing_schedule
    from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

    today = dates.today()
    receive_stock([{"product": product, "quantity": "10", "unit_cost": "70"}], by=boss)
    order = create_order(
        customer,
        [{"product": product, "quantity": "10"}, {"product": service_product, "quantity": "1"}],
        by=boss,
    )
    (step,) = set_billing_schedule(
        order,
        [{"label": "Acompte", "trigger": "confirmation", "percent": "30", "is_deposit": True}],
        by=boss,
    )
    confirm_order(order, by=boss)
    deposit = issue_invoice(create_milestone_invoice(step, by=boss), by=boss)
    register_payment(
        customer,
        amount=deposit.total,
        method="transfer",
        allocations=[{"invoice": deposit, "amount": deposit.total}],
        by=boss,
    )
    validate_delivery(create_delivery(order, by=boss), by=boss)
    final = issue_invoice(create_invoice_from_order(order, by=boss), by=boss)

    ca3 = vat_view.ca3_return(today, today)

    assert not ca3.gaps
    (gross,) = ca3.gross
    # 1 200.00 of goods (360.00 with the deposit, 840.00 with the final invoice) + 135.00 of the
    # installation's share of the deposit, cashed.
    assert (gross.vat, gross.base) == (Decimal("267.00"), Decimal("1335.00"))
    assert ca3.operations["A1"].base == Decimal("1335.00")
    assert {c.document for c in ca3.operations["A1"].contributions} == {deposit.number, final.number}


def test_an_export_with_a_global_discount_declares_the_discounted_base_on_e1(boss, product, month):
    """A remise globale lowers what the buyer pays, hence the operation declared: E1 takes the invoice's
    base net of it (BT-109), not the sum of its lines."""
    from comptoir.billing.adjusting import add_allowance_charge
    from comptoir.billing.services import create_invoice_from_order
    from comptoir.core.testing import make_customer
    from comptoir.sales.services import confirm_order, create_order
    from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

    start, end = month
    day = start + DAY
    american = make_customer(boss, name="Hardware Inc.", siren="", country="US")
    receive_stock([{"product": product, "quantity": "10", "unit_cost": "70"}], by=boss, date=start)
    order = confirm_order(
        create_order(american, [{"product": product, "quantity": "5"}], by=boss, date=day), by=boss
    )
    validate_delivery(create_delivery(order, by=boss, date=day), by=boss, date=day)
    draft = create_invoice_from_order(order, by=boss)
    add_allowance_charge(draft, by=boss, is_charge=False, percent="10", reason="Remise export")
    invoice = issue_invoice(draft, by=boss, date=day)

    assert invoice.total_untaxed == Decimal("540.00")  # 5 × 120.00, less 10 %
    assert vat_view.ca3_return(start, end).line("E1").base == Decimal("540.00")


def test_the_des_declares_an_eu_service_net_of_its_global_discount(boss, service_product, month):
    from comptoir.billing.adjusting import add_allowance_charge
    from comptoir.billing.services import create_invoice_from_order
    from comptoir.core.testing import make_customer
    from comptoir.sales.services import confirm_order, create_order
    from comptoir.vatreturn.statements import des_rows

    start, end = month
    german = make_customer(boss, name="Werkzeug GmbH", siren="", country="DE", vat_number="DE136695976")
    order = confirm_order(
        create_order(german, [{"product": service_product, "quantity": "2"}], by=boss, date=start + DAY),
        by=boss,
    )
    draft = create_invoice_from_order(order, by=boss)
    add_allowance_charge(draft, by=boss, is_charge=False, amount="100.00", reason="Geste commercial")
    invoice = issue_invoice(draft, by=boss, date=start + DAY)

    (row,) = des_rows(start, end)
    assert row.amount == invoice.total_untaxed == 2 * service_product.sale_price - Decimal("100.00")


def test_line_bases_spread_a_breakdown_base_to_its_lines_to_the_cent():
    from types import SimpleNamespace as Row

    from comptoir.vatreturn.declaration import line_bases

    lines = [
        Row(vat_category="S", vat_rate=Decimal("20"), net_amount=Decimal(n))
        for n in ("10.00", "10.00", "10.00")
    ]
    taxes = [Row(category="S", vat_rate=Decimal("20"), base=Decimal("20.00"))]  # 10.00 off the three lines
    parts = line_bases(lines, taxes)
    assert parts == [Decimal("6.67"), Decimal("6.67"), Decimal("6.66")]
    assert line_bases(lines, []) == [Decimal("10.00")] * 3
