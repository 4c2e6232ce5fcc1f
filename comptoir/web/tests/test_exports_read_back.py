"""Exports a spreadsheet reads as they are meant (issue 20, point 5): every list and report exports, its
file read back gives the numbers as numbers, a quote with no order exports like any other, and balances
computed in SQL come out to the cent."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import transaction
from openpyxl import load_workbook

from comptoir.accounting.services import Line, post_entry
from comptoir.core import dates
from comptoir.core.testing import make_customer
from comptoir.sales.services import create_quote, send_quote
from comptoir.web import export
from comptoir.web.tests.clients import client_for

pytestmark = pytest.mark.django_db


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")  # the byte order mark Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=export.SEPARATOR))


def as_number(cell: str) -> Decimal:
    """How a spreadsheet set to French reads a CSV cell: a decimal comma, nothing else."""
    return Decimal(cell.replace(",", "."))


def xlsx_rows(response) -> list[tuple]:
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def test_amounts_of_a_thousand_and_more_read_back_as_numbers():
    # A no-break space between thousands makes LibreOffice and Excel read the cell as text.
    assert export.csv_cell(Decimal("1234567.891")) == "1234567,891"
    assert as_number(export.csv_cell(Decimal("-1836"))) == Decimal("-1836.00")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_quote_without_an_order_is_exported(boss, customer, product, fmt):
    quote = create_quote(customer, [{"product": product, "quantity": "3"}], by=boss)
    send_quote(quote, by=boss)

    response = client_for(boss).get(f"/devis/export.{fmt}")

    assert response.status_code == 200
    rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
    header, *body = rows
    assert [row[header.index("Numéro")] for row in body] == [quote.number]
    assert body[0][header.index("Commande")] in ("", None)


def _customer_owing(customer, debits: list[str], credit: str) -> None:
    """Invoices and a payment on the customer's 411 account whose sum in binary floating point (SQLite's
    arithmetic) is 285.599999999977."""
    owed = sum(map(Decimal, debits)) - Decimal(credit)
    with transaction.atomic():
        post_entry(
            "OD",
            date=dates.today(),
            label="Reprise de solde",
            document_number="TEST-1",
            lines=[
                *(Line("411", debit=Decimal(debit), partner_id=customer.pk) for debit in debits),
                Line("411", credit=Decimal(credit), partner_id=customer.pk),
                Line("707", credit=owed),
            ],
        )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_customer_balance_comes_out_to_the_cent(boss, company, fmt):
    customer = make_customer(boss, name="Solde Flottant SA")
    _customer_owing(customer, ["100000.10", "100000.20"], "199714.70")

    response = client_for(boss).get(f"/clients/export.{fmt}?q=Flottant")

    header, row = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
    balance = row[header.index("Solde ouvert")]
    assert (as_number(balance) if fmt == "csv" else Decimal(str(balance))) == Decimal("285.60")
    if fmt == "csv":
        assert balance == "285,60"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_trial_balance_exports_balanced_as_the_page_shows_it(boss, company, fmt):
    customer = make_customer(boss, name="Balance Export SARL")
    _customer_owing(customer, ["100000.10", "100000.20"], "199714.70")
    client = client_for(boss)
    assert "/comptabilite/balance/export.csv" in client.get("/comptabilite/balance/").content.decode()

    response = client.get(f"/comptabilite/balance/export.{fmt}")

    header, *rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
    number = as_number if fmt == "csv" else (lambda v: Decimal(str(v)) if v not in (None, "") else None)
    by_account = {row[0]: row for row in rows}
    customers, sales = by_account["411"], by_account["707"]
    assert number(customers[header.index("Total débit")]) == Decimal("200000.30")
    assert number(customers[header.index("Solde débiteur")]) == Decimal("285.60")
    assert customers[header.index("Solde créditeur")] in ("", None)
    assert number(sales[header.index("Solde créditeur")]) == Decimal("285.60")
    debit = sum(number(row[header.index("Total débit")]) for row in rows)
    credit = sum(number(row[header.index("Total crédit")]) for row in rows)
    assert debit == credit


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_general_ledger_exports_each_line_with_its_running_balance(boss, company, fmt):
    customer = make_customer(boss, name="Grand Livre SARL")
    _customer_owing(customer, ["100000.10", "100000.20"], "199714.70")
    client = client_for(boss)
    page = client.get("/comptabilite/grand-livre/411/").content.decode()
    assert "/comptabilite/grand-livre/411/export.xlsx" in page

    response = client.get(f"/comptabilite/grand-livre/411/export.{fmt}")

    header, *rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
    number = as_number if fmt == "csv" else (lambda v: Decimal(str(v)))
    assert [number(row[header.index("Solde")]) for row in rows] == [
        Decimal("100000.10"),
        Decimal("200000.30"),
        Decimal("285.60"),
    ]
    assert {row[header.index("Client")] for row in rows} == {customer.name}


def test_an_unknown_account_has_no_ledger_export(boss):
    assert client_for(boss).get("/comptabilite/grand-livre/999999/export.csv").status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_journal_entries_export_one_balanced_row_per_line(boss, company, fmt):
    customer = make_customer(boss, name="Journal Export SARL")
    _customer_owing(customer, ["100000.10", "100000.20"], "199714.70")
    client = client_for(boss)
    assert "/comptabilite/ecritures/export.csv" in client.get("/comptabilite/ecritures/").content.decode()

    response = client.get(f"/comptabilite/ecritures/export.{fmt}?journal=OD")

    header, *rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
    number = as_number if fmt == "csv" else (lambda v: Decimal(str(v)))
    assert [row[header.index("Compte")] for row in rows] == ["411", "411", "411", "707"]
    assert sum(number(row[header.index("Débit")]) for row in rows) == Decimal("200000.30")
    assert sum(number(row[header.index("Crédit")]) for row in rows) == Decimal("200000.30")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_stock_levels_export_every_product_with_its_value(boss, company, fmt):
    from comptoir.core.testing import make_product
    from comptoir.stock.services import receive_stock

    products = [make_product(boss, sku=f"EXP-{n:03d}", name=f"Vis {n}") for n in range(3)]
    receive_stock(
        [{"product": p, "quantity": "1200", "unit_cost": "2.35"} for p in products],
        by=boss,
        supplier_name="Würth",
    )
    client = client_for(boss)
    assert "/stock/export.xlsx" in client.get("/stock/").content.decode()

    response = client.get(f"/stock/export.{fmt}?q=EXP-")

    header, *rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
    number = as_number if fmt == "csv" else (lambda v: Decimal(str(v)))
    assert [row[header.index("Référence")] for row in rows] == ["EXP-000", "EXP-001", "EXP-002"]
    assert {number(row[header.index("En stock")]) for row in rows} == {Decimal("1200")}
    assert {number(row[header.index("Valeur du stock")]) for row in rows} == {Decimal("2820.00")}
