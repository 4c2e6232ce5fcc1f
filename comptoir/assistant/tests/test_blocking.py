"""An invoice with blocking findings is not issued, unless someone allowed overrides them in writing."""

from decimal import Decimal

import pytest

from comptoir.assistant import blocking
from comptoir.assistant.models import FindingOverride
from comptoir.assistant.services import override_blocking
from comptoir.assistant.tests.factories import draft, edit_draft_line, ship, sold, stock
from comptoir.billing.models import Invoice
from comptoir.billing.services import create_credit_note, issue_invoice
from comptoir.catalog.services import update_product
from comptoir.core.errors import DomainError, PermissionDenied
from comptoir.core.models import AuditEvent
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def overbilled(boss, company, customer, product):
    """A draft billing 12 drills where the delivery note shipped 10."""
    stock(boss, product)
    order = sold(boss, customer, (product, "12"))
    delivery = ship(boss, order, (product, "10"))
    invoice = draft(boss, order)
    edit_draft_line(invoice.lines.get(), quantity=Decimal("12"))
    return invoice, delivery


@pytest.fixture
def accountant(db):
    return make_user("compta", Role.COMPTABILITE)


def test_issuing_a_draft_with_a_blocking_finding_is_refused_with_the_finding(boss, overbilled):
    invoice, delivery = overbilled

    with pytest.raises(DomainError) as refused:
        issue_invoice(invoice, by=boss)

    assert refused.value.code == "invoice_blocked_by_findings"
    assert refused.value.status == 409
    assert (
        f"facture 12 unités de REF-88 alors que le {delivery.number} n'en a livré que 10."
        in refused.value.message
    )
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.DRAFT and invoice.number is None


def test_an_accountant_overrides_with_a_reason_and_the_invoice_is_issued(accountant, overbilled):
    invoice, _ = overbilled

    override = override_blocking(
        invoice, by=accountant, reason="Les 2 unités partent demain, accord du client."
    )
    issued = issue_invoice(invoice, by=accountant)

    assert override.codes == ["invoice_qty_exceeds_delivered"]
    assert issued.status == Invoice.Status.ISSUED and issued.number.startswith("FA-")
    event = AuditEvent.objects.get(action="assistant.override")
    assert event.actor == accountant and event.object_id == str(invoice.pk)
    assert event.data["reason"] == "Les 2 unités partent demain, accord du client."
    assert event.data["codes"] == ["invoice_qty_exceeds_delivered"]


def test_direction_and_admin_may_override_too(boss, admin_user, overbilled):
    invoice, _ = overbilled

    override_blocking(invoice, by=boss, reason="Décision de la direction.")
    override_blocking(invoice, by=admin_user, reason="Confirmé par l'administrateur.")

    assert FindingOverride.objects.filter(invoice=invoice).count() == 2


def test_sales_administration_may_not_override(overbilled):
    invoice, _ = overbilled
    adv = make_user("adv", Role.ADV)

    with pytest.raises(PermissionDenied) as refused:
        override_blocking(invoice, by=adv, reason="Je pense que c'est bon.")

    assert refused.value.code == "permission_denied"
    assert not FindingOverride.objects.exists()
    assert not AuditEvent.objects.filter(action="assistant.override").exists()


def test_an_override_needs_a_written_reason(accountant, overbilled):
    invoice, _ = overbilled

    with pytest.raises(DomainError) as refused:
        override_blocking(invoice, by=accountant, reason="   ")

    assert refused.value.code == "override_reason_required"


def test_there_is_nothing_to_override_on_a_clean_draft(accountant, boss, company, customer, product):
    stock(boss, product)
    order = sold(boss, customer, (product, "10"))
    ship(boss, order)
    invoice = draft(boss, order)

    with pytest.raises(DomainError) as refused:
        override_blocking(invoice, by=accountant, reason="Par précaution.")

    assert refused.value.code == "nothing_to_override"
    assert issue_invoice(invoice, by=accountant).status == Invoice.Status.ISSUED


def test_a_blocking_finding_that_appears_after_the_override_blocks_again(
    accountant, boss, overbilled, product
):
    invoice, _ = overbilled
    override_blocking(invoice, by=accountant, reason="Les 2 unités partent demain.")
    update_product(product, by=boss, vat_rate="5.50")

    with pytest.raises(DomainError) as refused:
        issue_invoice(invoice, by=accountant)

    assert refused.value.code == "invoice_blocked_by_findings"
    assert "TVA" in refused.value.message


def test_credit_notes_are_not_held_by_the_gate(accountant, boss, company, customer, product):
    stock(boss, product)
    order = sold(boss, customer, (product, "10"))
    ship(boss, order)
    invoice = draft(boss, order)
    invoice = issue_invoice(invoice, by=accountant)
    # The product's rate changed since: the credit note still takes back the VAT the invoice charged.
    update_product(product, by=boss, vat_rate="5.50")
    note = create_credit_note(
        invoice,
        [{"invoice_line": invoice.lines.get(), "quantity": "1"}],
        by=boss,
        reason="Geste",
        gesture_category="commercial",
    )

    assert issue_invoice(note, by=accountant).status == Invoice.Status.ISSUED


def test_the_gate_costs_one_query_on_a_clean_draft(
    boss, company, customer, product, django_assert_num_queries
):
    stock(boss, product)
    order = sold(boss, customer, (product, "10"))
    ship(boss, order)
    invoice = draft(boss, order)
    invoice = Invoice.objects.select_related("customer", "order").get(pk=invoice.pk)
    lines = list(invoice.lines.select_related("product", "delivery_line__delivery"))

    with django_assert_num_queries(1):
        blocking.refuse_if_blocked(invoice, lines)
