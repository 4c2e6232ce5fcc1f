"""The billing schedule of an order (deposits, milestones): its panel on the order page, the editor,
and the actions on a step (mark it reached, draft its invoice)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.billing import selectors as billing_view
from comptoir.billing import services as billing
from comptoir.billing.models import Invoice
from comptoir.core.errors import DomainError
from comptoir.core.permissions import has_perm
from comptoir.sales import services
from comptoir.sales.models import BillingMilestone, Order
from comptoir.web import forms
from comptoir.web.submissions import submitted_once
from comptoir.web.views.common import action, perform, requires

KINDS = [(forms.DEPOSIT, gettext_lazy("Acompte")), (forms.MILESTONE, gettext_lazy("Échéance"))]
BLANK_ROWS = 2
MARKED_BY_HAND = (BillingMilestone.Trigger.ACCEPTANCE, BillingMilestone.Trigger.MANUAL)


def _editable(order: Order, user) -> bool:
    # The service refuses a schedule once something is invoiced; the form is not offered then.
    return (
        order.status != Order.Status.CANCELLED
        and has_perm(user, "order.manage")
        and not order.invoices.exclude(status=Invoice.Status.CANCELLED).exists()
    )


def _rows_of(milestones) -> list[dict]:
    rows = [
        {
            "label": m.label,
            "kind": forms.DEPOSIT if m.is_deposit else forms.MILESTONE,
            "trigger": m.trigger,
            "percent": forms.plain_decimal(m.percent, 0),
            "amount": forms.plain_decimal(m.amount),
        }
        for m in milestones
    ]
    return _padded(rows)


def _padded(rows: list[dict]) -> list[dict]:
    blank = {"label": "", "kind": forms.DEPOSIT, "trigger": "", "percent": "", "amount": ""}
    return rows + [dict(blank) for _ in range(max(BLANK_ROWS, 3 - len(rows)))]


def _editor(order: Order, rows: list[dict]) -> dict:
    return {"rows": rows, "kinds": KINDS, "triggers": BillingMilestone.Trigger.choices, "order": order}


def schedule_panel(order: Order, user) -> dict:
    """What the order page shows of the schedule: each step with its state and the buttons the user
    may press, what is invoiced and what remains, and the editor when the schedule may change."""
    status = billing_view.order_billing_status(order)
    confirmed = order.status == Order.Status.CONFIRMED
    may_invoice = confirmed and has_perm(user, "invoice.manage")
    may_mark = confirmed and has_perm(user, "order.manage")
    steps = [
        {
            "step": step,
            "can_invoice": may_invoice and step.state == billing_view.REACHED,
            "can_mark": may_mark
            and step.state == billing_view.PLANNED
            and step.milestone.trigger in MARKED_BY_HAND,
        }
        for step in status.milestones
    ]
    editable = _editable(order, user)
    return {
        "status": status,
        "steps": steps,
        "editable": editable,
        "editor": _editor(order, _rows_of(step.milestone for step in status.milestones))
        if editable
        else None,
    }


@requires("order.manage")
def order_schedule(request, pk):
    """The schedule editor on its own page; a refused schedule comes back here with what was typed."""
    order = get_object_or_404(Order, pk=pk)
    if request.method != "POST":
        rows = _rows_of(order.milestones.all())
        return render(request, "web/orders/schedule.html", {"editor": _editor(order, rows)})
    rows = forms.schedule_rows(request.POST)
    try:
        steps = forms.schedule_steps(rows)
        services.set_billing_schedule(order, steps, by=request.user)
    except (forms.RowError, DomainError) as exc:
        messages.error(request, exc.message)
        typed = _padded(forms.filled(rows, ("label", "percent", "amount")))
        return render(request, "web/orders/schedule.html", {"editor": _editor(order, typed)})
    if steps:
        text = _("Échéancier de la commande %(number)s enregistré (%(count)s échéance(s)).")
    else:
        text = _(
            "Échéancier de la commande %(number)s supprimé : elle se facture selon les quantités livrées."
        )
    messages.success(request, text % {"number": order.number, "count": len(steps)})
    return redirect("web:order_detail", pk=order.pk)


def _milestone(pk, milestone_pk) -> BillingMilestone:
    return get_object_or_404(BillingMilestone.objects.select_related("order"), pk=milestone_pk, order_id=pk)


@action("order.view")
def milestone_reached(request, pk, milestone_pk):
    milestone = _milestone(pk, milestone_pk)
    perform(
        request,
        lambda: services.mark_milestone_reached(milestone, by=request.user),
        _("Échéance « %(label)s » atteinte : elle peut être facturée.") % {"label": milestone.label},
    )
    return redirect("web:order_detail", pk=pk)


@action("order.view")
@submitted_once
def milestone_invoice(request, pk, milestone_pk):
    milestone = _milestone(pk, milestone_pk)
    if milestone.is_deposit:
        done = _("Brouillon de facture d'acompte créé : vérifiez-le puis émettez-le.")
    else:
        done = _("Brouillon de facture d'échéance créé : vérifiez-le puis émettez-le.")
    invoice, ok = perform(request, lambda: billing.create_milestone_invoice(milestone, by=request.user), done)
    if ok:
        return redirect("web:invoice_detail", pk=invoice.pk)
    return redirect("web:order_detail", pk=pk)
