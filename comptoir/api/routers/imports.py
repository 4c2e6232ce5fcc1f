"""Imports of a company's existing data (customers, suppliers, products, price lists, opening stock, open
invoices and opening balances) from CSV or XLSX."""

from typing import Literal

from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile

from comptoir.api.schemas import responses
from comptoir.imports import services

router = Router(tags=["Imports"])

Kind = Literal[
    "customers",
    "suppliers",
    "products",
    "price_lists",
    "stock",
    "open_invoices",
    "supplier_invoices",
    "opening_balances",
]
Preset = Literal["comptoir", "dolibarr", "odoo", "fec"]


class RefusalOut(Schema):
    row: int = Field(description="Numéro de la ligne dans le fichier (l'en-tête compte).")
    column: str = Field(
        description="Titre de la colonne en cause, tel que dans le fichier ; vide : la ligne."
    )
    value: str
    code: str = Field(
        description="Code stable du refus (par exemple `invalid_siren`, `import_duplicate_key`)."
    )
    message: str


class RowOut(Schema):
    row: int
    status: Literal["created", "updated", "unchanged", "refused"]
    key: str = Field(
        description="L'identifiant externe de la ligne (code client ou fournisseur, référence produit ; "
        "« liste / référence / palier » pour une liste de prix, « fournisseur / numéro » pour une facture "
        "fournisseur)."
    )


class CountsOut(Schema):
    created: int
    updated: int
    unchanged: int
    refused: int


class ReportOut(Schema):
    kind: Kind
    preset: Preset
    file_name: str
    sha256: str
    dry_run: bool
    valid_only: bool
    imported: bool = Field(description="Vrai si l'import a été enregistré (jamais pour un test).")
    counts: CountsOut
    rows: list[RowOut]
    refusals: list[RefusalOut]
    refused_rows_csv: str = Field(
        description="Les lignes refusées telles qu'envoyées, avec leur motif (CSV « ; », UTF-8) : à corriger "
        "et renvoyer. Vide s'il n'y en a pas."
    )

    @staticmethod
    def resolve_rows(report):
        return [{"row": row, "status": status, "key": key} for row, status, key in report.rows]

    @staticmethod
    def resolve_refused_rows_csv(report):
        return report.refused_rows_csv() if report.refusals else ""


@router.post("", response=responses(ReportOut), summary="Importer un fichier (ou le tester)")
def run_import(
    request,
    kind: Form[Kind],
    file: File[UploadedFile] = None,
    preset: Form[Preset] = "comptoir",
    dry_run: Form[bool] = False,
    valid_only: Form[bool] = False,
):
    """Multipart : `kind` (customers, suppliers, products, price_lists, stock, open_invoices,
    supplier_invoices ou opening_balances), `file` (CSV ou XLSX, obligatoire : absent ou vide,
    400 `import_empty_file`), `preset` (comptoir, dolibarr,
    odoo), `dry_run` (test : rapport sans rien enregistrer), `valid_only` (importe les lignes valides même si
    d'autres sont refusées ; sinon tout ou rien). Le rapport donne chaque ligne (créée, mise à jour,
    inchangée, refusée) et chaque refus (ligne, colonne, valeur, code, message). Un fichier illisible ou
    sans les colonnes obligatoires : 400 (`import_unreadable_file`, `import_missing_columns`…)."""
    # An empty file arrives as no file at all (Django drops it): the same refusal, import_empty_file.
    return services.run_import(
        kind,
        file.read() if file is not None else b"",
        file_name=(file.name if file is not None else "") or "import",
        by=request.auth,
        preset=preset,
        dry_run=dry_run,
        valid_only=valid_only,
    )
