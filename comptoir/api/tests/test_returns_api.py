"""Return cases through HTTP: a damaged delivery becomes an issued credit note, role by role; refusals keep
stable codes, bad input never writes anything and never answers 500."""

import contextlib
import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comptoir.api.tests.conftest import ApiClient, error_of, issue_token
from comptoir.billing.models import Invoice
from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core.models import AuditEvent
from comptoir.core.permissions import Role
from comptoir.core.testing import colleague_of, make_user
from comptoir.returns.models import Resolution, ReturnCase, ReturnReceipt
from comptoir.returns.tests.factories import make_sale
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

User = get_user_model()
WATCHED = (ReturnCase, ReturnReceipt, Resolution, Invoice, AuditEvent)


@contextlib.contextmanager
def nothing_written():
    before = {model.__name__: model.objects.count() for model in WATCHED}
    yield
    assert {model.__name__: model.objects.count() for model in WATCHED} == before


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def team(db):
    """One API client per role involved in a return."""
    return {
        role: ApiClient(issue_token(make_user(f"api_{role}", role)))
        for role in (Role.COMMERCIAL, Role.ADV, Role.LOGISTIQUE, Role.COMPTABILITE)
    }


@pytest.fixture
def sale(boss, company, customer, product):
    """10 drills at 120 € delivered and invoiced 1,440 € TTC (unpaid)."""
    return make_sale(boss, customer, product)


def _open(client, sale, quantity="2", reason="damaged", **extra):
    return client.post(
        "/returns",
        {
            "delivery": sale.delivery.pk,
            "reason": reason,
            "customer_statement": "Deux perceuses arrivées avec le carter fendu.",
            "lines": [{"delivery_line": sale.delivery_line.pk, "quantity": quantity}],
            **extra,
        },
    )


def _colleague(api) -> ApiClient:
    """Another direction user: whoever opened a case never approves it (four eyes)."""
    return ApiClient(issue_token(colleague_of(User.objects.get(username="direction"))))


def _approve(api, case) -> dict:
    return _colleague(api).post(f"/returns/{case['id']}/approve").json()


def _approved_case(api, sale, quantity="2", reason="damaged") -> dict:
    case = _open(api, sale, quantity, reason).json()
    api.post(f"/returns/{case['id']}/submit")
    return _approve(api, case)


# --- The story ------------------------------------------------------------------------------------


