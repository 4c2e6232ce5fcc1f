"""Accounting reads: trial balance, general ledger of an account, journal entries, the aged receivables
of the customers, the VAT summary of a period (the CA3 figures) and the FEC of a fiscal year (download
and structural check).

The reports (every view here but the FEC's) read a streaming replica when one is configured
(`core.replica.reading()`, docs/scaling.md): past entries bear its lag of a second or two. The FEC stays on
the primary: it is the legal record of a year, checked and handed over as it stands."""

import datetime

from django.contrib import messages
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from comptoir.accounting import ca3, fec
from comptoir.accounting import selectors as ledger_view
from comptoir.accounting.models import Account, EntryLine, Journal
from comptoir.core import replica
from comptoir.core.permissions import has_perm
from comptoir.payments import selectors as payment_view
from comptoir.vatreturn import selectors as vat_view
from comptoir.web import charts, forms
from comptoir.web.sorting import SortSpec
from comptoir.web.views import vat as vat_pages
from comptoir.web.views.common import export_list, paginate, param, perform, requires


@requires("accounting.view")
@replica.reading()
def trial_balance(request):
    period = forms.PeriodForm(request.GET or None)
    date_from, date_to = period.period()
    balance = ledger_view.trial_balance(date_from, date_to)
    return render(request, "web/accounting/balance.html", {"balance": balance, "period": period})


TRIAL_BALANCE_COLUMNS = (
    (_l("Compte"), lambda row: row.code),
    (_l("Libellé"), lambda row: row.name),
    (_l("Total débit"), lambda row: row.debit),
    (_l("Total crédit"), lambda row: row.credit),
    (_l("Solde débiteur"), lambda row: row.balance if row.balance > 0 else None),
    (_l("Solde créditeur"), lambda row: -row.balance if row.balance < 0 else None),
)


@requires("accounting.view")
@replica.reading()
def trial_balance_export(request, fmt):
    """The trial balance of the period on the page, one row per account, as the page shows it."""
    date_from, date_to = forms.PeriodForm(request.GET or None).period()
    balance = ledger_view.trial_balance(date_from, date_to)
    return export_list(fmt, _("balance"), TRIAL_BALANCE_COLUMNS, balance.rows)


def _ledger(request, code):
    if not Account.objects.filter(code=code).exists():
        raise Http404(code)
    period = forms.PeriodForm(request.GET or None)
    date_from, date_to = period.period()
    return period, ledger_view.general_ledger(code, date_from, date_to)


# A ledger page as an accountant prints it: long enough to read a month of a busy account.
LEDGER_PER_PAGE = 100


@requires("accounting.view")
@replica.reading()
def general_ledger(request, code):
    period, ledger = _ledger(request, code)
    accounts = Account.objects.filter(lines__isnull=False).distinct().order_by("code")
    page = paginate(request, ledger.lines, per_page=LEDGER_PER_PAGE)
    # From the second page on, the balance carried from the lines before it ("report").
    brought_forward = ledger.lines[page.start_index() - 2].balance if page.number > 1 else None
    return render(
        request,
        "web/accounting/ledger.html",
        {
            "ledger": ledger,
            "period": period,
            "accounts": accounts,
            "page_obj": page,
            "brought_forward": brought_forward,
        },
    )


ENTRY_SORT = SortSpec(
    {"numero": "number", "date": "date", "journal": "journal__code", "piece": "document_number"}
)


def _entries(request):
    """The entries the page's period, journal and search select, in the order asked for, and those
    filters for the page."""
    period = forms.PeriodForm(request.GET or None)
    date_from, date_to = period.period()
    journal, q = param(request.GET, "journal"), param(request.GET, "q")
    qs = ledger_view.entries(journal or None, date_from, date_to)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(document_number__icontains=q) | Q(label__icontains=q))
    qs, sort = ENTRY_SORT.apply(qs, request.GET)
    return qs, {"period": period, "journal": journal, "q": q, "sort": sort}


@requires("accounting.view")
@replica.reading()
def journal_entries(request):
    qs, filters = _entries(request)
    qs = qs.prefetch_related(
        Prefetch("lines", queryset=EntryLine.objects.select_related("account", "partner").order_by("id"))
    )
    page = paginate(request, qs)
    return render(
        request,
        "web/accounting/entries.html",
        {"page_obj": page, "journals": Journal.objects.all(), **filters},
    )


