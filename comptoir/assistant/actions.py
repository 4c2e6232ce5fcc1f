"""What approving a proposal does, per kind: the service a human would call, with the proposal's payload.

One table (`ACTIONS`) says for each kind its French label, the permission needed to decide it, the
function that carries it out and the payload fields a person may edit before approving. A kind without
a function would be a correction only a person can make on the document: approving it records that it
was done, nothing more — the inbox says so. Every kind the checks propose today has its function.

Every function goes through the area's own service, so permissions, rules, the single transaction and
the audit event are exactly those of the same action done by hand (DESIGN.md rule 7).
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

from comptoir.assistant import errors, order_fixes
from comptoir.billing import approving
from comptoir.billing import services as billing
from comptoir.billing.models import Invoice, InvoiceLine
from comptoir.core import money
from comptoir.core.errors import Conflict, NotFound, fail
from comptoir.parties import services as parties
from comptoir.parties.models import Customer
from comptoir.payments import services as payments
from comptoir.payments.models import Payment
from comptoir.pricing import services as pricing
from comptoir.sales.models import BillingMilestone, Order
from comptoir.stock import services as stock

# Credit notes the assistant proposes correct a billing error, not a return: they carry this category
# (a commercial-gesture category, so they need the gesture permission) and the proposal's number.
BILLING_ERROR_CATEGORY = "erreur_facturation"


@dataclass(frozen=True)
class Editable:
    """A payload field a person may change before approving: `path` is a key, or "lines.quantity" for
    the quantity of every line."""

    path: str
    label: str
    widget: str = "text"  # text, textarea, email, decimal


@dataclass(frozen=True)
class Action:
    kind: str
    label: str
    perm: str
    run: Callable | None = None
    editable: tuple[Editable, ...] = ()
    # What approving does may need more than `perm`, depending on the payload (a return case resolved by
    # a replacement ships goods): the permissions of the services it will call, so that approval is shown
    # only to whom it can succeed for, and refused before anything runs otherwise.
    needs: Callable[[dict], tuple[str, ...]] | None = None

    @property
    def manual(self) -> bool:
        return self.run is None

    def perms(self, payload: dict) -> tuple[str, ...]:
        """Every permission approving this payload takes."""
        return (self.perm, *(self.needs(payload) if self.needs else ()))


def _get(model, pk, what: str):
    try:
        return model.objects.get(pk=int(pk))
    except (model.DoesNotExist, TypeError, ValueError):
        raise NotFound(*errors.DOCUMENT_MISSING, what=gettext(what)) from None


def _draft_label(pk: int) -> str:
    return gettext("brouillon n° %(pk)s") % {"pk": pk}


def _invoice_result(invoice: Invoice) -> dict:
    return {"kind": "invoice", "id": invoice.pk, "label": invoice.number or _draft_label(invoice.pk)}


def _draft_from_order(payload, by, proposal):
    return _invoice_result(
        billing.create_invoice_from_order(_get(Order, payload["order_id"], N_("commande")), by=by)
    )


def _draft_milestone(payload, by, proposal):
    milestone = _get(BillingMilestone, payload["milestone_id"], N_("échéance"))
    return _invoice_result(billing.create_milestone_invoice(milestone, by=by))


def _issue(payload, by, proposal):
    invoice = _get(Invoice, payload["invoice_id"], N_("facture"))
    approval = approving.gesture_approval(invoice)
    if approval is not None and approval.pending and not proposal.automatic:
        # A person approving the proposal to issue a gesture above the threshold approves the gesture
        # itself: the four-eyes rule applies to them (never its author, and the gesture right needed).
        approving.approve_credit_note(invoice, by=by, reason=proposal.rationale[:2000])
    return _invoice_result(billing.issue_invoice(invoice, by=by))


def _cancel_draft(payload, by, proposal):
    invoice = _get(Invoice, payload["invoice_id"], N_("facture"))
    return _invoice_result(billing.cancel_draft_invoice(invoice, by=by, reason=proposal.rationale))


def _credit_note(payload, by, proposal):
    invoice = _get(Invoice, payload["invoice_id"], N_("facture"))
    lines = [
        {"invoice_line": line["invoice_line_id"], "quantity": line["quantity"]} for line in payload["lines"]
    ]
    note = billing.create_credit_note(
        invoice,
        lines,
        by=by,
        reason=proposal.rationale,
        gesture_category=BILLING_ERROR_CATEGORY,
    )
    return _invoice_result(note)


def _draft_line(payload) -> int:
    """The draft line a correction targets, checked to be on the proposal's invoice."""
    line_id = payload["invoice_line_id"]
    if not InvoiceLine.objects.filter(pk=line_id, invoice_id=payload["invoice_id"]).exists():
        raise NotFound(*errors.DOCUMENT_MISSING, what=gettext("ligne de facture"))
    return line_id


