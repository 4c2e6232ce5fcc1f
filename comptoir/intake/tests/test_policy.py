"""The intake policy: off by default; direction turns it on (audited); then a structured order from a
customer known by an identifier, every check passing, becomes a draft order by itself (audited on the
document); anything less waits for a person."""

import pytest

from comptoir.core.errors import PermissionDenied
from comptoir.core.models import AuditEvent
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.intake import policy, services
from comptoir.intake.models import InboundDocument, IntakePolicy
from comptoir.intake.tests.conftest import fixture
from comptoir.web.tests.clients import client_for, text_of

pytestmark = pytest.mark.django_db
Status = InboundDocument.Status


@pytest.fixture
def stocked(boss, catalogue):
    """Enough stock, so that the stock check passes."""
    from comptoir.stock.services import receive_stock

    receive_stock(
        [{"product": product, "quantity": "500", "unit_cost": "1"} for product in catalogue.values()], by=boss
    )
    return catalogue


def receive(content, by, name="commande.xml"):
    return services.receive(content, name=name, channel="upload", by=by)[0]


def test_off_by_default_every_order_waits_for_a_person(boss, brasserie, stocked):
    assert IntakePolicy.current().auto_accept is False
    document = receive(fixture("order-x.xml"), boss)
    assert document.status == Status.TO_REVIEW and document.order is None


def test_on_a_clean_structured_order_from_a_known_customer_becomes_a_draft_order_audited(
    boss, brasserie, stocked
):
    policy.update_policy(by=boss, auto_accept=True)
    event = AuditEvent.objects.get(action="intake.policy_updated")
    assert event.data["auto_accept"] == {"before": False, "after": True}

    document = receive(fixture("order-x.xml"), boss)

    assert document.checks == []
    assert (document.status, document.auto_accepted) == (Status.ACCEPTED, True)
    assert document.order.customer == brasserie and document.order.customer_reference == "PO-2026-0412"
    used = AuditEvent.objects.get(action="intake.auto_accepted")
    assert used.object_id == str(document.pk) and used.data["order"] == document.order.number


def test_a_check_that_does_not_pass_leaves_the_order_to_review(boss, brasserie, catalogue):
    policy.update_policy(by=boss, auto_accept=True)
    document = receive(fixture("order-x.xml"), boss)  # no stock: the stock check warns
    assert {check["code"] for check in document.checks} == {"stock_short"}
    assert document.status == Status.TO_REVIEW
    assert not AuditEvent.objects.filter(action="intake.auto_accepted").exists()


def test_a_spreadsheet_is_not_structured_enough_to_be_accepted_alone(boss, brasserie, stocked):
    policy.update_policy(by=boss, auto_accept=True)
    document = receive(fixture("order-form.csv"), boss, "bon.csv")
    assert document.status == Status.TO_REVIEW


def test_only_direction_sets_the_policy(boss, db):
    adv = make_user("claire", Role.ADV)
    with pytest.raises(PermissionDenied):
        policy.update_policy(by=adv, auto_accept=True)
    assert IntakePolicy.current().auto_accept is False


def test_the_queue_page_shows_the_policy_and_lets_direction_switch_it(boss, company):
    client = client_for(boss)
    assert "Désactivée : chaque commande reçue attend une vérification." in text_of(
        client.get("/commandes-recues/")
    )
    page = client.post("/commandes-recues/politique/", {"auto_accept": "1"}, follow=True)
    assert "Acceptation automatique activée." in text_of(page)
    assert IntakePolicy.current().auto_accept is True
    adv_page = text_of(client_for(make_user("claire", Role.ADV)).get("/commandes-recues/"))
    assert "Activée : une commande structurée" in adv_page and "intake-policy-toggle" not in adv_page
