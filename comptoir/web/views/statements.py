"""The simplified balance sheet (bilan, 2033-A) and income statement (compte de résultat, 2033-B) of a
period, with the same dates a year earlier when the books go back that far, each line opening onto its
accounts and each account onto its general ledger; exported as CSV or XLSX (one row per line, then one
per account under it). Read from a streaming replica when one is configured, like the other reports."""

import datetime

from django.contrib import messages
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from comptoir.accounting import selectors as ledger_view
from comptoir.accounting import statements
from comptoir.core import replica
from comptoir.web import forms
from comptoir.web.views.common import export_list, requires

ZERO = statements.ZERO


def _period(request) -> tuple[forms.PeriodForm, datetime.date, datetime.date]:
    """The period asked for; by default the fiscal year in progress up to today. A missing start is the
    start of the fiscal year of the end date."""
    form = forms.PeriodForm(request.GET or None)
    date_from, date_to = form.period()
    if request.GET and not form.is_valid():
        messages.error(request, _("Dates non valides : la période par défaut est affichée."))
    default_from, default_to = ledger_view.default_statement_period(date_to or timezone.localdate())
    date_from, date_to = date_from or default_from, date_to or default_to
    if date_from > date_to:
        messages.error(
            request,
            _(
                "La fin de la période (%(end)s) précède son début (%(start)s) : la période par défaut est affichée."
            )
            % {"end": date_to.strftime("%d/%m/%Y"), "start": date_from.strftime("%d/%m/%Y")},
        )
        date_from, date_to = ledger_view.default_statement_period(timezone.localdate())
    return form, date_from, date_to


def _ledger_url(code: str, date_from: datetime.date | None, date_to: datetime.date) -> str:
    query = {"au": date_to.isoformat()}
    if date_from:
        query = {"du": date_from.isoformat(), **query}
    return f"{reverse('web:general_ledger', args=[code])}?{urlencode(query)}"


def _rows(current: statements.Statement, previous: statements.Statement | None, ledger_from, date_to):
    """The statement's groups for the page and the exports: each line with its N and N-1 amounts and its
    accounts (those of either year), each with the link to its general ledger."""
    groups = []
    for group in current.groups:
        before = next((g for g in previous.groups if g.key == group.key), None) if previous else None
        lines = []
        for line in group.lines:
            old = previous.lines[line.key] if previous else None
            accounts = {
                a.code: {"code": a.code, "name": a.name, "amount": a.amount, "previous": None}
                for a in line.accounts
            }
            for account in old.accounts if old else ():
                row = accounts.setdefault(
                    account.code,
                    {"code": account.code, "name": account.name, "amount": ZERO, "previous": None},
                )
                row["previous"] = account.amount
            for row in accounts.values():
                row["url"] = _ledger_url(row["code"], ledger_from, date_to)
            lines.append(
                {
                    "key": line.key,
                    "label": _(line.label),
                    "amount": line.amount,
                    "previous": old.amount if old else None,
                    "accounts": [accounts[code] for code in sorted(accounts)],
                    "deducted": line.side != group.side,
                }
            )
        groups.append(
            {
                "key": group.key,
                "label": _(group.label),
                "lines": lines,
                "total": group.total,
                "previous": before.total if before else None,
            }
        )
    return groups


def _balance_sheet_context(request):
    form, date_from, date_to = _period(request)
    found = ledger_view.financial_statements(date_from, date_to)
    sheet, previous = found.balance_sheet, found.previous_balance_sheet
    groups = _rows(sheet, previous, date_from, date_to)
    totals = [
        {
            "label": _("Total de l'actif"),
            "amount": sheet.total(statements.ASSETS),
            "previous": previous.total(statements.ASSETS) if previous else None,
        },
        {
            "label": _("Total du passif"),
            "amount": sheet.total(statements.LIABILITIES),
            "previous": previous.total(statements.LIABILITIES) if previous else None,
        },
    ]
    sides = [
        {
            "label": _("Actif"),
            "groups": [g for g in groups if _side(sheet, g) == statements.ASSETS],
            "total": totals[0],
        },
        {
            "label": _("Passif"),
            "groups": [g for g in groups if _side(sheet, g) == statements.LIABILITIES],
            "total": totals[1],
        },
    ]
    return {
        "period": form,
        "found": found,
        "sides": sides,
        "groups": groups,
        "totals": totals,
        "balanced": totals[0]["amount"] == totals[1]["amount"],
    }


def _side(statement, group_row) -> str:
    return next(g.side for g in statement.groups if g.key == group_row["key"])


def _income_context(request):
    form, date_from, date_to = _period(request)
    found = ledger_view.financial_statements(date_from, date_to)
    income, previous = found.income_statement, found.previous_income_statement
    groups = _rows(income, previous, date_from, date_to)
    now, before = statements.subtotals(income), statements.subtotals(previous) if previous else {}
    labels = (
        ("exploitation", _("Résultat d'exploitation")),
        ("financier", _("Résultat financier")),
        ("exceptionnel", _("Résultat exceptionnel")),
        ("resultat", _("Bénéfice ou perte")),
    )
    totals = [{"label": label, "amount": now[key], "previous": before.get(key)} for key, label in labels]
    return {"period": form, "found": found, "groups": groups, "totals": totals}


@requires("accounting.view")
@replica.reading()
def balance_sheet(request):
    return render(request, "web/accounting/balance_sheet.html", _balance_sheet_context(request))


@requires("accounting.view")
@replica.reading()
def income_statement(request):
    return render(request, "web/accounting/income_statement.html", _income_context(request))


EXPORT_COLUMNS = (
    (_l("Rubrique"), lambda row: row["group"]),
    (_l("Poste"), lambda row: row["line"]),
    (_l("Compte"), lambda row: row["code"]),
    (_l("Intitulé du compte"), lambda row: row["name"]),
    (_l("Exercice N"), lambda row: row["amount"]),
    (_l("Exercice N-1"), lambda row: row["previous"]),
)


def _export_rows(groups, totals):
    for group in groups:
        for line in group["lines"]:
            base = {"group": group["label"], "line": line["label"], "code": "", "name": ""}
            yield {**base, "amount": line["amount"], "previous": line["previous"]}
            for account in line["accounts"]:
                yield {
                    **base,
                    "code": account["code"],
                    "name": account["name"],
                    "amount": account["amount"],
                    "previous": account["previous"],
                }
        yield {
            "group": group["label"],
            "line": _("Total"),
            "code": "",
            "name": "",
            "amount": group["total"],
            "previous": group["previous"],
        }
    for total in totals:
        yield {
            "group": "",
            "line": total["label"],
            "code": "",
            "name": "",
            **{k: total[k] for k in ("amount", "previous")},
        }


@requires("accounting.view")
@replica.reading()
def balance_sheet_export(request, fmt):
    context = _balance_sheet_context(request)
    return export_list(
        fmt, _("bilan"), EXPORT_COLUMNS, list(_export_rows(context["groups"], context["totals"]))
    )


@requires("accounting.view")
@replica.reading()
def income_statement_export(request, fmt):
    context = _income_context(request)
    return export_list(
        fmt, _("compte-de-resultat"), EXPORT_COLUMNS, list(_export_rows(context["groups"], context["totals"]))
    )
