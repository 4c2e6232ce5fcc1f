"""Quote versions (« Réviser », the versions tab with the differences) and order amendments (the
« Avenant » form and the trail on the order page), #22 point 7."""

import datetime
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from comptoir.core.permissions import has_perm
from comptoir.sales import services, versions
from comptoir.sales.amending import effect_message
from comptoir.sales.models import Order, OrderAmendment, OrderLine, Quote
from comptoir.web import forms
from comptoir.web.submissions import submitted_once
from comptoir.web.views.common import action, param, perform, requires
from comptoir.web.views.lines import editor_context, rows_with_ids

ZERO = Decimal("0")


# --- Quote versions -----------------------------------------------------------------------------


def versions_panel(quote: Quote, user) -> dict:
    """The versions of the quote's offer for its page: each with why it can no longer be accepted, and
    whether this one may be revised."""
    family = (
        services.versions_of(quote)
        if quote.version > 1 or quote.status == Quote.Status.SUPERSEDED
        else [quote]
    )
    return {
        "versions": [
            {
                "quote": version,
                "refusal": getattr(services.revising.acceptance_refusal(version), "message", ""),
            }
            for version in family
        ],
        "many": len(family) > 1,
        "can_revise": quote.status == Quote.Status.SENT and has_perm(user, "quote.manage"),
        "refusal": getattr(services.revising.acceptance_refusal(quote), "message", ""),
    }


@action("quote.view")
@submitted_once
def quote_revise(request, pk):
    quote = get_object_or_404(Quote, pk=pk)
    revision, ok = perform(
        request,
        lambda: services.revise_quote(quote, by=request.user),
        lambda revision: (
            _(
                "Version %(version)s créée (%(number)s) : modifiez ses lignes, puis envoyez-la. "
                "La version précédente est remplacée."
            )
            % {"version": revision.version, "number": revision.number}
        ),
    )
    return redirect("web:quote_edit", pk=revision.pk) if ok else redirect("web:quote_detail", pk=quote.pk)


@requires("quote.view")
def quote_versions(request, pk):
    """The versions tab: every version of the offer, and the differences between two of them (by
    default, this one against the version it revises)."""
    quote = get_object_or_404(Quote.objects.select_related("customer"), pk=pk)
    family = services.versions_of(quote)
    by_id = {version.pk: version for version in family}
    newer = by_id.get(_int(request.GET.get("a")), quote)
    older = by_id.get(_int(request.GET.get("de")), newer.previous_version or family[0])
    diff = services.compare_versions(older, newer) if older.pk != newer.pk else None
    if diff is not None and older.version > newer.version:
        older, newer = newer, older
    context = {
        "quote": quote,
        "panel": versions_panel(quote, request.user),
        "older": older,
        "newer": newer,
        "diff": diff,
        "family": family,
        "kinds": {
            versions.ADDED: _("Ajoutée"),
            versions.REMOVED: _("Retirée"),
            versions.CHANGED: _("Modifiée"),
            versions.SAME: _("Inchangée"),
        },
        "fields": {
            "description": _("Désignation"),
            "quantity": _("Quantité"),
            "unit_price": _("Prix unitaire HT"),
            "discount_percent": _("Remise"),
            "net_amount": _("Montant HT"),
            "total_untaxed": _("Total HT"),
            "total_vat": _("TVA"),
            "total": _("Total TTC"),
        },
    }
    return render(request, "web/quotes/versions.html", context)


def _int(raw):
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


# --- Order amendments ---------------------------------------------------------------------------


def amendments_panel(order: Order, user) -> dict:
    amendments = list(
        OrderAmendment.objects.filter(order=order)
        .select_related("created_by")
        .prefetch_related("changes")
        .order_by("sequence")
    )
    return {
        "amendments": [
            {
                "amendment": amendment,
                "changes": list(amendment.changes.all()),
                "effects": [effect_message(effect) for effect in amendment.effects],
            }
            for amendment in amendments
        ],
        "can_amend": order.status == Order.Status.CONFIRMED and has_perm(user, "order.confirm"),
    }


