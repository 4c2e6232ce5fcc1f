"""#17 defect 1: a credit note entered directly in billing (not through the return case's resolution) that
cites the case counts on the case. The case shows it credited, the assistant no longer suggests replacing
goods already compensated, and approving a replacement proposed before the credit note is refused: the
customer is never compensated twice for the same goods."""

from decimal import Decimal

import pytest

from comptoir.assistant import returns_advice
from comptoir.assistant import selectors as assistant_view
from comptoir.assistant.models import Proposal
from comptoir.assistant.services import approve_proposal, run_agent
from comptoir.billing.services import create_credit_note, issue_invoice
from comptoir.core.errors import DomainError
from comptoir.core.testing import colleague_of
from comptoir.returns import selectors as returns_view
from comptoir.returns.models import Resolution
from comptoir.returns.services import approve_case, open_case, resolve_with_replacement, submit_case
from comptoir.returns.tests.factories import make_sale
from comptoir.stock.models import Delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def short_case(boss, company, customer, product):
    """10 drills sold, delivered and invoiced; the customer got 8: a case for 2 missing, approved."""
    sale = make_sale(boss, customer, product)
    case = open_case(
        sale.delivery,
        [{"delivery_line": sale.delivery_line, "quantity": "2"}],
        by=boss,
        reason="short_shipment",
    )
    case = approve_case(submit_case(case, by=boss), by=colleague_of(boss))
    return sale, case


def _credit_directly(boss, sale, case, quantity="2"):
    """What an accountant does in billing: a credit note of the invoice citing the case, issued."""
    note = create_credit_note(
        sale.invoice,
        [{"invoice_line": sale.invoice_line, "quantity": quantity}],
        by=boss,
        reason="Manquant au déballage",
        source_reference=case.number,
    )
    return issue_invoice(note, by=boss)


def test_a_credit_note_entered_in_billing_counts_on_the_case_it_cites(boss, short_case):
    sale, case = short_case
    _credit_directly(boss, sale, case)
    (progress,) = returns_view.line_progress(case)
    assert (progress.credited, progress.credited_amount, progress.open_quantity) == (
        Decimal("2"),
        Decimal("240.00"),
        Decimal("0"),
    )


def test_goods_credited_in_billing_are_not_replaced_again(boss, short_case):
    sale, case = short_case
    _credit_directly(boss, sale, case)
    with pytest.raises(DomainError) as refused:
        resolve_with_replacement(case, by=boss)
    assert refused.value.code == "return_nothing_left_to_settle", refused.value.message
    with pytest.raises(DomainError):
        resolve_with_replacement(case, [{"line": case.lines.get(), "quantity": "1"}], by=boss)
    assert not Delivery.objects.filter(kind=Delivery.Kind.REPLACEMENT).exists()


def test_part_credited_in_billing_leaves_only_the_rest_to_replace(boss, short_case):
    sale, case = short_case
    _credit_directly(boss, sale, case, quantity="1")
    resolution = resolve_with_replacement(case, by=boss)
    assert [line.quantity for line in resolution.lines.all()] == [Decimal("1")]


def test_the_assistant_suggests_no_replacement_for_goods_already_credited(boss, short_case):
    sale, case = short_case
    _credit_directly(boss, sale, case)
    (facts,) = assistant_view.case_facts([case]).values()
    assert [line.open_quantity for line in facts.lines] == [Decimal("0")]
    suggestion = returns_advice.suggest(facts)
    assert suggestion.kind == returns_advice.SETTLED
    run_agent(by=None)
    assert not Proposal.objects.filter(kind="resolve_return", status=Proposal.Status.OPEN).exists()


def test_a_replacement_proposed_before_the_credit_note_is_refused_on_approval(boss, short_case):
    sale, case = short_case
    run_agent(by=None)
    proposal = Proposal.objects.get(kind="resolve_return", status=Proposal.Status.OPEN)
    assert proposal.payload == {"case_id": case.pk, "resolution": "replacement"}
    _credit_directly(boss, sale, case)
    with pytest.raises(DomainError):
        approve_proposal(proposal, by=boss)
    assert not Resolution.objects.filter(case=case).exists()
    assert not Delivery.objects.filter(kind=Delivery.Kind.REPLACEMENT).exists()


def test_a_draft_credit_note_citing_the_case_holds_its_units_against_a_replacement(boss, short_case):
    sale, case = short_case
    create_credit_note(
        sale.invoice,
        [{"invoice_line": sale.invoice_line, "quantity": "2"}],
        by=boss,
        reason="Manquant au déballage",
        source_reference=case.number,
    )
    with pytest.raises(DomainError):
        resolve_with_replacement(case, by=boss)
    assert not Delivery.objects.filter(kind=Delivery.Kind.REPLACEMENT).exists()
