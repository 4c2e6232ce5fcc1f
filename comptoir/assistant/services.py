"""The assistant's actions: findings for a document, overriding what blocks an invoice, deciding its
proposals, payment reminders, its policy and the billing agent's runs.

Findings are computed on demand from a snapshot of the chain (`snapshots`) by the pure checks
(`checks.CHECKS`); nothing is stored but the decisions people take about them.
"""

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from comptoir.assistant import actions, checks, errors, reminders, snapshots
from comptoir.assistant.findings import Finding, by_severity
from comptoir.assistant.models import AgentRun, AssistantPolicy, FindingOverride, Proposal
from comptoir.billing.models import Invoice
from comptoir.core import audit, permissions
from comptoir.core.errors import Conflict
from comptoir.core.errors import fail as _fail
from comptoir.payments import selectors as payment_view
from comptoir.sales.models import Order


def findings_for_invoice(invoice: Invoice) -> list[Finding]:
    """What is inconsistent about an invoice or credit note along its chain, most serious first (nothing
    for a cancelled draft)."""
    chain = snapshots.chain_for_invoice(invoice)
    if not chain.focus_invoice.is_live:
        return []
    return by_severity(checks.run(chain))


def findings_for_order(order: Order) -> list[Finding]:
    """What is inconsistent along an order's cycle (its deliveries and all its invoices)."""
    return by_severity(checks.run(snapshots.chain_for_order(order)))


def findings_for_customer(customer, *, today=None) -> list[Finding]:
    """What is inconsistent along a customer's open or recent cycles (the orders the agent watches, and
    drafts made outside an order), most serious first, each finding once."""
    from comptoir.assistant.agent import orders_to_watch

    found: dict[tuple[str, str], Finding] = {}
    for order in orders_to_watch(today or timezone.localdate()).filter(customer=customer):
        for finding in findings_for_order(order):
            found.setdefault((finding.code, finding.message), finding)
    for invoice in Invoice.objects.filter(customer=customer, status=Invoice.Status.DRAFT, order__isnull=True):
        for finding in findings_for_invoice(invoice):
            found.setdefault((finding.code, finding.message), finding)
    return by_severity(found.values())


@transaction.atomic
def override_blocking(invoice: Invoice, *, by, reason: str) -> FindingOverride:
    """Let a draft invoice be issued despite its blocking findings, for a written reason (audited).

    The override records the codes blocking now; if other blocking findings appear before the invoice
    is issued, they block again.
    """
    permissions.require(by, "assistant.override")
    # Locking the draft: an issue running at the same time sees the override or none of it.
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    label = invoice.number or gettext("brouillon n° %(pk)s") % {"pk": invoice.pk}
    reason = (reason or "").strip()
    if not reason:
        _fail(errors.OVERRIDE_REASON_REQUIRED, invoice=label)
    if invoice.status != Invoice.Status.DRAFT:
        raise Conflict(*errors.OVERRIDE_NOT_DRAFT, invoice=label)
    blocking = [finding for finding in findings_for_invoice(invoice) if finding.is_blocking]
    if not blocking:
        raise Conflict(*errors.NOTHING_TO_OVERRIDE, invoice=label)
    codes = sorted({finding.code for finding in blocking})
    override = FindingOverride.objects.create(
        invoice=invoice,
        codes=codes,
        findings=[finding.as_dict() for finding in blocking],
        reason=reason,
        by=by,
    )
    audit.record(
        "assistant.override",
        by=by,
        obj=invoice,
        object_repr=label,
        data={"codes": codes, "reason": reason, "findings": [finding.message for finding in blocking]},
    )
    return override


# --- Proposals: a person approves (as is or edited) or rejects ----------------------------------------


def _lock_open(proposal: Proposal) -> Proposal:
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != Proposal.Status.OPEN:
        raise Conflict(*errors.ALREADY_DECIDED, id=proposal.pk, status=proposal.get_status_display())
    return proposal


@transaction.atomic
def approve_proposal(proposal: Proposal, *, by, edits: dict | None = None, note: str = "", automatic=False):
    """Carry out a proposal through the service a person would call, as proposed or with `edits` to its
    editable fields; the proposal records who decided, what was changed and what came out of it.

    A refusal by that service (a rule, a permission, a document that moved on) leaves the proposal open
    and nothing written."""
    proposal = _lock_open(proposal)
    action = actions.action_for(proposal.kind)
    for perm in action.perms(proposal.payload):
        permissions.require(by, perm)
    if edits:
        if not action.editable:
            _fail(errors.NOT_EDITABLE)
        edited = actions.apply_edits(action, proposal.payload, edits)
        if edited != proposal.payload:
            proposal.original_payload = proposal.payload
            proposal.payload = edited
    # Set before the action runs: an automatic approval is no person's approval (actions._issue).
    proposal.automatic = automatic
    result = action.run(proposal.payload, by, proposal) if action.run else {"kind": "manual"}
    proposal.status = Proposal.Status.APPROVED
    proposal.decided_by = by
    proposal.decided_at = timezone.now()
    proposal.decision_note = (note or "").replace("\x00", "").strip()
    proposal.result = result
    proposal.save()
    audit.record(
        "proposal.auto_approved" if automatic else "proposal.approved",
        by=by,
        obj=proposal,
        object_repr=f"Proposition n° {proposal.pk}",
        data={
            "kind": proposal.kind,
            "edited": proposal.edited,
            "payload": proposal.payload,
            "result": result,
            "note": proposal.decision_note,
        },
    )
    return proposal


