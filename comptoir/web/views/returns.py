"""Disputes (litiges): the board of return cases, one case with its decisions, declaring a discrepancy on
a delivery, and the returns KPIs.

Every button comes from `returns.selectors.available_actions` (the table the services enforce), and every
action calls one service of `comptoir.returns.services`, whose French refusal is shown on the page.
"""

import datetime

from django.contrib import messages
from django.db import transaction
from django.db.models.functions import Lower
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.assistant import selectors as assistant_view
from comptoir.core import replica
from comptoir.core.errors import DomainError
from comptoir.returns import selectors, services
from comptoir.returns.models import Attachment, Reason, ReturnCase
from comptoir.stock.models import Delivery
from comptoir.web import charts, queries
from comptoir.web.return_forms import DeclareForm, ReceiveForm, ResolveForm
from comptoir.web.sorting import SortSpec
from comptoir.web.submissions import submitted_once
from comptoir.web.views.common import action, paginate, param, perform, requires, show_form_error

# Rows shown in each KPI table and chart.
TOP = 10


# --- The board ------------------------------------------------------------------------------------

# The age of a case runs from its opening: the oldest first is the earliest opened first.
BOARD_SORT = SortSpec(
    {
        "dossier": "number",
        "client": Lower("customer__name"),
        "livraison": "delivery__number",
        "motif": "reason",
        "etat": "status",
        "montant": "amount_at_stake",
        "age": "-opened_at",
    }
)


@requires("return.view")
def return_board(request):
    q, status, reason = param(request.GET, "q"), param(request.GET, "etat"), param(request.GET, "motif")
    status = status if status in ReturnCase.Status.values else ""
    reason = reason if reason in Reason.values else ""
    customer_id = queries.int_or_none(request.GET.get("client"))
    mine, late, closed = (request.GET.get(name) == "1" for name in ("miens", "retard", "clos"))
    cases = selectors.board(
        status=status or None,
        reason=reason or None,
        customer=customer_id,
        owner=request.user.pk if mine else None,
        overdue=True if late else None,
        search=q,
        include_closed=closed,
    )
    cases, sort = BOARD_SORT.apply(cases, request.GET)
    now = timezone.now()
    # By default the assistant's priority orders the board (amount, blocked invoice, SLA, customer).
    page = paginate(request, assistant_view.by_priority(cases, now=now) if not sort.key else cases)
    if sort.key:
        assistant_view.with_advice(page.object_list, now=now)
    for case in page.object_list:
        case.age_days = case.age(now).days
    summary = selectors.board_summary(now)
    labels = dict(ReturnCase.Status.choices)
    context = {
        "page_obj": page,
        "summary": summary,
        "by_status": [
            (code, labels[code], summary.by_status.get(code, 0)) for code in ReturnCase.OPEN_STATUSES
        ],
        "statuses": ReturnCase.Status.choices,
        "reasons": Reason.choices,
        "q": q,
        "etat": status,
        "motif": reason,
        "client": customer_id,
        "miens": mine,
        "retard": late,
        "clos": closed,
        "sort": sort,
        "filtered": bool(q or status or reason or customer_id or mine or late or closed),
    }
    return render(request, "web/returns/board.html", context)


# --- One case -------------------------------------------------------------------------------------


def _case(pk) -> ReturnCase:
    try:
        return selectors.case_detail(pk)
    except ReturnCase.DoesNotExist:
        raise Http404 from None


def _render_case(request, case: ReturnCase, *, receive_form=None, resolve_form=None, status=200):
    policy = selectors.policy()
    actions = selectors.available_actions(case, request.user, policy)
    kinds = selectors.available_resolutions(case, request.user, policy)
    progress = selectors.line_progress(case)
    open_progress = [p for p in progress if p.line.quantity > p.received]
    # Receiving stays open on the case, but a form needs something still expected back.
    can_receive = "receive" in actions and bool(open_progress)
    if can_receive and receive_form is None:
        receive_form = ReceiveForm(progress=open_progress, initial={"date": timezone.localdate()})
    # Likewise a resolution needs something still open: a settled case only offers to be closed.
    can_resolve = "resolve" in actions and any(p.open_quantity > 0 for p in progress)
    if can_resolve and resolve_form is None:
        resolve_form = ResolveForm(progress=progress, kinds=kinds)
    resolutions = list(case.resolutions.all())
    now = timezone.now()
    undecided = case.status in ReturnCase.UNDECIDED_STATUSES
    context = {
        "case": case,
        "progress": progress,
        "receipts": list(case.receipts.all()),
        "resolutions": resolutions,
        "credit_notes": [r.credit_note for r in resolutions if r.credit_note_id],
        "events": list(selectors.timeline(case)),
        "actions": actions,
        "receive_form": receive_form if can_receive else None,
        "all_received": "receive" in actions and not open_progress,
        "resolve_form": resolve_form if can_resolve else None,
        "advice": assistant_view.case_advice([case], now=now).get(case.pk)
        if case.status in ReturnCase.OPEN_STATUSES
        else None,
        "answer_overdue": case.answer_overdue(now),
        "close_overdue": case.close_overdue(now),
        "age_days": case.age(now).days,
        "policy": policy,
        # Who decides: the threshold applies with the other cases on the same delivery lines, and whoever
        # opened the case never approves it.
        "exposure": selectors.cumulated_at_stake(case) if undecided else None,
        "opened_by_viewer": undecided and case.created_by_id == request.user.pk,
    }
    return render(request, "web/returns/detail.html", context, status=status)


