"""An oversized request is refused with 413 `request_too_large` before it is read, whatever its type."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from comptoir.api.tests.conftest import BASE, error_of
from comptoir.catalog.models import Product

TEN_MB = 10 * 1024 * 1024


def _big_json() -> str:
    return json.dumps({"sku": "VIS-1", "name": "Vis", "sale_price": "1.00", "description": "x" * TEN_MB})


def test_a_10_mb_json_body_is_refused_with_413(api):
    response = api.post("/products", raw=_big_json())
    assert error_of(response) == (413, "request_too_large")
    assert "volumineuse" in response.json()["message"]
    assert not Product.objects.exists()


def test_a_10_mb_form_body_is_refused_with_413(api):
    response = api.client.post(
        BASE + "/products",
        "name=" + "x" * TEN_MB,
        content_type="application/x-www-form-urlencoded",
        headers=api.headers,
    )
    assert error_of(response) == (413, "request_too_large")


def test_an_oversized_request_is_refused_before_authentication(db):
    from django.test import Client

    response = Client().post(BASE + "/products", _big_json(), content_type="application/json")
    assert error_of(response) == (413, "request_too_large")


def test_a_large_field_inside_a_multipart_body_is_refused_with_413(api):
    # Within the upload limit as a whole, but one form field beyond what a field may hold in memory.
    response = api.client.post(
        BASE + "/returns/1/attachments", {"note": "x" * (3 * 1024 * 1024)}, headers=api.headers
    )
    assert error_of(response) == (413, "request_too_large")


def test_files_may_be_larger_than_a_json_body(api):
    # 3 MB is refused as JSON but is an ordinary photo or PDF: the request reaches the endpoint (and the
    # unknown case answers 404), it is not refused for its size.
    scan = SimpleUploadedFile("bon.pdf", b"%PDF" + b"0" * (3 * 1024 * 1024), content_type="application/pdf")
    response = api.client.post(BASE + "/returns/987654/attachments", {"files": [scan]}, headers=api.headers)
    assert error_of(response) == (404, "not_found")


@override_settings(COMPTOIR_MAX_UPLOAD_SIZE=1024 * 1024)
def test_files_beyond_the_upload_limit_are_refused_with_413(api):
    scan = SimpleUploadedFile("bon.pdf", b"%PDF" + b"0" * (2 * 1024 * 1024), content_type="application/pdf")
    response = api.client.post(BASE + "/returns/987654/attachments", {"files": [scan]}, headers=api.headers)
    assert error_of(response) == (413, "request_too_large")


def test_the_limits_are_documented(db):
    from django.test import Client

    document = Client().get(BASE + "/openapi.json").json()
    create = document["paths"]["/api/v1/products"]["post"]
    assert "413" in create["responses"]


def test_a_json_body_of_a_megabyte_and_a_half_passes(api):
    # Insignificant whitespace counts like any byte: the limit leaves room for the largest documents.
    body = json.dumps({"sku": "VIS-2", "name": "Vis", "sale_price": "1.00"}) + " " * (1536 * 1024)
    response = api.post("/products", raw=body)
    assert response.status_code == 201, response.json()
