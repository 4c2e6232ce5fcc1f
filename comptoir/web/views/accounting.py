"""Accounting reads: trial balance, general ledger of an account, journal entries."""

from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import render

from comptoir.accounting import selectors as ledger_view
from comptoir.accounting.models import Account, EntryLine, Journal
from comptoir.web import forms
from comptoir.web.views.common import paginate, param, requires


@requires("accounting.view")
def trial_balance(request):
    period = forms.PeriodForm(request.GET or None)
    date_from, date_to = period.period()
    balance = ledger_view.trial_balance(date_from, date_to)
    return render(request, "web/accounting/balance.html", {"balance": balance, "period": period})


@requires("accounting.view")
def general_ledger(request, code):
    if not Account.objects.filter(code=code).exists():
        raise Http404(code)
    period = forms.PeriodForm(request.GET or None)
    date_from, date_to = period.period()
    ledger = ledger_view.general_ledger(code, date_from, date_to)
    accounts = Account.objects.filter(lines__isnull=False).distinct().order_by("code")
    return render(
        request, "web/accounting/ledger.html", {"ledger": ledger, "period": period, "accounts": accounts}
    )


@requires("accounting.view")
def journal_entries(request):
    period = forms.PeriodForm(request.GET or None)
    date_from, date_to = period.period()
    journal, q = param(request.GET, "journal"), param(request.GET, "q")
    qs = ledger_view.entries(journal or None, date_from, date_to).prefetch_related(
        Prefetch("lines", queryset=EntryLine.objects.select_related("account", "partner").order_by("id"))
    )
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(document_number__icontains=q) | Q(label__icontains=q))
    page = paginate(request, qs)
    return render(
        request,
        "web/accounting/entries.html",
        {"page_obj": page, "period": period, "journal": journal, "q": q, "journals": Journal.objects.all()},
    )
