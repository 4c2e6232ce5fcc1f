"""Sortable lists: `?tri=<key>` / `?tri=-<key>` from a whitelist, the primary key breaking ties, unknown
keys falling back to the default order, header links that keep the filters, exports in the same order."""

import csv
import datetime
import html
import io
import re
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from django.http import QueryDict
from django.utils import timezone

from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core.testing import make_customer, make_product
from comptoir.payments.services import register_payment
from comptoir.sales.services import confirm_order, create_order
from comptoir.web.sorting import Sort, SortSpec
from comptoir.web.tests.clients import client_for

pytestmark = pytest.mark.django_db


def numbers_on(response) -> list[str]:
    return [row["invoice"].number for row in response.context["page_obj"].object_list]


def csv_numbers(response) -> list[str]:
    text = b"".join(response.streaming_content).decode("utf-8")[1:]
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    return [row[0] for row in rows[1:]]


@pytest.fixture
def invoices(boss, company, customer):
    """Three issued invoices of different amounts and dates, the middle one partly paid:
    A 1 × 100 € HT (120 TTC) on the 1st, B 3 × 100 (360 TTC) on the 2nd, C 2 × 100 (240 TTC) on the 3rd."""
    day = timezone.localdate() - datetime.timedelta(days=10)
    product = make_product(
        boss, sku="SRV-HEURE", name="Heure de main-d'œuvre", kind="service", sale_price="100"
    )
    made = {}
    for offset, (name, quantity) in enumerate((("a", "1"), ("b", "3"), ("c", "2"))):
        date = day + datetime.timedelta(days=offset)
        order = confirm_order(
            create_order(customer, [{"product": product, "quantity": quantity}], by=boss, date=date), by=boss
        )
        made[name] = issue_invoice(create_invoice_from_order(order, by=boss), by=boss, date=date)
    register_payment(
        customer,
        amount="300",
        method="transfer",
        allocations=[{"invoice": made["b"], "amount": "300"}],
        by=boss,
    )  # B has 60 € left to pay: less than A (120) and C (240)
    return SimpleNamespace(**made)


# --- The helper ---------------------------------------------------------------------------------


def test_an_unknown_or_malformed_key_gives_the_default_order():
    spec = SortSpec({"date": "date"})
    for value in ("", "prix", "--date", "-", "date;drop", "DATE"):
        assert spec.read(QueryDict(f"tri={value}")) == Sort(), value
    assert spec.read(QueryDict("tri=-date")) == Sort("date", descending=True)


def test_the_header_link_flips_the_sorted_column_and_keeps_the_other_parameters():
    query = QueryDict("q=martin&etat=open&client=4&page=3&tri=date")
    link = Sort("date", descending=False).header("date", query)
    params = parse_qs(urlsplit(link["href"]).query)
    assert params == {"q": ["martin"], "etat": ["open"], "client": ["4"], "tri": ["-date"]}
    assert (link["aria_sort"], link["arrow"]) == ("ascending", "▲")
    other = Sort("date", descending=True).header("total", query)
    assert parse_qs(urlsplit(other["href"]).query)["tri"] == ["total"]
    assert (other["aria_sort"], other["arrow"], other["active"]) == ("", "", False)


def test_rows_computed_in_python_sort_the_same_way_with_empty_values_last():
    rows = [
        SimpleNamespace(pk=1, name="b", amount=Decimal("5")),
        SimpleNamespace(pk=2, name="A", amount=None),
        SimpleNamespace(pk=3, name="c", amount=Decimal("5")),
        SimpleNamespace(pk=4, name="d", amount=Decimal("1")),
    ]
    spec = SortSpec({"nom": "name", "montant": "amount"})
    up, _sort = spec.sort_rows(rows, QueryDict("tri=montant"))
    down, _sort = spec.sort_rows(rows, QueryDict("tri=-montant"))
    by_name, _sort = spec.sort_rows(rows, QueryDict("tri=nom"))
    assert [row.pk for row in up] == [4, 1, 3, 2]
    assert [row.pk for row in down] == [3, 1, 4, 2]  # ties broken by the key, in the same direction
    assert [row.pk for row in by_name] == [2, 1, 3, 4]  # case-insensitive


