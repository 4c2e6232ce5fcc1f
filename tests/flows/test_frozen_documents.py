"""What is issued, posted or paid stays as it was, whoever writes to the database: a year's books are
written through the services and committed, then raw SQL tries to change them table by table. The
database refuses every attempt with its own message (triggers: PostgreSQL and SQLite; TRUNCATE exists
on PostgreSQL only), and the model layer refuses the same changes through the ORM."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from comptoir.accounting.chart import ensure_seeded
from comptoir.accounting.models import EntryLine, JournalEntry, ReconciledLine, Reconciliation
from comptoir.accounting.services import forget_cached_ids
from comptoir.billing import einvoicing
from comptoir.billing.models import DepositDeduction, Invoice, InvoiceArchive, InvoiceLine, InvoiceTax
from comptoir.billing.services import (
    create_credit_note,
    create_invoice_from_order,
    create_milestone_invoice,
    issue_invoice,
)
from comptoir.core.models import ImmutableError, NumberSequence
from comptoir.core.permissions import Role
from comptoir.core.testing import make_company, make_customer, make_product, make_user
from comptoir.payments.models import CreditApplication, Payment, PaymentAllocation, Refund, VatRelease
from comptoir.payments.services import apply_credit_note, refund_credit_note, register_payment
from comptoir.sales.services import confirm_order, create_order, set_billing_schedule
from comptoir.stock.models import StockMove
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

POSTGRESQL = connection.vendor == "postgresql"


def _write_the_books() -> dict:
    """A deposit invoiced and paid, the goods delivered, the final invoice deducting the deposit, a
    credit note partly set against it and the rest refunded: every kind of frozen row, committed."""
    forget_cached_ids()
    ensure_seeded()
    boss = make_user("direction-frozen", Role.DIRECTION)
    make_company(make_user("admin-frozen", Role.ADMIN))
    customer = make_customer(boss)
    drill = make_product(boss, sale_price="120.00", purchase_cost="70.00")
    setup = make_product(boss, sale_price="450.00", kind="service")
    receive_stock([{"product": drill, "quantity": "10", "unit_cost": "70"}], by=boss)
    order = create_order(
        customer, [{"product": drill, "quantity": "4"}, {"product": setup, "quantity": "1"}], by=boss
    )
    (step,) = set_billing_schedule(
        order, [{"label": "Acompte", "trigger": "confirmation", "percent": "30", "is_deposit": True}], by=boss
    )
    confirm_order(order, by=boss)
    deposit = issue_invoice(create_milestone_invoice(step, by=boss), by=boss)
    payment = register_payment(
        customer,
        amount=deposit.total,
        method="transfer",
        allocations=[{"invoice": deposit, "amount": deposit.total}],
        by=boss,
    )
    validate_delivery(create_delivery(order, by=boss), by=boss)
    final = issue_invoice(create_invoice_from_order(order, by=boss), by=boss)
    drill_line = final.lines.get(product=drill)
    note = issue_invoice(
        create_credit_note(
            final,
            [{"invoice_line": drill_line, "quantity": "1"}],
            by=boss,
            reason="Perceuse arrivée cassée",
            source_reference="RET-2026-00001",
        ),
        by=boss,
    )
    application = apply_credit_note(note, final, amount="100.00", by=boss)
    refund = refund_credit_note(note, method="transfer", by=boss)
    return {
        "invoice": final.pk,
        "line": drill_line.pk,
        "tax": final.taxes.first().pk,
        "deduction": DepositDeduction.objects.get(invoice=final).pk,
        "archive": InvoiceArchive.objects.get(invoice=final).pk,
        "entry": final.entry_id,
        "entry_line": final.entry.lines.first().pk,
        "payment": payment.pk,
        "allocation": PaymentAllocation.objects.get(payment=payment).pk,
        "credit_application": application.pk,
        "refund": refund.pk,
        "vat_release": VatRelease.objects.filter(allocation__payment=payment).first().pk,
        "reconciliation": Reconciliation.objects.first().pk,
        "reconciled_line": ReconciledLine.objects.first().pk,
        "stock_move": StockMove.objects.filter(kind=StockMove.Kind.DELIVERY).first().pk,
        "counter": NumberSequence.objects.get(series="FA").pk,
    }


@pytest.fixture(scope="module")
def books(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        ids = _write_the_books()
    yield ids
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)
        forget_cached_ids()
        ensure_seeded()


def _copy(table: str, pk: int, **changed) -> tuple[str, list]:
    """INSERT a copy of a row (a new id), some columns changed: a row added to the same document."""
    model = next(m for m in apps.get_models() if m._meta.db_table == table)
    columns = [f.column for f in model._meta.concrete_fields if not f.primary_key]
    values = [changed.get(column, f'"{column}"') for column in columns]
    names = ", ".join(f'"{column}"' for column in columns)
    return f'INSERT INTO "{table}" ({names}) SELECT {", ".join(values)} FROM "{table}" WHERE "id" = %s', [pk]


# Per guarded table, its row in the books and what is tried on it: each statement names that very row,
# so a row trigger fires (or, before the guard, the row is changed).
ATTEMPTS = {
    "billing_invoice": (
        "invoice",
        [
            lambda pk: _copy("billing_invoice", pk, number="\"number\" || '-BIS'"),
            lambda pk: ('UPDATE "billing_invoice" SET "total" = "total" + 1 WHERE "id" = %s', [pk]),
            lambda pk: ('DELETE FROM "billing_invoice" WHERE "id" = %s', [pk]),
        ],
    ),
    "billing_invoiceline": (
        "line",
        [
            lambda pk: _copy("billing_invoiceline", pk),
            lambda pk: ('UPDATE "billing_invoiceline" SET "quantity" = "quantity" + 1 WHERE "id" = %s', [pk]),
            lambda pk: ('DELETE FROM "billing_invoiceline" WHERE "id" = %s', [pk]),
        ],
    ),
    "billing_invoicetax": (
        "tax",
        [
            lambda pk: _copy("billing_invoicetax", pk, vat_rate="99"),
            lambda pk: ('UPDATE "billing_invoicetax" SET "amount" = 0 WHERE "id" = %s', [pk]),
            lambda pk: ('DELETE FROM "billing_invoicetax" WHERE "id" = %s', [pk]),
        ],
    ),
    "billing_depositdeduction": (
        "deduction",
        [
            lambda pk: _copy("billing_depositdeduction", pk, vat_rate="99"),
            lambda pk: ('UPDATE "billing_depositdeduction" SET "base" = "base" + 1 WHERE "id" = %s', [pk]),
            lambda pk: ('DELETE FROM "billing_depositdeduction" WHERE "id" = %s', [pk]),
        ],
    ),
    "billing_invoicearchive": (
        "archive",
        [
            lambda pk: ('UPDATE "billing_invoicearchive" SET "cii_sha256" = \'0\' WHERE "id" = %s', [pk]),
            lambda pk: ('DELETE FROM "billing_invoicearchive" WHERE "id" = %s', [pk]),
        ],
    ),
    "accounting_journalentry": (
        "entry",
        [
            lambda pk: ('UPDATE "accounting_journalentry" SET "label" = \'x\' WHERE "id" = %s', [pk]),
            lambda pk: ('DELETE FROM "accounting_journalentry" WHERE "id" = %s', [pk]),
        ],
    ),
    "accounting_entryline": (
        "entry_line",
        [
            # A debit and its credit added to a posted sale keep it balanced; both are refused.
            lambda pk: _copy("accounting_entryline", pk),
            lambda pk: ('UPDATE "accounting_entryline" SET "debit" = "debit" + 1 WHERE "id" = %s', [pk]),
            lambda pk: ('DELETE FROM "accounting_entryline" WHERE "id" = %s', [pk]),
        ],
    ),
    "accounting_reconciliation": (
        "reconciliation",
        [
            lambda pk: ('UPDATE "accounting_reconciliation" SET "code" = \'ZZ\' WHERE "id" = %s', [pk]),
            lambda pk: ('DELETE FROM "accounting_reconciliation" WHERE "id" = %s', [pk]),
        ],
    ),
    "accounting_reconciledline": (
        "reconciled_line",
        [
            lambda pk: (
                'UPDATE "accounting_reconciledline" SET "reconciliation_id" = "reconciliation_id" WHERE "id" = %s',
                [pk],
            ),
            lambda pk: ('DELETE FROM "accounting_reconciledline" WHERE "id" = %s', [pk]),
        ],
    ),
    **{
        table: (
            key,
            [
                lambda pk, table=table: (
                    f'UPDATE "{table}" SET "amount" = "amount" + 1000 WHERE "id" = %s',
                    [pk],
                ),
                lambda pk, table=table: (f'DELETE FROM "{table}" WHERE "id" = %s', [pk]),
            ],
        )
        for table, key in [
            ("payments_payment", "payment"),
            ("payments_paymentallocation", "allocation"),
            ("payments_creditapplication", "credit_application"),
            ("payments_refund", "refund"),
            ("payments_vatrelease", "vat_release"),
        ]
    },
    "stock_stockmove": (
        "stock_move",
        [
            lambda pk: ('UPDATE "stock_stockmove" SET "quantity" = 0 WHERE "id" = %s', [pk]),
            lambda pk: ('DELETE FROM "stock_stockmove" WHERE "id" = %s', [pk]),
        ],
    ),
    "core_numbersequence": (
        "counter",
        [
            lambda pk: (
                'UPDATE "core_numbersequence" SET "last_value" = "last_value" - 1 WHERE "id" = %s',
                [pk],
            ),
            lambda pk: (
                'UPDATE "core_numbersequence" SET "last_date" = \'2001-01-01\' WHERE "id" = %s',
                [pk],
            ),
            lambda pk: ('UPDATE "core_numbersequence" SET "last_date" = NULL WHERE "id" = %s', [pk]),
            lambda pk: ('DELETE FROM "core_numbersequence" WHERE "id" = %s', [pk]),
        ],
    ),
}


def _refused(sql: str, params=None) -> str:
    """Run one statement in its own savepoint; it must be refused by Comptoir's guard. The message."""
    with pytest.raises(IntegrityError) as refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    message = str(refused.value)
    assert "comptoir:" in message, (sql, message)
    return message


