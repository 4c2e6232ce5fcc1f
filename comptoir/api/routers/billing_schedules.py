"""The billing schedule of an order (deposits and milestones) and what remains to invoice on it.

Mounted under /orders: `GET` and `PUT /orders/{id}/billing-schedule`, and per step
`POST …/billing-schedule/{milestone_id}/reached` (acceptance or manual steps) and
`POST …/billing-schedule/{milestone_id}/invoice` (the draft deposit or milestone invoice, issued
afterwards with `POST /invoices/{id}/issue` like any other).
"""

import datetime
from typing import Literal

from django.db import transaction
from ninja import Field, Router, Schema, Status

from comptoir.api.access import can_read, fetch
from comptoir.api.routers.invoices import InvoiceOut, invoices_with_lines
from comptoir.api.schemas import (
    Amount,
    AmountIn,
    DocumentRef,
    InputSchema,
    PathId,
    Percent,
    PercentIn,
    responses,
)
from comptoir.billing import selectors as billing_view
from comptoir.billing import services as billing
from comptoir.sales import services
from comptoir.sales.models import BillingMilestone, Order

router = Router(tags=["Échéanciers de facturation"])

Trigger = Literal["confirmation", "delivery", "acceptance", "manual"]
DEPOSIT, MILESTONE = "deposit", "milestone"


class MilestoneIn(InputSchema):
    label: str = Field(max_length=120, description="Libellé imprimé sur la facture.")
    kind: Literal["deposit", "milestone"] = Field(
        MILESTONE,
        description="deposit : acompte (facture 386, déduit ensuite) ; milestone : échéance facturée.",
    )
    trigger: Trigger = Field(
        description="confirmation, delivery (toutes les marchandises livrées), acceptance ou manual."
    )
    percent: PercentIn | None = Field(None, description="Pourcentage du total HT de la commande…")
    amount: AmountIn | None = Field(None, description="… ou montant HT fixe (l'un ou l'autre).")


class ScheduleIn(InputSchema):
    milestones: list[MilestoneIn] = Field(
        max_length=50, description="Les étapes dans l'ordre ; une liste vide supprime l'échéancier."
    )


class MilestoneInvoiceOut(Schema):
    id: int
    number: str | None
    kind: str
    status: str


class MilestoneOut(Schema):
    id: int
    position: int
    label: str
    kind: Literal["deposit", "milestone"]
    trigger: Trigger
    trigger_label: str
    percent: Percent | None
    amount: Amount | None = Field(description="Le montant fixe saisi (null pour un pourcentage).")
    amount_untaxed: Amount = Field(description="Ce que l'étape facture HT, au total actuel de la commande.")
    reached: bool
    reached_at: datetime.datetime | None
    state: Literal["planned", "reached", "drafted", "invoiced"]
    state_label: str
    invoice: MilestoneInvoiceOut | None


class BillingStatusOut(Schema):
    ordered_untaxed: Amount
    invoiced_untaxed: Amount = Field(description="Facturé par des factures émises (hors acomptes).")
    draft_untaxed: Amount = Field(description="En brouillon de facture.")
    credited_untaxed: Amount = Field(description="Avoirs émis sur les factures de la commande.")
    other_invoiced_untaxed: Amount
    deposits_invoiced_untaxed: Amount = Field(description="Acomptes facturés.")
    deposits_deducted_untaxed: Amount = Field(description="Acomptes déjà déduits par des factures émises.")
    deposits_to_deduct_untaxed: Amount
    remaining_untaxed: Amount = Field(description="Reste à facturer : commandé − facturé.")
    is_fully_invoiced: bool


class ScheduleOut(Schema):
    order: DocumentRef
    billed_by_schedule: bool = Field(
        description="Vrai si l'échéancier remplace la facturation des quantités livrées."
    )
    milestones: list[MilestoneOut]
    billing: BillingStatusOut


