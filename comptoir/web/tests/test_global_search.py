"""The global search (issue 20, point 1): from any page, a customer by a piece of its name typed without
accents, a product by a word of its name or its EAN, an order by the customer's purchase-order number, a
document by its number (Enter on a full number opens it); each group only for a role that may see it."""

import pytest

from comptoir.core.permissions import Role
from comptoir.core.testing import make_customer, make_product, make_user
from comptoir.sales.services import create_order, create_quote
from comptoir.web import search
from comptoir.web.tests.clients import client_for, text_of

pytestmark = pytest.mark.django_db


def as_you_type(client, q):
    return text_of(client.get("/recherche/", {"q": q}, HTTP_HX_REQUEST="true"))


def test_names_are_found_with_accents_and_case_ignored(boss, company):
    customer = make_customer(boss, name="Électricité Générale du Sud-Ouest")
    product = make_product(boss, sku="CHG-USB-C", name="Chargeur rapide USB-C 65 W", ean="3017620422003")
    client = client_for(boss)

    page = as_you_type(client, "electricite generale")
    assert "Électricité Générale du Sud-Ouest" in page and f"/clients/{customer.pk}/" in page
    assert "Électricité" in as_you_type(client, "ÉLECTRICITÉ")
    assert f"/produits/{product.pk}/" in as_you_type(client, "chargeur")  # a word inside the name
    assert f"/produits/{product.pk}/" in as_you_type(client, "3017620422003")
    assert "Rien ne correspond à « zzzz »." in as_you_type(client, "zzzz")


def test_an_order_is_found_by_the_customers_purchase_order_number(boss, customer, product):
    order = create_order(
        customer, [{"product": product, "quantity": "1"}], by=boss, customer_reference="PO-77812"
    )
    page = as_you_type(client_for(boss), "77812")
    assert order.number in page and "PO-77812" in page


def test_a_full_document_number_opens_the_document(boss, customer, product):
    quote = create_quote(customer, [{"product": product, "quantity": "1"}], by=boss)
    response = client_for(boss).get("/recherche/", {"q": quote.number.lower()})
    assert response.status_code == 302 and response["Location"] == f"/devis/{quote.pk}/"
    # The search page itself (the form's own submit) lists rather than jumps.
    listed = client_for(boss).get("/recherche/", {"q": quote.number, "liste": "1"})
    assert listed.status_code == 200 and quote.number in text_of(listed)


def test_each_group_only_for_a_role_that_may_see_it(boss, customer, product):
    quote = create_quote(customer, [{"product": product, "quantity": "1"}], by=boss)
    assert [group.title for group in search.search(quote.number, boss)] == ["Devis"]
    assert search.search(quote.number, make_user("sans-role")) == []  # an account with no role sees nothing


def test_every_page_has_the_box():
    page = text_of(client_for(make_user("compta", Role.COMPTABILITE)).get("/"))
    assert 'id="global-search"' in page and 'hx-get="/recherche/"' in page


def test_the_folding_in_python_and_in_sql_agree():
    assert search.fold("Œuvre Ąęś Žluťoučký ÉTÉ") == "oeuvre aes zlutoucky ete"