@requires("return.view")
def return_detail(request, pk):
    return _render_case(request, _case(pk))


def _decision(request, pk, run, success):
    case = get_object_or_404(ReturnCase, pk=pk)
    reason = param(request.POST, "reason", 2000)
    perform(request, lambda: run(case, reason), success % {"number": case.number})
    return redirect("web:return_detail", pk=case.pk)


@action("return.view")
def return_submit(request, pk):
    return _decision(
        request,
        pk,
        lambda case, reason: services.submit_case(case, by=request.user),
        _("Dossier %(number)s soumis à décision."),
    )


@action("return.view")
def return_approve(request, pk):
    return _decision(
        request,
        pk,
        lambda case, reason: services.approve_case(case, by=request.user, reason=reason),
        _("Dossier %(number)s approuvé."),
    )


@action("return.view")
def return_reject(request, pk):
    return _decision(
        request,
        pk,
        lambda case, reason: services.reject_case(case, by=request.user, reason=reason),
        _("Dossier %(number)s rejeté : la livraison peut de nouveau être facturée."),
    )


@action("return.view")
def return_close(request, pk):
    return _decision(
        request,
        pk,
        lambda case, reason: services.close_case(case, by=request.user, reason=reason),
        _("Dossier %(number)s clos."),
    )


@action("return.view")
def return_lift_block(request, pk):
    return _decision(
        request,
        pk,
        lambda case, reason: services.lift_block(case, by=request.user, reason=reason),
        _("Blocage levé : la livraison du dossier %(number)s peut être facturée."),
    )


@action("return.view")
@submitted_once
def return_receive(request, pk):
    case = _case(pk)
    progress = [p for p in selectors.line_progress(case) if p.line.quantity > p.received]
    form = ReceiveForm(request.POST, progress=progress)
    if form.is_valid():
        try:
            receipt = services.receive_goods(
                case, form.lines(), by=request.user, date=form.cleaned_data.get("date")
            )
        except DomainError as exc:
            show_form_error(request, form, exc)
        else:
            messages.success(
                request,
                _("Réception %(receipt)s enregistrée sur le dossier %(number)s.")
                % {"receipt": receipt.number, "number": case.number},
            )
            return redirect("web:return_detail", pk=case.pk)
    else:
        messages.error(request, _("La réception n'est pas enregistrée : corrigez les champs signalés."))
    return _render_case(request, _case(pk), receive_form=form)


def _resolved_message(kind: str, resolutions) -> str:
    if kind == "credit_note":
        numbers = ", ".join(r.credit_note.number for r in resolutions)
        return _("Avoir %(numbers)s émis.") % {"numbers": numbers}
    [resolution] = resolutions
    if kind == "replacement":
        return _("Remplacement expédié : bon de livraison %(number)s.") % {
            "number": resolution.replacement.number
        }
    if kind == "reinvoice":
        return _("Facture de refacturation préparée (brouillon à émettre).")
    return _("Refus enregistré : le dossier est résolu.")


@action("return.view")
@submitted_once
def return_resolve(request, pk):
    case = _case(pk)
    kinds = selectors.available_resolutions(case, request.user)
    form = ResolveForm(request.POST, progress=selectors.line_progress(case), kinds=kinds)
    if form.is_valid():
        kind, by = form.cleaned_data["kind"], request.user
        reason, lines = form.cleaned_data.get("reason") or "", form.lines()
        try:
            if kind == "credit_note":
                done = services.resolve_with_credit_note(
                    case, lines, by=by, amount=form.cleaned_data.get("amount"), reason=reason
                )
            elif kind == "replacement":
                done = [services.resolve_with_replacement(case, lines, by=by, reason=reason)]
            elif kind == "reinvoice":
                done = [services.resolve_with_reinvoice(case, lines, by=by, reason=reason)]
            else:
                done = [services.refuse(case, by=by, reason=reason)]
        except DomainError as exc:
            show_form_error(request, form, exc)
        else:
            messages.success(request, _resolved_message(kind, done))
            return redirect("web:return_detail", pk=case.pk)
    else:
        messages.error(request, _("La résolution n'est pas enregistrée : corrigez les champs signalés."))
    return _render_case(request, _case(pk), resolve_form=form)


