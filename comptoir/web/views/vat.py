"""The VAT return pages beside the VAT summary (Comptabilité › Synthèse TVA): each CA3 line's documents,
the CA3 export, the settlement action, the European statements (DES, goods) and the e-reporting data
of a period. The figures come from `vatreturn.selectors`; the settlement from `accounting.settlement`."""

import datetime
import json
from decimal import Decimal

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from comptoir.accounting import settlement
from comptoir.core import replica
from comptoir.vatreturn import ereporting, statements
from comptoir.vatreturn import selectors as vat_view
from comptoir.vatreturn.declaration import Source
from comptoir.web import forms
from comptoir.web.views.common import action, export_list, perform, requires

LINE_LABELS = {
    "A1": _l("Ventes, prestations de services"),
    "E1": _l("Exportations hors UE"),
    "E2": _l("Autres opérations non imposables (services à des assujettis de l'UE, ventes exonérées)"),
    "F2": _l("Livraisons intracommunautaires à destination d'une personne assujettie"),
    "08": _l("TVA brute au taux de 20 %"),
    "9B": _l("TVA brute au taux de 10 %"),
    "09": _l("TVA brute au taux de 5,5 %"),
    "T6": _l("TVA brute au taux de 2,1 %"),
    "3310 A": _l("TVA brute à un autre taux (annexe 3310 A)"),
    "16": _l("Total de la TVA brute due"),
    "20": _l("TVA déductible sur autres biens et services (44566)"),
    "22": _l("Report du crédit apparaissant ligne 27 de la précédente déclaration (44567)"),
    "23": _l("Total de la TVA déductible"),
    "TD": _l("TVA nette due"),
    "25": _l("Crédit de TVA"),
}

SOURCE_LABELS = {
    Source.INVOICE: _l("Facture"),
    Source.RECEIPT: _l("Encaissement"),
    Source.ENTRY: _l("Écriture"),
}


def operation_rows(ca3) -> list[dict]:
    """The operations section as the page lists it."""
    return [{"code": code, "label": LINE_LABELS[code], "line": line} for code, line in ca3.operations.items()]


def _period(request):
    """The period of the query string (du, au), as on the VAT summary: the last full month when none is
    given; 404 for a period that is not one (the summary says why)."""
    if not request.GET.get("du") and not request.GET.get("au"):
        end = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
        return end.replace(day=1), end
    form = forms.VatPeriodForm(request.GET)
    if not form.is_valid():
        raise Http404("période")
    return form.cleaned_data["du"], form.cleaned_data["au"]


def period_query(start, end) -> str:
    return urlencode({"du": start.isoformat(), "au": end.isoformat()})


def _contributions(request, code):
    start, end = _period(request)
    ca3 = vat_view.ca3_return(start, end)
    line = ca3.line(code)
    if line is None and code not in LINE_LABELS:
        raise Http404(code)
    return start, end, (line.contributions if line else [])


@requires("accounting.view")
@replica.reading()
def vat_line(request, code):
    """The documents behind one line of the CA3: each invoice, credit note or payment, with its amount."""
    start, end, rows = _contributions(request, code)
    return render(
        request,
        "web/accounting/vat_line.html",
        {
            "code": code,
            "label": LINE_LABELS.get(code, code),
            "rows": rows,
            "sources": SOURCE_LABELS,
            "start": start,
            "end": end,
            "query": period_query(start, end),
            "total_base": sum((row.base for row in rows), Decimal("0")),
            "total_vat": sum((row.vat for row in rows), Decimal("0")),
        },
    )


LINE_EXPORT_COLUMNS = (
    (_l("Ligne CA3"), lambda row: row.line),
    (_l("Date"), lambda row: row.date),
    (_l("Document"), lambda row: row.document),
    (_l("Client"), lambda row: row.customer),
    (_l("Origine"), lambda row: str(SOURCE_LABELS.get(row.source, row.source))),
    (_l("Référence"), lambda row: row.reference),
    (_l("Taux"), lambda row: row.rate),
    (_l("Base HT"), lambda row: row.base),
    (_l("TVA"), lambda row: row.vat),
)


@requires("accounting.view")
@replica.reading()
def vat_line_export(request, code, fmt):
    _start, _end, rows = _contributions(request, code)
    return export_list(
        fmt, _("tva-ligne-%(code)s") % {"code": code.replace(" ", "")}, LINE_EXPORT_COLUMNS, rows
    )


CA3_EXPORT_COLUMNS = (
    (_l("Ligne CA3"), lambda row: row[0]),
    (_l("Libellé"), lambda row: str(LINE_LABELS.get(row[0], row[0]))),
    (_l("Montant"), lambda row: row[1]),
    (_l("Base HT"), lambda row: row[2]),
    (_l("Documents"), lambda row: row[3]),
)


def ca3_rows(ca3) -> list[tuple]:
    """(line, amount, base, number of documents) for every line of the return."""
    rows = [(code, line.base, line.base, len(line.contributions)) for code, line in ca3.operations.items()]
    rows += [(line.code, line.vat, line.base, len(line.contributions)) for line in ca3.gross]
    rows += [
        ("16", ca3.total_gross, None, None),
        ("20", ca3.deductible.vat, None, len(ca3.deductible.contributions)),
        ("22", ca3.credit_brought_forward, None, None),
        ("23", ca3.total_deductible, None, None),
        (ca3.balance_line, abs(ca3.net_due), None, None),
    ]
    return rows


@requires("accounting.view")
@replica.reading()
def vat_return_export(request, fmt):
    start, end = _period(request)
    ca3 = vat_view.ca3_return(start, end)
    return export_list(
        fmt, _("ca3-%(start)s") % {"start": start.isoformat()}, CA3_EXPORT_COLUMNS, ca3_rows(ca3)
    )


@action("accounting.view")
def vat_settle(request):
    """Post the settlement entry of the period shown (the service checks the role and refuses twice)."""
    form = forms.VatPeriodForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Période non valide."))
        return redirect("web:vat_summary")
    start, end = form.cleaned_data["du"], form.cleaned_data["au"]
    perform(
        request,
        lambda: settlement.settle_vat(start, end, by=request.user),
        lambda done: (
            _("TVA liquidée : écriture %(entry)s passée au journal OD.") % {"entry": done.entry.number}
        ),
    )
    return redirect(reverse("web:vat_summary") + "?" + period_query(start, end))


def _attachment(body: str, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(body.encode("utf-8"), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@requires("accounting.view")
@replica.reading()
def des_file(request):
    """The DES of the period as the file described in `vatreturn.statements`."""
    start, end = _period(request)
    rows = statements.des_rows(start, end)
    return _attachment(statements.des_csv(rows, start), f"des-{start:%Y-%m}.csv", "text/csv; charset=utf-8")


@requires("accounting.view")
@replica.reading()
def goods_statement_file(request):
    start, end = _period(request)
    rows = statements.goods_rows(start, end)
    return _attachment(statements.goods_csv(rows), f"emebi-{start:%Y-%m}.csv", "text/csv; charset=utf-8")


@requires("accounting.view")
@replica.reading()
def ereporting_file(request):
    start, end = _period(request)
    data = ereporting.report(start, end)
    return _attachment(
        json.dumps(data, ensure_ascii=False, indent=2),
        f"e-reporting-{start.isoformat()}-{end.isoformat()}.json",
        "application/json",
    )