@transaction.atomic
def reject_proposal(proposal: Proposal, *, by, reason: str) -> Proposal:
    """Turn a proposal down, for a written reason; the agent will not propose the same thing again."""
    proposal = _lock_open(proposal)
    permissions.require(by, actions.action_for(proposal.kind).perm)
    reason = (reason or "").replace("\x00", "").strip()
    if not reason:
        _fail(errors.REJECT_REASON_REQUIRED)
    proposal.status = Proposal.Status.REJECTED
    proposal.decided_by = by
    proposal.decided_at = timezone.now()
    proposal.decision_note = reason
    proposal.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit.record(
        "proposal.rejected",
        by=by,
        obj=proposal,
        object_repr=f"Proposition n° {proposal.pk}",
        data={"kind": proposal.kind, "reason": reason},
    )
    return proposal


# --- Reminders --------------------------------------------------------------------------------------------


@transaction.atomic
def send_reminder(invoice: Invoice, *, level: str, to: str, subject: str, body: str, by) -> str:
    """E-mail a payment reminder for an overdue invoice and keep a trace of it (audit event). Returns the
    address it went to. Sending is the last step: if the mail server refuses, nothing is recorded."""
    permissions.require(by, "reminder.send")
    if level not in reminders.LEVELS:
        _fail(errors.REMINDER_LEVEL, level=str(level)[:20])
    invoice = Invoice.objects.select_related("customer").get(pk=invoice.pk)
    label = invoice.number or gettext("brouillon n° %(pk)s") % {"pk": invoice.pk}
    settled = payment_view.with_amount_paid(Invoice.objects.filter(pk=invoice.pk)).get()
    balance = settled.total - settled.amount_paid
    overdue = (
        invoice.status == Invoice.Status.ISSUED
        and invoice.kind != Invoice.Kind.CREDIT_NOTE
        and invoice.due_date is not None
        and invoice.due_date < timezone.localdate()
        and balance > 0
    )
    if not overdue:
        raise Conflict(*errors.REMINDER_NOT_DUE, invoice=label)
    to = (to or "").strip()
    try:
        validate_email(to)
    except ValidationError:
        _fail(errors.REMINDER_NO_ADDRESS, customer=invoice.customer.name)
    subject, body = (subject or "").strip(), (body or "").replace("\x00", "").strip()
    if not subject or not body or "\n" in subject or "\r" in subject:
        _fail(errors.REMINDER_EMPTY)
    audit.record(
        "invoice.reminded",
        by=by,
        obj=invoice,
        object_repr=label,
        data={"level": level, "to": to, "subject": subject, "balance": str(balance)},
    )
    EmailMessage(subject, body, to=[to]).send()
    return to


# --- Policy and the agent ---------------------------------------------------------------------------------


@transaction.atomic
def update_policy(*, by, **fields) -> AssistantPolicy:
    """Change what the assistant may do on its own (audited, with the values before and after)."""
    permissions.require(by, "assistant.configure")
    AssistantPolicy.objects.get_or_create(pk=1)
    policy = AssistantPolicy.objects.select_for_update().get(pk=1)
    allowed = {
        "auto_issue_enabled",
        "auto_issue_limit",
        "prepare_drafts",
        "reminder_polite_days",
        "reminder_firm_days",
        "reminder_formal_days",
    }
    before = {name: getattr(policy, name) for name in allowed}
    for name, value in fields.items():
        if name in allowed:
            setattr(policy, name, value)
    if not (policy.reminder_polite_days < policy.reminder_firm_days < policy.reminder_formal_days):
        _fail(
            errors.POLICY_INVALID,
            detail=gettext("les délais de relance doivent croître (courtoise < ferme < mise en demeure)."),
        )
    if policy.auto_issue_limit is None or policy.auto_issue_limit < 0:
        _fail(
            errors.POLICY_INVALID,
            detail=gettext("le plafond d'émission automatique doit être positif ou nul."),
        )
    policy.save()
    after = {name: getattr(policy, name) for name in allowed}
    audit.record(
        "assistant.policy_changed",
        by=by,
        obj=policy,
        object_repr="Politique de l'assistant",
        data={"before": before, "after": after},
    )
    return policy


def run_agent(
    *, by=None, trigger: str = "cli", today=None, reminders_only: bool = False, customers_only: bool = False
) -> AgentRun:
    """One pass of the billing agent (see `assistant.agent`); `by` asked for it (None: the scheduler).
    `reminders_only`: only the payment-reminder proposals (the scheduler's reminders job);
    `customers_only`: only the follow-ups of the customers at risk (`assistant.customer_watch`)."""
    if by is not None:
        permissions.require(by, "assistant.run")
    from comptoir.assistant import agent

    return agent.run(
        requested_by=by,
        trigger=trigger,
        today=today,
        reminders_only=reminders_only,
        customers_only=customers_only,
    )
