"""No dead ends and no endless pages (issue 20, points 3 and 7): a proposal the viewer cannot decide says
who can; a decision brings the inbox back with its filter and page; a refused action names the action and
the roles that may do it; the general ledger is paged, each page after the first carrying the balance
brought forward."""

from decimal import Decimal

import pytest
from django.db import transaction

from comptoir.accounting.services import Line, post_entry
from comptoir.assistant.models import Proposal
from comptoir.assistant.tests.factories import delivered_not_invoiced
from comptoir.core import dates
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.web.tests.clients import client_for, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(boss, company, customer, product):
    delivered_not_invoiced(boss, customer, product)
    client_for(make_user("compta", Role.COMPTABILITE)).post("/assistant/agent/lancer/")
    return Proposal.objects.get(kind="issue_invoice")


def test_a_proposal_the_viewer_cannot_decide_says_who_can(proposal):
    page = text_of(client_for(make_user("com", Role.COMMERCIAL)).get("/assistant/propositions/"))
    assert "Émettre la facture" in page and "Motif du rejet" not in page
    assert "À décider par : Comptabilité, Direction, Administrateur." in page


def test_deciding_brings_the_inbox_back_with_its_filter(proposal):
    client = client_for(make_user("compta2", Role.COMPTABILITE))
    where = "/assistant/propositions/?etat=open&type=issue_invoice"
    page = text_of(client.get(where))
    assert 'name="next" value="/assistant/propositions/?etat=open&type=issue_invoice"' in page

    response = client.post(f"/assistant/propositions/{proposal.pk}/approuver/", {"next": where})
    assert response.status_code == 302 and response["Location"] == where
    # Somewhere else than the inbox: not followed.
    other = client.post(f"/assistant/propositions/{proposal.pk}/rejeter/", {"next": "https://evil.example/"})
    assert other["Location"] == "/assistant/propositions/"


def test_a_refused_action_names_it_and_the_roles_that_may_do_it(proposal):
    response = client_for(make_user("com", Role.COMMERCIAL)).post(
        f"/assistant/propositions/{proposal.pk}/approuver/", follow=True
    )
    page = text_of(response)
    assert ": émettre une facture. Rôles qui le peuvent : Comptabilité, Direction, Administrateur." in page
    assert "invoice.issue" not in page


def test_the_general_ledger_is_paged_with_the_balance_brought_forward(boss, company):
    with transaction.atomic():
        for number in range(1, 131):
            post_entry(
                "OD",
                date=dates.today(),
                label=f"Frais {number}",
                document_number=f"F-{number}",
                lines=[Line("613", debit=Decimal("10.00")), Line("512", credit=Decimal("10.00"))],
            )
    client = client_for(boss)

    first = text_of(client.get("/comptabilite/grand-livre/613/"))
    assert first.count("Frais ") == 100 and "Report des pages précédentes" not in first
    assert "Page 1 sur 2" in first and "1\u202f300,00" in first  # the period's total stays whole

    second = text_of(client.get("/comptabilite/grand-livre/613/?page=2"))
    assert second.count("Frais ") == 30
    brought = second.split('id="brought-forward"')[1].split("</tr>")[0]
    assert "1\u202f000,00" in brought  # 100 lines of 10,00 before this page
