"""The billing agent: one pass over the company's open work, as a careful ADV and accountant would do it.

On each run it
1. prepares the draft invoices of what is delivered and not invoiced, and of the billing-schedule steps
   that are reached (deposits at confirmation, milestones) — drafts only, through the billing services;
2. checks every draft and proposes to issue those without a blocking finding (or issues them itself
   when the written policy allows it: below a ceiling and with no finding at all — audited);
3. turns the findings of the open chains into proposals (credit note, replacement delivery, allocation
   of a payment…);
4. proposes payment reminders for overdue invoices, level by level, with the e-mail written from the
   customer's history.
Open proposals whose situation no longer holds (someone did it by hand, the invoice got paid) are marked
"dépassée"; decided ones are never proposed again.

The agent acts under its own user ("assistant", roles ADV and comptabilité), so its drafts go through
the same permissions and audit log as anyone's. It never sends or issues without a person's approval
unless the policy says so.
"""

import datetime
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext

from comptoir.assistant import errors, llm, reminders, returns_advice, selectors, services
from comptoir.assistant.findings import Finding
from comptoir.assistant.models import AgentRun, AssistantPolicy, Proposal
from comptoir.billing import approving
from comptoir.billing import selectors as billing_view
from comptoir.billing import services as billing
from comptoir.billing.models import Invoice, InvoiceLine
from comptoir.core import audit, money
from comptoir.core.errors import Conflict, DomainError
from comptoir.core.permissions import Role
from comptoir.parties import services as parties
from comptoir.parties.models import Contact
from comptoir.payments import selectors as payment_view
from comptoir.payments.models import PaymentAllocation
from comptoir.returns.models import ReturnCase
from comptoir.sales.models import Order, OrderLine
from comptoir.stock.models import Delivery

AGENT_USERNAME = "assistant"
# The return-case suggestions the inbox can carry out (waiting and refusing stay on the case page).
RESOLUTIONS = (returns_advice.CREDIT_NOTE, returns_advice.REPLACEMENT, returns_advice.REINVOICE)
# A run that has not finished after this long is considered dead (killed worker), not running.
STALE_AFTER = datetime.timedelta(minutes=15)
# Chains with no document younger than this and nothing open are history: no proposal about them.
RECENT_DAYS = 90
ISSUE_CONFIDENCE_CLEAN = Decimal("0.95")
ISSUE_CONFIDENCE_WARNINGS = Decimal("0.70")
REMINDER_CONFIDENCE = {
    reminders.POLITE: Decimal("0.90"),
    reminders.FIRM: Decimal("0.85"),
    reminders.FORMAL: Decimal("0.75"),
}


# Proposal kinds a pass of their own makes (`run(customers_only=True)`).
OWN_PASS_KINDS = ("open_price_review",)


