"""The billing agent prepares drafts and proposes; people decide; a written policy may let it issue."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from comptoir.assistant import agent, reminders
from comptoir.assistant.models import AgentRun, Proposal
from comptoir.assistant.services import approve_proposal, reject_proposal, run_agent, update_policy
from comptoir.assistant.tests.factories import (
    delivered_not_invoiced,
    draft,
    edit_draft_line,
    ship,
    sold,
    stock,
)
from comptoir.billing.models import Invoice
from comptoir.core.errors import DomainError, PermissionDenied
from comptoir.core.models import AuditEvent
from comptoir.core.permissions import Role
from comptoir.core.testing import colleague_of, make_user
from comptoir.parties.services import configure_company, update_customer

pytestmark = pytest.mark.django_db


def open_proposals(kind=None):
    qs = Proposal.objects.filter(status=Proposal.Status.OPEN)
    return list(qs.filter(kind=kind) if kind else qs)


@pytest.fixture
def delivered(boss, company, customer, product):
    """10 drills delivered, nothing invoiced yet."""
    return delivered_not_invoiced(boss, customer, product)


@pytest.fixture
def accountant(db):
    return make_user("compta", Role.COMPTABILITE)


def test_a_run_prepares_the_draft_of_what_is_delivered_and_proposes_to_issue_it(delivered):
    run = run_agent(by=None)

    draft_invoice = Invoice.objects.get(order=delivered, status=Invoice.Status.DRAFT)
    assert draft_invoice.created_by.username == agent.AGENT_USERNAME
    (proposal,) = open_proposals("issue_invoice")
    assert proposal.payload == {"invoice_id": draft_invoice.pk}
    assert "aucun constat" in proposal.rationale
    assert run.status == AgentRun.Status.DONE and run.stats["drafts_prepared"] == 1
    # Nothing was issued: issuing is a person's decision by default.
    assert draft_invoice.status == Invoice.Status.DRAFT


def test_a_second_run_does_not_propose_the_same_thing_twice(delivered):
    run_agent(by=None)
    run_agent(by=None)
    assert Invoice.objects.filter(order=delivered).count() == 1
    assert len(open_proposals("issue_invoice")) == 1


def test_approving_issues_the_invoice_through_the_billing_service_and_is_audited(delivered, accountant):
    run_agent(by=None)
    (proposal,) = open_proposals("issue_invoice")

    approve_proposal(proposal, by=accountant)

    invoice = Invoice.objects.get(pk=proposal.payload["invoice_id"])
    assert invoice.status == Invoice.Status.ISSUED and invoice.issued_by == accountant
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.APPROVED and proposal.decided_by == accountant
    assert proposal.result["label"] == invoice.number
    assert AuditEvent.objects.filter(action="proposal.approved", object_id=str(proposal.pk)).exists()
    # Once done, the next run has nothing left to propose about it.
    run_agent(by=None)
    assert not open_proposals("issue_invoice")


def test_a_role_without_the_services_permission_cannot_approve(delivered):
    run_agent(by=None)
    (proposal,) = open_proposals("issue_invoice")
    with pytest.raises(PermissionDenied):
        approve_proposal(proposal, by=make_user("logi", Role.LOGISTIQUE))
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.OPEN


def test_a_refused_service_leaves_the_proposal_open_and_nothing_written(delivered, accountant, boss):
    run_agent(by=None)
    (proposal,) = open_proposals("issue_invoice")
    invoice = Invoice.objects.get(pk=proposal.payload["invoice_id"])
    # Someone issues it by hand in the meantime.
    from comptoir.billing.services import issue_invoice

    issue_invoice(invoice, by=boss)
    events = AuditEvent.objects.count()
    with pytest.raises(DomainError):
        approve_proposal(proposal, by=accountant)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.OPEN and AuditEvent.objects.count() == events
    # The next run sees it is done and retires the proposal.
    run_agent(by=None)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.OBSOLETE


def test_a_rejected_proposal_needs_a_reason_and_is_not_proposed_again(delivered, accountant):
    run_agent(by=None)
    (proposal,) = open_proposals("issue_invoice")
    with pytest.raises(DomainError) as refused:
        reject_proposal(proposal, by=accountant, reason="  ")
    assert refused.value.code == "proposal_reason_required"
    reject_proposal(proposal, by=accountant, reason="Le client attend un avoir avant la facture.")
    run_agent(by=None)
    assert not open_proposals("issue_invoice")
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.REJECTED


def test_a_draft_with_a_blocking_finding_is_not_proposed_for_issue_but_its_correction_is(
    boss, company, customer, product
):
    stock(boss, product)
    order = sold(boss, customer, (product, "12"))
    ship(boss, order, (product, "10"))
    invoice = draft(boss, order)
    edit_draft_line(invoice.lines.get(), quantity=Decimal("12"))

    run = run_agent(by=None)

    assert not open_proposals("issue_invoice")
    (fix,) = open_proposals("set_invoice_line_quantity")
    assert Decimal(fix.payload["quantity"]) == Decimal("10") and fix.invoice_id == invoice.pk
    assert fix.source == "invoice_qty_exceeds_delivered" and fix.evidence
    assert run.stats["drafts_blocked"] == 1


def test_the_written_policy_lets_the_agent_issue_small_clean_invoices_and_says_so(delivered, boss):
    update_policy(by=boss, auto_issue_enabled=True, auto_issue_limit=Decimal("5000"))

    run = run_agent(by=None)

    invoice = Invoice.objects.get(order=delivered)
    assert invoice.status == Invoice.Status.ISSUED
    assert invoice.issued_by.username == agent.AGENT_USERNAME
    proposal = Proposal.objects.get(kind="issue_invoice")
    assert proposal.automatic and "Politique écrite" in proposal.decision_note
    assert AuditEvent.objects.filter(action="proposal.auto_approved").exists()
    assert AuditEvent.objects.filter(action="assistant.policy_changed").exists()
    assert run.stats["auto_issued"] == 1


def test_above_the_ceiling_the_agent_only_proposes(delivered, boss):
    # 10 drills at 120 € = 1 200 € excl. VAT, above a 1 000 € ceiling.
    update_policy(by=boss, auto_issue_enabled=True, auto_issue_limit=Decimal("1000"))
    run_agent(by=None)
    assert Invoice.objects.get(order=delivered).status == Invoice.Status.DRAFT
    assert len(open_proposals("issue_invoice")) == 1


def test_only_direction_changes_the_policy_and_reminder_delays_must_grow(boss, accountant):
    with pytest.raises(PermissionDenied):
        update_policy(by=accountant, auto_issue_enabled=True)
    with pytest.raises(DomainError) as refused:
        update_policy(by=boss, reminder_polite_days=30, reminder_firm_days=20)
    assert refused.value.code == "assistant_policy_invalid"


# --- Reminders ------------------------------------------------------------------------------------------


@pytest.fixture
def overdue(admin_user, boss, company, customer, product):
    """An invoice issued 50 days ago, due 30 days after: 20 days late, unpaid."""
    configure_company(by=admin_user, backdating_days=60)  # the sale of 50 days ago
    update_customer(customer, by=boss, email="compta@menuiserie-martin.fr")
    day = timezone.localdate() - datetime.timedelta(days=50)
    stock(boss, product, date=day)
    order = sold(boss, customer, (product, "2"), date=day)
    ship(boss, order, date=day)
    from comptoir.billing.services import create_invoice_from_order, issue_invoice

    return issue_invoice(create_invoice_from_order(order, by=boss), by=boss, date=day)


def test_an_overdue_invoice_gets_a_courteous_reminder_written_for_the_customer(overdue, accountant):
    run_agent(by=None)
    (proposal,) = open_proposals("send_reminder")
    assert proposal.payload["level"] == reminders.POLITE
    assert proposal.payload["to"] == "compta@menuiserie-martin.fr"
    assert overdue.number in proposal.payload["body"] and "288,00 €" in proposal.payload["body"]

    approve_proposal(
        proposal,
        by=accountant,
        edits={"body": "Bonjour,\nMerci de régler la facture " + overdue.number + "."},
    )

    (sent,) = mail.outbox
    assert sent.to == ["compta@menuiserie-martin.fr"] and sent.body.startswith("Bonjour,\nMerci")
    proposal.refresh_from_db()
    assert proposal.edited and "288,00 €" in proposal.original_payload["body"]
    assert AuditEvent.objects.filter(action="invoice.reminded", object_id=str(overdue.pk)).exists()
    # The same level is never proposed again; the firm one waits for its delay (J+30).
    run_agent(by=None)
    assert not open_proposals("send_reminder")
    run_agent(by=None, today=timezone.localdate() + datetime.timedelta(days=11))
    (firm,) = open_proposals("send_reminder")
    assert firm.payload["level"] == reminders.FIRM


def test_an_edit_cannot_retarget_the_proposal(overdue, accountant, boss):
    other = sold(boss, overdue.customer, (overdue.lines.get().product, "1"))
    run_agent(by=None)
    (proposal,) = open_proposals("send_reminder")
    approve_proposal(proposal, by=accountant, edits={"invoice_id": other.pk, "subject": "Relance"})
    proposal.refresh_from_db()
    assert proposal.payload["invoice_id"] == overdue.pk and proposal.payload["subject"] == "Relance"


def test_a_paid_invoice_is_not_reminded_and_its_open_reminder_is_retired(overdue, boss):
    from comptoir.payments.services import register_payment

    run_agent(by=None)
    (proposal,) = open_proposals("send_reminder")
    register_payment(
        overdue.customer,
        by=boss,
        amount=overdue.total,
        method="transfer",
        allocations=[{"invoice": overdue, "amount": overdue.total}],
    )
    run_agent(by=None)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.OBSOLETE


def test_reminder_levels_follow_the_policy():
    steps = reminders.thresholds(7, 30, 45)
    assert reminders.level_due(6, steps, set(), set()) is None
    assert reminders.level_due(7, steps, set(), set()) == reminders.POLITE
    # Long forgotten: the delay calls for firmness, but a formal notice is never the first letter.
    assert reminders.level_due(200, steps, set(), set()) == reminders.FIRM
    assert reminders.level_due(46, steps, {reminders.FIRM}, {reminders.FIRM}) == reminders.FORMAL
    # A rejected level is not proposed again, nor a lower one.
    assert reminders.level_due(20, steps, {reminders.POLITE}, set()) is None
    assert reminders.level_due(31, steps, {reminders.FIRM}, set()) is None


def test_a_formal_notice_names_the_penalties_and_the_recovery_indemnity():
    subject, body = reminders.compose(
        reminders.Overdue(
            number="FA-2026-00001",
            date=datetime.date(2026, 1, 5),
            due_date=datetime.date(2026, 2, 4),
            balance=Decimal("1234.50"),
            customer_name="Client",
            contact_name="Mme Durand",
            email="a@b.fr",
        ),
        level=reminders.FORMAL,
        days_overdue=60,
        history=reminders.History(sent=((reminders.FIRM, datetime.date(2026, 3, 1)),)),
        seller=reminders.Seller("Vendeur SAS", "FR76 3000", Decimal("12.15")),
        today=datetime.date(2026, 4, 5),
    )
    assert subject.startswith("Mise en demeure")
    assert "1\u202f234,50 €" in body and "13/04/2026" in body
    assert "12,15 %" in body and "40,00 €" in body and "L441-10" in body
    assert body.startswith("Bonjour Mme Durand,")


def test_with_the_language_model_down_the_reminder_is_proposed_as_written(overdue, monkeypatch):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("COMPTOIR_LLM_URL", f"http://127.0.0.1:{port}/v1")
    run = run_agent(by=None)
    (proposal,) = open_proposals("send_reminder")
    assert overdue.number in proposal.payload["body"] and "reformulé" not in proposal.rationale
    assert "reminders_reworded" not in run.stats and run.status == AgentRun.Status.DONE


def test_an_approved_short_shipment_becomes_a_replacement_proposal_carried_out_on_approval(boss, delivered):
    from comptoir.returns.models import Resolution
    from comptoir.returns.services import approve_case, open_case, submit_case

    delivery = delivered.deliveries.get()
    case = open_case(
        delivery,
        [{"delivery_line": delivery.lines.get(), "quantity": "2"}],
        by=boss,
        reason="short_shipment",
        customer_statement="Il en manque deux.",
    )
    approve_case(submit_case(case, by=boss), by=colleague_of(boss))

    run_agent(by=None)

    (proposal,) = open_proposals("resolve_return")
    assert proposal.payload == {"case_id": case.pk, "resolution": "replacement"}
    assert "stock disponible couvre le remplacement" in proposal.rationale
    approve_proposal(proposal, by=boss)
    resolution = Resolution.objects.get(case=case)
    assert resolution.kind == Resolution.Kind.REPLACEMENT and resolution.replacement is not None


def test_a_replacement_proposal_is_approved_only_by_a_role_that_may_ship_and_others_are_told_who(
    boss, delivered
):
    """ADV may resolve return cases but not ship: approving a replacement would fail in the shipping
    service, so it is refused before anything runs, and the inbox shows ADV who can approve instead."""
    from comptoir.returns.services import approve_case, open_case, submit_case
    from comptoir.web.tests.clients import client_for, text_of

    delivery = delivered.deliveries.get()
    case = open_case(
        delivery, [{"delivery_line": delivery.lines.get(), "quantity": "2"}], by=boss, reason="short_shipment"
    )
    approve_case(submit_case(case, by=boss), by=colleague_of(boss))
    run_agent(by=None)
    (proposal,) = open_proposals("resolve_return")
    adv = make_user("adv-1", Role.ADV)

    with pytest.raises(PermissionDenied) as refused:
        approve_proposal(proposal, by=adv)
    assert refused.value.params["perm"] == "delivery.validate"
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.OPEN

    page = text_of(client_for(adv).get("/assistant/propositions/"))
    assert f"/assistant/propositions/{proposal.pk}/approuver/" not in page
    assert f"/assistant/propositions/{proposal.pk}/rejeter/" in page
    assert "À approuver par : Direction, Administrateur" in page


def test_a_draft_the_service_would_refuse_is_not_proposed_for_issue_and_the_run_says_why(
    boss, company, customer, product
):
    """Issue #17, defect 5: no 'ready to issue' for a French business customer without a SIREN; the run
    reports the refusal, and nothing of the trial issue is left (no number taken, no event)."""
    order = delivered_not_invoiced(boss, customer, product)
    update_customer(customer, by=boss, siren="", siret="")
    events = AuditEvent.objects.count()

    run = run_agent(by=None)

    invoice = Invoice.objects.get(order=order)
    assert invoice.status == Invoice.Status.DRAFT and invoice.number is None
    assert not open_proposals("issue_invoice")
    assert run.stats["drafts_not_issuable"] == 1
    [problem] = [p for p in run.problems if p["code"] == "buyer_siren_missing"]
    assert customer.name in problem["message"]
    assert not AuditEvent.objects.filter(pk__gt=events, action="invoice.issued").exists()
    # Once the SIREN is there, the next run proposes it.
    update_customer(customer, by=boss, siren="542107651")
    run_agent(by=None)
    assert open_proposals("issue_invoice")


# --- Four eyes on gestures: approving a proposal is the approver's own act ----------------------------


@pytest.fixture
def pending_gesture(boss, delivered, accountant):
    """The drills invoiced, then a 600 € HT commercial gesture drafted by the accountant: above the 500 €
    threshold, it needs another person's approval before its issue."""
    from comptoir.billing.services import create_credit_note, create_invoice_from_order, issue_invoice

    invoice = issue_invoice(create_invoice_from_order(delivered, by=boss), by=boss)
    return create_credit_note(
        invoice,
        [{"invoice_line": invoice.lines.get(), "quantity": "5"}],
        by=accountant,
        reason="Client historique",
        gesture_category="fidélité",
    )


