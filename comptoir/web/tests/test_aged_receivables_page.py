"""The aged receivables page (balance âgée clients): rows, totals, chart with its text, statement links,
export, sorting, and who sees it."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core.permissions import ALL_ROLES, PERMISSIONS
from comptoir.core.testing import make_customer, make_user
from comptoir.parties.services import configure_company
from comptoir.payments.services import register_payment
from comptoir.sales.services import confirm_order, create_order
from comptoir.web.tests.clients import client_for, text_of

pytestmark = pytest.mark.django_db
URL = "/comptabilite/balance-agee/"
DAY = datetime.timedelta(days=1)


def invoice_of(boss, customer, service, quantity="1", date=None):
    order = confirm_order(
        create_order(customer, [{"product": service, "quantity": quantity}], by=boss, date=date), by=boss
    )
    return issue_invoice(create_invoice_from_order(order, by=boss), by=boss, date=date)


@pytest.fixture
def book(admin_user, boss, company, customer, service_product):
    """Martin owes 540 € 120 days late and 1,080 € not yet due; Bernard owes 340 € 10 days late."""
    configure_company(by=admin_user, backdating_days=366)  # invoices of months past
    today = timezone.localdate()
    bernard = make_customer(boss, name="Atelier Bernard", siren="443061841")
    invoice_of(boss, customer, service_product, date=today - 150 * DAY)
    late = invoice_of(boss, bernard, service_product, date=today - 40 * DAY)
    invoice_of(boss, customer, service_product, "2", date=today)
    register_payment(
        bernard, amount="200", method="transfer", allocations=[{"invoice": late, "amount": "200"}], by=boss
    )
    return {"martin": customer, "bernard": bernard}


def test_the_page_shows_each_customer_by_bucket_with_the_totals(boss, book):
    response = client_for(boss).get(URL)
    page = text_of(response)
    rows = {item["row"].customer_name: item["cells"] for item in response.context["page_obj"].object_list}
    zero = Decimal("0")
    assert rows["Atelier Bernard"] == [zero, Decimal("340.00"), zero, zero, zero, zero, Decimal("340.00")]
    assert rows[book["martin"].name] == [
        Decimal("1080.00"),
        zero,
        zero,
        zero,
        Decimal("540.00"),
        zero,
        Decimal("1620.00"),
    ]
    assert response.context["total_cells"][-1] == Decimal("1960.00")
    assert "Total (2 clients)" in page and "1\u202f960,00" in page
    for customer in book.values():
        assert f'href="/clients/{customer.pk}/releve/"' in page
    # The chart is drawn on the server and says its figures in words.
    assert "<svg" in page and 'role="img"' in page
    assert "Plus de 90 jours : 540,00\u00a0€." in page and "1 à 30 jours : 340,00\u00a0€." in page


def test_the_page_sorts_by_total_and_by_the_oldest_bucket(boss, book):
    client = client_for(boss)

    def names(tri):
        response = client.get(f"{URL}?tri={tri}")
        return [item["row"].customer_name for item in response.context["page_obj"].object_list]

    assert names("-total") == [book["martin"].name, "Atelier Bernard"]
    assert names("total") == ["Atelier Bernard", book["martin"].name]
    assert names("-plus90") == [book["martin"].name, "Atelier Bernard"]
    assert names("n_importe_quoi") == ["Atelier Bernard", book["martin"].name]  # by name


def test_the_export_has_every_customer_in_the_order_of_the_page(boss, book):
    response = client_for(boss).get(f"{URL.rstrip('/')}/export.csv?tri=-total")
    text = b"".join(response.streaming_content).decode("utf-8")[1:]
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0][:3] == ["Code client", "Client", "Non échu"] and rows[0][-1] == "Total dû"
    assert [row[1] for row in rows[1:]] == [book["martin"].name, "Atelier Bernard"]
    assert rows[1][2] == "1080,00" and rows[1][-1] == "1620,00"
    xlsx = client_for(boss).get(f"{URL.rstrip('/')}/export.xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Disposition"].endswith('.xlsx"')


def test_the_search_narrows_the_rows_and_the_totals(boss, book):
    response = client_for(boss).get(f"{URL}?q=bernard")
    assert [item["row"].customer_name for item in response.context["page_obj"].object_list] == [
        "Atelier Bernard"
    ]
    assert response.context["totals"].total == Decimal("340.00")


def test_with_nothing_owed_the_page_says_so(boss, company):
    page = text_of(client_for(boss).get(URL))
    assert "Aucun encours" in page and "<svg" not in page


@pytest.mark.parametrize("role", ALL_ROLES)
def test_the_sidebar_links_the_new_pages_for_the_roles_that_may_open_them(role, company):
    page = text_of(client_for(make_user(f"nav-{role}", role)).get("/"))
    assert ('href="/comptabilite/balance-agee/"' in page) == ("accounting.view" in PERMISSIONS[role])
    assert ('href="/mouvements/"' in page) == ("stock.view" in PERMISSIONS[role])
