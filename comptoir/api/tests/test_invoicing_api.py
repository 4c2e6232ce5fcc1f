"""French invoicing through the API: e-invoice files, billing schedules, VAT summary and FEC. No mocks."""

import datetime
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from comptoir.accounting.fec_check import COLUMNS, check_fec
from comptoir.api.tests.conftest import BASE, error_of
from comptoir.billing.models import Invoice
from comptoir.billing.services import create_credit_note, create_invoice_from_order, issue_invoice
from comptoir.einvoice.validate import read_back
from comptoir.payments.services import register_payment
from comptoir.sales.models import BillingMilestone
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

pytestmark = pytest.mark.django_db

DEPOSIT_30 = {"label": "Acompte à la commande", "kind": "deposit", "trigger": "confirmation", "percent": "30"}
BALANCE_70 = {"label": "Solde à la réception", "trigger": "acceptance", "percent": "70"}


def put(api, path: str, data) -> object:
    return api.client.put(BASE + path, json.dumps(data), content_type="application/json", headers=api.headers)


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _service_invoice(boss, customer, service_product, quantity="1") -> Invoice:
    order = confirm_order(
        create_order(customer, [{"product": service_product, "quantity": quantity}], by=boss), by=boss
    )
    return issue_invoice(create_invoice_from_order(order, by=boss), by=boss)


def _goods_invoice(boss, customer, product, quantity="2") -> Invoice:
    receive_stock([{"product": product, "quantity": "10", "unit_cost": "70"}], by=boss)
    order = confirm_order(
        create_order(customer, [{"product": product, "quantity": quantity}], by=boss), by=boss
    )
    validate_delivery(create_delivery(order, by=boss), by=boss)
    return issue_invoice(create_invoice_from_order(order, by=boss), by=boss)


@pytest.fixture
def issued(boss, company, customer, service_product):
    return _service_invoice(boss, customer, service_product)


@pytest.fixture
def draft(boss, company, customer, service_product):
    order = confirm_order(
        create_order(customer, [{"product": service_product, "quantity": "1"}], by=boss), by=boss
    )
    return create_invoice_from_order(order, by=boss)


# --- E-invoice files ------------------------------------------------------------------------------


