"""The proposals inbox and the agent page: run the agent, approve as is or edited, reject with a reason,
the written policy — through the forms, as each role."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from comptoir.assistant.models import AssistantPolicy, Proposal
from comptoir.assistant.tests.factories import delivered_not_invoiced, ship, sold, stock
from comptoir.billing.models import Invoice
from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core.models import AuditEvent
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.parties.services import configure_company, update_customer
from comptoir.web.tests.clients import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def accountant(db):
    return make_user("compta", Role.COMPTABILITE)


@pytest.fixture
def delivered(boss, company, customer, product):
    return delivered_not_invoiced(boss, customer, product)


def test_running_the_agent_from_the_page_fills_the_inbox(accountant, delivered):
    client = client_for(accountant)
    response = client.post("/assistant/agent/lancer/", follow=True)
    assert (
        "Passage terminé : 1 nouvelle(s) proposition(s), 1 brouillon(s) préparé(s)."
        in response.content.decode()
    )

    page = client.get("/assistant/propositions/").content.decode()
    assert "Émettre la facture" in page and "aucun constat" in page
    assert "Approuver" in page and "Motif du rejet" in page


def test_approving_from_the_inbox_issues_the_invoice(accountant, delivered):
    client = client_for(accountant)
    client.post("/assistant/agent/lancer/")
    proposal = Proposal.objects.get(kind="issue_invoice")
    response = client.post(f"/assistant/propositions/{proposal.pk}/approuver/", follow=True)
    invoice = Invoice.objects.get(pk=proposal.payload["invoice_id"])
    assert invoice.status == Invoice.Status.ISSUED
    assert f"Proposition approuvée : {invoice.number}." in response.content.decode()


def test_a_sales_rep_sees_the_inbox_but_no_decision_buttons_for_invoices(delivered, accountant):
    client_for(accountant).post("/assistant/agent/lancer/")
    page = client_for(make_user("com", Role.COMMERCIAL)).get("/assistant/propositions/").content.decode()
    assert "Émettre la facture" in page and "Motif du rejet" not in page
    proposal = Proposal.objects.get(kind="issue_invoice")
    response = client_for(make_user("com2", Role.COMMERCIAL)).post(
        f"/assistant/propositions/{proposal.pk}/approuver/", follow=True
    )
    assert (
        "Votre rôle ne permet pas cette action : émettre une facture. "
        "Rôles qui le peuvent : Comptabilité, Direction, Administrateur."
    ) in response.content.decode()
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.OPEN


def test_rejecting_without_a_reason_says_so_and_keeps_it_open(accountant, delivered):
    client = client_for(accountant)
    client.post("/assistant/agent/lancer/")
    proposal = Proposal.objects.get(kind="issue_invoice")
    response = client.post(f"/assistant/propositions/{proposal.pk}/rejeter/", {"reason": ""}, follow=True)
    assert "Indiquez pourquoi vous rejetez la proposition." in response.content.decode()
    client.post(
        f"/assistant/propositions/{proposal.pk}/rejeter/", {"reason": "Doublon d'une saisie manuelle"}
    )
    proposal.refresh_from_db()
    assert (
        proposal.status == Proposal.Status.REJECTED
        and proposal.decision_note == "Doublon d'une saisie manuelle"
    )


def test_an_edited_reminder_is_sent_as_edited(admin_user, boss, accountant, company, customer, product):
    configure_company(by=admin_user, backdating_days=60)  # the sale of 45 days ago
    update_customer(customer, by=boss, email="compta@client.fr")
    day = timezone.localdate() - datetime.timedelta(days=45)
    stock(boss, product, date=day)
    order = sold(boss, customer, (product, "1"), date=day)
    ship(boss, order, date=day)
    issue_invoice(create_invoice_from_order(order, by=boss), by=boss, date=day)
    client = client_for(accountant)
    client.post("/assistant/agent/lancer/")
    proposal = Proposal.objects.get(kind="send_reminder")
    page = client.get("/assistant/propositions/?type=send_reminder").content.decode()
    assert 'name="body"' in page and "compta@client.fr" in page

    client.post(
        f"/assistant/propositions/{proposal.pk}/approuver/",
        {"to": "paiements@client.fr", "subject": proposal.payload["subject"], "body": "Merci de régler."},
    )
    (sent,) = mail.outbox
    assert sent.to == ["paiements@client.fr"] and sent.body == "Merci de régler."
    assert Proposal.objects.get(pk=proposal.pk).edited


def test_direction_sets_the_policy_and_others_only_read_it(boss, accountant):
    page = client_for(accountant).get("/assistant/agent/").content.decode()
    assert "Enregistrer la politique" not in page and "Aucune émission automatique" in page
    client_for(accountant).post("/assistant/agent/politique/", {"auto_issue_enabled": "1"})
    assert not AssistantPolicy.current().auto_issue_enabled

    client_for(boss).post(
        "/assistant/agent/politique/",
        {
            "auto_issue_enabled": "1",
            "prepare_drafts": "1",
            "auto_issue_limit": "2 500,00",
            "reminder_polite_days": "10",
            "reminder_firm_days": "30",
            "reminder_formal_days": "60",
        },
    )
    policy = AssistantPolicy.current()
    assert policy.auto_issue_enabled and str(policy.auto_issue_limit) == "2500.00"
    assert policy.reminder_polite_days == 10 and policy.reminder_formal_days == 60
    assert AuditEvent.objects.filter(action="assistant.policy_changed").count() == 1


def test_the_home_page_shows_the_proposals_each_role_may_decide(accountant, delivered):
    client = client_for(accountant)
    client.post("/assistant/agent/lancer/")
    proposal = Proposal.objects.get(kind="issue_invoice")
    home = client.get("/").content.decode()
    assert "Propositions à décider" in home and proposal.title.split(" (")[0] in home
    logistics_home = client_for(make_user("logi", Role.LOGISTIQUE)).get("/").content.decode()
    assert proposal.title.split(" (")[0] not in logistics_home


def test_the_inbox_shows_the_credit_note_a_proposal_would_draft_without_drafting_it(
    boss, company, customer, product
):
    stock(boss, product)
    invoices = []
    for _ in range(2):  # the same order keyed twice, shipped and invoiced twice
        order = sold(boss, customer, (product, "3"))
        ship(boss, order)
        invoices.append(issue_invoice(create_invoice_from_order(order, by=boss), by=boss))
    client = client_for(boss)
    client.post("/assistant/agent/lancer/")
    assert Proposal.objects.filter(kind="create_credit_note", status=Proposal.Status.OPEN).exists()
    events = AuditEvent.objects.count()

    page = client.get("/assistant/propositions/?type=create_credit_note").content.decode()

    assert "Avoir proposé" in page
    assert "REF-88 — Perceuse à percussion" in page
    # 3 × 120 € excl. VAT + 20 % VAT: the whole duplicate taken back.
    assert "360,00\u00a0€" in page and "432,00\u00a0€" in page
    # Showing it drafted nothing and recorded nothing.
    assert not Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).exists()
    assert AuditEvent.objects.count() == events


def test_the_inbox_shows_a_correction_as_the_value_today_and_after_approval(boss, company, customer, product):
    from comptoir.assistant.tests.factories import draft, edit_draft_line

    stock(boss, product)
    order = sold(boss, customer, (product, "12"))
    ship(boss, order, (product, "10"))
    edit_draft_line(draft(boss, order).lines.get(), quantity=12)
    client = client_for(boss)
    client.post("/assistant/agent/lancer/")

    page = client.get("/assistant/propositions/?type=set_invoice_line_quantity").content.decode()

    assert "Correction proposée" in page
    assert "REF-88 — quantité" in page
    assert '<td class="num">12</td>' in page and "<strong>10</strong>" in page


def test_a_correction_edited_with_a_decimal_comma_is_applied(boss, company, customer, product):
    from comptoir.assistant.tests.factories import draft, edit_draft_line

    stock(boss, product)
    order = sold(boss, customer, (product, "12"))
    ship(boss, order, (product, "10"))
    invoice = draft(boss, order)
    edit_draft_line(invoice.lines.get(), quantity=12)
    client = client_for(boss)
    client.post("/assistant/agent/lancer/")
    proposal = Proposal.objects.get(kind="set_invoice_line_quantity", status=Proposal.Status.OPEN)

    client.post(f"/assistant/propositions/{proposal.pk}/approuver/", {"quantity": "9,5"})

    assert invoice.lines.get().quantity == Decimal("9.5")
    assert Proposal.objects.get(pk=proposal.pk).edited