def agent_user():
    """The agent's own account (created once): no password, roles ADV and comptabilité."""
    user, created = get_user_model().objects.get_or_create(
        username=AGENT_USERNAME, defaults={"first_name": "Assistant", "last_name": "(agent de facturation)"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        for role in (Role.ADV, Role.COMPTABILITE):
            user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


class _TrialIssue(Exception):
    """Raised to roll back an issue tried only to learn whether it would pass."""


@dataclass
class Candidate:
    key: str
    kind: str
    source: str
    title: str
    rationale: str
    payload: dict
    confidence: Decimal
    evidence: list = field(default_factory=list)
    customer_id: int | None = None
    order_id: int | None = None
    invoice_id: int | None = None
    auto: bool = False


def _key(*parts) -> str:
    return hashlib.sha256(audit.canonical({"k": parts}).encode()).hexdigest()


def _from_finding(finding: Finding, *, customer_id, order_id=None, invoice_id=None) -> Candidate:
    proposal = finding.proposal.as_dict()
    payload = proposal["payload"]
    # A reminder is keyed as the reminders step keys it (invoice, level), so a reminder a finding proposes
    # (a payment late against the customer's habit) and the one the policy calls for are one proposal.
    key = (
        _key("send_reminder", payload["invoice_id"], payload["level"])
        if proposal["kind"] == "send_reminder"
        else _key(proposal["kind"], payload)
    )
    return Candidate(
        key=key,
        kind=proposal["kind"],
        source=finding.code,
        title=finding.message,
        rationale=proposal["rationale"],
        payload=proposal["payload"],
        confidence=finding.proposal.confidence,
        evidence=[item.as_dict() for item in finding.evidence],
        customer_id=customer_id,
        order_id=order_id,
        invoice_id=proposal["payload"].get("invoice_id", invoice_id),
    )


class _Run:
    def __init__(self, run: AgentRun, policy: AssistantPolicy, today: datetime.date, kinds=None):
        self.run = run
        # None: a full pass. Otherwise the proposal kinds this pass looks at (the reminders-only pass
        # of the scheduler); it retires only open proposals of these kinds.
        self.kinds = kinds
        self.policy = policy
        self.today = today
        self.user = agent_user()
        self.stats: Counter = Counter()
        self.problems: list[dict] = []
        self.candidates: dict[str, Candidate] = {}
        self.llm_down = False

    def add(self, candidate: Candidate) -> None:
        self.candidates.setdefault(candidate.key, candidate)

    def attempt(self, document: str, action) -> object | None:
        """Run one service call; a refusal is noted for the run's report, not raised."""
        try:
            return action()
        except DomainError as exc:
            self.problems.append({"document": document, "code": exc.code, "message": exc.message})
            return None

    # 1. Drafts ------------------------------------------------------------------------------------------

    def prepare_drafts(self) -> None:
        orders = list(billing_view.orders_to_invoice())
        # Goods under an open dispute wait for its outcome: not a difficulty, the rule working.
        blocked = set(
            Delivery.objects.filter(order__in=orders, invoicing_blocked=True).values_list(
                "order_id", flat=True
            )
        )
        for order in orders:
            if order.pk in blocked and not billing.invoiceable_lines(order):
                self.stats["orders_waiting_for_a_dispute"] += 1
                continue
            if self.attempt(order.number, lambda o=order: billing.create_invoice_from_order(o, by=self.user)):
                self.stats["drafts_prepared"] += 1
        for milestone in billing_view.milestones_to_invoice():
            label = f"{milestone.order.number} — {milestone.label}"
            if self.attempt(label, lambda m=milestone: billing.create_milestone_invoice(m, by=self.user)):
                self.stats["drafts_prepared"] += 1

    # 2. Drafts to issue -----------------------------------------------------------------------------------

    def issue_refusal(self, invoice: Invoice) -> DomainError | None:
        """What billing would answer if the draft were issued now, found by issuing it in a transaction
        that is rolled back: the very rules of the service, never a copy of them that could drift."""
        try:
            with transaction.atomic():
                billing.issue_invoice(invoice, by=self.user)
                raise _TrialIssue
        except _TrialIssue:
            return None
        except DomainError as exc:
            return exc

    def review_drafts(self) -> None:
        drafts = Invoice.objects.filter(status=Invoice.Status.DRAFT).select_related("customer", "order")
        for invoice in drafts:
            found = services.findings_for_invoice(invoice)
            for finding in found:
                if finding.proposal is not None:
                    self.add(
                        _from_finding(finding, customer_id=invoice.customer_id, order_id=invoice.order_id)
                    )
            if any(finding.is_blocking for finding in found):
                self.stats["drafts_blocked"] += 1
                continue
            # A commercial gesture above the threshold needs another person's approval: approving this
            # proposal gives it (never by whoever drafted it), so the agent never issues it on its own.
            approval = approving.gesture_approval(invoice)
            awaiting = bool(approval and approval.pending)
            refusal = self.issue_refusal(invoice)
            if awaiting and refusal is not None and refusal.code == approving.APPROVAL_REQUIRED:
                refusal = None  # the only thing missing is what approving the proposal gives
            if refusal is not None:
                # Proposing what the service would refuse (no SIREN, goods under dispute, an e-invoice
                # the rules reject…) only moves the dead end to whoever approves: say what blocks it.
                self.stats["drafts_not_issuable"] += 1
                self.problems.append(
                    {"document": str(invoice), "code": refusal.code, "message": refusal.message}
                )
                continue
            clean = not found
            title = (
                gettext("L'avoir brouillon n° %(pk)s de %(customer)s (%(amount)s € HT) est prêt à émettre.")
                if invoice.kind == Invoice.Kind.CREDIT_NOTE
                else gettext(
                    "La facture brouillon n° %(pk)s de %(customer)s (%(amount)s € HT) est prête à émettre."
                )
            )
            why = (
                gettext(
                    "Émettre le brouillon n° %(pk)s : aucun constat sur la chaîne devis → commande → livraison → facture."
                )
                if clean
                else gettext(
                    "Émettre le brouillon n° %(pk)s : %(count)s avertissement(s) à lire avant d'émettre, aucun bloquant."
                )
            )
            self.add(
                Candidate(
                    key=_key("issue_invoice", invoice.pk),
                    kind="issue_invoice",
                    source="agent.issue",
                    title=title
                    % {
                        "pk": invoice.pk,
                        "customer": invoice.customer.name,
                        "amount": money.fr(invoice.total_untaxed),
                    },
                    rationale=why % {"pk": invoice.pk, "count": len(found)}
                    + (
                        " "
                        + gettext(
                            "Geste commercial au-delà du seuil : il doit être approuvé par une autre personne "
                            "que celle qui l'a préparé ; approuver cette proposition vaut cette approbation."
                        )
                        if awaiting
                        else ""
                    ),
                    payload={"invoice_id": invoice.pk},
                    confidence=ISSUE_CONFIDENCE_CLEAN if clean else ISSUE_CONFIDENCE_WARNINGS,
                    evidence=[f.as_dict() for f in found],
                    customer_id=invoice.customer_id,
                    order_id=invoice.order_id,
                    invoice_id=invoice.pk,
                    auto=clean
                    and not awaiting
                    and self.policy.auto_issue_enabled
                    and invoice.total_untaxed <= self.policy.auto_issue_limit,
                )
            )

    # 3. Open chains ----------------------------------------------------------------------------------------

    def review_orders(self) -> None:
        for order in orders_to_watch(self.today):
            for finding in services.findings_for_order(order):
                if finding.proposal is not None:
                    self.add(_from_finding(finding, customer_id=order.customer_id, order_id=order.pk))

    # 3b. Return cases ready to be resolved ---------------------------------------------------------------

    def propose_resolutions(self) -> None:
        ready = (ReturnCase.Status.APPROVED, ReturnCase.Status.GOODS_RECEIVED)
        for case in selectors.cases_by_priority():
            suggestion = case.suggestion
            if case.status not in ready or suggestion.kind not in RESOLUTIONS:
                continue
            self.add(
                Candidate(
                    key=_key("resolve_return", case.pk, suggestion.kind),
                    kind="resolve_return",
                    source=f"agent.returns.{suggestion.kind}",
                    title=gettext(
                        "Dossier %(number)s (%(customer)s) : %(suggestion)s suggéré(e), priorité %(score)s/100."
                    )
                    % {
                        "number": case.number,
                        "customer": case.customer.name,
                        "suggestion": suggestion.label.lower(),
                        "score": case.priority.score,
                    },
                    rationale=" ".join(suggestion.reasons),
                    payload={"case_id": case.pk, "resolution": suggestion.kind},
                    confidence=suggestion.confidence,
                    evidence=[
                        {
                            "kind": "return_case",
                            "document": case.number,
                            "id": case.pk,
                            "line_id": None,
                            "values": {},
                        }
                    ],
                    customer_id=case.customer_id,
                )
            )

    # 4. Reminders --------------------------------------------------------------------------------------------

    def propose_reminders(self) -> None:
        overdue = payment_view.overdue_invoices(self.today)
        if not overdue:
            return
        steps = reminders.thresholds(
            self.policy.reminder_polite_days, self.policy.reminder_firm_days, self.policy.reminder_formal_days
        )
        decided = _reminders_decided([inv.pk for inv in overdue])
        disputed = _disputed([inv.pk for inv in overdue])
        contacts = _first_contacts({inv.customer_id for inv in overdue})
        histories = _payment_histories({inv.customer_id for inv in overdue}, self.today)
        by_customer: dict[int, list[Invoice]] = {}
        for invoice in overdue:
            by_customer.setdefault(invoice.customer_id, []).append(invoice)
        company = parties.get_company()
        seller = reminders.Seller(company.legal_name, company.iban, company.late_penalty_rate)
        for invoice in overdue:
            days = (self.today - invoice.due_date).days
            if invoice.pk in disputed:
                continue
            mine = decided.get(invoice.pk, {})
            sent = {lvl for lvl, (status, _when) in mine.items() if status == Proposal.Status.APPROVED}
            level = reminders.level_due(days, steps, set(mine), sent)
            if level is None:
                continue
            balance = money.amount(invoice.total - invoice.amount_paid)
            paid, late, delay = histories.get(invoice.customer_id, (0, 0, None))
            history = reminders.History(
                paid_invoices=paid,
                paid_late=late,
                average_delay_days=delay,
                other_overdue=tuple(
                    (other.number, money.amount(other.total - other.amount_paid))
                    for other in by_customer[invoice.customer_id]
                    if other.pk != invoice.pk
                ),
                sent=tuple(
                    sorted(
                        ((lvl, when) for lvl, (status, when) in mine.items() if status == "approved"),
                        key=lambda item: item[1],
                    )
                ),
            )
            customer = invoice.customer
            subject, body = reminders.compose(
                reminders.Overdue(
                    number=invoice.number,
                    date=invoice.date,
                    due_date=invoice.due_date,
                    balance=balance,
                    customer_name=customer.name,
                    contact_name=contacts.get(customer.pk, ""),
                    email=customer.email,
                ),
                level=level,
                days_overdue=days,
                history=history,
                seller=seller,
                today=self.today,
            )
            habit = (
                gettext("paie d'habitude à l'heure")
                if history.usually_pays_on_time
                else gettext("%(late)s retard(s) sur %(paid)s facture(s) payée(s)")
                % {"late": late, "paid": paid}
                if paid
                else gettext("pas encore d'historique de paiement")
            )
            self.add(
                Candidate(
                    key=_key("send_reminder", invoice.pk, level),
                    kind="send_reminder",
                    source=f"agent.reminder.{level}",
                    title=gettext(
                        "%(level)s pour %(invoice)s (%(customer)s) : %(amount)s € dus depuis %(days)s jours."
                    )
                    % {
                        "level": gettext(reminders.LEVEL_LABELS[level]),
                        "invoice": invoice.number,
                        "customer": customer.name,
                        "amount": money.fr(balance),
                        "days": days,
                    },
                    rationale=gettext(
                        "%(level)s due à J+%(days)s selon la politique de relance (J+%(step)s) ; le client %(habit)s."
                    )
                    % {
                        "level": gettext(reminders.LEVEL_LABELS[level]),
                        "days": days,
                        "step": dict(steps)[level],
                        "habit": habit,
                    },
                    payload={
                        "invoice_id": invoice.pk,
                        "level": level,
                        "to": customer.email,
                        "subject": subject,
                        "body": body,
                    },
                    confidence=REMINDER_CONFIDENCE[level],
                    customer_id=customer.pk,
                    invoice_id=invoice.pk,
                )
            )

    # Storing ---------------------------------------------------------------------------------------------------

    @transaction.atomic
    def store(self) -> list[Proposal]:
        """Create the new proposals, refresh the open ones, retire the open ones no longer found."""
        keys = list(self.candidates)
        existing = {p.key: p for p in Proposal.objects.select_for_update().filter(key__in=keys)}
        created, refreshed = [], []
        for key, c in self.candidates.items():
            fields = {
                "kind": c.kind,
                "source": c.source,
                "title": c.title[:400],
                "rationale": c.rationale,
                "payload": c.payload,
                "confidence": c.confidence,
                "evidence": c.evidence,
                "customer_id": c.customer_id,
                "order_id": c.order_id,
                "invoice_id": c.invoice_id,
            }
            found = existing.get(key)
            if found is None:
                if c.kind == "send_reminder":
                    self.reword(fields)
                created.append(Proposal(key=key, run=self.run, **fields))
            elif found.status == Proposal.Status.OPEN:
                for name, value in fields.items():
                    setattr(found, name, value)
                refreshed.append(found)
        Proposal.objects.bulk_create(created)
        if refreshed:
            Proposal.objects.bulk_update(
                refreshed, ["title", "rationale", "payload", "confidence", "evidence"]
            )
        still_open = Proposal.objects.filter(status=Proposal.Status.OPEN)
        if self.kinds is not None:
            still_open = still_open.filter(kind__in=self.kinds)
        else:
            # The customers to follow up have their own pass (`customer_watch`): the billing pass
            # neither proposes nor retires them.
            still_open = still_open.exclude(kind__in=OWN_PASS_KINDS)
        retired = still_open.exclude(key__in=keys).update(
            status=Proposal.Status.OBSOLETE, decided_at=timezone.now()
        )
        self.stats["proposals_created"] += len(created)
        self.stats["proposals_open"] += len(created) + len(refreshed)
        self.stats["proposals_retired"] += retired
        return [p for p in created + refreshed if self.candidates[p.key].auto]

    def reword(self, fields: dict) -> None:
        """Let the configured language model reword a new reminder (facts kept, see `assistant.llm`); after
        one failure the run stops asking."""
        if self.llm_down or llm.endpoint() is None:
            return
        body, reworded = llm.rephrase(fields["payload"]["body"])
        if not reworded:
            self.llm_down = True
            return
        fields["payload"] = {**fields["payload"], "body": body}
        fields["rationale"] += " " + gettext("Texte reformulé par le modèle de langue (faits vérifiés).")
        self.stats["reminders_reworded"] += 1

    def auto_issue(self, proposals: list[Proposal]) -> None:
        note = gettext(
            "Politique écrite : émission automatique des factures sans constat jusqu'à %(limit)s € HT."
        ) % {"limit": self.policy.auto_issue_limit}
        for proposal in proposals:
            done = self.attempt(
                gettext("brouillon n° %(pk)s") % {"pk": proposal.payload["invoice_id"]},
                lambda p=proposal: services.approve_proposal(p, by=self.user, note=note, automatic=True),
            )
            if done:
                self.stats["auto_issued"] += 1


def orders_to_watch(today: datetime.date):
    """Confirmed orders whose cycle is still open or recent: confirmed in the last RECENT_DAYS days (an
    order not shipped yet is when an amendment still fixes it), a draft or an unpaid invoice, goods
    delivered and not invoiced, or an invoice of the last RECENT_DAYS days."""
    invoices = Invoice.objects.filter(order=OuterRef("pk")).exclude(status=Invoice.Status.CANCELLED)
    since = today - datetime.timedelta(days=RECENT_DAYS)
    return (
        Order.objects.filter(status=Order.Status.CONFIRMED)
        .filter(
            Q(date__gte=since)
            | Exists(invoices.filter(Q(status=Invoice.Status.DRAFT) | Q(date__gte=since)))
            | Exists(
                OrderLine.objects.filter(order=OuterRef("pk"), quantity_delivered__gt=F("quantity_invoiced"))
            )
        )
        .select_related("customer")
        .order_by("id")
    )


def _reminders_decided(invoice_ids: list[int]) -> dict[int, dict[str, tuple[str, datetime.date]]]:
    """Per invoice, the reminder levels someone approved or rejected (or that were approved then), with
    the date."""
    decided: dict[int, dict[str, tuple[str, datetime.date]]] = {}
    rows = Proposal.objects.filter(
        kind="send_reminder",
        invoice_id__in=invoice_ids,
        status__in=[Proposal.Status.APPROVED, Proposal.Status.REJECTED],
    ).values_list("invoice_id", "payload", "status", "decided_at")
    for invoice_id, payload, status, decided_at in rows:
        when = timezone.localdate(decided_at) if decided_at else None
        decided.setdefault(invoice_id, {})[payload.get("level")] = (status, when)
    return decided


def _disputed(invoice_ids: list[int]) -> set[int]:
    """Invoices with goods under an open return case: one does not chase a customer for money while the
    dispute about those goods is being handled."""
    return set(
        InvoiceLine.objects.filter(
            invoice_id__in=invoice_ids,
            delivery_line__delivery__return_cases__status__in=ReturnCase.OPEN_STATUSES,
        ).values_list("invoice_id", flat=True)
    )


def _first_contacts(customer_ids) -> dict[int, str]:
    """The name to greet in a reminder: the customer's first contact, alphabetically."""
    names: dict[int, str] = {}
    for customer_id, name in Contact.objects.filter(customer_id__in=customer_ids).values_list(
        "customer_id", "name"
    ):
        names.setdefault(customer_id, name)
    return names


def _payment_histories(customer_ids, today) -> dict[int, tuple[int, int, int | None]]:
    """Per customer, over the last year: invoices paid, how many after their due date, average delay."""
    since = today - datetime.timedelta(days=365)
    rows = (
        PaymentAllocation.objects.filter(
            invoice__customer_id__in=customer_ids, payment__date__gte=since, invoice__due_date__isnull=False
        )
        .values_list("invoice__customer_id", "invoice_id", "invoice__due_date", "payment__date")
        .order_by("invoice_id", "payment__date")
    )
    last_payment: dict[tuple[int, int], tuple[datetime.date, datetime.date]] = {}
    for customer_id, invoice_id, due, paid_on in rows:
        last_payment[(customer_id, invoice_id)] = (due, paid_on)
    delays: dict[int, list[int]] = {}
    for (customer_id, _invoice_id), (due, paid_on) in last_payment.items():
        delays.setdefault(customer_id, []).append((paid_on - due).days)
    return {
        customer_id: (len(days), sum(1 for d in days if d > 0), round(sum(days) / len(days)))
        for customer_id, days in delays.items()
    }


def run(
    *,
    requested_by=None,
    trigger: str = "cli",
    today: datetime.date | None = None,
    reminders_only: bool = False,
    customers_only: bool = False,
) -> AgentRun:
    """One pass. `reminders_only`: only the payment reminders step (the scheduler's "relances" job, which
    may run more often than the full pass); proposals of other kinds are left as they are.
    `customers_only`: only the follow-ups of the customers at risk (`customer_watch`, its own job)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        busy = (
            AgentRun.objects.select_for_update()
            .filter(status=AgentRun.Status.RUNNING, started_at__gte=timezone.now() - STALE_AFTER)
            .first()
        )
        if busy is not None:
            raise Conflict(
                *errors.AGENT_BUSY, started=timezone.localtime(busy.started_at).strftime("%d/%m/%Y %H:%M")
            )
        agent_run = AgentRun.objects.create(trigger=trigger, requested_by=requested_by)
    policy = AssistantPolicy.current()
    kinds = ("send_reminder",) if reminders_only else OWN_PASS_KINDS if customers_only else None
    work = _Run(agent_run, policy, today, kinds=kinds)
    try:
        if reminders_only:
            work.propose_reminders()
            work.store()
        elif customers_only:
            from comptoir.assistant import customer_watch  # it builds on this module's Candidate and _key

            customer_watch.propose(work)
            work.store()
        else:
            _full_pass(work, policy)
    except Exception as exc:
        work.problems.append({"document": "", "code": "agent_failed", "message": str(exc)[:500]})
        _finish(agent_run, work, AgentRun.Status.FAILED)
        raise
    _finish(agent_run, work, AgentRun.Status.DONE)
    return agent_run


def _full_pass(work: "_Run", policy: AssistantPolicy) -> None:
    if policy.prepare_drafts:
        work.prepare_drafts()
    work.review_drafts()
    work.review_orders()
    work.propose_resolutions()
    work.propose_reminders()
    work.auto_issue(work.store())


def _finish(agent_run: AgentRun, work: _Run, status: str) -> None:
    agent_run.status = status
    agent_run.finished_at = timezone.now()
    agent_run.stats = dict(work.stats)
    agent_run.problems = work.problems[:200]
    agent_run.save(update_fields=["status", "finished_at", "stats", "problems"])