@pytest.mark.django_db
@pytest.mark.parametrize("table", list(ATTEMPTS))
def test_the_database_refuses_to_change_frozen_rows(books, table):
    key, attempts = ATTEMPTS[table]
    pk = books[key]
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{table}" WHERE "id" = %s', [pk])
        assert cursor.fetchone() == (1,)
    for attempt in attempts:
        _refused(*attempt(pk))
    if POSTGRESQL:
        assert table in _refused(f'TRUNCATE "{table}" CASCADE')


@pytest.mark.django_db
def test_a_number_counter_still_moves_forward(books):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            'UPDATE "core_numbersequence" SET "last_value" = "last_value" + 1, "last_date" = \'2999-01-01\' '
            'WHERE "id" = %s',
            [books["counter"]],
        )
        assert cursor.rowcount == 1
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_factur_x_pdf_is_archived_once_and_never_replaced(books):
    invoice = Invoice.objects.get(pk=books["invoice"])
    pdf = einvoicing.facturx_pdf(invoice)  # first request: rendered, then archived under the trigger
    archive = InvoiceArchive.objects.get(pk=books["archive"])
    assert bytes(archive.pdf) == pdf and len(archive.pdf_sha256) == 64
    _refused('UPDATE "billing_invoicearchive" SET "pdf" = %s WHERE "id" = %s', [b"%PDF-forged", archive.pk])
    _refused('UPDATE "billing_invoicearchive" SET "pdf_sha256" = \'\' WHERE "id" = %s', [archive.pk])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model, key",
    [
        (Invoice, "invoice"),
        (InvoiceLine, "line"),
        (InvoiceTax, "tax"),
        (DepositDeduction, "deduction"),
        (InvoiceArchive, "archive"),
        (JournalEntry, "entry"),
        (EntryLine, "entry_line"),
        (Reconciliation, "reconciliation"),
        (ReconciledLine, "reconciled_line"),
        (Payment, "payment"),
        (PaymentAllocation, "allocation"),
        (CreditApplication, "credit_application"),
        (Refund, "refund"),
        (VatRelease, "vat_release"),
        (StockMove, "stock_move"),
        (NumberSequence, "counter"),
    ],
)
def test_the_model_layer_refuses_to_save_or_delete_frozen_rows(books, model, key):
    row = model.objects.get(pk=books[key])
    with pytest.raises(ImmutableError):
        row.save()
    with pytest.raises(ImmutableError):
        row.delete()
    assert model.objects.filter(pk=row.pk).exists()


@pytest.mark.django_db
def test_no_part_is_added_to_an_issued_invoice_through_the_orm(books):
    invoice = Invoice.objects.get(pk=books["invoice"])
    line = InvoiceLine.objects.get(pk=books["line"])
    line.pk, line._state.adding = None, True
    with pytest.raises(ImmutableError):
        line.save()
    tax = InvoiceTax.objects.get(pk=books["tax"])
    tax.pk, tax._state.adding, tax.vat_rate = None, True, Decimal("99")
    with pytest.raises(ImmutableError):
        tax.save()
    # Read as a draft before it was issued: the database says otherwise.
    stale = Invoice.objects.get(pk=invoice.pk)
    stale.status = Invoice.Status.DRAFT
    with pytest.raises(ImmutableError):
        stale.save()
    assert invoice.lines.count() == InvoiceLine.objects.filter(invoice=invoice).count() == 2
