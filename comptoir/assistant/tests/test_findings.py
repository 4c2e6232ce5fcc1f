"""Every finding explains itself; snapshots are read in a fixed number of queries; the gate at issue
and the findings of a document agree on what blocks."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comptoir.assistant import blocking, checks, snapshots
from comptoir.assistant.findings import Evidence, Finding, Severity
from comptoir.assistant.tests.factories import (
    copy_as_draft,
    draft,
    edit_draft_line,
    invoice_findings,
    issued,
    order_findings,
    ship,
    sold,
    stock,
)
from comptoir.billing.models import Invoice
from comptoir.billing.services import create_credit_note
from comptoir.catalog.services import update_product
from comptoir.core.testing import colleague_of, make_product
from comptoir.payments.services import register_payment
from comptoir.returns.services import approve_case, open_case, submit_case
from comptoir.sales.models import Order

pytestmark = pytest.mark.django_db


@pytest.fixture
def messy_books(boss, company, customer, product, service_product):
    """A customer whose documents hold most kinds of inconsistency at once."""
    other = make_product(boss, sku="REF-77", name="Scie sauteuse", sale_price="80.00")
    stock(boss, product, other)
    short = sold(boss, customer, (product, "12"), (other, "4"), (service_product, "1"))
    delivery = ship(boss, short, (product, "10"), (other, "4"))
    first = issued(boss, short)
    copy_as_draft(first)  # billed twice, and a duplicate
    case = open_case(
        delivery,
        [{"delivery_line": delivery.lines.get(product=other), "quantity": "1"}],
        by=boss,
        reason="damaged",
    )
    approve_case(submit_case(case, by=boss), by=colleague_of(boss))
    beyond_case = create_credit_note(
        first,
        [{"invoice_line": first.lines.get(product=other), "quantity": "1"}],
        by=boss,
        reason="Casse",
        source_reference=case.number,
    )
    edit_draft_line(beyond_case.lines.get(), quantity=Decimal("3"))  # credits more than the case
    edited = sold(boss, customer, (product, "5"), (other, "2"))
    ship(boss, edited)
    overbilled = draft(boss, edited)
    edit_draft_line(overbilled.lines.get(product=product), quantity=Decimal("6"), unit_price=Decimal("99"))
    overbilled.lines.get(product=other).delete()
    update_product(other, by=boss, vat_rate="10.00")
    waiting = sold(boss, customer, (other, "1"))
    ship(boss, waiting)
    register_payment(customer, amount="12.34", method="cheque", by=boss)
    return customer


def test_no_finding_anywhere_has_an_empty_message_or_evidence(messy_books):
    findings = []
    for order in Order.objects.filter(customer=messy_books):
        findings += order_findings(order)
    for invoice in Invoice.objects.filter(customer=messy_books):
        findings += invoice_findings(invoice)

    assert len({finding.code for finding in findings}) >= 8
    for finding in findings:
        assert finding.message.strip() and finding.message.rstrip().endswith("."), finding
        assert finding.evidence, finding
        assert all(item.document and item.kind for item in finding.evidence), finding
        assert finding.severity in (Severity.INFO, Severity.WARNING, Severity.BLOCKING)
        if finding.proposal is not None:
            assert finding.proposal.rationale.strip()
        json.dumps(finding.as_dict())  # what the API will serve


def test_a_finding_without_a_message_or_evidence_cannot_be_made():
    evidence = (Evidence("invoice", "FA-2026-00001"),)
    with pytest.raises(ValueError):
        Finding("some_code", Severity.WARNING, "  ", evidence)
    with pytest.raises(ValueError):
        Finding("some_code", Severity.WARNING, "Un constat.", ())


def test_the_gate_and_the_invoice_findings_agree_on_what_blocks(messy_books):
    for invoice in Invoice.objects.filter(customer=messy_books, status=Invoice.Status.DRAFT).exclude(
        kind=Invoice.Kind.CREDIT_NOTE
    ):
        full = {f.code for f in invoice_findings(invoice) if f.is_blocking}
        row = Invoice.objects.select_related("customer", "order").get(pk=invoice.pk)
        lines = list(row.lines.select_related("product", "delivery_line__delivery"))
        lean = {f.code for f in blocking.blocking_findings(row, lines)}
        assert full == lean and full, invoice


def test_every_check_is_registered_once():
    assert len(checks.CHECKS) == len(set(checks.CHECKS)) >= 10
    assert set(checks.ISSUE_CHECKS) <= set(checks.CHECKS)


def _queries(order) -> int:
    with CaptureQueriesContext(connection) as captured:
        snapshots.chain_for_order(order)
    return len(captured)


def test_an_order_snapshot_takes_the_same_queries_whatever_its_size(
    boss, company, customer, product, service_product
):
    others = [make_product(boss, sku=f"REF-{n}", name=f"Article {n}", sale_price="10") for n in range(6)]
    stock(boss, product, *others)
    small = sold(boss, customer, (product, "1"))
    ship(boss, small)
    issued(boss, small)
    large = sold(boss, customer, *((p, "3") for p in others), (service_product, "2"))
    ship(boss, large, *((p, "1") for p in others))
    issued(boss, large)
    ship(boss, large)
    draft(boss, large)

    assert _queries(large) == _queries(small) <= 12


def test_a_cancelled_draft_has_no_findings(boss, company, customer, product):
    from comptoir.billing.services import cancel_draft_invoice

    stock(boss, product)
    order = sold(boss, customer, (product, "10"))
    ship(boss, order)
    invoice = copy_as_draft(issued(boss, order))
    assert invoice_findings(invoice)

    cancel_draft_invoice(invoice, by=boss)

    assert invoice_findings(invoice) == []
