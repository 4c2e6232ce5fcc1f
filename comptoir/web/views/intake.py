"""Commandes reçues: drop files (several at once, drag and drop), the review queue by status (oldest first,
with counts), the review screen (fields read with their confidence and source, lowest first; lines with a
product picker), accept into a draft order, reject with a reason, the original file."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from comptoir.archive.selectors import content_of
from comptoir.catalog.models import Product
from comptoir.core.errors import DomainError
from comptoir.core.permissions import has_perm
from comptoir.imports import reading
from comptoir.intake import mailbox, policy, selectors, services
from comptoir.intake.models import InboundDocument, IntakePolicy
from comptoir.parties.models import Customer
from comptoir.web.views.common import action, export_list, paginate, param, perform, requires

Status = InboundDocument.Status

FIELD_LABELS = {
    "po_number": _l("N° de commande du client"),
    "po_date": _l("Date de commande"),
    "requested_date": _l("Livraison souhaitée"),
    "buyer_name": _l("Client (nom)"),
    "buyer_siren": _l("SIREN du client"),
    "buyer_siret": _l("SIRET du client"),
    "buyer_vat": _l("TVA du client"),
    "buyer_gln": _l("GLN du client"),
    "delivery_address": _l("Adresse de livraison"),
    "currency": _l("Devise"),
    "seller_name": _l("Fournisseur (nom)"),
    "seller_siren": _l("SIREN du fournisseur"),
    "seller_vat": _l("TVA du fournisseur"),
    "seller_gln": _l("GLN du fournisseur"),
    "seller_siret": _l("SIRET du fournisseur"),
    "ship_to_name": _l("Livrer à"),
    "total_untaxed": _l("Total HT"),
    "total": _l("Total TTC"),
}
MATCH_LABELS = {
    "code": _l("notre référence"),
    "ean": _l("EAN"),
    "reference": _l("référence du client"),
    "description": _l("désignation"),
    "human": _l("choisi à la main"),
    "siren": _l("SIREN"),
    "siret": _l("SIRET"),
    "vat": _l("n° de TVA"),
    "gln": _l("GLN"),
    "name": _l("nom"),
    "email": _l("adresse de l'expéditeur"),
}

QUEUE_COLUMNS = (
    (_l("Document"), lambda d: d.number),
    (_l("Reçu le"), lambda d: d.received_at.strftime("%d/%m/%Y %H:%M")),
    (_l("Fichier"), lambda d: d.file_name),
    (_l("Format"), lambda d: d.format),
    (_l("État"), lambda d: str(d.get_status_display())),
    (_l("Client"), lambda d: d.customer.name if d.customer_id else ""),
    (_l("N° de commande du client"), lambda d: d.po_number),
    (_l("Commande"), lambda d: d.order.number if d.order_id else ""),
    (_l("Motif"), lambda d: d.reason or d.decision_note),
)


def _queue(request):
    status = param(request.GET, "etat", 20)
    if status not in Status.values:
        status = ""
    return selectors.queue(status), status


@requires("order.view")
def intake_queue(request):
    documents, status = _queue(request)
    counts = selectors.counts()
    return render(
        request,
        "web/intake/queue.html",
        {
            "page_obj": paginate(request, documents),
            "etat": status,
            "tabs": [(value, label, counts[value]) for value, label in Status.choices],
            "total": sum(counts.values()),
            "may_receive": has_perm(request.user, "intake.receive"),
            "policy": IntakePolicy.current(),
            "may_configure": has_perm(request.user, "intake.configure"),
            "failed_messages": selectors.failed_messages()[:20],
        },
    )


@action("order.view")
def intake_policy(request):
    """Direction switches the automatic acceptance on or off (the service checks intake.configure)."""
    enabled = request.POST.get("auto_accept") == "1"
    perform(
        request,
        lambda: policy.update_policy(by=request.user, auto_accept=enabled),
        _("Acceptation automatique activée.") if enabled else _("Acceptation automatique désactivée."),
    )
    return redirect("web:intake_queue")


@requires("order.view")
def intake_export(request, fmt):
    documents, _status = _queue(request)
    return export_list(fmt, "commandes-recues", QUEUE_COLUMNS, documents)


@action("order.view")
def intake_upload(request):
    files = request.FILES.getlist("files")
    if not files:
        messages.error(request, _("Choisissez au moins un fichier à déposer."))
        return redirect("web:intake_queue")
    received = []
    for upload in files:
        content = upload.read()
        try:
            if mailbox.is_email(content):
                # An .eml: its attachments and the order its text carries, as the mailbox reads it.
                found = mailbox.receive_message(
                    content, channel=InboundDocument.Channel.UPLOAD, by=request.user, name=upload.name
                ).documents
            else:
                found = [
                    services.receive(
                        content, name=upload.name, channel=InboundDocument.Channel.UPLOAD, by=request.user
                    )
                ]
        except DomainError as exc:
            messages.error(request, exc.message)
            continue
        for document, created in found:
            received.append(document)
            _said(request, document.file_name if len(found) > 1 else upload.name, document, created)
        if not found:
            messages.info(request, _("« %(name)s » avait déjà été reçu.") % {"name": upload.name})
    if len(received) == 1 and len(files) == 1:
        return redirect("web:intake_detail", pk=received[0].pk)
    return redirect("web:intake_queue")


def _said(request, name, document, created) -> None:
    if created:
        messages.success(
            request,
            _("« %(name)s » reçu : %(number)s, %(status)s.")
            % {"name": name, "number": document.number, "status": document.get_status_display()},
        )
    else:
        messages.info(
            request,
            _("« %(name)s » avait déjà été reçu : %(number)s.") % {"name": name, "number": document.number},
        )


def _input(value) -> str:
    """A decimal as typed in a French form field: « 12,5 », no thousands separator."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def _number(text: str) -> str | None:
    """A form field's number as the services take it (« 1 234,5 » → « 1234.5 »); as typed if unreadable,
    so that the service's refusal names it."""
    if not text:
        return None
    try:
        return str(reading.parse_decimal(text))
    except ValueError:
        return text


