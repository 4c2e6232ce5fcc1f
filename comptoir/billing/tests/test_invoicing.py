import datetime
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from comptoir.accounting.models import EntryLine, JournalEntry
from comptoir.billing.models import Invoice
from comptoir.billing.services import cancel_draft_invoice, create_invoice_from_order, issue_invoice
from comptoir.core.errors import DomainError, PermissionDenied
from comptoir.core.models import ImmutableError, NumberSequence
from comptoir.core.permissions import Role
from comptoir.core.testing import make_product, make_user
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered_order(boss, customer, product):
    receive_stock([{"product": product, "quantity": "100", "unit_cost": "70"}], by=boss)
    order = confirm_order(create_order(customer, [{"product": product, "quantity": "10"}], by=boss), by=boss)
    validate_delivery(
        create_delivery(order, [{"order_line": order.lines.get(), "quantity": "7"}], by=boss), by=boss
    )
    return order


def test_a_draft_invoice_bills_what_was_delivered_and_not_yet_invoiced(boss, delivered_order):
    invoice = create_invoice_from_order(delivered_order, by=boss)
    line = invoice.lines.get()
    assert (line.quantity, line.net_amount) == (Decimal("7.000"), Decimal("840.00"))
    assert invoice.number is None and invoice.status == Invoice.Status.DRAFT
    with pytest.raises(DomainError) as exc:
        create_invoice_from_order(delivered_order, by=boss)
    assert exc.value.code == "nothing_to_invoice"


def test_a_cancelled_draft_frees_its_quantities(boss, delivered_order):
    cancel_draft_invoice(create_invoice_from_order(delivered_order, by=boss), by=boss)
    assert create_invoice_from_order(delivered_order, by=boss).lines.get().quantity == Decimal("7")


def test_services_are_invoiced_from_the_order(boss, customer, service_product):
    order = confirm_order(
        create_order(customer, [{"product": service_product, "quantity": "2"}], by=boss), by=boss
    )
    invoice = create_invoice_from_order(order, by=boss)
    assert invoice.lines.get().net_amount == Decimal("900.00")


def test_issuing_numbers_freezes_and_posts_the_sales_entry(boss, customer, delivered_order):
    invoice = issue_invoice(create_invoice_from_order(delivered_order, by=boss), by=boss)
    year = invoice.date.year
    assert invoice.number == f"FA-{year}-00001"
    assert invoice.buyer_name == customer.name and invoice.buyer_siren == customer.siren
    assert invoice.due_date == invoice.date + datetime.timedelta(days=30)
    lines = {
        (line.account.code, line.debit, line.credit) for line in invoice.entry.lines.select_related("account")
    }
    assert lines == {
        ("411", Decimal("1008.00"), Decimal("0")),
        ("707", Decimal("0"), Decimal("840.00")),
        ("44571", Decimal("0"), Decimal("168.00")),
    }
    assert invoice.entry.journal.code == "VE" and invoice.entry.document_number == invoice.number
    assert delivered_order.lines.get().quantity_invoiced == Decimal("7")


def test_vat_is_broken_down_per_rate_on_a_multi_rate_invoice(boss, customer):
    books = make_product(boss, sku="LIV-1", name="Guide technique", sale_price="19.99", vat_rate="5.5")
    drill = make_product(boss, sku="PER-1", name="Perceuse", sale_price="89.90")
    repair = make_product(
        boss, sku="SRV-R", name="Réparation", sale_price="45", vat_rate="10", kind="service"
    )
    receive_stock([{"product": p, "quantity": "10", "unit_cost": "5"} for p in (books, drill)], by=boss)
    order = confirm_order(
        create_order(
            customer,
            [
                {"product": books, "quantity": "3"},
                {"product": drill, "quantity": "2", "discount_percent": "12.5"},
                {"product": repair, "quantity": "1"},
            ],
            by=boss,
        ),
        by=boss,
    )
    validate_delivery(create_delivery(order, by=boss), by=boss)
    invoice = issue_invoice(create_invoice_from_order(order, by=boss), by=boss)
    taxes = [(t.vat_rate, t.base, t.amount) for t in invoice.taxes.all()]
    # 3 × 19.99 = 59.97 → 3.30 ; 2 × 89.90 × 0.875 = 157.325 → 157.33 → 31.47 ; 45 → 4.50
    assert taxes == [
        (Decimal("20.00"), Decimal("157.33"), Decimal("31.47")),
        (Decimal("10.00"), Decimal("45.00"), Decimal("4.50")),
        (Decimal("5.50"), Decimal("59.97"), Decimal("3.30")),
    ]
    assert invoice.total == sum(line.net_amount for line in invoice.lines.all()) + invoice.total_vat
    assert invoice.total == Decimal("301.57")
    revenue = {
        (line.account.code, line.vat_rate): line.credit
        for line in invoice.entry.lines.select_related("account")
    }
    assert revenue[("706", Decimal("10.00"))] == Decimal("45.00")


