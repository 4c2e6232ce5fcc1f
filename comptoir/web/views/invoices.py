"""Invoices: list (lifecycle and payment filters), detail with the assistant's findings, issue, cancel a
draft, and override its blocking findings."""

from django.contrib import messages
from django.db.models import F
from django.db.models.functions import Lower
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from comptoir.assistant import services as assistant
from comptoir.billing import adjusting, approving, einvoicing, services
from comptoir.billing.models import AllowanceCharge, Invoice
from comptoir.core import approvals
from comptoir.core.permissions import has_perm
from comptoir.core.taxes import Adjustment
from comptoir.insights import selectors as margin_view
from comptoir.mailing import documents as mail_documents
from comptoir.parties.models import Company
from comptoir.payments import selectors as payment_view
from comptoir.web import findings as findings_view
from comptoir.web import forms, labels, queries
from comptoir.web.sorting import SortSpec
from comptoir.web.submissions import submitted_once
from comptoir.web.views.common import action, export_list, may, paginate, param, perform, requires
from comptoir.web.views.lines import category_choices
from comptoir.web.views.sales import taxes_of

INVOICE_SORT = SortSpec(
    {
        "numero": "number",
        "client": Lower("customer__name"),
        "date": "date",
        "echeance": "due_date",
        "etat": "status",
        "total_ht": "total_untaxed",
        "total": "total",
        "reste": F("total") - F("amount_paid"),
    }
)


def _invoices(request):
    """The invoices the list's search and filters select, in the order asked for, and those filters
    for the page."""
    q, status = param(request.GET, "q"), param(request.GET, "etat")
    customer_id = queries.int_or_none(request.GET.get("client"))
    invoices, sort = INVOICE_SORT.apply(queries.invoices(q, status, customer_id), request.GET)
    return invoices, {"q": q, "etat": status, "client": customer_id, "sort": sort}


@requires("invoice.view")
def invoice_list(request):
    invoices, filters = _invoices(request)
    page = paginate(request, invoices)
    today = timezone.localdate()
    page.object_list = [
        {
            "invoice": inv,
            "chip": labels.payment_chip(inv, today),
            "due": inv.total - inv.amount_paid,
        }
        for inv in page.object_list
    ]
    statuses = list(Invoice.Status.choices) + [(k, v) for k, v in labels.PAYMENT_STATES.items()]
    return render(
        request,
        "web/invoices/list.html",
        {"page_obj": page, "statuses": statuses, **filters},
    )


def _payment_label(invoice) -> str:
    chip = labels.payment_chip(invoice)
    return chip[1] if chip else ""


INVOICE_COLUMNS = (
    (_l("Numéro"), str),
    (_l("Type"), lambda inv: inv.get_kind_display()),
    (_l("Client"), lambda inv: inv.customer.name),
    (_l("Code client"), lambda inv: inv.customer.code),
    (_l("Commande"), lambda inv: inv.order.number if inv.order else ""),
    (_l("Date"), lambda inv: inv.date),
    (_l("Échéance"), lambda inv: inv.due_date),
    (_l("État"), lambda inv: inv.get_status_display()),
    (_l("Règlement"), _payment_label),
    (_l("Total HT"), lambda inv: inv.total_untaxed),
    (_l("Total TTC"), lambda inv: inv.total),
    (_l("Reste dû"), lambda inv: inv.total - inv.amount_paid if labels.payment_chip(inv) else None),
)


@requires("invoice.view")
def invoice_export(request, fmt):
    invoices, _filters = _invoices(request)
    return export_list(fmt, _("factures"), INVOICE_COLUMNS, invoices)


