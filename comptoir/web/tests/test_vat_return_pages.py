"""The VAT return pages: the CA3 lines with their documents, the settlement button, the European
statements and the e-reporting data, as an accountant uses them."""

import json

import pytest

from comptoir.core.testing import make_user
from comptoir.vatreturn.tests.factories import eu_month
from comptoir.web.tests.clients import client_for, messages_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(admin_user, boss, company, customer, product, service_product):
    return eu_month(admin_user, boss, customer, product, service_product)


def _query(month) -> dict:
    return {"du": month.start.isoformat(), "au": month.end.isoformat()}


def test_the_vat_page_shows_each_operation_line_and_links_its_documents(month):
    accountant = client_for(make_user("comptable", "comptabilite"))
    response = accountant.get("/comptabilite/tva/", _query(month))
    html = response.content.decode()
    assert response.status_code == 200
    operations = {code: line.base for code, line in response.context["ca3"].operations.items()}
    assert operations == {"A1": 240, "E1": 0, "E2": 450, "F2": 120}
    assert "/comptabilite/tva/ligne/E2/?du=" in html and "Passer l'écriture de liquidation" in html

    detail = accountant.get("/comptabilite/tva/ligne/E2/", _query(month))
    text = detail.content.decode()
    assert detail.status_code == 200
    assert month.service.number in text and month.domestic.number not in text
    assert f'href="/factures/{month.service.pk}/"' in text

    exported = accountant.get("/comptabilite/tva/ligne/08/export.csv", _query(month))
    body = b"".join(exported.streaming_content).decode()
    assert month.domestic.number in body and "48" in body


def test_the_ca3_exports_every_line_with_its_amount(month):
    response = client_for(make_user("comptable", "comptabilite")).get(
        "/comptabilite/tva/ca3.csv", _query(month)
    )
    body = b"".join(response.streaming_content).decode()
    lines = {row.split(";")[0] for row in body.splitlines()[1:]}
    assert {"A1", "E1", "E2", "F2", "08", "16", "20", "23", "TD"} <= lines


def test_the_accountant_settles_the_month_once_from_the_page(month):
    accountant = client_for(make_user("comptable", "comptabilite"))
    response = accountant.post("/comptabilite/tva/liquider/", _query(month), follow=True)
    (message,) = messages_of(response)
    assert message.startswith("TVA liquidée : écriture OD-")
    assert response.context["ca3"].settlement is not None
    assert "Liquidée par l'écriture" in response.content.decode()

    again = accountant.post("/comptabilite/tva/liquider/", _query(month), follow=True)
    (refused,) = messages_of(again)
    assert "déjà liquidée" in refused


def test_a_sales_person_can_neither_see_nor_settle_the_vat(month):
    seller = client_for(make_user("vendeur", "commercial"))
    assert seller.post("/comptabilite/tva/liquider/", _query(month)).status_code == 403
    assert seller.get("/comptabilite/tva/des.csv", _query(month)).status_code == 403


def test_the_des_and_the_goods_statement_download_as_files(month):
    accountant = client_for(make_user("comptable", "comptabilite"))
    des = accountant.get("/comptabilite/tva/des.csv", _query(month)).content.decode()
    assert des.splitlines() == [
        "numero_ligne;montant_eur;numero_tva_client;mois;annee",
        f"1;450;DE136695976;{month.start:%m};{month.start.year}",
    ]
    goods = accountant.get("/comptabilite/tva/biens-ue.csv", _query(month)).content.decode()
    (row,) = goods.splitlines()[1:]
    assert row.startswith("DE136695976;DE;REF-88;") and ";120;1;" in row


def test_the_e_reporting_data_lists_the_international_invoices(month):
    response = client_for(make_user("comptable", "comptabilite")).get(
        "/comptabilite/tva/e-reporting.json", _query(month)
    )
    data = json.loads(response.content)
    assert data["classification"]["counts"] == {"B2B": 1, "B2BINT": 2, "B2C": 0, "OUTOFSCOPE": 0}
    numbers = {invoice["number"] for invoice in data["international_invoices"]}
    assert numbers == {month.service.number, month.supply.number}