# --- On the pages -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tri, expected",
    [
        ("total", ["a", "c", "b"]),
        ("-total", ["b", "c", "a"]),
        ("reste", ["b", "a", "c"]),
        ("-reste", ["c", "a", "b"]),
        ("date", ["a", "b", "c"]),
        ("-date", ["c", "b", "a"]),
        ("numero", ["a", "b", "c"]),
        ("-numero", ["c", "b", "a"]),
    ],
)
def test_invoices_sort_by_amount_date_and_number_both_ways(boss, invoices, tri, expected):
    response = client_for(boss).get(f"/factures/?tri={tri}")
    assert numbers_on(response) == [getattr(invoices, name).number for name in expected]


@pytest.mark.parametrize("tri", ["inconnu", "-", "--total", "total%00", "customer__password"])
def test_an_unknown_sort_key_falls_back_to_the_default_order(boss, invoices, tri):
    client = client_for(boss)
    response = client.get(f"/factures/?tri={tri}")
    assert response.status_code == 200
    assert numbers_on(response) == numbers_on(client.get("/factures/"))
    assert 'aria-sort="' not in response.content.decode()


def test_the_sorted_header_says_its_direction_and_links_keep_the_filters(boss, invoices, customer):
    url = f"/factures/?q=FA&etat=issued&client={customer.pk}&page=1&tri=-total"
    page = client_for(boss).get(url).content.decode()
    assert re.search(
        r'<th scope="col" class="num" aria-sort="descending"><a [^>]*>Total TTC <span aria-hidden="true">▼',
        page,
    )
    links = {
        label.strip(): parse_qs(html.unescape(href))
        for href, label in re.findall(r'<a class="sort-link[^"]*" href="\?([^"]*)">([^<]+)', page)
    }
    filters = {"q": ["FA"], "etat": ["issued"], "client": [str(customer.pk)]}
    assert links["Total TTC"] == {**filters, "tri": ["total"]}  # the other way round, first page
    assert links["Date"] == {**filters, "tri": ["date"]}
    # The search form keeps the order too.
    assert '<input type="hidden" name="tri" value="-total">' in page


def test_the_export_follows_the_order_of_the_list(boss, invoices):
    client = client_for(boss)
    for tri in ("-reste", "total", "-date"):
        on_screen = numbers_on(client.get(f"/factures/?tri={tri}"))
        assert csv_numbers(client.get(f"/factures/export.csv?tri={tri}")) == on_screen


def test_ties_are_broken_by_the_key_so_pages_never_overlap(boss, company):
    customers = [make_customer(boss, name="Même Nom SARL", siren="443061841") for _ in range(30)]
    client = client_for(boss)
    for tri in ("nom", "-nom"):
        first = [c.pk for c in client.get(f"/clients/?tri={tri}").context["page_obj"]]
        second = [c.pk for c in client.get(f"/clients/?tri={tri}&page=2").context["page_obj"]]
        assert len(first) + len(second) == 30 and not set(first) & set(second)
        assert first + second == sorted((c.pk for c in customers), reverse=tri.startswith("-"))


@pytest.mark.parametrize(
    "url",
    [
        "/clients/?tri=-solde",
        "/produits/?tri=stock",
        "/devis/?tri=-total",
        "/commandes/?tri=client",
        "/livraisons/?tri=-commande",
        "/reglements/?tri=montant",
        "/stock/?tri=-cmup",
        "/stock/?alertes=1&tri=nom",
        "/litiges/?tri=-age",
        "/comptabilite/ecritures/?tri=piece",
        "/audit/?tri=utilisateur",
        "/mouvements/?tri=-quantite",
        "/comptabilite/balance-agee/?tri=-plus90",
    ],
)
def test_every_list_sorts_by_its_columns(boss, invoices, url):
    response = client_for(boss).get(url)
    assert response.status_code == 200
    assert response.context["sort"].value == parse_qs(urlsplit(url).query)["tri"][0]
