"""A JSON endpoint reads JSON only: a body sent as text/plain, a form or XML is refused with 415."""

import json

import pytest

from comptoir.api.tests.conftest import BASE, error_of
from comptoir.catalog.models import Product

BODY = json.dumps({"sku": "VIS-1", "name": "Vis", "sale_price": "1.00"})


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "text/plain; charset=utf-8",
        "application/x-www-form-urlencoded",
        "application/xml",
        "application/octet-stream",
        "application/jsonp",
        "",
    ],
)
def test_a_json_body_under_another_content_type_is_refused_with_415(api, content_type):
    response = api.client.post(BASE + "/products", BODY, content_type=content_type, headers=api.headers)
    assert error_of(response) == (415, "unsupported_media_type")
    assert "application/json" in response.json()["message"]
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "Application/JSON"]
)
def test_json_is_read_under_its_own_content_type(api, content_type):
    response = api.client.post(BASE + "/products", BODY, content_type=content_type, headers=api.headers)
    assert response.status_code == 201, response.json()


def test_a_patch_body_must_be_json_too(api, product):
    response = api.client.patch(
        f"{BASE}/products/{product.pk}",
        json.dumps({"name": "Vis"}),
        content_type="text/plain",
        headers=api.headers,
    )
    assert error_of(response) == (415, "unsupported_media_type")


def test_the_refusal_is_documented(db):
    from django.test import Client

    document = Client().get(BASE + "/openapi.json").json()
    assert "415" in document["paths"]["/api/v1/products"]["post"]["responses"]
    assert "415" not in document["paths"]["/api/v1/products"]["get"]["responses"]


def test_a_multipart_body_without_its_boundary_is_a_400_not_a_500(api):
    response = api.client.post(
        BASE + "/returns/1/attachments", b"--x--\r\n", content_type="multipart/form-data", headers=api.headers
    )
    assert error_of(response) == (400, "invalid_multipart")
