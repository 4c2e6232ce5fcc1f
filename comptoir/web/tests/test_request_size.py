"""A request too large for the server gets a page that says so (413), not an error page or a bare 400."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from comptoir.catalog.models import Product
from comptoir.web.tests.clients import client_for, text_of

pytestmark = pytest.mark.django_db

TEN_MB = 10 * 1024 * 1024


def _assert_too_large_page(response):
    assert response.status_code == 413
    page = text_of(response)
    assert "Requête trop volumineuse" in page and "Rien n'a été enregistré" in page


def test_a_10_mb_form_is_answered_413_with_a_page(boss, company):
    response = client_for(boss).post(
        "/produits/nouveau/",
        "sku=CLE-1&name=" + "x" * TEN_MB,
        content_type="application/x-www-form-urlencoded",
    )
    _assert_too_large_page(response)
    assert not Product.objects.exists()


def test_a_10_mb_json_body_is_answered_413(boss, company):
    response = client_for(boss).post(
        "/produits/nouveau/", '"' + "x" * TEN_MB + '"', content_type="application/json"
    )
    _assert_too_large_page(response)


def test_a_large_field_inside_a_multipart_form_is_answered_413(boss, company):
    # Within the upload limit as a whole, but one field beyond what a form field may hold in memory: the
    # CSRF check reads it before any view does.
    response = client_for(boss).post("/produits/nouveau/", {"sku": "CLE-1", "name": "x" * (3 * 1024 * 1024)})
    _assert_too_large_page(response)


@override_settings(COMPTOIR_MAX_UPLOAD_SIZE=1024 * 1024)
def test_files_beyond_the_upload_limit_are_answered_413(boss, company):
    photo = SimpleUploadedFile(
        "carter.jpg", b"\xff\xd8" + b"0" * (2 * 1024 * 1024), content_type="image/jpeg"
    )
    response = client_for(boss).post("/litiges/1/pieces/", {"pieces": [photo]})
    _assert_too_large_page(response)
