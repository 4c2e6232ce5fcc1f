"""Files the tests import, built the way other tools write them."""

import csv
import io

import openpyxl


def csv_bytes(rows, *, delimiter=";", encoding="utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows, *, merged_title=False) -> bytes:
    """A workbook; `merged_title` puts a title row merged over the columns above the header, and merges
    the first header cell down over two rows, as spreadsheets made by hand do."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if merged_title:
        width = len(rows[0])
        sheet.append(["Export clients — décembre 2025"] + [None] * (width - 1))
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        sheet.append([rows[0][0]] + list(rows[0][1:]))
        sheet.append([None] + [None] * (width - 1))
        sheet.merge_cells(start_row=2, start_column=1, end_row=3, end_column=1)
        for cells in rows[1:]:
            sheet.append(list(cells))
    else:
        for cells in rows:
            sheet.append(list(cells))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


CUSTOMERS = [
    [
        "Code client",
        "Raison sociale",
        "SIREN",
        "N° TVA intracommunautaire",
        "Adresse",
        "Code postal",
        "Ville",
        "Pays",
        "E-mail",
        "Délai de paiement (jours)",
        "Contact",
        "E-mail du contact",
    ],
    [
        "C-001",
        "Boulangerie Martin SARL",
        "732 829 320",
        "FR44732829320",
        "12 rue des Lilas",
        "69003",
        "Lyon",
        "FR",
        "compta@martin.fr",
        "30",
        "Claire Martin",
        "claire@martin.fr",
    ],
    [
        "C-002",
        "Scierie Dupont",
        "542107651",
        "",
        "3 route du Bois",
        "88000",
        "Épinal",
        "France",
        "dupont@scierie.fr",
        "45",
        "",
        "",
    ],
]

PRODUCTS = [
    ["Référence", "Désignation", "EAN", "Unité", "Prix de vente HT", "Coût d'achat", "Taux de TVA"],
    ["VIS-6X40", "Vis inox 6 x 40", "3017620422003", "boîte", "12,50", "7,20", "20"],
    ["PERC-18V", "Perceuse 18 V", "", "pièce", "1 234,56", "800", "20 %"],
    ["LIVRE-01", "Manuel du bricoleur", "", "pièce", "19,90", "9", "5,5"],
]
