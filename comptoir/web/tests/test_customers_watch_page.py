"""« Clients à surveiller »: the customers at risk with their reasons, the rankings of the period, their
exports; the customer's page shows its reasons and its follow-ups, which can be closed there."""

import csv
import io

import pytest

from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.insights.tests.factories import order_history, two_sales
from comptoir.pricing.models import PriceReview
from comptoir.pricing.services import open_price_review
from comptoir.web.tests.clients import client_for, text_of

pytestmark = pytest.mark.django_db
PAGE = "/marges/clients-a-surveiller/"


def _csv(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content), delimiter=";"))


def test_the_page_lists_the_customer_whose_orders_stopped_and_exports_it(boss, company, customer, product):
    order_history(boss, customer, product, range(400, 99, -20))
    client = client_for(boss)
    page = client.get(PAGE)
    assert page.status_code == 200
    text = text_of(page)
    assert "Commande tous les 20 jours en moyenne, aucune depuis 100 jours" in text
    assert "Appeler le client" in text
    rows = _csv(client.get(PAGE + "export/csv/"))
    assert rows[0] == ["Client", "Score", "Suivi suggéré", "Raisons"]
    assert rows[1][:3] == [customer.name, "40", "Appeler le client"]
    # The margins page and the direction's home lead here
    assert PAGE in client.get("/marges/").content.decode()


def test_the_rankings_export_holds_the_most_profitable(boss, company, customer, product):
    other = two_sales(boss, customer, product)
    client = client_for(boss)
    assert [row.customer_id for row in client.get(PAGE).context["rankings"].most_profitable] == [
        customer.pk,
        other.pk,
    ]
    rows = _csv(client.get(PAGE + "export/csv/", {"liste": "rentables"}))
    assert rows[0][:3] == ["Client", "Chiffre d'affaires net HT", "Marge réelle"]
    assert [row[0] for row in rows[1:]] == [customer.name, other.name]
    assert client.get(PAGE + "export/xlsx/", {"liste": "perdants"}).status_code == 200


def test_a_salesperson_does_not_see_the_page(company):
    assert client_for(make_user("sophie", Role.COMMERCIAL)).get(PAGE).status_code == 403


def test_the_customer_page_shows_its_reasons_and_its_follow_up_closed_from_there(
    boss, company, customer, product
):
    order_history(boss, customer, product, range(400, 99, -20))
    review = open_price_review(customer, by=boss, kind="call", reason="Plus de commande depuis 100 jours.")
    client = client_for(boss)
    text = text_of(client.get(f"/clients/{customer.pk}/"))
    assert "Client à surveiller (score 40/100)" in text
    assert "Commande tous les 20 jours en moyenne" in text
    assert "Plus de commande depuis 100 jours." in text
    response = client.post(
        f"/prix/suivis/{review.pk}/clore/", {"outcome": "Rappel en mars", "next": "client"}
    )
    assert response.status_code == 302 and response["Location"] == f"/clients/{customer.pk}/"
    review.refresh_from_db()
    assert (review.status, review.outcome) == (PriceReview.Status.DONE, "Rappel en mars")
    # The price lists page lists the follow-ups of every customer
    assert "Suivis commerciaux" in text_of(client.get("/prix/"))
