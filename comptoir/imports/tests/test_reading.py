"""Reading files as other tools write them: no database."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest

from comptoir.imports import presets, reading


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1 234,56", "1234.56"),
        ("1\u202f234,56", "1234.56"),
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("12,5 %", "12.5"),
        ("19,90 €", "19.90"),
        ("-3", "-3"),
        ("0.1", "0.1"),
    ],
)
def test_french_and_english_decimals(text, value):
    assert reading.parse_decimal(text) == Decimal(value)


@pytest.mark.parametrize("text", ["douze", "1,2,3", "", "1e5", "12-3"])
def test_what_is_not_a_number_is_refused(text):
    with pytest.raises(ValueError):
        reading.parse_decimal(text)


@pytest.mark.parametrize(
    "text", ["31/12/2025", "31.12.2025", "2025-12-31", "2025-12-31T00:00:00", "31/12/25"]
)
def test_french_and_iso_dates(text):
    assert reading.parse_date(text) == datetime.date(2025, 12, 31)


def test_an_impossible_date_is_refused():
    with pytest.raises(ValueError):
        reading.parse_date("31/02/2025")


def test_encodings_and_separators_are_detected():
    text = "Référence;Désignation;Prix\r\nA1;Crème brûlée;1 234,50\r\n"
    for encoding in ("utf-8", "cp1252", "latin-1"):
        sheet = reading.read(text.encode(encoding), "f.csv")
        assert list(sheet.rows)[1] == (2, ["A1", "Crème brûlée", "1 234,50"])
    bom = reading.read("\ufeffa,b\r\n1,2\r\n".encode(), "f.csv")
    assert (bom.encoding, bom.delimiter, list(bom.rows)[0]) == ("utf-8-sig", ",", (1, ["a", "b"]))
    assert reading.read(b"a\tb\r\n1\t2\r\n", "f.txt").delimiter == "\t"
    assert reading.read("€;x\r\n".encode("cp1252"), "f.csv").encoding == "cp1252"


def test_xlsx_cells_read_as_the_text_a_csv_would_hold():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Référence", "Prix", "Date", "EAN", "Actif"])
    sheet.append(["A1", 12.5, datetime.date(2025, 12, 31), 3017620422003, True])
    sheet["A3"] = "A2"
    sheet["C3"] = "31/12/2025"  # a gap in B3: columns keep their place
    out = io.BytesIO()
    workbook.save(out)
    rows = list(reading.read(out.getvalue(), "f.xlsx").rows)
    assert rows[1] == (2, ["A1", "12.5", "2025-12-31", "3017620422003", "1"])
    assert rows[2] == (3, ["A2", "", "31/12/2025"])


def test_the_header_is_found_under_a_title_and_through_a_vertical_merge():
    rows = iter(
        [
            (1, ["Export du 31/12/2025", "", ""]),
            (2, ["Référence", "Désignation", ""]),
            (3, ["", "", "Prix de vente HT"]),
            (4, ["A1", "Vis", "1"]),
        ]
    )
    known = presets.known_names(presets.PRESETS["comptoir"], presets.PRODUCTS)
    number, header, after = reading.find_header(rows, known)
    # Row 3 names one column, row 2 two: row 2 is the header; nothing fills the price from above.
    assert (number, header) == (2, ["Référence", "Désignation", ""])
    rows = iter(
        [(1, ["Référence", "Désignation", "Prix de vente HT"]), (2, ["", "", ""]), (3, ["A1", "Vis", "1"])]
    )
    number, header, after = reading.find_header(rows, known)
    assert number == 1 and after[-1] == (3, ["A1", "Vis", "1"])


def test_presets_match_columns_whatever_their_case_accents_and_stars():
    preset = presets.PRESETS["dolibarr"]
    columns = presets.match_columns(
        preset, presets.PRODUCTS, ["REF*", "libelle*", "Prix unitaire HT", "p.tva_tx"]
    )
    assert columns == {"sku": 0, "name": 1, "sale_price": 2, "vat_rate": 3}
