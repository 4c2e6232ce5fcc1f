"""Comptoir runs on PostgreSQL under a role that owns nothing: the owner migrates and grants
(`comptoir grant-app-role`), the application connects as that role, sells, invoices and cashes, and cannot
lift the guards (disable triggers, TRUNCATE) that keep the books as they were written."""

import contextlib
import io
import os
import secrets
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, connection, transaction

from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core import audit
from comptoir.core.permissions import Role
from comptoir.core.testing import make_company, make_customer, make_product, make_user
from comptoir.payments import selectors as payment_view
from comptoir.payments.services import register_payment
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="roles and privileges: PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def app_role():
    # Roles belong to the whole server: a name of this test process, dropped afterwards.
    name, password = f"comptoir_app_{os.getpid()}", secrets.token_urlsafe(16)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE \"{name}\" LOGIN PASSWORD '{password}'")
    yield name, password
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP OWNED BY "{name}"')
        cursor.execute(f'DROP ROLE "{name}"')


@contextlib.contextmanager
def connected_as(user: str, password: str):
    """The default connection, reopened under another login for the enclosed block."""
    saved = {key: connection.settings_dict[key] for key in ("USER", "PASSWORD")}
    connection.close()
    connection.settings_dict.update(USER=user, PASSWORD=password)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


def _sqlstate(sql: str) -> str:
    with pytest.raises(DatabaseError) as refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    return refused.value.__cause__.sqlstate


def test_the_application_runs_under_a_role_that_cannot_lift_the_guards(app_role):
    name, password = app_role
    call_command("grant_app_role", name, stdout=io.StringIO())
    said = io.StringIO()
    call_command("grant_app_role", name, stdout=said)  # again, after a later migrate: the same grants
    assert "ni TRUNCATE, ni propriétaire" in said.getvalue()

    with connected_as(name, password):
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone() == (name,)
        # A day's business through the services, as the application does it.
        boss = make_user("direction", Role.DIRECTION)
        make_company(make_user("admin", Role.ADMIN))
        customer = make_customer(boss)
        drill = make_product(boss, sale_price="120.00", purchase_cost="70.00")
        receive_stock([{"product": drill, "quantity": "5", "unit_cost": "70"}], by=boss)
        order = confirm_order(create_order(customer, [{"product": drill, "quantity": "2"}], by=boss), by=boss)
        validate_delivery(create_delivery(order, by=boss), by=boss)
        invoice = issue_invoice(create_invoice_from_order(order, by=boss), by=boss)
        register_payment(
            customer,
            amount="288.00",
            method="transfer",
            allocations=[{"invoice": invoice, "amount": "288.00"}],
            by=boss,
        )
        assert (invoice.total, payment_view.invoice_payment_state(invoice).status) == (
            Decimal("288.00"),
            "paid",
        )
        assert audit.verify_chain().ok

        # What only an owner or a superuser may do is refused (42501: insufficient privilege).
        assert _sqlstate('ALTER TABLE "billing_invoice" DISABLE TRIGGER USER') == "42501"
        assert _sqlstate('ALTER TABLE "payments_payment" DISABLE TRIGGER ALL') == "42501"
        assert _sqlstate('TRUNCATE "billing_invoiceline"') == "42501"
        assert _sqlstate("SET session_replication_role = replica") == "42501"
        # And the guards hold for this role.
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute('UPDATE "payments_payment" SET "amount" = "amount" + 1000')


@pytest.mark.django_db
def test_the_application_role_is_neither_superuser_nor_owner():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (owner,) = cursor.fetchone()
    with pytest.raises(CommandError, match="superutilisateur|propriétaire"):
        call_command("grant_app_role", owner)
    with pytest.raises(CommandError, match="n'existe pas"):
        call_command("grant_app_role", "comptoir_nobody_here")
