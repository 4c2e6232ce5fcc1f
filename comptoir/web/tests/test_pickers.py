"""Search-as-you-type pickers (#20 point 1): a customer or product found by any word of its name,
its code, its EAN or SIREN, accents and case ignored; and the text typed without the list (JavaScript
off) still designates one record when it is unambiguous."""

import pytest

from comptoir.catalog.models import Product
from comptoir.core.testing import make_customer, make_product
from comptoir.sales.models import Quote
from comptoir.stock.models import Receipt
from comptoir.web.tests.clients import client_for, messages_of, text_of

pytestmark = pytest.mark.django_db


def _labels(client, kind, q):
    response = client.get(f"/choisir/{kind}/", {"q": q})
    assert response.status_code == 200
    return [r["label"] for r in response.json()["results"]]


@pytest.fixture
def catalogue(boss):
    return {
        "charger": make_product(
            boss,
            sku="ACC-CH65",
            name="Adaptateur chargeur USB-C 65 W",
            ean="3760012345670",
            sale_price="29.00",
        ),
        "drill": make_product(
            boss, sku="OUT-PP1", name="Perceuse à percussion électrique", sale_price="89.00"
        ),
        "cable": make_product(boss, sku="ACC-CAB", name="Câble USB-C 2 m", sale_price="9.00"),
    }


def test_a_word_in_the_middle_of_a_product_name_finds_it(boss, catalogue):
    assert _labels(client_for(boss), "produits", "chargeur") == ["ACC-CH65 — Adaptateur chargeur USB-C 65 W"]


def test_accents_and_case_are_ignored_both_ways(boss, catalogue):
    client = client_for(boss)
    assert _labels(client, "produits", "ELECTRIQUE") == ["OUT-PP1 — Perceuse à percussion électrique"]
    assert _labels(client, "produits", "cable") == ["ACC-CAB — Câble USB-C 2 m"]
    assert _labels(client, "produits", "Câble") == ["ACC-CAB — Câble USB-C 2 m"]


def test_every_word_typed_must_match_and_codes_count(boss, catalogue):
    client = client_for(boss)
    assert _labels(client, "produits", "usb chargeur") == ["ACC-CH65 — Adaptateur chargeur USB-C 65 W"]
    assert _labels(client, "produits", "acc") == [
        "ACC-CAB — Câble USB-C 2 m",
        "ACC-CH65 — Adaptateur chargeur USB-C 65 W",
    ]


def test_the_ean_finds_its_product_and_the_exact_code_comes_first(boss, catalogue):
    client = client_for(boss)
    assert _labels(client, "produits", "3760012345670") == ["ACC-CH65 — Adaptateur chargeur USB-C 65 W"]
    make_product(boss, sku="OUT-PP10", name="Perceuse OUT-PP1 compatible")
    assert _labels(client, "produits", "out-pp1")[0] == "OUT-PP1 — Perceuse à percussion électrique"


def test_inactive_products_and_services_are_not_offered_where_they_cannot_go(boss, catalogue):
    make_product(boss, sku="SRV-CH", name="Pose de chargeur", kind=Product.Kind.SERVICE)
    Product.objects.filter(pk=catalogue["cable"].pk).update(is_active=False)
    client = client_for(boss)
    assert _labels(client, "produits", "chargeur") == [
        "ACC-CH65 — Adaptateur chargeur USB-C 65 W",
        "SRV-CH — Pose de chargeur",
    ]
    assert _labels(client, "marchandises", "chargeur") == ["ACC-CH65 — Adaptateur chargeur USB-C 65 W"]
    assert _labels(client, "produits", "cable") == []


def test_customers_by_name_code_or_siren(boss, company, customer):
    other = make_customer(boss, name="Électricité Dupont", siren="732829320")
    client = client_for(boss)
    assert _labels(client, "clients", "electricite") == [f"Électricité Dupont ({other.code})"]
    assert _labels(client, "clients", customer.code.lower()) == [f"Menuiserie Martin SARL ({customer.code})"]
    assert _labels(client, "clients", "542 107") == [f"Menuiserie Martin SARL ({customer.code})"]
    response = client.get("/choisir/clients/", {"q": "martin"})
    assert response.json()["results"][0]["id"] == customer.pk