@requires("order.view")
def intake_detail(request, pk):
    document = get_object_or_404(
        InboundDocument.objects.select_related(
            "customer", "order", "duplicate_of", "archived_file", "mail_message"
        ),
        pk=pk,
    )
    lines = selectors.lines_of(document)
    product_ids = {pid for line in lines for pid, _score in line.candidates} | {
        line.product_id for line in lines if line.product_id
    }
    known = {p.pk: p for p in Product.objects.filter(pk__in=product_ids)}
    rows = []
    for line in lines:
        rows.append(
            {
                "line": line,
                "confidence": selectors.line_confidence(line) * 100,
                "quantity_input": _input(line.quantity),
                "price_input": _input(line.unit_price),
                "match": MATCH_LABELS.get(line.match_method, ""),
                "candidates": [(known.get(pid), score) for pid, score in line.candidates if known.get(pid)],
                "sources": [
                    (name, f["value"], f["confidence"], f["source"]) for name, f in line.fields.items()
                ],
            }
        )
    fields = [
        {**row, "label": FIELD_LABELS.get(row["name"], row["name"]), "confidence": row["confidence"] * 100}
        for row in selectors.header_fields(document)
    ]
    reviewing = document.status == Status.TO_REVIEW and has_perm(request.user, "intake.review")
    return render(
        request,
        "web/intake/detail.html",
        {
            "document": document,
            "fields": fields,
            "rows": rows,
            "checks": selectors.checks_of(document),
            "customer_match": MATCH_LABELS.get(document.customer_match, ""),
            "reviewing": reviewing,
            "may_reject": document.status in (Status.TO_REVIEW, Status.DUPLICATE, Status.QUARANTINED)
            and has_perm(request.user, "intake.review"),
            "products": Product.objects.filter(is_active=True).only("pk", "sku", "name") if reviewing else [],
            "customers": Customer.objects.filter(is_active=True).only("pk", "code", "name")
            if reviewing
            else [],
        },
    )


@action("order.view")
def intake_accept(request, pk):
    document = get_object_or_404(InboundDocument, pk=pk)
    lines = []
    for line in selectors.lines_of(document):
        prefix = f"line-{line.pk}-"
        lines.append(
            {
                "line": line.pk,
                "product": param(request.POST, prefix + "product", 20) or None,
                "quantity": _number(param(request.POST, prefix + "quantity", 30)) or "0",
                "unit_price": _number(param(request.POST, prefix + "price", 30)),
            }
        )
    customer = param(request.POST, "customer", 20) or None
    try:
        order = services.accept(document, by=request.user, lines=lines, customer=customer)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("web:intake_detail", pk=pk)
    messages.success(
        request,
        _("Commande brouillon %(number)s créée depuis %(document)s.")
        % {"number": order.number, "document": document.number},
    )
    return redirect("web:order_detail", pk=order.pk)


@action("order.view")
def intake_reject(request, pk):
    document = get_object_or_404(InboundDocument, pk=pk)
    try:
        services.reject(document, by=request.user, reason=param(request.POST, "reason", 2000))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("web:intake_detail", pk=pk)
    messages.success(request, _("Document %(document)s rejeté.") % {"document": document.number})
    return redirect("web:intake_queue")


@requires("order.view")
def intake_file(request, pk):
    document = get_object_or_404(InboundDocument.objects.select_related("archived_file__content"), pk=pk)
    if document.archived_file is None:
        return redirect("web:intake_detail", pk=pk)
    # Always an attachment of a neutral type: a received file is never rendered by the browser.
    response = HttpResponse(content_of(document.archived_file), content_type="application/octet-stream")
    name = document.file_name.replace('"', "").replace("\r", "").replace("\n", "")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
