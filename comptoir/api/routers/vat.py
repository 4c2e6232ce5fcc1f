"""The VAT return of a period (CA3 with its documents), its settlement entry, the European statements
(DES, goods) and the e-reporting data, for machines. The same reads and service as the web pages."""

import datetime
import json

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from comptoir.accounting import settlement as settlement_service
from comptoir.api.access import can_read
from comptoir.api.routers.accounting import VatPeriod
from comptoir.api.schemas import Amount, DocumentDate, InputSchema, Percent, responses
from comptoir.vatreturn import ereporting, statements
from comptoir.vatreturn import selectors as vat_view

router = Router(tags=["TVA"])

FILE = {
    "200": {
        "description": "Le fichier CSV (point-virgule, UTF-8), en pièce jointe.",
        "content": {"text/csv": {"schema": {"type": "string", "format": "binary"}}},
    }
}


class DocumentOut(Schema):
    date: datetime.date
    document: str = Field(description="Numéro de la facture, de l'avoir ou de l'écriture.")
    customer: str
    source: str = Field(description="invoice (le document à sa date), receipt (l'encaissement), entry.")
    reference: str = Field(description="Le règlement ou l'écriture qui a rendu la TVA exigible.")
    rate: Percent | None = None
    base: Amount
    vat: Amount
    invoice_id: int | None = None


class ReturnLineOut(Schema):
    line: str = Field(description="Ligne de la CA3 (A1, E1, E2, F2 ; 08, 9B, 09, T6, « 3310 A » ; 20).")
    rate: Percent | None = None
    base: Amount
    vat: Amount
    documents: list[DocumentOut]


class SettlementOut(Schema):
    start: datetime.date
    end: datetime.date
    entry: str = Field(description="Numéro de l'écriture de liquidation (journal OD).")
    date: datetime.date
    collected: Amount
    deductible: Amount
    credit_brought_forward: Amount
    net_due: Amount


class GapOut(Schema):
    rate: Percent
    amount: Amount


class VatReturnOut(Schema):
    start: datetime.date
    end: datetime.date
    operations: list[ReturnLineOut] = Field(description="Cadre A : bases HT des lignes A1, E1, E2, F2.")
    gross: list[ReturnLineOut] = Field(description="TVA brute par taux (base et TVA).")
    total_gross: Amount = Field(description="Ligne 16.")
    deductible: ReturnLineOut = Field(description="Ligne 20 (44566).")
    credit_brought_forward: Amount = Field(
        description="Ligne 22 : crédit de la déclaration précédente (44567)."
    )
    total_deductible: Amount = Field(description="Ligne 23 : lignes 20 et 22.")
    net_due: Amount = Field(description="Ligne TD si positive, crédit de TVA (ligne 25) si négative.")
    balance_line: str
    gaps: list[GapOut] = Field(description="TVA du 44571 qu'aucun document n'explique, par taux.")
    settlement: SettlementOut | None = None


def _line(line) -> dict:
    return {
        "line": line.code,
        "rate": line.rate,
        "base": line.base,
        "vat": line.vat,
        "documents": [c.__dict__ for c in line.contributions],
    }


def _settlement(done) -> dict:
    return {
        "start": done.date_from,
        "end": done.date_to,
        "entry": done.entry.number,
        "date": done.entry.date,
        "collected": done.collected,
        "deductible": done.deductible,
        "credit_brought_forward": done.credit_brought_forward,
        "net_due": done.net_due,
    }


@router.get("/return", response=responses(VatReturnOut), summary="Déclaration CA3 d'une période")
def vat_return(request, period: Query[VatPeriod]):
    """Chaque ligne de la CA3 avec les factures, avoirs et encaissements qui la composent."""
    can_read(request, "accounting.view")
    ca3 = vat_view.ca3_return(period.start, period.end)
    return {
        "start": period.start,
        "end": period.end,
        "operations": [_line(line) for line in ca3.operations.values()],
        "gross": [_line(line) for line in ca3.gross],
        "total_gross": ca3.total_gross,
        "deductible": _line(ca3.deductible),
        "credit_brought_forward": ca3.credit_brought_forward,
        "total_deductible": ca3.total_deductible,
        "net_due": ca3.net_due,
        "balance_line": ca3.balance_line,
        "gaps": [{"rate": rate, "amount": gap} for rate, gap in sorted(ca3.gaps.items())],
        "settlement": _settlement(ca3.settlement) if ca3.settlement else None,
    }