def _correction(**fields_from_payload):
    """An executor amending one draft line: `fields_from_payload` maps the service's keyword to the
    payload key holding its value (True: no value, a flag)."""

    def run(payload, by, proposal):
        changes = {name: True if key is True else payload[key] for name, key in fields_from_payload.items()}
        line = billing.correct_draft_line(
            _draft_line(payload), by=by, reason=proposal.rationale[:2000], **changes
        )
        return _invoice_result(line.invoice)

    return run


def _deduct_deposit(payload, by, proposal):
    invoice = _get(Invoice, payload["invoice_id"], N_("facture"))
    return _invoice_result(billing.deduct_deposits_on_draft(invoice, by=by, reason=proposal.rationale[:2000]))


def _allocate(payload, by, proposal):
    payment = _get(Payment, payload["payment_id"], N_("règlement"))
    allocations = [{"invoice": a["invoice_id"], "amount": a["amount"]} for a in payload["allocations"]]
    payments.allocate_payment(payment, allocations, by=by)
    return {"kind": "payment", "id": payment.pk, "label": payment.number}


def _write_off(payload, by, proposal):
    invoice = _get(Invoice, payload["invoice_id"], N_("facture"))
    payment = _get(Payment, payload["payment_id"], N_("règlement")) if payload.get("payment_id") else None
    done = payments.write_off_payment_gap(invoice, payment=payment, by=by, reason=proposal.rationale[:500])
    return {"kind": "invoice", "id": invoice.pk, "label": f"{invoice.number} → {done.amount} €"}


def _reverse_payment(payload, by, proposal):
    payment = _get(Payment, payload["payment_id"], N_("règlement"))
    payments.reverse_payment(payment, by=by, reason=proposal.rationale[:2000])
    return {"kind": "payment", "id": payment.pk, "label": payment.number}


def _move_payment(payload, by, proposal):
    payment = _get(Payment, payload["payment_id"], N_("règlement"))
    customer = _get(Customer, payload["customer_id"], N_("client"))
    allocations = [
        {"invoice": a["invoice_id"], "amount": a["amount"]} for a in payload.get("allocations", [])
    ]
    moved = payments.move_payment_to_customer(
        payment, customer, by=by, reason=proposal.rationale[:2000], allocations=allocations
    )
    return {"kind": "payment", "id": moved.pk, "label": f"{payment.number} → {moved.number}"}


def _reallocate(payload, by, proposal):
    payment = _get(Payment, payload["payment_id"], N_("règlement"))
    source = _get(Invoice, payload["from_invoice_id"], N_("facture"))
    target = _get(Invoice, payload["to_invoice_id"], N_("facture"))
    payments.reallocate_payment(payment, from_invoice=source, to_invoice=target, by=by)
    return {"kind": "payment", "id": payment.pk, "label": f"{payment.number} → {target.number}"}


def _delivery(payload, by, proposal):
    order = _get(Order, payload["order_id"], N_("commande"))
    lines = [{"order_line": line["order_line_id"], "quantity": line["quantity"]} for line in payload["lines"]]
    delivery = stock.create_delivery(order, lines, by=by)
    return {"kind": "delivery", "id": delivery.pk, "label": delivery.number or _draft_label(delivery.pk)}


def _customer_vat_regime(payload, by, proposal):
    customer = _get(Customer, payload["customer_id"], N_("client"))
    customer = parties.update_customer(customer, by=by, vat_regime=payload["vat_regime"])
    return {
        "kind": "customer",
        "id": customer.pk,
        "label": f"{customer.name} → {customer.get_vat_regime_display()}",
    }