def test_who_drafted_a_large_gesture_cannot_issue_it_by_approving_the_agents_proposal(
    pending_gesture, accountant
):
    run_agent(by=None)
    (proposal,) = open_proposals("issue_invoice")
    assert proposal.payload == {"invoice_id": pending_gesture.pk}
    assert "approuvé par une autre personne" in proposal.rationale

    with pytest.raises(PermissionDenied) as refused:
        approve_proposal(proposal, by=accountant)
    assert refused.value.code == "approval_same_person"
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.OPEN
    assert Invoice.objects.get(pk=pending_gesture.pk).status == Invoice.Status.DRAFT

    colleague = colleague_of(accountant)
    approve_proposal(proposal, by=colleague)
    note = Invoice.objects.get(pk=pending_gesture.pk)
    assert (note.status, note.approved_by, note.issued_by) == (Invoice.Status.ISSUED, colleague, colleague)
    assert AuditEvent.objects.filter(action="credit_note.approved", actor=colleague).exists()


def test_the_agent_never_issues_a_gesture_waiting_for_approval_on_its_own(pending_gesture, boss):
    update_policy(by=boss, auto_issue_enabled=True, auto_issue_limit=Decimal("5000"))
    run = run_agent(by=None)
    assert Invoice.objects.get(pk=pending_gesture.pk).status == Invoice.Status.DRAFT
    assert not AuditEvent.objects.filter(action="credit_note.approved").exists()
    assert run.stats.get("auto_issued", 0) == 0
    assert len(open_proposals("issue_invoice")) == 1


def test_the_reminders_pass_proposes_reminders_and_leaves_other_proposals_alone(overdue, delivered):
    """The scheduler's reminders job runs the agent's reminders step alone: it must not retire the
    proposals a full pass made about other things (here: issuing a draft)."""
    run_agent(by=None)
    (issue,) = open_proposals("issue_invoice")
    Proposal.objects.filter(kind="send_reminder").delete()

    from comptoir.assistant.tasks import propose_payment_reminders

    assert propose_payment_reminders.call() == "1 relance(s) proposée(s)"
    (reminder,) = open_proposals("send_reminder")
    assert reminder.payload["invoice_id"] == overdue.pk
    issue.refresh_from_db()
    assert issue.status == Proposal.Status.OPEN
    assert (
        not Invoice.objects.filter(status=Invoice.Status.DRAFT)
        .exclude(pk=issue.payload["invoice_id"])
        .exists()
    )
