"""Reminders and statements of account: one customer's letter (made from the customer page, printed,
e-mailed through « Envoyer par e-mail »), and the mass sending page (« Relances et relevés »)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.mailing import bulk
from comptoir.mailing import selectors as mail_selectors
from comptoir.mailing.models import OutgoingEmail
from comptoir.parties.models import Customer
from comptoir.payments import letters
from comptoir.payments.models import CustomerLetter
from comptoir.web.submissions import submitted_once
from comptoir.web.views.common import action, perform, requires

KINDS = {"relance": CustomerLetter.Kind.REMINDER, "releve": CustomerLetter.Kind.STATEMENT}


@action("payment.view")
def customer_letter_make(request, pk):
    """« Relance » or « Relevé de compte » on the customer page: the letter, then its page."""
    customer = get_object_or_404(Customer, pk=pk)
    kind = KINDS.get(request.POST.get("nature", ""), CustomerLetter.Kind.STATEMENT)
    letter, done = perform(request, lambda: letters.make_letter(customer, kind=kind, by=request.user))
    if not done:
        return redirect("web:customer_detail", pk=customer.pk)
    return redirect("web:customer_letter", pk=letter.pk)


@requires("payment.view")
def customer_letter(request, pk):
    letter = get_object_or_404(CustomerLetter.objects.select_related("customer"), pk=pk)
    context = {"letter": letter, "attempts": list(mail_selectors.emails_of(letter)[:20])}
    return render(request, "web/letters/detail.html", context)


@requires("payment.view")
def customer_letter_pdf(request, pk):
    letter = get_object_or_404(CustomerLetter.objects.select_related("customer"), pk=pk)
    file = letters.letter_pdf(letter)
    response = HttpResponse(file.body, content_type=file.content_type)
    response["Content-Disposition"] = f'inline; filename="{file.filename}"'
    return response


@requires("reminder.send")
@submitted_once
def mass_letters(request):
    """The customers with something overdue, to choose; each chosen one gets its letter by e-mail."""
    outcomes = None
    if request.method == "POST":
        kind = KINDS.get(request.POST.get("nature", ""), CustomerLetter.Kind.REMINDER)
        ids = [int(pk) for pk in request.POST.getlist("clients") if pk.isdigit()]
        chosen = list(Customer.objects.filter(pk__in=ids).order_by("name", "id"))
        if not chosen:
            messages.error(request, _("Cochez au moins un client."))
        else:
            outcomes = bulk.send_letters(chosen, kind=kind, by=request.user)
            sent = sum(1 for o in outcomes if o.status == bulk.SENT)
            messages.success(
                request,
                _("%(sent)s courrier(s) envoyé(s) sur %(total)s.") % {"sent": sent, "total": len(outcomes)},
            )
    context = {
        "rows": letters.customers_overdue(),
        "outcomes": outcomes,
        "failed": bulk.failed_letters(),
    }
    return render(request, "web/letters/mass.html", context)


@require_POST
@requires("reminder.send")
def letter_retry(request, pk):
    letter = get_object_or_404(CustomerLetter.objects.select_related("customer"), pk=pk)
    attempt, done = perform(request, lambda: bulk.retry_letter(letter, by=request.user))
    if done:
        if attempt.status == OutgoingEmail.Status.SENT:
            messages.success(
                request,
                _("%(number)s envoyé à %(to)s.") % {"number": letter.number, "to": ", ".join(attempt.to)},
            )
        else:
            messages.error(request, attempt.failure_reason)
    return redirect("web:mass_letters")