def _customer_siren(payload, by, proposal):
    customer = _get(Customer, payload["customer_id"], N_("client"))
    if customer.siren:
        raise Conflict(*errors.SIREN_ALREADY_SET, customer=customer.name, siren=customer.siren)
    customer = parties.update_customer(customer, by=by, siren=payload["siren"])
    return {"kind": "customer", "id": customer.pk, "label": f"{customer.name} → SIREN {customer.siren}"}


def _reminder(payload, by, proposal):
    from comptoir.assistant import services  # the reminder service lives with the assistant's others

    invoice = _get(Invoice, payload["invoice_id"], N_("facture"))
    sent = services.send_reminder(
        invoice,
        level=payload["level"],
        to=payload.get("to", ""),
        subject=payload.get("subject", ""),
        body=payload.get("body", ""),
        by=by,
    )
    return {"kind": "reminder", "id": invoice.pk, "label": f"{invoice.number} → {sent}"}


def _resolve_return(payload, by, proposal):
    from comptoir.returns import services as returns
    from comptoir.returns.models import ReturnCase

    case = _get(ReturnCase, payload["case_id"], N_("dossier de retour"))
    resolution = payload["resolution"]
    if resolution == "credit_note":
        done = returns.resolve_with_credit_note(case, by=by, reason=proposal.rationale[:2000])
        notes = [r.credit_note.number for r in done if r.credit_note_id]
        return {
            "kind": "return_case",
            "id": case.pk,
            "label": f"{case.number} → {', '.join(notes) or gettext('avoir')}",
        }
    if resolution == "replacement":
        done = returns.resolve_with_replacement(case, by=by, reason=proposal.rationale[:2000])
        return {"kind": "return_case", "id": case.pk, "label": f"{case.number} → {done.replacement.number}"}
    if resolution == "reinvoice":
        returns.resolve_with_reinvoice(case, by=by, reason=proposal.rationale[:2000])
        return {
            "kind": "return_case",
            "id": case.pk,
            "label": f"{case.number} → {gettext('refacturation en brouillon')}",
        }
    fail(errors.KIND_UNKNOWN, kind=str(resolution)[:40])


def _resolve_return_needs(payload) -> tuple[str, ...]:
    """The returns rules' permissions for the proposed resolution (returns.rules.RULES): a credit note is
    issued and deducted, a replacement ships, a surplus re-invoiced leaves the stock."""
    from comptoir.returns import rules
    from comptoir.returns.models import ReturnCase

    rule = rules.RULES.get(str(payload.get("resolution", "")))
    if rule is None:
        return ()
    case = (
        ReturnCase.objects.filter(pk=payload.get("case_id")).first()
        if str(payload.get("case_id", "")).isdigit()
        else None
    )
    return (*rule.perms, *(rule.case_perms(case) if case is not None else ()))


def _price_review(payload, by, proposal):
    customer = _get(Customer, payload["customer_id"], N_("client"))
    review = pricing.open_price_review(
        customer,
        by=by,
        kind=payload["review_kind"],
        reason=payload.get("reason") or proposal.rationale[:2000],
        proposal_id=proposal.pk,
    )
    return {
        "kind": "price_review",
        "id": review.pk,
        "label": f"{review.get_kind_display()} — {customer.name}",
    }


_LINE_QUANTITIES = Editable("lines.quantity", _("Quantité"), "decimal")