class SettlementIn(InputSchema):
    start: DocumentDate
    end: DocumentDate


@router.post(
    "/settlements",
    response=responses(SettlementOut, 201),
    summary="Passer l'écriture de liquidation de la TVA",
)
def settle(request, payload: SettlementIn):
    """Solde 44571 et 44566 de la période contre 44551 (TVA à décaisser) ou 44567 (crédit à reporter), au
    journal OD ; une fois par période (`vat_already_settled` la seconde fois)."""
    done = settlement_service.settle_vat(payload.start, payload.end, by=request.auth)
    return Status(201, _settlement(done))


class DesRowOut(Schema):
    vat_number: str
    customer: str
    amount: Amount
    invoices: list[str]


class GoodsRowOut(Schema):
    vat_number: str
    country: str
    customer: str
    sku: str
    product: str
    quantity: str
    value: Amount
    invoices: list[str]
    customs_code: str = Field(description="Nomenclature NC8 de la fiche produit ; vide si elle n'y est pas.")
    net_mass_kg: int | None = Field(description="Masse nette en kg entiers ; null si la fiche n'en a pas.")
    origin_country: str = Field(description="Pays d'origine (ISO 3166) de la fiche produit ; vide sinon.")
    missing: list[str] = Field(description="Ce qui manque à la fiche produit pour l'EMEBI.")


def _csv(body: str, filename: str) -> HttpResponse:
    response = HttpResponse(body.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get("/des", response=responses(list[DesRowOut]), summary="DES : services aux assujettis de l'UE")
def des(request, period: Query[VatPeriod]):
    can_read(request, "accounting.view")
    return [row.__dict__ for row in statements.des_rows(period.start, period.end)]


@router.get(
    "/des/file", response=responses(None), summary="DES en fichier CSV", openapi_extra={"responses": FILE}
)
def des_file(request, period: Query[VatPeriod]):
    """Une ligne par client : numéro de ligne, montant en euros entiers, numéro de TVA, mois, année."""
    can_read(request, "accounting.view")
    rows = statements.des_rows(period.start, period.end)
    return _csv(statements.des_csv(rows, period.start), f"des-{period.start:%Y-%m}.csv")


@router.get(
    "/goods-statement",
    response=responses(list[GoodsRowOut]),
    summary="Livraisons intracommunautaires de biens (EMEBI) par acheteur et produit",
)
def goods(request, period: Query[VatPeriod]):
    can_read(request, "accounting.view")
    return [
        row.__dict__ | {"quantity": f"{row.quantity.normalize():f}", "missing": list(row.missing)}
        for row in statements.goods_rows(period.start, period.end)
    ]


@router.get(
    "/goods-statement/file",
    response=responses(None),
    summary="Livraisons intracommunautaires de biens en fichier CSV",
    openapi_extra={"responses": FILE},
)
def goods_file(request, period: Query[VatPeriod]):
    """Nomenclature NC8, masse nette et pays d'origine à compléter : le catalogue ne les a pas."""
    can_read(request, "accounting.view")
    rows = statements.goods_rows(period.start, period.end)
    return _csv(statements.goods_csv(rows), f"emebi-{period.start:%Y-%m}.csv")


@router.get("/e-reporting", response=responses(None), summary="Données d'e-reporting d'une période (JSON)")
def e_reporting(request, period: Query[VatPeriod]):
    """Classement B2B / B2BINT / B2C / OUTOFSCOPE, totaux B2C par jour, taux et catégorie, factures
    internationales, encaissements des services à TVA sur les encaissements."""
    can_read(request, "accounting.view")
    data = ereporting.report(period.start, period.end)
    return HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/json")