def test_a_damaged_delivery_becomes_an_issued_credit_note_through_the_api(
    api, team, boss, customer, product, sale
):
    seller, adv, warehouse, accountant = (
        team[Role.COMMERCIAL],
        team[Role.ADV],
        team[Role.LOGISTIQUE],
        team[Role.COMPTABILITE],
    )

    # Given the delivery note has nothing claimed yet
    response = seller.get(f"/deliveries/{sale.delivery.pk}/discrepancies")
    assert response.status_code == 200, response.json()
    assert response.json()["cases"] == []
    assert [(r["delivered"], r["left"]) for r in response.json()["returnable"]] == [("10.000", "10.000")]

    # When the salesperson declares two damaged drills with the customer's words
    response = _open(seller, sale)
    assert response.status_code == 201, response.json()
    case = response.json()
    assert case["number"].startswith("RET-")
    assert (case["status"], case["status_label"], case["reason_label"]) == ("draft", "Brouillon", "Endommagé")
    assert case["customer"]["id"] == customer.pk and case["delivery"]["number"] == sale.delivery.number
    assert case["customer_statement"] == "Deux perceuses arrivées avec le carter fendu."
    assert case["amount_at_stake"] == "240.00"
    [line] = case["lines"]
    assert (line["quantity"], line["unit_price"], line["net_amount"], line["open_quantity"]) == (
        "2.000",
        "120.0000",
        "240.00",
        "2.000",
    )
    assert case["invoicing_blocked"] is True
    assert case["available_actions"] == ["submit"]
    case_id = case["id"]

    # Then it shows on the delivery and on the board
    discrepancies = seller.get(f"/deliveries/{sale.delivery.pk}/discrepancies").json()
    assert [c["number"] for c in discrepancies["cases"]] == [case["number"]]
    assert discrepancies["invoicing_blocked"] is True and case["number"] in discrepancies["blocked_reason"]
    assert discrepancies["returnable"][0]["left"] == "8.000"
    board = adv.get("/returns", {"status": "draft"}).json()
    assert [(c["number"], c["amount_at_stake"]) for c in board["items"]] == [(case["number"], "240.00")]

    # When it is submitted, then approved by ADV
    assert seller.post(f"/returns/{case_id}/submit").json()["status"] == "submitted"
    assert adv.get(f"/returns/{case_id}").json()["available_actions"] == ["approve", "reject"]
    response = adv.post(f"/returns/{case_id}/approve", {"reason": "Photos probantes"})
    assert response.status_code == 200, response.json()
    case = response.json()
    assert (case["status"], case["decision_reason"], case["decided_by"]["username"]) == (
        "approved",
        "Photos probantes",
        "api_adv",
    )

    # And the warehouse receives both drills back: one to stock, one scrapped after inspection
    assert warehouse.get(f"/returns/{case_id}").json()["available_actions"] == ["receive"]
    response = warehouse.post(
        f"/returns/{case_id}/receive",
        {
            "lines": [
                {
                    "line": line["id"],
                    "quantity": "1",
                    "disposition": "back_to_stock",
                    "inspection": "Carter changé, fonctionne",
                },
                {"line": line["id"], "quantity": "1", "disposition": "scrap", "inspection": "Moteur grillé"},
            ]
        },
    )
    assert response.status_code == 200, response.json()
    case = response.json()
    assert case["status"] == "goods_received"
    [receipt] = case["receipts"]
    assert receipt["number"].startswith("RR-") and receipt["loss_entry_id"] is not None
    assert [(r["quantity"], r["disposition"], r["unit_cost"]) for r in receipt["lines"]] == [
        ("1.000", "back_to_stock", "70.0000"),
        ("1.000", "scrap", "70.0000"),
    ]
    assert case["lines"][0]["received"] == "2.000"

    # And accounting credits the customer
    case = accountant.get(f"/returns/{case_id}").json()
    assert "resolve" in case["available_actions"]
    assert case["available_resolutions"] == ["credit_note", "reinvoice", "refusal"]
    response = accountant.post(f"/returns/{case_id}/resolve", {"kind": "credit_note"})
    assert response.status_code == 200, response.json()
    case = response.json()

    # Then an AV credit note is issued for 240 € HT, deducted from the unpaid invoice
    assert case["status"] == "resolved"
    [resolution] = case["resolutions"]
    assert (resolution["kind"], resolution["amount"]) == ("credit_note", "240.00")
    [note] = case["credit_notes"]
    assert note["number"].startswith("AV-") and note["status"] == "issued"
    assert (note["total_untaxed"], note["total_vat"], note["total"], note["available"]) == (
        "240.00",
        "48.00",
        "288.00",
        "0.00",
    )
    assert note["corrects"] == {"id": sale.invoice.pk, "number": sale.invoice.number, "status": "issued"}
    assert case["lines"][0]["credited"] == "2.000" and case["lines"][0]["open_quantity"] == "0.000"
    assert case["invoicing_blocked"] is False
    credit_note = api.get(f"/invoices/{note['id']}").json()
    assert (credit_note["kind"], credit_note["corrects_id"]) == ("credit_note", sale.invoice.pk)
    assert api.get(f"/invoices/{sale.invoice.pk}").json()["payment"]["balance_due"] == "1152.00"

    # When ADV closes the case
    response = adv.post(f"/returns/{case_id}/close", {"reason": "Client informé"})
    assert response.json()["status"] == "closed"
    assert response.json()["available_actions"] == []

    # Then it leaves the board, stays in the history, and the KPIs show what it cost
    assert adv.get("/returns").json()["count"] == 0
    assert adv.get("/returns", {"include_closed": "true"}).json()["count"] == 1
    today = timezone.localdate()
    kpis = seller.get("/insights/returns", {"date_from": today.replace(day=1).isoformat()}).json()
    assert kpis["cases"] == 1
    assert kpis["cases_per_customer"] == [
        {"customer_id": customer.pk, "customer": customer.name, "cases": 1, "amount_at_stake": "240.00"}
    ]
    assert (kpis["credit_notes"], kpis["credit_notes_amount"]) == (1, "240.00")
    assert kpis["average_resolution_days"] == "0.0"
    # Credited 240 €, one drill back in stock at 70 €: 170 € of margin lost
    assert kpis["margin_lost"] == "170.00"
    assert kpis["margin_per_product"] == [
        {
            "product_id": product.pk,
            "sku": product.sku,
            "credited": "240.00",
            "recovered": "70.00",
            "replacement_cost": "0.00",
            "reinvoiced": "0.00",
            "surplus_cost": "0.00",
            "margin_lost": "170.00",
        }
    ]
    assert kpis["top_reasons"] == [{"reason": "damaged", "label": "Endommagé", "cases": 1}]
    actions = [e["action"] for e in api.get("/audit", {"object_type": "returns.returncase"}).json()["items"]]
    assert actions[::-1] == [
        "return.opened",
        "return.submitted",
        "return.approved",
        "return.goods_received",
        "return.resolved",
        "return.closed",
    ]


