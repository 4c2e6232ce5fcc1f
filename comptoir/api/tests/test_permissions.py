"""Roles decide what each caller may do: the services check writes, the endpoints check reads."""

import pytest

from comptoir.api.tests.conftest import error_of
from comptoir.billing.models import Invoice
from comptoir.billing.services import create_invoice_from_order
from comptoir.core.models import AuditEvent
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery


@pytest.fixture
def draft_invoice(boss, company, customer, product):
    receive_stock([{"product": product, "quantity": "5"}], by=boss)
    order = confirm_order(create_order(customer, [{"product": product, "quantity": "2"}], by=boss), by=boss)
    validate_delivery(create_delivery(order, by=boss), by=boss)
    return create_invoice_from_order(order, by=boss)


def test_logistics_cannot_issue_an_invoice(api_as, draft_invoice):
    events = AuditEvent.objects.count()
    response = api_as("logistique").post(f"/invoices/{draft_invoice.pk}/issue")
    assert error_of(response) == (403, "permission_denied")
    assert "émettre une facture. Rôles qui le peuvent : Comptabilité" in response.json()["message"]
    draft_invoice.refresh_from_db()
    assert (draft_invoice.status, draft_invoice.number) == (Invoice.Status.DRAFT, None)
    assert AuditEvent.objects.count() == events


def test_accounting_can_issue_an_invoice(api_as, draft_invoice):
    response = api_as("comptabilite").post(f"/invoices/{draft_invoice.pk}/issue")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "issued"


def test_sales_rep_cannot_read_the_trial_balance_or_a_customer_statement(api_as, customer):
    sales_rep = api_as("commercial")
    assert error_of(sales_rep.get("/accounting/trial-balance")) == (403, "permission_denied")
    assert error_of(sales_rep.get("/accounting/entries")) == (403, "permission_denied")
    assert error_of(sales_rep.get("/accounting/ledger/411")) == (403, "permission_denied")
    assert error_of(sales_rep.get(f"/customers/{customer.pk}/statement")) == (403, "permission_denied")


def test_accountant_reads_the_trial_balance(api_as):
    response = api_as("comptabilite").get("/accounting/trial-balance")
    assert response.status_code == 200
    assert response.json()["is_balanced"] is True


def test_only_direction_and_admin_read_the_audit_trail(api_as, admin_user):
    assert error_of(api_as("comptabilite").get("/audit")) == (403, "permission_denied")
    assert error_of(api_as("adv").get("/audit/verify")) == (403, "permission_denied")
    assert api_as("direction", username="dir2").get("/audit").status_code == 200
    assert api_as("admin", username="admin2").get("/audit/verify").json()["ok"] is True


def test_user_without_a_role_can_read_nothing(api_as, customer):
    nobody = api_as()
    for path in (
        "/customers",
        f"/customers/{customer.pk}",
        "/products",
        "/stock/levels",
        "/quotes",
        "/orders",
        "/deliveries",
        "/invoices",
        "/payments",
    ):
        assert error_of(nobody.get(path)) == (403, "permission_denied"), path


def test_sales_rep_cannot_create_products_or_receive_stock(api_as, product):
    sales_rep = api_as("commercial")
    events = AuditEvent.objects.count()
    response = sales_rep.post("/products", {"sku": "NEW-1", "name": "Scie", "sale_price": "10"})
    assert error_of(response) == (403, "permission_denied")
    response = sales_rep.post("/stock/receipts", {"lines": [{"product": product.pk, "quantity": "1"}]})
    assert error_of(response) == (403, "permission_denied")
    assert AuditEvent.objects.count() == events


def test_sales_rep_cannot_confirm_an_order_but_sales_admin_can(api_as, boss, customer, product):
    order = create_order(customer, [{"product": product, "quantity": "1"}], by=boss)
    assert error_of(api_as("commercial").post(f"/orders/{order.pk}/confirm")) == (403, "permission_denied")
    assert api_as("adv").post(f"/orders/{order.pk}/confirm").json()["status"] == "confirmed"


def test_logistics_cannot_register_a_payment(api_as, customer):
    response = api_as("logistique").post(
        "/payments", {"customer": customer.pk, "amount": "10", "method": "cash"}
    )
    assert error_of(response) == (403, "permission_denied")
