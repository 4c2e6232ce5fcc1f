"""The assistant's findings on the invoice and order pages, and overriding a blocked draft by form post."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comptoir.assistant.models import FindingOverride
from comptoir.assistant.tests.factories import draft, edit_draft_line, ship, sold, stock
from comptoir.billing.models import Invoice
from comptoir.core.models import AuditEvent
from comptoir.core.permissions import Role
from comptoir.core.testing import make_product, make_user
from comptoir.web.tests.clients import client_for, messages_of

pytestmark = pytest.mark.django_db

OVERRIDE_LABEL = "Passer outre (motif obligatoire)"
TODAY = timezone.localdate().isoformat()


def text_of(response) -> str:
    return response.content.decode()


@pytest.fixture
def overbilled(boss, company, customer, product):
    """A draft billing 12 drills where the delivery note shipped 10 (a blocking finding)."""
    stock(boss, product)
    order = sold(boss, customer, (product, "12"))
    delivery = ship(boss, order, (product, "10"))
    invoice = draft(boss, order)
    edit_draft_line(invoice.lines.get(), quantity=Decimal("12"))
    return invoice, delivery


@pytest.fixture
def accountant(db):
    return make_user("compta", Role.COMPTABILITE)


@pytest.fixture
def adv(db):
    return make_user("adv", Role.ADV)


def _sentence(delivery) -> str:
    return f"alors que le {delivery.number} n&#x27;en a livré que 10."


def test_the_invoice_page_shows_the_blocking_finding_with_its_evidence(boss, overbilled):
    invoice, delivery = overbilled

    response = client_for(boss).get(f"/factures/{invoice.pk}/")

    assert response.status_code == 200
    page = text_of(response)
    assert "Contrôles de cohérence" in page
    assert "Bloquant" in page
    assert _sentence(delivery) in page
    assert delivery.number in page and "livré" in page
    assert response.context["findings"][0]["code"] == "invoice_qty_exceeds_delivered"


def test_the_order_page_shows_the_findings_of_its_cycle(boss, overbilled):
    invoice, delivery = overbilled

    response = client_for(boss).get(f"/commandes/{invoice.order_id}/")

    assert response.status_code == 200
    assert "Contrôles de cohérence" in text_of(response)
    assert _sentence(delivery) in text_of(response)
    assert OVERRIDE_LABEL not in text_of(response)


def test_a_consistent_chain_says_no_inconsistency_was_found(boss, company, customer, product):
    stock(boss, product)
    order = sold(boss, customer, (product, "2"))
    ship(boss, order)
    invoice = draft(boss, order)
    client = client_for(boss)

    invoice_page = client.get(f"/factures/{invoice.pk}/")
    order_page = client.get(f"/commandes/{order.pk}/")

    assert invoice_page.context["findings"] == [] and order_page.context["findings"] == []
    assert "Aucune incohérence détectée." in text_of(invoice_page)
    assert "Aucune incohérence détectée." in text_of(order_page)
    assert OVERRIDE_LABEL not in text_of(invoice_page)


@pytest.mark.parametrize("role", [Role.COMPTABILITE, Role.DIRECTION])
def test_accounting_and_direction_override_a_blocked_draft_then_issue_it(role, overbilled):
    invoice, _ = overbilled
    client = client_for(make_user(f"user_{role}", role))
    assert OVERRIDE_LABEL in text_of(client.get(f"/factures/{invoice.pk}/"))

    response = client.post(
        f"/factures/{invoice.pk}/passer-outre/", {"reason": "Les 2 unités partent demain."}, follow=True
    )

    assert response.redirect_chain[-1][0] == f"/factures/{invoice.pk}/"
    assert any(message.startswith("Blocage levé") for message in messages_of(response))
    override = FindingOverride.objects.get(invoice=invoice)
    assert override.reason == "Les 2 unités partent demain."
    assert AuditEvent.objects.filter(action="assistant.override", object_id=str(invoice.pk)).exists()
    issued = client.post(
        f"/factures/{invoice.pk}/emettre/",
        {"date": TODAY},
        follow=True,
    )
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.ISSUED, messages_of(issued)


def test_the_override_form_is_absent_for_sales_administration_and_its_post_is_refused(adv, overbilled):
    invoice, _ = overbilled
    client = client_for(adv)

    page = client.get(f"/factures/{invoice.pk}/")
    response = client.post(f"/factures/{invoice.pk}/passer-outre/", {"reason": "Urgent."}, follow=True)

    assert "Contrôles de cohérence" in text_of(page) and OVERRIDE_LABEL not in text_of(page)
    assert response.status_code == 200
    assert messages_of(response) and "passer outre un constat bloquant" in messages_of(response)[0]
    assert not FindingOverride.objects.exists()


def test_an_override_without_a_reason_is_refused_in_french(accountant, overbilled):
    invoice, _ = overbilled

    response = client_for(accountant).post(
        f"/factures/{invoice.pk}/passer-outre/", {"reason": "  "}, follow=True
    )

    assert messages_of(response) == [
        f"Indiquez par écrit pourquoi la facture brouillon n° {invoice.pk} peut être émise malgré ses "
        "constats bloquants."
    ]
    assert not FindingOverride.objects.exists()


def test_the_override_form_disappears_once_the_invoice_is_issued(accountant, overbilled):
    invoice, _ = overbilled
    client = client_for(accountant)
    client.post(f"/factures/{invoice.pk}/passer-outre/", {"reason": "Accord du client."})
    client.post(f"/factures/{invoice.pk}/emettre/", {"date": TODAY})

    page = client.get(f"/factures/{invoice.pk}/")

    assert OVERRIDE_LABEL not in text_of(page)


def test_the_override_url_only_takes_posts(accountant, overbilled):
    invoice, _ = overbilled

    assert client_for(accountant).get(f"/factures/{invoice.pk}/passer-outre/").status_code == 405


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_findings_cost_a_bounded_number_of_queries(boss, customer, product, overbilled):
    invoice, _ = overbilled
    client = client_for(boss)
    invoice_few = _queries(client, f"/factures/{invoice.pk}/")
    order_few = _queries(client, f"/commandes/{invoice.order_id}/")
    # The same customer's chain grows: more products, orders, deliveries and invoices.
    for index in range(5):
        other = make_product(boss, sku=f"REF-{index}", name=f"Article {index}", sale_price="10.00")
        stock(boss, other)
        order = sold(boss, customer, (other, "3"), (product, "1"))
        ship(boss, order)
        draft(boss, order)

    assert invoice_few <= 25 and order_few <= 40, (invoice_few, order_few)
    assert _queries(client, f"/factures/{invoice.pk}/") == invoice_few
    assert _queries(client, f"/commandes/{invoice.order_id}/") == order_few