ENTRY_LINE_COLUMNS = (
    (_l("Écriture"), lambda line: line.entry.number),
    (_l("Date"), lambda line: line.entry.date),
    (_l("Journal"), lambda line: line.entry.journal.code),
    (_l("Pièce"), lambda line: line.entry.document_number),
    (_l("Libellé"), lambda line: line.label or line.entry.label),
    (_l("Compte"), lambda line: line.account.code),
    (_l("Intitulé du compte"), lambda line: line.account.name),
    (_l("Client"), lambda line: line.partner.name if line.partner else ""),
    (_l("Débit"), lambda line: line.debit),
    (_l("Crédit"), lambda line: line.credit),
)


def _lines_of(entries):
    """Each entry's lines in turn, the entries read in chunks with their lines."""
    lines = Prefetch("lines", queryset=EntryLine.objects.select_related("account", "partner").order_by("id"))
    for entry in entries.prefetch_related(lines).iterator(chunk_size=500):
        yield from entry.lines.all()


@requires("accounting.view")
@replica.reading()
def journal_entries_export(request, fmt):
    """One row per line of the entries the page selects (an entry's lines together, in the page's
    order), so the file sums to zero like the journal."""
    qs, _filters = _entries(request)
    # The file streams after this view returns: its reads stay where this view's go.
    return export_list(fmt, _("ecritures"), ENTRY_LINE_COLUMNS, _lines_of(replica.pinned(qs)))


LEDGER_COLUMNS = (
    (_l("Date"), lambda line: line.date),
    (_l("Écriture"), lambda line: line.entry_number),
    (_l("Journal"), lambda line: line.journal),
    (_l("Pièce"), lambda line: line.document_number),
    (_l("Libellé"), lambda line: line.label),
    (_l("Client"), lambda line: line.partner),
    (_l("Débit"), lambda line: line.debit),
    (_l("Crédit"), lambda line: line.credit),
    (_l("Solde"), lambda line: line.balance),
    (_l("Lettrage"), lambda line: line.letter),
)


@requires("accounting.view")
@replica.reading()
def general_ledger_export(request, code, fmt):
    """The account's lines of the period with their running balance; the opening balance first when the
    period does not start at the first entry, so the last balance is the account's."""
    _period, ledger = _ledger(request, code)
    rows = ledger.lines
    if ledger.opening:
        opening = ledger_view.LedgerLine(
            date=ledger.lines[0].date if ledger.lines else None,
            entry_number="",
            journal="",
            document_number="",
            label=_("Solde d'ouverture"),
            debit=None,
            credit=None,
            balance=ledger.opening,
        )
        rows = [opening, *rows]
    return export_list(fmt, _("grand-livre-%(code)s") % {"code": code}, LEDGER_COLUMNS, rows)


# --- Aged receivables ---------------------------------------------------------------------------

# The amount columns of the aged balance, in the order of the page, the chart and the export.
AGED_COLUMNS = (
    ("not_due", _l("Non échu")),
    ("days_1_30", _l("1 à 30 jours")),
    ("days_31_60", _l("31 à 60 jours")),
    ("days_61_90", _l("61 à 90 jours")),
    ("over_90", _l("Plus de 90 jours")),
    ("unapplied", _l("Crédits non imputés")),
    ("total", _l("Total dû")),
)
AGED_SORT = SortSpec(
    {
        "client": "customer_name",
        "non_echu": "not_due",
        "j30": "days_1_30",
        "j60": "days_31_60",
        "j90": "days_61_90",
        "plus90": "over_90",
        "credits": "unapplied",
        "total": "total",
    },
    tiebreaker="customer_id",
)


def _aged(request):
    """The aged balance (all customers the search selects), its rows in the order asked for, and the
    search and order for the page."""
    q = param(request.GET, "q")
    balance = payment_view.aged_receivables(search=q)
    rows, sort = AGED_SORT.sort_rows(balance.rows, request.GET)
    return balance, rows, {"q": q, "sort": sort}


def _cells(row) -> list:
    return [getattr(row, name) for name, _label in AGED_COLUMNS]


@requires("accounting.view")
@replica.reading()
def aged_receivables(request):
    """What each customer still owes, by days past the due date, with the totals and their chart."""
    balance, rows, filters = _aged(request)
    page = paginate(request, rows)
    page.object_list = [{"row": row, "cells": _cells(row)} for row in page.object_list]
    totals = balance.totals
    bars = [(label, getattr(totals, name)) for name, label in AGED_COLUMNS[:5]]
    if totals.unapplied:
        bars.append((AGED_COLUMNS[5][1], totals.unapplied))
    context = {
        "page_obj": page,
        "balance": balance,
        "totals": totals,
        "total_cells": _cells(totals),
        "columns": AGED_COLUMNS,
        "customer_count": len(rows),
        "chart": charts.bar_chart(bars),
        **filters,
    }
    return render(request, "web/accounting/aged.html", context)


