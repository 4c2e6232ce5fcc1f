"""POST /api/v1/intake/documents (multipart) and the review through the API."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from comptoir.api.tests.conftest import ApiClient, issue_token
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.intake.models import CustomerProductReference, InboundDocument
from comptoir.intake.tests.conftest import fixture

pytestmark = pytest.mark.django_db

URL = "/api/v1/intake/documents"


@pytest.fixture
def api(boss):
    return ApiClient(issue_token(make_user("adv", Role.ADV)))


def upload(api, content, name="commande.xml"):
    return api.client.post(URL, {"file": SimpleUploadedFile(name, content)}, headers=api.headers)


def test_an_uploaded_order_is_answered_with_what_was_read_and_where(api, brasserie, catalogue):
    response = upload(api, fixture("order-x.xml"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["format"], body["po_number"], body["customer_id"]) == (
        "to_review",
        "order_x",
        "PO-2026-0412",
        brasserie.pk,
    )
    po = next(field for field in body["fields"] if field["name"] == "po_number")
    assert po["source"] == "/SCRDMCCBDACIOMessageStructure/ExchangedDocument/ID"
    assert [line["product_sku"] for line in body["lines"]] == ["VIS-M6-50", "PERC-18V"]


def test_the_same_file_again_answers_200_with_the_document_already_received(api, brasserie, catalogue):
    first = upload(api, fixture("order-x.xml")).json()
    again = upload(api, fixture("order-x.xml"), "copie.xml")
    assert again.status_code == 200
    assert again.json()["id"] == first["id"]


def test_bad_input_is_quarantined_and_an_empty_file_refused_with_a_stable_code(api):
    cat = upload(api, b"\xff\xd8\xff\xe0 miaou", "chat.jpg").json()
    # An image is read by OCR in the background worker, never in the request: it waits « received ».
    assert (cat["status"], cat["format"]) == ("received", "image")
    empty = api.client.post(URL, {}, headers=api.headers)
    assert empty.status_code == 400
    assert empty.json()["code"] == "intake_empty_file"


def test_accept_with_a_corrected_line_creates_the_order_and_learns_the_reference(api, brasserie, catalogue):
    body = upload(api, fixture("order-form.csv"), "bon.csv").json()
    lines = [
        {
            "line": line["id"],
            "product": line["product_id"] or catalogue["gloves"].pk,
            "quantity": line["quantity"],
            "unit_price": line["unit_price"],
        }
        for line in body["lines"]
    ]
    response = api.post(f"/intake/documents/{body['id']}/accept", {"lines": lines})
    assert response.status_code == 200, response.content
    assert response.json()["order_number"].startswith("CMD-")
    assert response.json()["document"]["status"] == "accepted"
    assert CustomerProductReference.objects.get(reference="BP-GANT").product == catalogue["gloves"]


def test_reject_and_queue_filtered_by_status(api, brasserie, catalogue):
    body = upload(api, fixture("ubl-order.xml")).json()
    rejected = api.post(f"/intake/documents/{body['id']}/reject", {"reason": "Déjà saisie"})
    assert rejected.json()["status"] == "rejected"
    again = api.post(f"/intake/documents/{body['id']}/reject", {"reason": "Encore"})
    assert (again.status_code, again.json()["code"]) == (409, "invalid_transition")
    page = api.get("/intake/documents", {"status": "rejected"}).json()
    assert [item["id"] for item in page["items"]] == [body["id"]]


def test_a_warehouse_clerk_may_not_drop_documents(db):
    clerk = ApiClient(issue_token(make_user("magasin", Role.LOGISTIQUE)))
    response = upload(clerk, fixture("order-x.xml"))
    assert response.status_code == 403
    assert not InboundDocument.objects.exists()