def test_an_issued_invoice_cannot_be_edited_or_deleted(boss, delivered_order):
    invoice = issue_invoice(create_invoice_from_order(delivered_order, by=boss), by=boss)
    with pytest.raises(ImmutableError):
        invoice.delete()
    invoice.payment_terms = "Payable à 90 jours"
    with pytest.raises(ImmutableError):
        invoice.save()
    line = invoice.lines.get()
    line.unit_price = Decimal("1.00")
    with pytest.raises(ImmutableError):
        line.save()
    with pytest.raises(ImmutableError):
        invoice.taxes.get().delete()
    with pytest.raises(DomainError) as exc:
        issue_invoice(invoice, by=boss)
    assert exc.value.code == "invoice_not_draft"
    entry = invoice.entry
    entry.label = "changed"
    with pytest.raises(ImmutableError):
        entry.save()
    with pytest.raises(ImmutableError):
        EntryLine.objects.filter(entry=entry).first().delete()


def test_the_database_refuses_to_change_an_issued_invoice_or_its_entry_even_in_raw_sql(boss, delivered_order):
    invoice = issue_invoice(create_invoice_from_order(delivered_order, by=boss), by=boss)
    statements = [
        ("UPDATE billing_invoice SET total = 0 WHERE id = %s", invoice.pk),
        ("DELETE FROM billing_invoiceline WHERE invoice_id = %s", invoice.pk),
        ("UPDATE accounting_entryline SET debit = 0 WHERE entry_id = %s", invoice.entry_id),
        ("DELETE FROM accounting_journalentry WHERE id = %s", invoice.entry_id),
    ]
    for sql, pk in statements:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [pk])
    invoice.refresh_from_db()
    assert invoice.total == Decimal("1008.00")


def test_a_failure_while_issuing_leaves_no_number_no_entry_no_half_state(boss, delivered_order, monkeypatch):
    from comptoir.accounting import services as ledger

    invoice = create_invoice_from_order(delivered_order, by=boss)

    def broken_post_entry(*args, **kwargs):
        raise ConnectionError("disk full while posting")

    monkeypatch.setattr(ledger, "post_entry", broken_post_entry)
    with pytest.raises(ConnectionError):
        issue_invoice(invoice, by=boss)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.number, invoice.entry_id) == (Invoice.Status.DRAFT, None, None)
    assert not JournalEntry.objects.exists()
    assert not NumberSequence.objects.filter(series="FA", last_value__gt=0).exists()
    assert delivered_order.lines.get().quantity_invoiced == Decimal("0")
    monkeypatch.undo()
    assert issue_invoice(invoice, by=boss).number.endswith("-00001")


def test_invoice_dates_follow_the_numbering(boss, customer, product, delivered_order):
    ten_days_ago = timezone.localdate() - datetime.timedelta(days=10)
    older = confirm_order(
        create_order(customer, [{"product": product, "quantity": "1"}], by=boss, date=ten_days_ago), by=boss
    )
    validate_delivery(create_delivery(older, by=boss, date=ten_days_ago), by=boss)
    first = issue_invoice(create_invoice_from_order(delivered_order, by=boss), by=boss)
    second = create_invoice_from_order(older, by=boss)
    with pytest.raises(DomainError) as exc:
        issue_invoice(second, by=boss, date=first.date - datetime.timedelta(days=1))
    assert exc.value.code == "invoice_date_before_last"
    with pytest.raises(DomainError) as exc:
        issue_invoice(second, by=boss, date=first.date + datetime.timedelta(days=3))
    assert exc.value.code == "date_in_future"


def test_only_accounting_roles_may_issue(delivered_order, boss):
    invoice = create_invoice_from_order(delivered_order, by=boss)
    with pytest.raises(PermissionDenied):
        issue_invoice(invoice, by=make_user("karim", Role.LOGISTIQUE))
    assert issue_invoice(invoice, by=make_user("claire", Role.COMPTABILITE)).status == Invoice.Status.ISSUED


def test_end_of_month_payment_terms_set_the_due_date(boss, customer, delivered_order):
    from comptoir.parties.services import update_customer

    update_customer(customer, by=boss, payment_days=45, payment_end_of_month=True)
    invoice = issue_invoice(create_invoice_from_order(delivered_order, by=boss), by=boss)
    shifted = invoice.date + datetime.timedelta(days=45)
    assert (
        invoice.due_date.month == shifted.month and (invoice.due_date + datetime.timedelta(days=1)).day == 1
    )