def _schedule(order: Order) -> dict:
    status = billing_view.order_billing_status(order)
    return {
        "order": order,
        "billed_by_schedule": status.billed_by_schedule,
        "milestones": [
            {
                "id": step.milestone.pk,
                "position": step.milestone.position,
                "label": step.milestone.label,
                "kind": DEPOSIT if step.milestone.is_deposit else MILESTONE,
                "trigger": step.milestone.trigger,
                "trigger_label": str(step.milestone.get_trigger_display()),
                "percent": step.milestone.percent,
                "amount": step.milestone.amount,
                "amount_untaxed": step.amount_untaxed,
                "reached": step.reached,
                "reached_at": step.reached_at,
                "state": step.state,
                "state_label": step.state_label,
                "invoice": step.invoice,
            }
            for step in status.milestones
        ],
        "billing": {
            "ordered_untaxed": status.ordered_untaxed,
            "invoiced_untaxed": status.invoiced_untaxed,
            "draft_untaxed": status.draft_untaxed,
            "credited_untaxed": status.credited_untaxed,
            "other_invoiced_untaxed": status.other_invoiced_untaxed,
            "deposits_invoiced_untaxed": status.deposits_invoiced_untaxed,
            "deposits_deducted_untaxed": status.deposits_deducted_untaxed,
            "deposits_to_deduct_untaxed": status.deposits_to_deduct_untaxed,
            "remaining_untaxed": status.remaining_untaxed,
            "is_fully_invoiced": status.is_fully_invoiced,
        },
    }


def _step(order_id: int, milestone_id: int) -> BillingMilestone:
    fetch(Order.objects.all(), order_id)
    return fetch(BillingMilestone.objects.filter(order_id=order_id), milestone_id)


@router.get(
    "/{order_id}/billing-schedule",
    response=responses(ScheduleOut),
    summary="Échéancier de facturation et reste à facturer",
)
def get_schedule(request, order_id: PathId):
    can_read(request, "order.view")
    return _schedule(fetch(Order.objects.all(), order_id))


@router.put(
    "/{order_id}/billing-schedule",
    response=responses(ScheduleOut),
    summary="Définir ou remplacer l'échéancier de facturation",
)
@transaction.atomic
def set_schedule(request, order_id: PathId, payload: ScheduleIn):
    """Possible tant que rien n'est facturé sur la commande. Des échéances (hors acomptes) doivent couvrir
    toute la commande ; des acomptes seuls laissent la facturation aux quantités livrées."""
    order = fetch(Order.objects.all(), order_id)
    steps = [
        {
            "label": step.label,
            "trigger": step.trigger,
            "percent": step.percent,
            "amount": step.amount,
            "is_deposit": step.kind == DEPOSIT,
        }
        for step in payload.milestones
    ]
    services.set_billing_schedule(order, steps, by=request.auth)
    return _schedule(fetch(Order.objects.all(), order_id))


@router.post(
    "/{order_id}/billing-schedule/{milestone_id}/reached",
    response=responses(ScheduleOut),
    summary="Constater qu'une échéance (réception, décision) est atteinte",
)
@transaction.atomic
def mark_reached(request, order_id: PathId, milestone_id: PathId):
    services.mark_milestone_reached(_step(order_id, milestone_id), by=request.auth)
    return _schedule(fetch(Order.objects.all(), order_id))


@router.post(
    "/{order_id}/billing-schedule/{milestone_id}/invoice",
    response=responses(InvoiceOut, 201),
    summary="Facturer une échéance ou un acompte (brouillon)",
)
@transaction.atomic
def invoice_step(request, order_id: PathId, milestone_id: PathId):
    """Crée le brouillon de la facture d'acompte (386) ou d'échéance (380) d'une étape atteinte ; on
    l'émet ensuite par `POST /invoices/{id}/issue`."""
    invoice = billing.create_milestone_invoice(_step(order_id, milestone_id), by=request.auth)
    return Status(201, fetch(invoices_with_lines(), invoice.pk))