def test_a_short_shipment_is_replaced_then_a_surplus_is_reinvoiced(api, sale, boss, customer, product):
    short = _approved_case(api, sale, "1", reason="short_shipment")
    response = api.post(
        f"/returns/{short['id']}/resolve",
        {"kind": "replacement", "lines": [{"line": short["lines"][0]["id"], "quantity": "1"}]},
    )
    assert response.status_code == 200, response.json()
    [resolution] = response.json()["resolutions"]
    assert resolution["kind"] == "replacement" and resolution["replacement"]["number"].startswith("BL-")

    surplus = _approved_case(api, sale, "3", reason="surplus")
    assert "replacement" not in surplus["available_resolutions"]
    response = api.post(
        f"/returns/{surplus['id']}/resolve", {"kind": "reinvoice", "reason": "Surplus conservé"}
    )
    assert response.status_code == 200, response.json()
    [resolution] = response.json()["resolutions"]
    assert resolution["invoice"]["status"] == "draft" and resolution["amount"] == "360.00"
    issued = api.post(f"/invoices/{resolution['invoice']['id']}/issue").json()
    assert issued["number"].startswith("FA-") and issued["total_untaxed"] == "360.00"


def test_a_refused_case_offers_only_closing(api, sale):
    case = _approved_case(api, sale, "2", reason="quality")
    response = api.post(
        f"/returns/{case['id']}/resolve", {"kind": "refusal", "reason": "Aucun défaut constaté"}
    )
    assert response.status_code == 200, response.json()
    case = response.json()
    assert case["status"] == "resolved"
    assert case["available_resolutions"] == ["reinvoice"]
    assert "receive" not in case["available_actions"] and "close" in case["available_actions"]
    assert error_of(api.post(f"/returns/{case['id']}/resolve", {"kind": "credit_note"})) == (
        409,
        "return_case_refused",
    )