# --- Declaring a discrepancy on a delivery ----------------------------------------------------------


@requires("return.manage")
@submitted_once
def return_declare(request, pk):
    delivery = get_object_or_404(Delivery.objects.select_related("order__customer"), pk=pk)
    if delivery.status != Delivery.Status.VALIDATED:
        messages.error(
            request,
            _(
                "Le bon de livraison %(number)s n'est pas expédié : un écart ne se déclare que sur une livraison validée."
            )
            % {"number": delivery.number},
        )
        return redirect("web:delivery_detail", pk=delivery.pk)
    form = DeclareForm(request.POST or None, returnable=selectors.returnable_lines(delivery))
    if request.method == "POST" and form.is_valid():
        try:
            case = services.open_case(
                delivery,
                form.lines(),
                by=request.user,
                reason=form.cleaned_data["reason"],
                customer_statement=form.cleaned_data.get("customer_statement") or "",
                attachments=request.FILES.getlist("pieces"),
            )
        except DomainError as exc:
            show_form_error(request, form, exc)
        else:
            messages.success(
                request,
                _("Dossier %(number)s ouvert : soumettez-le pour décision.") % {"number": case.number},
            )
            return redirect("web:return_detail", pk=case.pk)
    return render(request, "web/returns/declare.html", {"delivery": delivery, "form": form})


# --- KPIs -----------------------------------------------------------------------------------------


def _date(value) -> datetime.date | None:
    try:
        date = datetime.date.fromisoformat(value or "")
    except ValueError:
        return None
    return date if datetime.date(2000, 1, 1) <= date <= datetime.date(2099, 12, 31) else None


@requires("return.view")
@replica.reading()
def return_kpis(request):
    date_from, date_to = selectors.kpi_period(
        _date(param(request.GET, "du", 10)), _date(param(request.GET, "au", 10))
    )
    if date_to < date_from:
        messages.error(request, _("La fin de la période précède son début : période inversée."))
        date_from, date_to = date_to, date_from
    kpis = selectors.returns_kpis(date_from, date_to)
    per_customer = kpis.cases_per_customer[:TOP]
    by_customer = kpis.customers_by_margin_lost()[:TOP]
    by_product = kpis.products_by_margin_lost()[:TOP]
    context = {
        "kpis": kpis,
        "date_from": date_from,
        "date_to": date_to,
        "per_customer": per_customer,
        "by_customer": by_customer,
        "by_product": by_product,
        "cases_chart": charts.bar_chart([(row["customer"], row["cases"]) for row in per_customer]),
        "reasons_chart": charts.bar_chart([(label, count) for _, label, count in kpis.top_reasons]),
        "customer_margin_chart": charts.bar_chart([(name, i.margin_lost) for _, name, i in by_customer]),
        "product_margin_chart": charts.bar_chart([(sku, i.margin_lost) for _, sku, i in by_product]),
    }
    return render(request, "web/returns/kpis.html", context)


# --- Attachments ----------------------------------------------------------------------------------


@action("return.view")
@submitted_once
def return_attachment_add(request, pk):
    case = get_object_or_404(ReturnCase, pk=pk)
    uploads = request.FILES.getlist("pieces")
    if not uploads:
        messages.error(request, _("Choisissez au moins un fichier à joindre."))
        return redirect("web:return_detail", pk=case.pk)

    def add_all():
        with transaction.atomic():
            return [services.add_attachment(case, upload, by=request.user) for upload in uploads]

    perform(
        request, add_all, lambda added: _("%(count)s pièce(s) jointe(s) ajoutée(s).") % {"count": len(added)}
    )
    return redirect("web:return_detail", pk=case.pk)


@requires("return.view")
def return_attachment(request, pk, attachment_pk):
    """A file the customer sent, always downloaded (never shown inline: it comes from outside)."""
    attachment = get_object_or_404(Attachment, pk=attachment_pk, case_id=pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404(attachment.name) from None
    response = FileResponse(handle, as_attachment=True, filename=attachment.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