def test_the_answer_is_cut_at_ten_and_an_unknown_kind_is_not_found(boss):
    for n in range(12):
        make_product(boss, sku=f"VIS-{n:02d}", name=f"Vis à bois {n}")
    client = client_for(boss)
    assert len(_labels(client, "produits", "vis")) == 10
    assert client.get("/choisir/factures/", {"q": "x"}).status_code == 404


def test_the_picker_endpoint_needs_a_login(db):
    from django.test import Client

    assert Client().get("/choisir/produits/", {"q": "x"}).status_code == 302


def test_a_quote_typed_without_the_list_resolves_customer_and_product(boss, company, customer, catalogue):
    response = client_for(boss).post(
        "/devis/nouveau/",
        {
            "customer": "",
            "customer_texte": customer.code,
            "row_id": ["a", "b"],
            "product": ["", ""],
            "product_texte": ["3760012345670", "perceuse electrique"],
            "quantity": ["2", "1"],
            "unit_price": ["", ""],
            "discount_percent": ["", ""],
        },
    )
    assert response.status_code == 302, messages_of(response)
    quote = Quote.objects.get()
    assert quote.customer == customer
    assert [line.product.sku for line in quote.lines.order_by("id")] == ["ACC-CH65", "OUT-PP1"]


def test_an_ambiguous_text_is_refused_with_a_french_sentence_and_kept(boss, company, customer, catalogue):
    response = client_for(boss).post(
        "/devis/nouveau/",
        {
            "customer": "",
            "customer_texte": "Menuiserie Martin SARL",
            "row_id": ["a"],
            "product": [""],
            "product_texte": ["usb"],
            "quantity": ["2"],
            "unit_price": [""],
            "discount_percent": [""],
        },
    )
    assert response.status_code == 200
    assert messages_of(response) == [
        "Ligne 1 : Plusieurs produits correspondent à « usb » : choisissez-en un dans la liste."
    ]
    assert 'value="usb"' in text_of(response)
    assert Quote.objects.count() == 0


def test_an_unknown_customer_is_said_on_its_field(boss, company, customer, catalogue):
    response = client_for(boss).post(
        "/devis/nouveau/", {"customer": "", "customer_texte": "Inconnu SA", "row_id": [""], "product": [""]}
    )
    assert response.status_code == 200
    assert "Aucun client ne correspond à « Inconnu SA »." in text_of(response)


def test_the_payment_customer_is_chosen_by_typed_text(boss, company, customer):
    client = client_for(boss)
    choose = text_of(client.get("/reglements/nouveau/"))
    assert 'name="client_texte"' in choose and "<select" not in choose.split("<main")[1]
    page = client.get("/reglements/nouveau/", {"client": "", "client_texte": "menuiserie"})
    assert page.status_code == 200
    assert page.context["customer"] == customer
    refused = client.get("/reglements/nouveau/", {"client": "", "client_texte": "zzz"})
    assert "Aucun client ne correspond à « zzz »." in text_of(refused)


def test_a_receipt_row_typed_without_the_list_takes_the_goods(boss, company, catalogue):
    response = client_for(boss).post(
        "/stock/receptions/nouvelle/",
        {"product": [""], "product_texte": ["chargeur"], "quantity": ["5"], "unit_cost": [""]},
    )
    assert response.status_code == 302, messages_of(response)
    assert Receipt.objects.get().lines.get().product == catalogue["charger"]


def test_the_editor_pages_no_longer_list_the_whole_catalogue(boss, company, catalogue):
    html = text_of(client_for(boss).get("/devis/nouveau/"))
    assert "Perceuse à percussion électrique" not in html
    assert 'role="combobox"' in html