def test_a_credit_note_for_a_case_is_drafted_then_issued_through_the_invoice_endpoint(api, team, sale):
    case = _approved_case(api, sale, "10", reason="wrong_price")
    invoice_line = sale.invoice_line
    response = team[Role.COMPTABILITE].post(
        "/credit-notes",
        {
            "invoice": sale.invoice.pk,
            "case": case["id"],
            "reason": "Prix négocié non appliqué",
            "lines": [{"invoice_line": invoice_line.pk, "quantity": "10", "unit_price": "5"}],
        },
    )
    assert response.status_code == 201, response.json()
    draft = response.json()
    assert (draft["kind"], draft["status"], draft["number"], draft["total_untaxed"]) == (
        "credit_note",
        "draft",
        None,
        "50.00",
    )
    issued = team[Role.COMPTABILITE].post(f"/invoices/{draft['id']}/issue")
    assert issued.status_code == 200, issued.json()
    assert issued.json()["number"].startswith("AV-")
    assert Invoice.objects.get(pk=draft["id"]).source_reference == case["number"]

    # The issued credit note is deducted from the invoice, then what is left cannot be refunded twice
    response = team[Role.COMPTABILITE].post(
        f"/credit-notes/{draft['id']}/apply", {"invoice": sale.invoice.pk, "amount": "20.00"}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["amount"] == "20.00"
    response = team[Role.COMPTABILITE].post(f"/credit-notes/{draft['id']}/refund", {"method": "transfer"})
    assert response.status_code == 201, response.json()
    assert (response.json()["number"][:4], response.json()["amount"]) == ("RBT-", "40.00")
    again = team[Role.COMPTABILITE].post(f"/credit-notes/{draft['id']}/refund", {"method": "transfer"})
    assert error_of(again) == (400, "credit_note_exceeded")


# --- Roles ----------------------------------------------------------------------------------------


def test_each_role_may_only_take_its_own_steps(api, team, api_as, sale):
    case = _open(team[Role.COMMERCIAL], sale).json()
    with nothing_written():
        assert error_of(team[Role.LOGISTIQUE].post(f"/returns/{case['id']}/submit")) == (
            403,
            "permission_denied",
        )
    api.post(f"/returns/{case['id']}/submit")
    with nothing_written():
        response = team[Role.LOGISTIQUE].post(f"/returns/{case['id']}/approve")
        assert error_of(response) == (403, "permission_denied")
        assert "accepter ou rejeter un retour" in response.json()["message"]
        assert error_of(team[Role.COMMERCIAL].post(f"/returns/{case['id']}/reject", {"reason": "non"})) == (
            403,
            "permission_denied",
        )
    api.post(f"/returns/{case['id']}/approve")
    line_id = case["lines"][0]["id"]
    receive = {"lines": [{"line": line_id, "quantity": "2", "disposition": "back_to_stock"}]}
    with nothing_written():
        assert error_of(team[Role.COMMERCIAL].post(f"/returns/{case['id']}/receive", receive)) == (
            403,
            "permission_denied",
        )
        # ADV resolves cases but cannot issue the credit note a resolution issues
        response = team[Role.ADV].post(f"/returns/{case['id']}/resolve", {"kind": "credit_note"})
        assert error_of(response) == (403, "permission_denied")
        assert "émettre une facture" in response.json()["message"]
    nobody = api_as()
    for path in ("/returns", f"/returns/{case['id']}", f"/deliveries/{sale.delivery.pk}/discrepancies"):
        assert error_of(nobody.get(path)) == (403, "permission_denied"), path
    assert error_of(nobody.get("/insights/returns")) == (403, "permission_denied")
    assert error_of(ApiClient().get("/returns")) == (401, "not_authenticated")


def test_above_the_threshold_only_direction_may_approve(api, team, sale):
    case = _open(team[Role.COMMERCIAL], sale, quantity="9").json()  # 1,080 € > 1,000 €
    api.post(f"/returns/{case['id']}/submit")
    assert team[Role.ADV].get(f"/returns/{case['id']}").json()["available_actions"] == []
    assert error_of(team[Role.ADV].post(f"/returns/{case['id']}/approve")) == (
        403,
        "return_approval_above_threshold",
    )
    assert api.post(f"/returns/{case['id']}/approve").json()["status"] == "approved"


# --- Bad input ------------------------------------------------------------------------------------


def test_declaring_more_than_was_delivered_is_refused_and_writes_nothing(api, sale):
    with nothing_written():
        response = _open(api, sale, quantity="11")
    assert error_of(response) == (400, "return_exceeds_delivered")
    assert "10" in response.json()["message"]


def test_a_credit_note_without_a_case_or_a_gesture_is_refused(api, team, sale):
    with nothing_written():
        response = team[Role.COMPTABILITE].post(
            "/credit-notes",
            {"invoice": sale.invoice.pk, "lines": [{"invoice_line": sale.invoice_line.pk, "quantity": "1"}]},
        )
    assert error_of(response) == (400, "credit_note_needs_case")
    assert "RET-" in response.json()["message"]


LINE = "the delivery line"  # replaced by the sale's delivery line id


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"reason": "lost_in_space"}, 422, "validation_error"),
        ({"lines": [{"delivery_line": LINE, "quantity": "abc"}]}, 422, "validation_error"),
        ({"lines": [{"delivery_line": LINE, "quantity": 1.2345}]}, 422, "validation_error"),
        ({"lines": [{"quantity": "1"}]}, 400, "invalid_combination"),
        ({"lines": [{"delivery_line": LINE, "product": 1, "quantity": "1"}]}, 400, "invalid_combination"),
        ({"lines": [{"delivery_line": "7", "quantity": "1"}]}, 422, "validation_error"),
        ({"surprise": True}, 422, "validation_error"),
        ({"customer_statement": "\x00"}, 422, "validation_error"),
        ({"lines": []}, 400, "return_without_lines"),
        ({"lines": [{"delivery_line": LINE, "quantity": "-1"}]}, 400, "quantity_not_positive"),
        ({"lines": [{"delivery_line": 999999, "quantity": "1"}]}, 400, "return_line_not_on_delivery"),
        ({"delivery": 999999}, 404, "unknown_delivery"),
    ],
)
def test_bad_declarations_are_refused_with_a_stable_code(api, sale, body, status, code):
    payload = {
        "delivery": sale.delivery.pk,
        "reason": "damaged",
        "lines": [{"delivery_line": sale.delivery_line.pk, "quantity": "1"}],
    } | body
    payload["lines"] = [
        {key: sale.delivery_line.pk if value == LINE else value for key, value in line.items()}
        for line in payload["lines"]
    ]
    with nothing_written():
        response = api.post("/returns", payload)
    assert error_of(response) == (status, code), response.json()