ACTIONS: dict[str, Action] = {
    action.kind: action
    for action in (
        Action(
            "create_invoice_from_order",
            _("Préparer la facture des livraisons"),
            "invoice.manage",
            _draft_from_order,
        ),
        Action(
            "create_milestone_invoice",
            _("Préparer la facture d'échéance"),
            "invoice.manage",
            _draft_milestone,
        ),
        Action("issue_invoice", _("Émettre la facture"), "invoice.issue", _issue),
        Action("cancel_draft_invoice", _("Annuler le brouillon"), "invoice.manage", _cancel_draft),
        Action(
            "create_credit_note",
            _("Préparer un avoir"),
            "credit_note.gesture",
            _credit_note,
            (_LINE_QUANTITIES,),
        ),
        Action(
            "create_delivery",
            _("Préparer un bon de livraison"),
            "delivery.manage",
            _delivery,
            (_LINE_QUANTITIES,),
        ),
        Action(
            "send_reminder",
            _("Envoyer la relance"),
            "reminder.send",
            _reminder,
            (
                Editable("to", _("Destinataire"), "email"),
                Editable("subject", _("Objet")),
                Editable("body", _("Message"), "textarea"),
            ),
        ),
        Action(
            "resolve_return",
            _("Résoudre le dossier de retour"),
            "return.resolve",
            _resolve_return,
            needs=_resolve_return_needs,
        ),
        Action(
            "set_invoice_line_quantity",
            _("Corriger la quantité du brouillon"),
            "invoice.manage",
            _correction(quantity="quantity"),
            (Editable("quantity", _("Quantité"), "decimal"),),
        ),
        Action(
            "set_invoice_line_price",
            _("Corriger le prix du brouillon"),
            "invoice.manage",
            _correction(unit_price="unit_price"),
            (Editable("unit_price", _("Prix unitaire HT"), "decimal"),),
        ),
        Action(
            "set_invoice_line_discount",
            _("Corriger la remise du brouillon"),
            "invoice.manage",
            _correction(discount_percent="discount_percent"),
            (Editable("discount_percent", _("Remise %"), "decimal"),),
        ),
        Action(
            "set_invoice_line_vat",
            _("Corriger la TVA du brouillon"),
            "invoice.manage",
            _correction(vat_from_product=True),
        ),
        Action("deduct_deposit", _("Déduire l'acompte"), "invoice.manage", _deduct_deposit),
        Action("allocate_payment", _("Affecter le règlement"), "payment.register", _allocate),
        Action(
            "write_off_payment_gap",
            _("Passer l'écart de règlement en perte ou profit"),
            "payment.write_off",
            _write_off,
        ),
        Action("reverse_payment", _("Contre-passer le règlement"), "payment.register", _reverse_payment),
        Action(
            "reallocate_payment",
            _("Réaffecter le règlement à la facture qu'il nomme"),
            "payment.register",
            _reallocate,
        ),
        Action(
            "move_payment_to_customer",
            _("Enregistrer le règlement chez le bon client"),
            "payment.register",
            _move_payment,
        ),
        Action(
            "amend_order_to_quote",
            _("Modifier la commande par avenant pour reprendre le devis accepté"),
            "order.confirm",
            order_fixes.amend_to_quote,
        ),
        Action(
            "align_order_with_quote",
            _("Reprendre les prix du devis ouvert et clore le devis"),
            "order.confirm",
            order_fixes.align_with_open_quote,
            needs=lambda payload: ("quote.manage",),
        ),
        Action(
            "set_order_line_quantity",
            _("Corriger la quantité commandée par avenant"),
            "order.confirm",
            order_fixes.set_order_line_quantity,
            (Editable("quantity", _("Quantité"), "decimal"),),
        ),
        Action(
            "set_customer_siren",
            _("Renseigner le SIREN du client"),
            "customer.manage",
            _customer_siren,
        ),
        Action(
            "open_price_review",
            _("Ouvrir le suivi du client"),
            "price_review.manage",
            _price_review,
            (Editable("reason", _("Motif"), "textarea"),),
        ),
        Action(
            "set_customer_vat_regime",
            _("Corriger le régime de TVA du client"),
            "customer.manage",
            _customer_vat_regime,
        ),
    )
}


def action_for(kind: str) -> Action:
    action = ACTIONS.get(kind)
    if action is None:
        fail(errors.KIND_UNKNOWN, kind=kind[:40])
    return action


def _positive(text) -> Decimal:
    try:
        value = money.D(text)
    except (ValueError, TypeError):
        value = None
    if value is None or value <= 0:
        fail(errors.EDIT_QUANTITY, value=str(text)[:20])
    return value


def apply_edits(action: Action, payload: dict, edits: dict) -> dict:
    """The payload with the editable fields a person changed; anything else in `edits` is ignored, so an
    edit can never retarget the proposal at another document."""
    edited = {**payload}
    for field in action.editable:
        if field.path == "lines.quantity":
            quantities = edits.get("lines.quantity")
            if quantities is None:
                continue
            lines = [dict(line) for line in payload.get("lines", [])]
            if len(quantities) != len(lines):
                fail(errors.EDIT_LINES)
            for line, quantity in zip(lines, quantities, strict=True):
                value = _positive(quantity)
                line["quantity"] = str(value)
            edited["lines"] = lines
        elif field.path in edits:
            edited[field.path] = str(edits[field.path]).replace("\x00", "").strip()
    return edited