def test_the_factur_x_pdf_of_an_issued_invoice_carries_its_factur_x_xml(api, issued):
    response = api.get(f"/invoices/{issued.pk}/facturx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{issued.number}.pdf"'
    embedded = read_back(response.content)
    assert embedded.filename == "factur-x.xml"
    assert issued.number.encode() in embedded.xml
    # Rendered once, then archived: the same bytes on every call.
    assert api.get(f"/invoices/{issued.pk}/facturx").content == response.content


def test_the_cii_is_the_xml_archived_at_issue_and_the_ubl_names_the_invoice(api, issued):
    cii = api.get(f"/invoices/{issued.pk}/cii")
    assert (cii.status_code, cii["Content-Type"]) == (200, "application/xml")
    assert cii["Content-Disposition"] == f'attachment; filename="{issued.number}-cii.xml"'
    assert cii.content == bytes(issued.archive.cii_xml)
    ubl = api.get(f"/invoices/{issued.pk}/ubl")
    assert (ubl.status_code, ubl["Content-Type"]) == (200, "application/xml")
    assert ubl.content.startswith(b"<?xml") and issued.number.encode() in ubl.content


def test_an_issued_credit_note_downloads_as_a_credit_note(api, boss, issued):
    note = issue_invoice(
        create_credit_note(
            issued,
            [{"invoice_line": issued.lines.get(), "quantity": "1"}],
            by=boss,
            reason="Prestation annulée",
            gesture_category="prestation annulée",
        ),
        by=boss,
    )
    response = api.get(f"/invoices/{note.pk}/facturx")
    assert response.status_code == 200
    xml = read_back(response.content).xml
    assert note.number.encode() in xml and b">381<" in xml
    assert api.get(f"/invoices/{note.pk}/ubl").content.count(b"CreditNote") >= 1


@pytest.mark.parametrize("fmt", ["facturx", "cii", "ubl"])
def test_a_draft_has_no_e_invoice_file(api, draft, fmt):
    response = api.get(f"/invoices/{draft.pk}/{fmt}")
    assert error_of(response) == (409, "invoice_not_issued")
    assert "Émettez-la" in response.json()["message"]


def test_the_service_period_of_a_draft_goes_to_the_e_invoice(api, draft):
    today = timezone.localdate()
    start, end = today - datetime.timedelta(days=30), today - datetime.timedelta(days=2)
    response = api.post(f"/invoices/{draft.pk}/service-period", {"start": str(end), "end": str(start)})
    assert error_of(response) == (400, "service_period_reversed")
    response = api.post(f"/invoices/{draft.pk}/service-period", {"start": str(start), "end": str(end)})
    assert response.status_code == 200, response.json()
    assert (response.json()["service_period_start"], response.json()["service_period_end"]) == (
        str(start),
        str(end),
    )
    assert api.post(f"/invoices/{draft.pk}/issue").status_code == 200
    assert f"<cbc:StartDate>{start}</cbc:StartDate>".encode() in api.get(f"/invoices/{draft.pk}/ubl").content
    response = api.post(f"/invoices/{draft.pk}/service-period", {"start": None})
    assert error_of(response) == (400, "invoice_not_draft")


@pytest.mark.parametrize("fmt", ["facturx", "cii", "ubl"])
def test_an_unknown_invoice_has_no_e_invoice_file(api, db, fmt):
    assert error_of(api.get(f"/invoices/999999/{fmt}")) == (404, "not_found")
    assert error_of(api.get(f"/invoices/0/{fmt}"))[0] == 422


def test_a_user_without_a_role_cannot_download_an_invoice(api_as, issued):
    assert error_of(api_as().get(f"/invoices/{issued.pk}/facturx")) == (403, "permission_denied")


# --- Billing schedule -----------------------------------------------------------------------------


@pytest.fixture
def order(boss, company, customer, service_product):
    """A draft order of 900.00 excl. VAT (two days of installation)."""
    return create_order(customer, [{"product": service_product, "quantity": "2"}], by=boss)


def test_an_order_without_schedule_shows_what_remains_to_invoice(api, order):
    response = api.get(f"/orders/{order.pk}/billing-schedule")
    assert response.status_code == 200
    body = response.json()
    assert body["order"] == {"id": order.pk, "number": order.number}
    assert body["milestones"] == [] and body["billed_by_schedule"] is False
    assert body["billing"]["ordered_untaxed"] == "900.00"
    assert body["billing"]["remaining_untaxed"] == "900.00"
    assert body["billing"]["is_fully_invoiced"] is False


def test_a_deposit_and_a_milestone_are_set_invoiced_and_leave_nothing_to_invoice(api, order):
    response = put(api, f"/orders/{order.pk}/billing-schedule", {"milestones": [DEPOSIT_30, BALANCE_70]})
    assert response.status_code == 200, response.json()
    deposit, balance = response.json()["milestones"]
    assert (deposit["kind"], deposit["percent"], deposit["amount"], deposit["amount_untaxed"]) == (
        "deposit",
        "30.00",
        None,
        "270.00",
    )
    assert (balance["kind"], balance["trigger"], balance["state"]) == ("milestone", "acceptance", "planned")
    assert response.json()["billed_by_schedule"] is True

    assert api.post(f"/orders/{order.pk}/confirm").status_code == 200
    created = api.post(f"/orders/{order.pk}/billing-schedule/{deposit['id']}/invoice")
    assert created.status_code == 201, created.json()
    assert (created.json()["kind"], created.json()["status"], created.json()["total_untaxed"]) == (
        "deposit",
        "draft",
        "270.00",
    )
    assert api.post(f"/invoices/{created.json()['id']}/issue").status_code == 200
    status = api.get(f"/orders/{order.pk}/billing-schedule").json()
    assert status["milestones"][0]["state"] == "invoiced"
    assert status["milestones"][0]["invoice"]["number"].startswith("FA-")
    assert status["billing"]["deposits_invoiced_untaxed"] == "270.00"
    assert status["billing"]["remaining_untaxed"] == "900.00"

    not_yet = api.post(f"/orders/{order.pk}/billing-schedule/{balance['id']}/invoice")
    assert error_of(not_yet) == (400, "milestone_not_reached")
    reached = api.post(f"/orders/{order.pk}/billing-schedule/{balance['id']}/reached")
    assert reached.status_code == 200 and reached.json()["milestones"][1]["state"] == "reached"
    final = api.post(f"/orders/{order.pk}/billing-schedule/{balance['id']}/invoice")
    assert final.status_code == 201 and final.json()["kind"] == "invoice"
    assert api.post(f"/invoices/{final.json()['id']}/issue").status_code == 200
    billing = api.get(f"/orders/{order.pk}/billing-schedule").json()["billing"]
    assert billing["remaining_untaxed"] == "0.00"
    assert billing["deposits_to_deduct_untaxed"] == "0.00"
    assert billing["is_fully_invoiced"] is True

    refused = put(api, f"/orders/{order.pk}/billing-schedule", {"milestones": []})
    assert error_of(refused) == (400, "schedule_order_invoiced")


def test_a_fixed_amount_step_and_an_empty_list_that_removes_the_schedule(api, order):
    step = {"label": "Acompte", "kind": "deposit", "trigger": "manual", "amount": "150.50"}
    response = put(api, f"/orders/{order.pk}/billing-schedule", {"milestones": [step]})
    assert response.status_code == 200, response.json()
    assert response.json()["milestones"][0]["amount_untaxed"] == "150.50"
    assert BillingMilestone.objects.get(order=order).amount == Decimal("150.50")
    response = put(api, f"/orders/{order.pk}/billing-schedule", {"milestones": []})
    assert response.status_code == 200 and response.json()["milestones"] == []


@pytest.mark.parametrize(
    ("milestones", "expected"),
    [
        ([{**DEPOSIT_30, "amount": "100"}], (400, "milestone_percent_xor_amount")),
        ([{**DEPOSIT_30, "percent": "80"}, {**BALANCE_70}], (400, "schedule_percent_over_100")),
        ([{**BALANCE_70}], (400, "schedule_incomplete")),
        ([{**DEPOSIT_30, "percent": "abc"}], (422, "validation_error")),
        ([{**DEPOSIT_30, "percent": "30.555"}], (422, "validation_error")),
        ([{**DEPOSIT_30, "kind": "acompte"}], (422, "validation_error")),
        ([{**DEPOSIT_30, "trigger": "demain"}], (422, "validation_error")),
        ([{**DEPOSIT_30, "colour": "red"}], (422, "validation_error")),
    ],
)
def test_a_bad_schedule_is_refused_and_nothing_is_written(api, order, milestones, expected):
    response = put(api, f"/orders/{order.pk}/billing-schedule", {"milestones": milestones})
    assert error_of(response) == expected
    assert not BillingMilestone.objects.filter(order=order).exists()


def test_unknown_orders_and_steps_are_not_found(api, boss, order, customer, service_product):
    assert error_of(api.get("/orders/999999/billing-schedule")) == (404, "not_found")
    assert error_of(put(api, "/orders/999999/billing-schedule", {"milestones": []})) == (404, "not_found")
    put(api, f"/orders/{order.pk}/billing-schedule", {"milestones": [DEPOSIT_30]})
    step = BillingMilestone.objects.get(order=order)
    other = create_order(customer, [{"product": service_product, "quantity": "1"}], by=boss)
    assert error_of(api.post(f"/orders/{other.pk}/billing-schedule/{step.pk}/invoice")) == (404, "not_found")
    assert error_of(api.post(f"/orders/{order.pk}/billing-schedule/999999/reached")) == (404, "not_found")


def test_roles_decide_who_reads_sets_and_invoices_a_schedule(api, api_as, order):
    assert error_of(api_as().get(f"/orders/{order.pk}/billing-schedule")) == (403, "permission_denied")
    logistics = api_as("logistique")
    assert logistics.get(f"/orders/{order.pk}/billing-schedule").status_code == 200
    refused = put(logistics, f"/orders/{order.pk}/billing-schedule", {"milestones": [DEPOSIT_30]})
    assert error_of(refused) == (403, "permission_denied")
    sales_rep = api_as("commercial")
    assert (
        put(sales_rep, f"/orders/{order.pk}/billing-schedule", {"milestones": [DEPOSIT_30]}).status_code
        == 200
    )
    api.post(f"/orders/{order.pk}/confirm")
    step = BillingMilestone.objects.get(order=order)
    response = sales_rep.post(f"/orders/{order.pk}/billing-schedule/{step.pk}/invoice")
    assert error_of(response) == (403, "permission_denied")
    assert not Invoice.objects.filter(order=order).exists()


# --- VAT summary ----------------------------------------------------------------------------------


def test_the_vat_summary_gives_the_ca3_figures_as_decimal_strings(
    api_as, boss, company, customer, product, service_product
):
    _goods_invoice(boss, customer, product)  # 240.00 + 48.00 VAT, due at once
    services = _service_invoice(boss, customer, service_product)  # 450.00 + 90.00 VAT, due on receipt
    register_payment(
        customer,
        amount="180",
        method="transfer",
        allocations=[{"invoice": services, "amount": "180"}],
        by=boss,
    )
    today = timezone.localdate()
    response = api_as("comptabilite").get(
        "/accounting/vat-summary", {"start": today.replace(day=1).isoformat(), "end": today.isoformat()}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["rows"] == [
        {
            "rate": "20.00",
            "ca3_line": "08",
            "base": "690.00",
            "taxable_base": "390.00",  # 240 € of goods invoiced + 150 € of the service cashed
            "collected": "78.00",
            "pending_invoiced": "90.00",
            "cashed_on_receipts": "30.00",
        }
    ]
    assert (body["total_collected"], body["deductible"], body["net_due"], body["pending_balance"]) == (
        "78.00",
        "0.00",
        "78.00",
        "60.00",
    )


def test_a_period_without_entries_owes_nothing(api_as, db):
    body = (
        api_as("direction")
        .get("/accounting/vat-summary", {"start": "2026-01-01", "end": "2026-01-31"})
        .json()
    )
    assert (body["rows"], body["total_collected"], body["net_due"]) == ([], "0.00", "0.00")


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2026-13-01", "end": "2026-12-31"},
        {"start": "2026-02-30", "end": "2026-03-31"},
        {"start": "hier", "end": "2026-03-31"},
        {"start": "1999-01-01", "end": "2026-01-31"},
        {"start": "2026-01-01"},
        {},
    ],
)
def test_bad_vat_periods_are_refused_in_french(api_as, db, params):
    response = api_as("comptabilite").get("/accounting/vat-summary", params)
    assert error_of(response) == (422, "validation_error")
    assert response.json()["message"].startswith("Données invalides")