def test_actions_out_of_turn_are_refused_with_stable_codes(api, sale):
    draft = _open(api, sale, "2").json()
    line_id = draft["lines"][0]["id"]
    receive = {"lines": [{"line": line_id, "quantity": "1", "disposition": "back_to_stock"}]}
    with nothing_written():
        assert error_of(api.post(f"/returns/{draft['id']}/receive", receive)) == (409, "return_not_approved")
        assert error_of(api.post(f"/returns/{draft['id']}/approve")) == (409, "invalid_transition")
        assert error_of(api.post(f"/returns/{draft['id']}/close")) == (409, "invalid_transition")
        assert error_of(api.post(f"/returns/{draft['id']}/reject", {"reason": ""})) == (
            400,
            "return_reason_required",
        )
    api.post(f"/returns/{draft['id']}/submit")
    with nothing_written():
        assert error_of(api.post(f"/returns/{draft['id']}/approve")) == (403, "approval_same_person")
    _approve(api, draft)
    with nothing_written():
        assert error_of(api.post(f"/returns/{draft['id']}/approve")) == (409, "invalid_transition")
        too_many = {"lines": [{"line": line_id, "quantity": "3", "disposition": "scrap"}]}
        assert error_of(api.post(f"/returns/{draft['id']}/receive", too_many)) == (
            400,
            "return_receipt_exceeds_claim",
        )
        assert error_of(api.post(f"/returns/{draft['id']}/resolve", {"kind": "credit_note"})) == (
            409,
            "return_receipt_required_before_credit",
        )
        assert error_of(api.post(f"/returns/{draft['id']}/resolve", {"kind": "refusal"})) == (
            400,
            "return_reason_required",
        )
        assert error_of(
            api.post(f"/returns/{draft['id']}/resolve", {"kind": "replacement", "amount": "10.00"})
        ) == (400, "invalid_combination")
        assert error_of(api.post(f"/returns/{draft['id']}/resolve", {"kind": "gift"})) == (
            422,
            "validation_error",
        )
        bad_disposition = {"lines": [{"line": line_id, "quantity": "1", "disposition": "burn"}]}
        assert error_of(api.post(f"/returns/{draft['id']}/receive", bad_disposition)) == (
            422,
            "validation_error",
        )
        assert error_of(api.post(f"/returns/{draft['id']}/lift-block", {"reason": ""})) == (
            400,
            "return_reason_required",
        )
        assert error_of(api.post(f"/returns/{draft['id']}/receive", raw="{not json")) == (400, "invalid_json")
    assert error_of(api.get("/returns/999999")) == (404, "not_found")
    assert error_of(api.post("/returns/999999/submit")) == (404, "not_found")
    assert error_of(api.get("/deliveries/999999/discrepancies")) == (404, "not_found")


