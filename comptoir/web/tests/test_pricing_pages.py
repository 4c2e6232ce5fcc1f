"""The pricing pages: a list's lines typed or imported from CSV, its page, the thresholds in Paramètres,
the live totals saying where a price comes from and asking a discount's category."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.pricing import services
from comptoir.pricing.models import PriceList
from comptoir.pricing.selectors import discount_thresholds
from comptoir.web.tests.clients import client_for, text_of

pytestmark = pytest.mark.django_db


def test_a_list_is_created_from_typed_lines_then_replaced_by_a_csv_file(boss, customer, product):
    client = client_for(boss)
    response = client.post(
        "/prix/",
        {
            "name": "Martin 2026",
            "customer_code": customer.code,
            "lines": "référence;à partir de;prix;remise\nREF-88;1;110,00;\nREF-88;50;;20",
        },
    )
    price_list = PriceList.objects.get()
    assert response["Location"] == f"/prix/{price_list.pk}/"
    assert [
        (line.min_quantity, line.price, line.percent_off)
        for line in price_list.lines.order_by("min_quantity")
    ] == [
        (1, 110, None),
        (50, None, 20),
    ]
    page = text_of(client.get(f"/prix/{price_list.pk}/"))
    assert "REF-88" in page and "110,00" in page

    upload = SimpleUploadedFile("prix.csv", "REF-88;10;99,5;\n".encode("cp1252"), content_type="text/csv")
    client.post(
        f"/prix/{price_list.pk}/",
        {"name": "Martin 2026", "customer_code": customer.code, "is_active": "on", "csv_file": upload},
    )
    assert [(line.min_quantity, line.price) for line in price_list.lines.all()] == [(10, 99.5)]

    refused = client.post(
        f"/prix/{price_list.pk}/",
        {"name": "Martin 2026", "customer_code": customer.code, "lines": "INCONNU;1;5;"},
        follow=True,
    )
    assert "aucun produit n'a la référence « INCONNU »" in text_of(refused)


def test_the_live_totals_say_where_the_price_comes_from_and_ask_the_discount_category(
    boss, customer, product
):
    services.set_customer_price(customer, product, "101", by=boss)
    client = client_for(boss)
    row = {
        "row_id": ["a1"],
        "customer": customer.pk,
        "product": [product.pk],
        "quantity": ["2"],
        "unit_price": [""],
    }
    totals = text_of(client.post("/lignes/totaux/", {**row, "discount_percent": [""]}))
    assert "prix spécifique client" in totals
    asked = text_of(client.post("/lignes/totaux/", {**row, "discount_percent": ["5"]}))
    assert "Ligne 1 : choisissez la catégorie de la remise." in asked


def test_direction_sets_the_thresholds_in_the_settings_and_others_only_read_them(boss):
    client = client_for(boss)
    assert "Seuils de remise" in text_of(client.get("/parametres/"))
    client.post(
        "/parametres/seuils-de-remise/",
        {"threshold_commercial": "12,5", "threshold_adv": "5", "threshold_direction": ""},
    )
    thresholds = discount_thresholds()
    assert str(thresholds["commercial"]) == "12.50" and thresholds["direction"] is None
    accountant = client_for(make_user("compta", Role.COMPTABILITE))
    page = accountant.get("/parametres/seuils-de-remise/")
    assert (
        page.status_code == 200 and 'type="submit"' not in page.content.decode().split("threshold_admin")[-1]
    )