@requires("invoice.view")
def invoice_detail(request, pk):
    invoice = get_object_or_404(
        payment_view.with_amount_paid(Invoice.objects.select_related("customer", "order", "entry__journal")),
        pk=pk,
    )
    lines = list(invoice.lines.select_related("product", "delivery_line__delivery"))
    adjustments = list(invoice.allowances_charges.all())
    issued = invoice.status == Invoice.Status.ISSUED
    payable = issued and invoice.kind != Invoice.Kind.CREDIT_NOTE
    if issued:
        taxes = [
            {"rate": t.vat_rate, "base": t.base, "amount": t.amount, "mention": t.exemption_reason}
            for t in invoice.taxes.all()
        ]
    else:
        taxes = taxes_of(
            lines, [Adjustment(a.amount, a.vat_rate, a.vat_category, a.is_charge) for a in adjustments]
        )
    user, status, S = request.user, invoice.status, Invoice.Status
    state = payment_view.invoice_payment_state(invoice) if payable else None
    findings = findings_view.panel(assistant.findings_for_invoice(invoice))
    # A commercial gesture above its threshold waits for another person's approval before its issue.
    approval = approving.gesture_approval(invoice)
    pending = bool(approval and approval.pending and status == S.DRAFT)
    credit_issued = issued and invoice.kind == Invoice.Kind.CREDIT_NOTE
    context = {
        "invoice": invoice,
        "company": Company.objects.first(),
        "lines": lines,
        "taxes": taxes,
        "adjustments": adjustments,
        # Remises globales, frais and escompte: on an invoice drafted from deliveries or by hand.
        "can_adjust": status == S.DRAFT
        and invoice.kind == Invoice.Kind.INVOICE
        and invoice.milestone_id is None
        and has_perm(user, "invoice.manage"),
        "allowance_reasons": AllowanceCharge.ALLOWANCE_REASONS,
        "discount_categories": category_choices(),
        "charge_reasons": AllowanceCharge.CHARGE_REASONS,
        "early_discount": getattr(invoice, "early_discount_granted", None) if issued else None,
        "state": state,
        "chip": labels.payment_chip(invoice),
        "allocations": list(invoice.allocations.select_related("payment").order_by("payment__date", "id")),
        "deliveries": list(queries.deliveries_of_invoice(invoice)),
        "entry_lines": list(invoice.entry.lines.select_related("account")) if invoice.entry_id else [],
        "events": queries.events_of(invoice),
        "issue_form": forms.IssueInvoiceForm(initial={"date": timezone.localdate()}),
        "can_issue": may(user, Invoice, status, S.ISSUED, "invoice.issue") and not pending,
        "approval": approval,
        "approval_pending": pending,
        "can_approve": pending
        and has_perm(user, "credit_note.gesture")
        and not approvals.is_same_person(invoice.created_by_id, user),
        # Refunds paid at once; those approved through a request show with their request.
        "refunds": list(
            invoice.refunds.filter(request__isnull=True).select_related("created_by").order_by("date", "id")
        )
        if credit_issued
        else [],
        "refund_requests": list(
            invoice.refund_requests.select_related("requested_by", "decided_by", "refund").order_by("-id")
        )
        if credit_issued
        else [],
        "can_decide_refunds": has_perm(user, "payment.register"),
        "can_cancel": may(user, Invoice, status, S.CANCELLED, "invoice.manage"),
        "can_email": has_perm(user, mail_documents.sendable(invoice).permission),
        "can_pay": payable and state.balance_due > 0 and has_perm(user, "payment.register"),
        "findings": findings,
        "can_override": status == S.DRAFT
        and any(finding["blocking"] for finding in findings)
        and has_perm(user, "assistant.override"),
    }
    if issued and invoice.kind != Invoice.Kind.DEPOSIT and has_perm(user, "margin.view"):
        context["margins"] = margin_view.invoice_margins(invoice)
    return render(request, "web/invoices/detail.html", context)


@action("invoice.view")
def invoice_issue(request, pk):
    invoice = get_object_or_404(Invoice, pk=pk)
    form = forms.IssueInvoiceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("La date de facture n'est pas valide."))
        return redirect("web:invoice_detail", pk=invoice.pk)
    perform(
        request,
        lambda: services.issue_invoice(invoice, by=request.user, date=form.cleaned_data["date"]),
        lambda inv: _("Facture %(number)s émise : l'écriture de vente est passée.") % {"number": inv.number},
    )
    return redirect("web:invoice_detail", pk=invoice.pk)


