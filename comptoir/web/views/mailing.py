"""« Envoyer par e-mail » on the quote, order, delivery note, invoice and credit note pages."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from comptoir.billing.models import Invoice
from comptoir.core.errors import DomainError
from comptoir.core.permissions import has_perm
from comptoir.mailing import documents, selectors, services
from comptoir.mailing.models import OutgoingEmail
from comptoir.payments.models import CustomerLetter
from comptoir.sales.models import Order, Quote
from comptoir.stock.models import Delivery
from comptoir.web.submissions import submitted_once
from comptoir.web.views.common import requires, show_form_error

# The URL's first segment → the documents it names, read with what the PDF and the template need.
DOCUMENTS = {
    "devis": lambda: Quote.objects.select_related("customer"),
    "commandes": lambda: Order.objects.select_related("customer", "delivery_address", "quote"),
    "livraisons": lambda: Delivery.objects.select_related("order__customer", "order__delivery_address"),
    "factures": lambda: Invoice.objects.select_related("customer"),
    "courriers": lambda: CustomerLetter.objects.select_related("customer"),
}


class EmailForm(forms.Form):
    ERROR_FIELDS = {
        "email_no_recipient": "to",
        "email_subject_missing": "subject",
    }
    to = forms.CharField(
        label=_l("Destinataires"),
        max_length=1000,
        help_text=_l("Séparez plusieurs adresses par des virgules."),
    )
    cc = forms.CharField(label=_l("Copie (CC)"), max_length=1000, required=False)
    bcc = forms.CharField(label=_l("Copie cachée (CCI)"), max_length=1000, required=False)
    subject = forms.CharField(label=_l("Objet"), max_length=255)
    body = forms.CharField(label=_l("Message"), widget=forms.Textarea(attrs={"rows": 10}), required=False)


def _initial(request, document) -> dict:
    """The template's proposal, or the fields of a failed attempt being tried again (?reprendre=id)."""
    retry = request.GET.get("reprendre", "")
    if retry.isdigit():
        attempt = selectors.emails_of(document).filter(pk=int(retry)).first()
        if attempt is not None:
            return {
                "to": ", ".join(attempt.to),
                "cc": ", ".join(attempt.cc),
                "bcc": ", ".join(attempt.bcc),
                "subject": attempt.subject,
                "body": attempt.body,
            }
    return documents.proposed(document)


@requires("quote.view")  # every role reads documents; sending is checked per kind below
@submitted_once
def document_email(request, area, pk):
    if area not in DOCUMENTS:
        raise Http404(area)
    document = get_object_or_404(DOCUMENTS[area](), pk=pk)
    entry = documents.sendable(document)
    if not has_perm(request.user, entry.permission):
        raise PermissionDenied(entry.permission)
    detail = reverse(entry.detail_url, args=[document.pk])
    if request.method == "POST":
        form = EmailForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                attempt = services.send_document(
                    document,
                    to=data["to"],
                    cc=data["cc"],
                    bcc=data["bcc"],
                    subject=data["subject"],
                    body=data["body"],
                    by=request.user,
                )
            except DomainError as exc:
                show_form_error(request, form, exc)
            else:
                if attempt.status == OutgoingEmail.Status.SENT:
                    messages.success(
                        request,
                        _("%(number)s envoyé par e-mail à %(to)s.")
                        % {"number": document.number, "to": ", ".join(attempt.to)},
                    )
                    return redirect(detail)
                # Kept: the failed attempt is recorded; the form comes back with its fields to retry.
                messages.error(request, attempt.failure_reason)
                return redirect(f"{request.path}?reprendre={attempt.pk}")
    else:
        form = EmailForm(initial=_initial(request, document))
    context = {
        "document": document,
        "form": form,
        "detail": detail,
        "kind": entry.kind,
        "attempts": list(selectors.emails_of(document)[:20]),
    }
    return render(request, "web/mailing/send.html", context)