def test_the_kpi_period_must_be_in_order(api):
    response = api.get("/insights/returns", {"date_from": "2026-05-01", "date_to": "2026-04-01"})
    assert error_of(response) == (400, "invalid_combination")
    assert error_of(api.get("/insights/returns", {"date_from": "1850-01-01"})) == (422, "validation_error")
    empty = api.get("/insights/returns").json()
    assert (empty["cases"], empty["average_resolution_days"], empty["margin_lost"]) == (0, None, "0.00")
    assert datetime.date.fromisoformat(empty["date_to"]) == timezone.localdate()


def test_the_board_filters_by_status_reason_customer_and_text(api, sale, customer):
    damaged = _open(api, sale, "1").json()
    late = _approved_case(api, sale, "1", reason="late_delivery")
    assert [c["id"] for c in api.get("/returns", {"reason": "late_delivery"}).json()["items"]] == [late["id"]]
    assert [c["id"] for c in api.get("/returns", {"status": "draft"}).json()["items"]] == [damaged["id"]]
    assert api.get("/returns", {"customer": customer.pk}).json()["count"] == 2
    assert api.get("/returns", {"q": damaged["number"]}).json()["count"] == 1
    assert api.get("/returns", {"overdue": "true"}).json()["count"] == 0
    assert error_of(api.get("/returns", {"status": "lost"})) == (422, "validation_error")
    item = api.get("/returns", {"status": "draft"}).json()["items"][0]
    assert (item["age_days"], item["answer_overdue"], item["close_overdue"]) == (0, False, False)


def test_listing_cases_costs_the_same_queries_for_two_cases_or_eight(api, boss, customer, product, sale):
    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/returns").status_code == 200
        return len(captured)

    for _ in range(2):
        _open(api, sale, "1")
    few = queries_for_list()
    for _ in range(6):
        other = make_sale(boss, customer, product, quantity="1", stock=None)
        _open(api, other, "1")
    assert queries_for_list() == few


def test_the_openapi_document_describes_returns_credit_notes_and_kpis(db):
    document = ApiClient().get("/openapi.json").json()
    paths = set(document["paths"])
    for action in ("submit", "approve", "reject", "receive", "resolve", "close", "lift-block"):
        assert f"/api/v1/returns/{{case_id}}/{action}" in paths
    for path in (
        "/api/v1/returns",
        "/api/v1/returns/{case_id}",
        "/api/v1/deliveries/{delivery_id}/discrepancies",
        "/api/v1/credit-notes",
        "/api/v1/credit-notes/{credit_note_id}/apply",
        "/api/v1/credit-notes/{credit_note_id}/refund",
        "/api/v1/insights/returns",
    ):
        assert path in paths, path
    amount = document["components"]["schemas"]["CaseOut"]["properties"]["amount_at_stake"]
    assert (amount["type"], amount["format"]) == ("string", "decimal")


def test_the_assistant_advises_on_an_open_case_and_reads_the_recurring_causes(api, sale):
    case = _approved_case(api, sale, quantity="2", reason="short_shipment")
    advice = api.get(f"/returns/{case['id']}/advice")
    assert advice.status_code == 200, advice.json()
    body = advice.json()
    assert body["suggestion"] == "replacement" and body["reasons"]
    assert body["priority"] == sum(body["priority_parts"].values())

    causes = api.get("/insights/returns/causes", {"window": 30}).json()
    assert causes["window_days"] == 30
    assert causes["by_reason"][0] == {"label": "Manquant", "recent": 1, "previous": 0, "amount": "240.00"}
    assert api.get("/insights/returns/causes", {"window": 3}).status_code == 422


