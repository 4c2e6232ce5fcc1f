"""The blank Comptoir templates offered for download: the columns of each kind, then one example row."""

import csv
import io

from comptoir.imports import presets


def template_csv(kind: str) -> bytes:
    columns = presets.COLUMNS[kind]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.title for c in columns])
    writer.writerow([c.example for c in columns])
    # UTF-8 with its BOM: Excel opens it with the accents right.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx(kind: str) -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    columns = presets.COLUMNS[kind]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = kind
    sheet.append([c.title for c in columns])
    sheet.append([c.example for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = max(
            12, len(column.title) + 4
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