def _amend_rows(order: Order, posted=None) -> list[dict]:
    """Each line with its floors (delivered, invoiced drafts included) and what the form shows."""
    live = ~Q(invoice_lines__invoice__status="cancelled") & ~Q(invoice_lines__invoice__kind="credit_note")
    lines = (
        OrderLine.objects.filter(order=order)
        .select_related("product")
        .annotate(claimed=Sum("invoice_lines__quantity", filter=live))
        .order_by("position", "id")
    )
    rows = []
    for line in lines:
        claimed = line.claimed or ZERO
        rows.append(
            {
                "line": line,
                "invoiced": claimed,
                "floor": max(line.quantity_delivered, claimed),
                "priced_frozen": claimed > 0,
                "removable": line.quantity_delivered == 0 and claimed == 0,
                "quantity": _posted(posted, f"qty_{line.pk}", forms.plain_decimal(line.quantity, 0)),
                "unit_price": _posted(posted, f"price_{line.pk}", forms.plain_decimal(line.unit_price)),
                "discount": _posted(
                    posted, f"discount_{line.pk}", forms.plain_decimal(line.discount_percent, 0)
                ),
                "remove": bool(posted and posted.get(f"remove_{line.pk}")),
            }
        )
    return rows


def _posted(posted, name, default):
    return posted.get(name, default) if posted is not None else default


class _FormError(Exception):
    pass


def _parse(request, rows):
    """(lines, add, requested date or None, clear) from the posted form; raises _FormError."""
    lines = []
    for row in rows:
        line = row["line"]
        if row["remove"]:
            lines.append({"line": line.pk, "remove": True})
            continue
        try:
            change = {
                "line": line.pk,
                "quantity": forms.parse_decimal(row["quantity"], forms.QUANTITY),
                "unit_price": forms.parse_decimal(row["unit_price"], forms.PRICE),
                "discount_percent": forms.parse_decimal(row["discount"], forms.PERCENT) or ZERO,
            }
        except ValidationError as exc:
            raise _FormError(
                _("Ligne %(position)s : %(error)s")
                % {"position": line.position, "error": " ".join(exc.messages)}
            ) from None
        if row["priced_frozen"]:
            change.pop("unit_price"), change.pop("discount_percent")
        lines.append({k: v for k, v in change.items() if v is not None})
    added_rows = rows_with_ids(forms.sales_rows(request.POST))
    try:
        add = forms.sales_lines(added_rows)
    except forms.RowError as exc:
        raise _FormError(exc.message) from None
    raw_date = param(request.POST, "requested_date", 10)
    requested, clear = None, False
    if raw_date:
        try:
            requested = datetime.date.fromisoformat(raw_date)
        except ValueError:
            raise _FormError(_("La date de livraison souhaitée n'est pas une date.")) from None
    else:
        clear = True
    return lines, add, requested, clear, added_rows


@requires("order.confirm")  # whoever may commit the company to an order may amend it (sales.amending)
@submitted_once
def order_amend(request, pk):
    order = get_object_or_404(Order.objects.select_related("customer"), pk=pk)
    if request.method != "POST":
        if order.status != Order.Status.CONFIRMED:
            messages.error(
                request, _("Seule une commande confirmée se modifie par avenant : modifiez ses lignes.")
            )
            return redirect("web:order_detail", pk=order.pk)
        return _amend_page(request, order, _amend_rows(order), None, "")
    rows = _amend_rows(order, request.POST)
    reason = param(request.POST, "reason", 2000)
    try:
        lines, add, requested, clear, added_rows = _parse(request, rows)
    except _FormError as exc:
        messages.error(request, str(exc))
        return _amend_page(request, order, rows, rows_with_ids(forms.sales_rows(request.POST)), reason)
    if clear and order.requested_date is None:
        clear = False
    amendment, ok = perform(
        request,
        lambda: services.amend_order(
            order,
            by=request.user,
            reason=reason,
            lines=lines,
            add=add,
            requested_date=requested,
            clear_requested_date=clear,
        ),
        lambda amendment: (
            _("Avenant n° %(sequence)s enregistré sur la commande %(number)s.")
            % {"sequence": amendment.sequence, "number": order.number}
        ),
    )
    if ok:
        for effect in amendment.effects:
            messages.warning(request, effect_message(effect))
        return redirect("web:order_detail", pk=order.pk)
    return _amend_page(request, order, rows, added_rows, reason)


def _amend_page(request, order, rows, added_rows, reason):
    filled = forms.filled(added_rows or [])
    return render(
        request,
        "web/orders/amend.html",
        {
            "order": order,
            "amend_rows": rows,
            "reason": reason,
            "requested_date": request.POST.get("requested_date")
            if request.method == "POST"
            else (order.requested_date.isoformat() if order.requested_date else ""),
            **editor_context(filled or None),
        },
    )