@action("invoice.view")
def invoice_adjustment_add(request, pk):
    """Add a remise globale or frais to a draft invoice."""
    invoice = get_object_or_404(Invoice, pk=pk)
    data = request.POST
    is_charge = data.get("kind") == "charge"
    by_percent = data.get("mode") == "percent"
    perform(
        request,
        lambda: adjusting.add_allowance_charge(
            invoice,
            by=request.user,
            is_charge=is_charge,
            amount=None if by_percent else param(data, "value", 20).replace(",", "."),
            percent=param(data, "value", 20).replace(",", ".") if by_percent else None,
            reason=param(data, "reason", 100),
            reason_code=param(data, "reason_code", 3),
            vat_rate=param(data, "vat_rate", 10).replace(",", "."),
            vat_category=param(data, "vat_category", 2),
            discount_category=param(data, "discount_category", 20),
        ),
        _("Frais ajoutés : les totaux et la TVA sont recalculés.")
        if is_charge
        else _("Remise globale ajoutée : les totaux et la TVA sont recalculés."),
    )
    return redirect("web:invoice_detail", pk=invoice.pk)


@action("invoice.view")
def invoice_adjustment_remove(request, pk, item_pk):
    item = get_object_or_404(AllowanceCharge, pk=item_pk, invoice_id=pk)
    perform(
        request,
        lambda: adjusting.remove_allowance_charge(item, by=request.user),
        _("Retiré de la facture : les totaux et la TVA sont recalculés."),
    )
    return redirect("web:invoice_detail", pk=pk)


@action("invoice.view")
def invoice_early_discount(request, pk):
    invoice = get_object_or_404(Invoice, pk=pk)
    perform(
        request,
        lambda: adjusting.set_early_discount(
            invoice,
            by=request.user,
            percent=param(request.POST, "percent", 10).replace(",", ".") or "0",
            days=param(request.POST, "days", 5) or "0",
        ),
        _("Escompte enregistré : ses conditions seront imprimées sur la facture à l'émission."),
    )
    return redirect("web:invoice_detail", pk=invoice.pk)


@action("invoice.view")
def invoice_cancel(request, pk):
    invoice = get_object_or_404(Invoice, pk=pk)
    reason = param(request.POST, "reason", 200)
    perform(
        request,
        lambda: services.cancel_draft_invoice(invoice, by=request.user, reason=reason),
        _("Brouillon de facture annulé : les quantités sont de nouveau facturables."),
    )
    return redirect("web:invoice_detail", pk=invoice.pk)


@action("invoice.view")
@submitted_once
def invoice_override(request, pk):
    invoice = get_object_or_404(Invoice, pk=pk)
    reason = param(request.POST, "reason", 2000)
    perform(
        request,
        lambda: assistant.override_blocking(invoice, by=request.user, reason=reason),
        _(
            "Blocage levé : la facture peut être émise malgré ses constats bloquants. Le motif est enregistré."
        ),
    )
    return redirect("web:invoice_detail", pk=invoice.pk)


@action("invoice.view")
def credit_note_approve(request, pk):
    note = get_object_or_404(Invoice, pk=pk)
    perform(
        request,
        lambda: approving.approve_credit_note(
            note, by=request.user, reason=param(request.POST, "reason", 2000)
        ),
        _("Geste commercial approuvé : l'avoir peut être émis."),
    )
    return redirect("web:invoice_detail", pk=note.pk)


@action("invoice.view")
def credit_note_refuse(request, pk):
    note = get_object_or_404(Invoice, pk=pk)
    perform(
        request,
        lambda: approving.refuse_credit_note(
            note, by=request.user, reason=param(request.POST, "reason", 2000)
        ),
        _("Geste commercial refusé : le brouillon d'avoir est annulé."),
    )
    return redirect("web:invoice_detail", pk=note.pk)


# The web's format names (kept in the URLs) and the e-invoice format each stands for.
DOWNLOADS = {"pdf": einvoicing.FACTURX, "cii": einvoicing.CII, "ubl": einvoicing.UBL}


@requires("invoice.view")
def invoice_download(request, pk, fmt):
    """The issued invoice as it left Comptoir: Factur-X PDF/A-3, CII XML (EN 16931) or UBL 2.1."""
    invoice = get_object_or_404(Invoice, pk=pk)
    if fmt not in DOWNLOADS:
        raise Http404(fmt)
    file, ok = perform(request, lambda: einvoicing.einvoice_file(invoice, DOWNLOADS[fmt]))
    if not ok:
        return redirect("web:invoice_detail", pk=invoice.pk)
    response = HttpResponse(file.body, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    return response