def test_a_vat_period_that_ends_before_it_starts_is_refused(api_as, db):
    response = api_as("comptabilite").get(
        "/accounting/vat-summary", {"start": "2026-03-31", "end": "2026-03-01"}
    )
    assert error_of(response) == (400, "invalid_combination")
    assert "précède son début" in response.json()["message"]


def test_only_accounting_direction_and_admin_read_the_vat_summary(api_as, db):
    params = {"start": "2026-01-01", "end": "2026-01-31"}
    for role in ("commercial", "adv", "logistique"):
        assert error_of(api_as(role).get("/accounting/vat-summary", params)) == (403, "permission_denied")
    for role in ("comptabilite", "direction", "admin"):
        assert api_as(role).get("/accounting/vat-summary", params).status_code == 200


# --- FEC ------------------------------------------------------------------------------------------


def test_the_fec_of_a_year_is_the_legal_file_and_passes_the_checker(api_as, boss, issued, tmp_path):
    year = issued.date.year
    response = api_as("comptabilite").get("/accounting/fec", {"year": str(year)})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    name = f"732829320FEC{year}1231.txt"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    content = body_of(response)
    lines = content.decode().split("\r\n")
    assert lines[0] == "\t".join(COLUMNS)
    assert any(issued.number in line for line in lines[1:])
    (tmp_path / name).write_bytes(content)
    assert check_fec(tmp_path / name) == []