AGED_EXPORT_COLUMNS = (
    (_l("Code client"), lambda row: row.customer_code),
    (_l("Client"), lambda row: row.customer_name),
    *((label, lambda row, name=name: getattr(row, name)) for name, label in AGED_COLUMNS),
)


@requires("accounting.view")
@replica.reading()
def aged_receivables_export(request, fmt):
    _balance, rows, _filters = _aged(request)
    return export_list(fmt, _("balance-agee"), AGED_EXPORT_COLUMNS, rows)


def _last_month(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    end = today.replace(day=1) - datetime.timedelta(days=1)
    return end.replace(day=1), end


@requires("accounting.view")
@replica.reading()
def vat_summary(request):
    """The VAT of a period as the CA3 return asks for it; by default the last full month, the one
    being declared."""
    start, end = _last_month(timezone.localdate())
    period = forms.VatPeriodForm(request.GET or None, initial={"du": start, "au": end})
    if request.GET:
        if period.is_valid():
            start, end = period.cleaned_data["du"], period.cleaned_data["au"]
        else:
            messages.error(request, _("Période non valide. %(errors)s") % {"errors": _errors_of(period)})
            start = end = None
    summary = ledger_view.vat_summary(start, end) if start else None
    rows = [{"row": row, "line": ca3.gross_vat_line(row.rate)} for row in summary.rows] if summary else []
    # The return itself, every line traced to its documents (vatreturn), beside the ledger's figures.
    declared = vat_view.ca3_return(start, end) if start else None
    context = {
        "period": period,
        "summary": summary,
        "rows": rows,
        "ca3": declared,
        "operations": vat_pages.operation_rows(declared) if declared else [],
        "query": vat_pages.period_query(start, end) if start else "",
        "may_settle": has_perm(request.user, "accounting.vat_settle"),
        "period_over": bool(end and end < timezone.localdate()),
        "lines": {
            "total": ca3.TOTAL_GROSS_VAT,
            "deductible": ca3.DEDUCTIBLE_OTHER,
            "total_deductible": ca3.TOTAL_DEDUCTIBLE,
            "balance": ca3.balance_line(summary.net_due) if summary else ca3.NET_VAT_DUE,
        },
    }
    return render(request, "web/accounting/vat.html", context)


def _errors_of(form) -> str:
    """The form's errors as one French sentence per field, for a message at the top of the page."""
    parts = []
    for name, errors in form.errors.items():
        text = " ".join(errors)
        label = form.fields[name].label if name in form.fields else ""
        parts.append(_("%(field)s : %(errors)s") % {"field": label, "errors": text} if label else text)
    return " ".join(parts)


def _fec_form(data):
    years = ledger_view.closing_years()
    current = timezone.localdate().year
    if current not in years:
        years = sorted([*years, current], reverse=True)
    return forms.FecForm(data, years=years, initial={"exercice": years[0], "codage": "utf-8"})


@requires("accounting.view")
def fec_export(request):
    """Choose a fiscal year; its FEC is exported, checked against the format of article A47 A-1
    (`fec_check`), then offered for download."""
    form = _fec_form(request.GET or None)
    result = report = None
    download = ""
    if request.GET:
        if form.is_valid():
            year, encoding = form.cleaned_data["exercice"], form.encoding()
            checked, ok = perform(request, lambda: fec.check_year(year, encoding=encoding))
            if ok:
                result, report = checked
                query = urlencode({"exercice": year, "codage": encoding})
                download = f"{reverse('web:fec_download')}?{query}"
        else:
            messages.error(request, _("Exercice non valide. %(errors)s") % {"errors": _errors_of(form)})
    context = {
        "form": form,
        "result": result,
        "report": report,
        "violations": report.violations[:200] if report else [],
        "download_url": download,
    }
    return render(request, "web/accounting/fec.html", context)


@requires("accounting.view")
def fec_download(request):
    form = _fec_form(request.GET)
    if not form.is_valid():
        messages.error(request, _("Exercice non valide. %(errors)s") % {"errors": _errors_of(form)})
        return redirect("web:fec_export")
    encoding = form.encoding()
    opened, ok = perform(request, lambda: fec.open_fec(form.cleaned_data["exercice"], encoding=encoding))
    if not ok:
        return redirect("web:fec_export")
    result, stream = opened
    return FileResponse(
        stream, as_attachment=True, filename=result.path.name, content_type=f"text/plain; charset={encoding}"
    )
