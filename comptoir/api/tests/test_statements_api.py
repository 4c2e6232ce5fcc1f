"""The balance sheet and income statement through the API: the lines with their accounts, the totals,
the refusal of an inverted period, and who may read them."""

from decimal import Decimal

import pytest

from comptoir.api.tests.conftest import error_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def rent(api, company):
    """Rent of 1,200 € HT posted this month, owed to the landlord."""
    api.post(
        "/accounting/manual-entries",
        {
            "label": "Loyer",
            "lines": [
                {"account": "613", "debit": "1200.00"},
                {"account": "44566", "debit": "240.00"},
                {"account": "401", "credit": "1440.00"},
            ],
        },
    )
    [draft] = api.get("/accounting/manual-entries").json()["items"]
    assert api.post(f"/accounting/manual-entries/{draft['id']}/post").status_code == 200


def _lines(statement) -> dict:
    return {line["key"]: line for group in statement["groups"] for line in group["lines"]}


def test_the_balance_sheet_balances_and_names_the_accounts_of_each_line(api, rent):
    response = api.get("/accounting/balance-sheet")
    assert response.status_code == 200, response.json()
    body = response.json()
    current = body["current"]
    assert current["totals"] == {"actif": "240.00", "passif": "240.00"}
    assert current["result"] == "-1200.00"
    lines = _lines(current)
    assert lines["dettes_fournisseurs"]["amount"] == "1440.00"
    assert lines["dettes_fournisseurs"]["accounts"] == [
        {"code": "401", "name": "Fournisseurs", "amount": "1440.00"}
    ]
    assert lines["autres_creances"]["accounts"][0]["code"] == "44566"
    assert body["previous"] is None


def test_the_income_statement_gives_the_intermediate_results(api, rent):
    body = api.get("/accounting/income-statement").json()
    assert _lines(body["current"])["charges_externes"]["amount"] == "1200.00"
    totals = body["current"]["totals"]
    assert Decimal(totals["exploitation"]) == Decimal(totals["resultat"]) == Decimal("-1200.00")


def test_an_inverted_period_is_refused_and_a_salesperson_may_not_read_the_books(api, api_as, company):
    assert error_of(
        api.get("/accounting/balance-sheet", {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    ) == (400, "invalid_combination")
    assert api_as("commercial").get("/accounting/income-statement").status_code == 403
