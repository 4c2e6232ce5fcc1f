"""A customer's payment suddenly late against its own habit (#17): learnt from the days its invoices of
the year took to be paid, explained by quoting them; the rule (days past due) when the history is thin;
the first reminder proposed, and the finding gone once it is sent."""

import datetime

import pytest
from django.core import mail

from comptoir.assistant.models import Proposal
from comptoir.assistant.services import approve_proposal, run_agent
from comptoir.assistant.tests.factories import codes, invoice_findings, ship, sold, stock, the
from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core import dates
from comptoir.core.testing import make_company, make_customer
from comptoir.payments.services import register_payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(admin_user):
    """A company whose books go back half a year (the customer's past is entered with its dates)."""
    return make_company(admin_user, backdating_days=200)


def invoiced(boss, customer, product, days_ago: int):
    day = dates.today() - datetime.timedelta(days=days_ago)
    order = sold(boss, customer, (product, "1"), date=day)
    ship(boss, order, date=day)
    return issue_invoice(create_invoice_from_order(order, by=boss), by=boss, date=day)


def paying_in(boss, customer, product, days_to_pay: int, times: int = 4):
    """Invoices of the last months, each paid `days_to_pay` days after its date (in date order)."""
    today = dates.today()
    for month in range(times + 2, 2, -1):
        invoice = invoiced(boss, customer, product, 30 * month)
        register_payment(
            customer,
            amount=str(invoice.total),
            method="transfer",
            date=invoice.date + datetime.timedelta(days=days_to_pay),
            allocations=[{"invoice": invoice, "amount": str(invoice.total)}],
            by=boss,
        )
        assert invoice.date + datetime.timedelta(days=days_to_pay) <= today


@pytest.fixture
def buyer(boss, company, product):
    stock(boss, product, date=dates.today() - datetime.timedelta(days=190))
    return make_customer(
        boss, name="Menuiserie Martin SARL", siren="542107651", email="compta@martin.example"
    )


def test_an_invoice_far_later_than_the_customers_habit_is_flagged_quoting_the_history(boss, buyer, product):
    paying_in(boss, buyer, product, 31)
    late = invoiced(boss, buyer, product, 75)  # due 45 days ago

    finding = the(invoice_findings(late), "payment_late_against_habit")

    assert finding.message.startswith(
        "Menuiserie Martin SARL paie d'habitude en 31 jours (4 factures réglées sur un an, dont "
    )
    assert (
        f"la facture {late.number} du {late.date:%d/%m/%Y} attend son règlement depuis 75 jours, soit 44 jours de "
        in (finding.message)
    )
    assert finding.message.endswith("(échéance dépassée de 45 jours).")
    assert len(finding.evidence) == 5  # the invoice and the history it is compared with
    assert finding.proposal.kind == "send_reminder"
    assert finding.proposal.payload["level"] == "firm"  # the level the reminder policy calls for at 45 days
    assert finding.proposal.payload["to"] == "compta@martin.example"
    assert late.number in finding.proposal.payload["subject"]


def test_the_reminder_the_finding_proposes_is_one_proposal_and_sending_it_clears_the_finding(
    boss, buyer, product
):
    paying_in(boss, buyer, product, 31)
    late = invoiced(boss, buyer, product, 75)

    run_agent(by=None)
    [proposal] = Proposal.objects.filter(kind="send_reminder", invoice=late, status=Proposal.Status.OPEN)
    assert proposal.source == "payment_late_against_habit"

    approve_proposal(proposal, by=boss)

    assert len(mail.outbox) == 1
    assert "payment_late_against_habit" not in codes(invoice_findings(late))


def test_a_slow_payer_paying_as_it_always_does_is_not_flagged(boss, buyer, product):
    paying_in(boss, buyer, product, 62)
    usual = invoiced(boss, buyer, product, 55)  # 25 days past due, within its two months

    assert "payment_late_against_habit" not in codes(invoice_findings(usual))


def test_without_history_the_rule_flags_an_invoice_a_month_past_due_and_no_sooner(boss, buyer, product):
    old = invoiced(boss, buyer, product, 80)  # 50 days past due
    recent = invoiced(boss, buyer, product, 45)  # 15 days past due

    assert "payment_late_against_habit" not in codes(invoice_findings(recent))
    finding = the(invoice_findings(old), "payment_late_against_habit")
    assert finding.message == (
        f"La facture {old.number} de Menuiserie Martin SARL est échue depuis 50 jours, au-delà de 30 jours ; "
        "trop peu d'historique (0 facture(s) réglée(s) sur un an) pour la comparer à l'habitude de paiement "
        "du client."
    )