def test_photos_are_attached_through_the_api_and_downloaded_back(api, sale):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = _open(api, sale).json()
    photo = SimpleUploadedFile("carter.jpg", b"\xff\xd8 photo", content_type="image/jpeg")
    response = api.client.post(
        f"/api/v1/returns/{case['id']}/attachments", {"files": [photo]}, headers=api.headers
    )
    assert response.status_code == 201, response.json()
    (attachment,) = response.json()
    download = api.client.get(attachment["download"], headers=api.headers)
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == b"\xff\xd8 photo"
    script = SimpleUploadedFile("x.svg", b"<svg/>", content_type="image/svg+xml")
    refused = api.client.post(
        f"/api/v1/returns/{case['id']}/attachments", {"files": [script]}, headers=api.headers
    )
    assert error_of(refused) == (400, "return_attachment_type")


def test_a_price_reduction_credits_an_amount_and_leaves_the_units_open(api, sale):
    case = _approved_case(api, sale, "10", reason="wrong_price")
    line_id = case["lines"][0]["id"]
    reduction = {"kind": "credit_note", "lines": [{"line": line_id, "quantity": "10", "unit_price": "12"}]}
    line = api.post(f"/returns/{case['id']}/resolve", reduction).json()["lines"][0]
    assert (line["credited"], line["open_quantity"]) == ("0.000", "10.000")
    assert (line["credited_amount"], line["price_reduced"], line["open_amount"]) == (
        "120.00",
        "120.00",
        "1080.00",
    )
    back = {"kind": "credit_note", "lines": [{"line": line_id, "quantity": "4"}]}
    response = api.post(f"/returns/{case['id']}/resolve", back)
    assert response.status_code == 200, response.json()
    line = response.json()["lines"][0]
    assert (line["credited"], line["credited_amount"], line["open_amount"]) == ("4.000", "552.00", "648.00")


def test_a_credit_note_line_may_say_it_only_reduces_the_price(api, sale):
    case = _approved_case(api, sale, "10", reason="wrong_price")
    line = {
        "invoice_line": sale.invoice_line.pk,
        "quantity": "10",
        "unit_price": "120",
        "price_reduction": True,
    }
    payload = {"invoice": sale.invoice.pk, "case": case["id"], "reason": "Geste", "lines": [line]}
    response = api.post("/credit-notes", payload)
    assert response.status_code == 201, response.json()
    assert Invoice.objects.get(pk=response.json()["id"]).lines.get().price_reduction


def test_a_claim_entered_after_the_fact_keeps_its_own_dates(api, boss, customer, product):
    shipped = timezone.localdate() - datetime.timedelta(days=30)
    receive_stock([{"product": product, "quantity": "20", "unit_cost": "70"}], by=boss, date=shipped)
    order = confirm_order(
        create_order(customer, [{"product": product, "quantity": "10"}], by=boss, date=shipped), by=boss
    )
    delivery = validate_delivery(create_delivery(order, by=boss, date=shipped), by=boss)
    issue_invoice(create_invoice_from_order(order, by=boss), by=boss, date=shipped)
    claimed, settled = shipped + datetime.timedelta(days=2), shipped + datetime.timedelta(days=9)
    body = {
        "delivery": delivery.pk,
        "reason": "short_shipment",
        "lines": [{"delivery_line": delivery.lines.get().pk, "quantity": "2"}],
    }

    case = api.post("/returns", {**body, "date": claimed.isoformat()}).json()
    api.post(f"/returns/{case['id']}/submit")
    _approve(api, case)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    refused = api.post(f"/returns/{case['id']}/resolve", {"kind": "credit_note", "date": tomorrow})
    resolved = api.post(
        f"/returns/{case['id']}/resolve", {"kind": "credit_note", "date": settled.isoformat()}
    )

    assert timezone.localdate(datetime.datetime.fromisoformat(case["opened_at"])) == claimed
    assert error_of(refused) == (400, "date_in_future")
    assert resolved.status_code == 200, resolved.json()
    assert Invoice.objects.get(source_reference=case["number"]).date == settled
