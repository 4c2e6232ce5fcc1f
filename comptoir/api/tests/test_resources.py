"""Each resource: lists with filters and pagination, details, updates and the secondary actions."""

import datetime

import pytest

from comptoir.api.tests.conftest import error_of
from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core import dates
from comptoir.core.testing import make_customer, make_product
from comptoir.payments.services import register_payment
from comptoir.sales.services import confirm_order, create_order, create_quote, send_quote
from comptoir.stock.models import Receipt
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

# --- Customers ------------------------------------------------------------------------------------


def test_customers_are_searched_and_paginated(api, boss, customer):
    for name in ("Boulangerie Petit", "Boucherie Grand", "Scierie Blanc"):
        make_customer(boss, name=name, siren="")
    page = api.get("/customers", {"search": "bou", "limit": 1}).json()
    assert (page["count"], page["limit"], page["offset"]) == (2, 1, 0)
    assert [c["name"] for c in page["items"]] == ["Boucherie Grand"]
    page = api.get("/customers", {"search": "bou", "limit": 1, "offset": 1}).json()
    assert [c["name"] for c in page["items"]] == ["Boulangerie Petit"]
    assert [c["code"] for c in api.get("/customers", {"search": "542107"}).json()["items"]] == [customer.code]


def test_customer_is_updated_with_only_the_fields_sent(api, customer):
    response = api.patch(f"/customers/{customer.pk}", {"city": "Nantes", "siret": "54210765100011"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["city"], body["siret"], body["name"]) == (
        "Nantes",
        "54210765100011",
        "Menuiserie Martin SARL",
    )


def test_a_customer_abroad_has_its_vat_number_and_electronic_invoicing_address(api, company):
    response = api.post(
        "/customers",
        {
            "name": "Outils Genève SA",
            "country": "CH",
            "vat_number": "CHE-113.553.680 TVA",
            "einvoice_address": "CHE-113.553.680",
            "einvoice_scheme": "0183",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["vat_number"], body["vat_regime"], body["einvoice_address"], body["einvoice_scheme"]) == (
        "CHE113553680TVA",
        "export",
        "CHE-113.553.680",
        "0183",
    )
    response = api.patch(f"/customers/{body['id']}", {"einvoice_address": "factures@geneve.ch"})
    assert error_of(response) == (400, "invalid_einvoice_address")
    response = api.patch(
        f"/customers/{body['id']}", {"einvoice_address": "7640000000001", "einvoice_scheme": "0088"}
    )
    assert response.json()["einvoice_address"] == "7640000000001"


def test_contacts_and_delivery_addresses_are_added_to_a_customer(api, customer):
    response = api.post(f"/customers/{customer.pk}/contacts", {"name": "Léa Roux", "job_title": "Acheteuse"})
    assert response.status_code == 201
    response = api.post(f"/customers/{customer.pk}/delivery-addresses", {"label": "Chantier", "city": "Bron"})
    assert response.status_code == 201
    body = api.get(f"/customers/{customer.pk}").json()
    assert [c["name"] for c in body["contacts"]] == ["Léa Roux"]
    assert [(a["label"], a["country"]) for a in body["delivery_addresses"]] == [("Chantier", "FR")]


# --- Products and stock -----------------------------------------------------------------------------


def test_products_are_filtered_and_updated(api, product, service_product):
    assert [p["sku"] for p in api.get("/products", {"kind": "service"}).json()["items"]] == ["SRV-INST"]
    response = api.patch(f"/products/{product.pk}", {"sale_price": "125.5", "vat_rate": "5.5"})
    assert (response.json()["sale_price"], response.json()["vat_rate"]) == ("125.5000", "5.50")
    assert api.get(f"/products/{product.pk}").json()["sale_price"] == "125.5000"


def test_a_product_carries_its_customs_data_for_the_goods_statement(api):
    response = api.post(
        "/products",
        {
            "sku": "DRL-9",
            "name": "Perceuse",
            "sale_price": "99",
            "customs_code": "84672151",
            "net_mass_kg": "1.6",
            "origin_country": "cn",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["customs_code"], body["net_mass_kg"], body["origin_country"]) == ("84672151", "1.600", "CN")
    response = api.patch(f"/products/{body['id']}", {"customs_code": "8467"})
    assert error_of(response) == (400, "invalid_customs_code")


def test_a_vat_rate_change_says_from_when_it_applies(api, product):
    """A new rate applies from a day (today by default, never in the future): the product keeps the
    day, so what was delivered before keeps its rate; a correction records no change."""
    yesterday = (dates.today() - datetime.timedelta(days=1)).isoformat()
    response = api.patch(f"/products/{product.pk}", {"vat_rate": "10", "vat_rate_from": yesterday})
    assert response.status_code == 200, response.json()
    assert response.json()["vat_rate_since"] == yesterday
    tomorrow = (dates.today() + datetime.timedelta(days=1)).isoformat()
    response = api.patch(f"/products/{product.pk}", {"vat_rate": "5.5", "vat_rate_from": tomorrow})
    assert error_of(response) == (400, "vat_rate_from_in_future")
    response = api.patch(f"/products/{product.pk}", {"vat_rate": "5.5", "vat_rate_correction": True})
    assert (response.json()["vat_rate"], response.json()["vat_rate_since"]) == ("5.50", yesterday)


def test_planned_receipt_shows_as_incoming_until_validated(api, product):
    response = api.post(
        "/stock/receipts", {"validate": False, "lines": [{"product": product.pk, "quantity": "8"}]}
    )
    assert response.status_code == 201, response.json()
    receipt = response.json()
    assert (receipt["status"], receipt["lines"][0]["unit_cost"]) == ("draft", "70.0000")
    level = api.get("/stock/levels").json()["items"][0]
    assert (level["on_hand"], level["incoming"]) == ("0.000", "8.000")

    assert api.post(f"/stock/receipts/{receipt['id']}/validate").json()["status"] == "validated"
    level = api.get("/stock/levels", {"search": product.sku}).json()["items"][0]
    assert (level["on_hand"], level["incoming"], level["average_cost"]) == ("8.000", "0.000", "70.0000")
    assert [r["id"] for r in api.get("/stock/receipts", {"status": "validated"}).json()["items"]] == [
        receipt["id"]
    ]

    response = api.post(f"/stock/receipts/{receipt['id']}/validate")
    assert error_of(response) == (409, "invalid_transition")


def test_planned_receipt_can_be_cancelled(api, product):
    receipt = api.post(
        "/stock/receipts", {"validate": False, "lines": [{"product": product.pk, "quantity": "1"}]}
    )
    assert api.post(f"/stock/receipts/{receipt.json()['id']}/cancel").json()["status"] == "cancelled"
    assert Receipt.objects.get().status == Receipt.Status.CANCELLED


def test_stock_levels_show_backorders(api, boss, customer, product):
    receive_stock([{"product": product, "quantity": "3"}], by=boss)
    confirm_order(create_order(customer, [{"product": product, "quantity": "5"}], by=boss), by=boss)
    level = api.get("/stock/levels").json()["items"][0]
    assert (level["on_hand"], level["reserved"], level["available"], level["backorder"], level["is_low"]) == (
        "3.000",
        "5.000",
        "-2.000",
        "2.000",
        True,
    )


# --- Quotes and orders --------------------------------------------------------------------------------


def test_quote_can_be_refused_or_cancelled_with_a_reason(api, boss, customer, product):
    sent = send_quote(create_quote(customer, [{"product": product, "quantity": "1"}], by=boss), by=boss)
    draft = create_quote(customer, [{"product": product, "quantity": "1"}], by=boss)
    assert api.post(f"/quotes/{sent.pk}/refuse", {"reason": "Trop cher"}).json()["status"] == "refused"
    assert api.post(f"/quotes/{draft.pk}/cancel").json()["status"] == "cancelled"
    assert [q["status"] for q in api.get("/quotes", {"status": "refused"}).json()["items"]] == ["refused"]
    events = api.get("/audit", {"object_type": "sales.quote", "object_id": str(sent.pk)}).json()["items"]
    assert (events[0]["action"], events[0]["data"]) == ("quote.refused", {"reason": "Trop cher"})


def test_order_is_created_directly_with_a_delivery_address_then_cancelled(api, boss, product):
    customer = make_customer(boss, siren="", delivery_addresses=[{"label": "Dépôt", "city": "Lille"}])
    address = customer.delivery_addresses.get()
    response = api.post(
        "/orders",
        {
            "customer": customer.pk,
            "delivery_address": address.pk,
            "customer_reference": "BC-12",
            "lines": [{"product": product.pk, "quantity": "2"}],
        },
    )
    assert response.status_code == 201, response.json()
    order = response.json()
    assert (order["delivery_address_id"], order["quote"], order["delivery_progress"], order["channel"]) == (
        address.pk,
        None,
        "none",
        "api",
    )
    assert api.post(f"/orders/{order['id']}/confirm").json()["status"] == "confirmed"
    assert api.post(f"/orders/{order['id']}/cancel", {"reason": "Doublon"}).json()["status"] == "cancelled"
    assert [o["id"] for o in api.get("/orders", {"customer": customer.pk}).json()["items"]] == [order["id"]]


def test_service_only_order_has_no_delivery_progress(api, customer, service_product):
    response = api.post(
        "/orders", {"customer": customer.pk, "lines": [{"product": service_product.pk, "quantity": "1"}]}
    )
    assert (response.json()["delivery_progress"], response.json()["invoicing_progress"]) == (None, "none")


# --- Deliveries, invoices, payments -----------------------------------------------------------------


@pytest.fixture
def confirmed_order(boss, company, customer, product):
    receive_stock([{"product": product, "quantity": "10"}], by=boss)
    return confirm_order(create_order(customer, [{"product": product, "quantity": "4"}], by=boss), by=boss)


def test_delivery_without_lines_takes_everything_left_and_can_be_cancelled(api, confirmed_order):
    response = api.post("/deliveries", {"order": confirmed_order.pk})
    assert response.status_code == 201, response.json()
    delivery = response.json()
    assert [(line["quantity"], line["unit_cost"]) for line in delivery["lines"]] == [("4.000", None)]
    assert delivery["customer"]["id"] == confirmed_order.customer_id
    assert error_of(api.post("/deliveries", {"order": confirmed_order.pk})) == (400, "nothing_to_deliver")
    assert api.post(f"/deliveries/{delivery['id']}/cancel").json()["status"] == "cancelled"
    assert api.get("/deliveries", {"status": "cancelled", "order": confirmed_order.pk}).json()["count"] == 1


def test_draft_invoice_can_be_cancelled_and_its_quantities_invoiced_again(api, boss, confirmed_order):
    validate_delivery(create_delivery(confirmed_order, by=boss), by=boss)
    draft = api.post("/invoices", {"order": confirmed_order.pk}).json()
    assert error_of(api.post("/invoices", {"order": confirmed_order.pk})) == (400, "nothing_to_invoice")
    assert api.post(f"/invoices/{draft['id']}/cancel", {"reason": "Erreur"}).json()["status"] == "cancelled"
    assert api.post("/invoices", {"order": confirmed_order.pk}).status_code == 201
    assert api.get("/invoices", {"status": "draft"}).json()["count"] == 1
    assert api.get("/invoices", {"customer": confirmed_order.customer_id}).json()["count"] == 2


def test_payment_keeps_what_is_not_allocated_on_the_customer_account(api, boss, customer, confirmed_order):
    validate_delivery(create_delivery(confirmed_order, by=boss), by=boss)
    invoice = issue_invoice(create_invoice_from_order(confirmed_order, by=boss), by=boss)
    response = api.post(
        "/payments",
        {
            "customer": customer.pk,
            "amount": "600",
            "method": "cheque",
            "reference": "CHQ 123",
            "allocations": [{"invoice": invoice.pk, "amount": "576"}],
        },
    )
    assert response.status_code == 201, response.json()
    payment = response.json()
    assert (payment["amount"], payment["unallocated"], payment["method"]) == ("600.00", "24.00", "cheque")
    assert payment["allocations"] == [
        {"invoice_id": invoice.pk, "invoice_number": invoice.number, "amount": "576.00"}
    ]
    assert api.get(f"/payments/{payment['id']}").json() == payment
    assert api.get("/payments", {"customer": customer.pk}).json()["items"] == [payment]
    assert api.get("/invoices", {"payment": "paid"}).json()["count"] == 1
    assert api.get("/invoices", {"payment": "open"}).json()["count"] == 0


# --- Books and audit ----------------------------------------------------------------------------------


def test_entries_ledger_and_statement_follow_the_invoice_and_its_payment(
    api, boss, customer, confirmed_order
):
    validate_delivery(create_delivery(confirmed_order, by=boss), by=boss)
    invoice = issue_invoice(create_invoice_from_order(confirmed_order, by=boss), by=boss)
    register_payment(
        customer,
        by=boss,
        amount="200",
        method="transfer",
        allocations=[{"invoice": invoice, "amount": "200"}],
    )

    sales = api.get("/accounting/entries", {"journal": "VE"}).json()["items"]
    assert [e["document_number"] for e in sales] == [invoice.number]
    assert {(line["account"], line["debit"], line["credit"]) for line in sales[0]["lines"]} == {
        ("411", "576.00", "0.00"),
        ("707", "0.00", "480.00"),
        ("44571", "0.00", "96.00"),
    }
    assert (
        api.get("/accounting/entries", {"date_from": "2000-01-01", "date_to": "2000-12-31"}).json()["count"]
        == 0
    )

    ledger = api.get("/accounting/ledger/411").json()
    assert (ledger["account_name"], ledger["total_debit"], ledger["total_credit"], ledger["balance"]) == (
        "Clients",
        "576.00",
        "200.00",
        "376.00",
    )
    statement = api.get(f"/customers/{customer.pk}/statement").json()
    assert (statement["customer"]["code"], statement["balance"]) == (customer.code, "376.00")
    assert [line["journal"] for line in statement["lines"]] == ["VE", "BQ"]


def test_audit_trail_is_filtered_by_object_and_verified(api, customer):
    events = api.get("/audit", {"object_type": "parties.customer", "object_id": str(customer.pk)}).json()
    assert [e["action"] for e in events["items"]] == ["customer.created"]
    assert events["items"][0]["actor"] == "direction"
    report = api.get("/audit/verify").json()
    assert report["ok"] is True and report["checked"] >= 2


def test_lists_are_ordered_newest_first_and_capped(api, boss, customer):
    for _ in range(3):
        make_product(boss)
    assert error_of(api.get("/products", {"limit": 501})) == (422, "validation_error")
    assert len(api.get("/products", {"limit": 2}).json()["items"]) == 2