def test_the_fec_can_be_written_in_latin_9(api_as, issued):
    response = api_as("direction", username="dg").get(
        "/accounting/fec", {"year": issued.date.year, "encoding": "iso-8859-15"}
    )
    assert response["Content-Type"] == "text/plain; charset=iso-8859-15"
    body_of(response).decode("iso-8859-15")


@pytest.mark.parametrize(
    "params",
    [{"year": "deux-mille"}, {"year": "1999"}, {"year": "2100"}, {}, {"year": "2026", "encoding": "utf-16"}],
)
def test_a_bad_fec_year_is_refused(api_as, company, params):
    assert error_of(api_as("comptabilite").get("/accounting/fec", params)) == (422, "validation_error")


def test_the_fec_needs_the_company_and_an_accounting_role(api_as, admin_user):
    year = datetime.date.today().year
    assert error_of(api_as("adv").get("/accounting/fec", {"year": year})) == (403, "permission_denied")
    # Without the company's SIREN there is no legal file name.
    assert error_of(api_as("comptabilite").get("/accounting/fec", {"year": year})) == (400, "company_missing")


def test_the_openapi_document_describes_the_invoicing_endpoints(db):
    document = Client().get("/api/v1/openapi.json").json()
    paths = document["paths"]
    for path, method in (
        ("/api/v1/invoices/{invoice_id}/facturx", "get"),
        ("/api/v1/invoices/{invoice_id}/cii", "get"),
        ("/api/v1/invoices/{invoice_id}/ubl", "get"),
        ("/api/v1/orders/{order_id}/billing-schedule", "get"),
        ("/api/v1/orders/{order_id}/billing-schedule", "put"),
        ("/api/v1/orders/{order_id}/billing-schedule/{milestone_id}/reached", "post"),
        ("/api/v1/orders/{order_id}/billing-schedule/{milestone_id}/invoice", "post"),
        ("/api/v1/accounting/vat-summary", "get"),
        ("/api/v1/accounting/fec", "get"),
    ):
        assert {"403", "404", "409", "422"} <= set(paths[path][method]["responses"]), path
    pdf = paths["/api/v1/invoices/{invoice_id}/facturx"]["get"]["responses"]["200"]["content"]
    assert set(pdf) == {"application/pdf"}
    total = document["components"]["schemas"]["VatSummaryOut"]["properties"]["net_due"]
    assert (total["type"], total["format"]) == ("string", "decimal")
