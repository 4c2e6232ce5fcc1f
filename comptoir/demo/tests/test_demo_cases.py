"""The demo holds every case the invoicing and returns pages know about, even when it is small.

One small demo is seeded once for the module (in a transaction rolled back at the end); each test reads
one case from it.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from stdnum.eu import vat as eu_vat

from comptoir.accounting import chart
from comptoir.accounting import selectors as ledger_view
from comptoir.billing.models import DepositDeduction, Invoice, InvoiceLine, InvoiceTax
from comptoir.billing.services import issue_invoice
from comptoir.core import integrity, money
from comptoir.core.errors import DomainError
from comptoir.core.models import AuditEvent
from comptoir.demo.generator import SUMMARY, seed_demo
from comptoir.parties.models import Customer, VatRegime
from comptoir.payments import selectors as payment_view
from comptoir.payments.models import CreditApplication, PaymentAllocation, Refund, VatRelease
from comptoir.returns import selectors as returns_view
from comptoir.returns.models import Reason, Resolution, ReturnCase, ReturnReceiptLine
from comptoir.sales.models import BillingMilestone
from comptoir.stock.models import Delivery

pytestmark = pytest.mark.django_db
CASES = {"months": 4, "customers": 12, "products": 24, "seed": 42}
ISSUED = Invoice.Status.ISSUED


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=hashers), transaction.atomic():
        result = seed_demo(**CASES)
        yield result
        transaction.set_rollback(True)


def _taxes_by_invoice(**filters) -> dict[int, set[tuple[str, Decimal]]]:
    taxes = defaultdict(set)
    for invoice_id, category, rate in InvoiceTax.objects.filter(
        invoice__status=ISSUED, **filters
    ).values_list("invoice_id", "category", "vat_rate"):
        taxes[invoice_id].add((category, rate))
    return taxes


def _paid(invoice: Invoice) -> bool:
    return payment_view.invoice_payment_state(invoice).status == payment_view.PAID


# --- Invoicing ------------------------------------------------------------------------------------


def test_one_invoice_bills_every_french_vat_rate_and_an_exempt_training_day(demo):
    every_rate = {("S", Decimal(rate)) for rate in ("20.00", "10.00", "5.50", "2.10")} | {("E", Decimal("0"))}

    showcase = [pk for pk, rows in _taxes_by_invoice(invoice__kind="invoice").items() if every_rate <= rows]

    assert showcase
    exempt = InvoiceTax.objects.get(invoice_id=showcase[0], category="E")
    assert "261-4-4° a du CGI" in exempt.exemption_reason and exempt.amount == 0


def test_some_invoice_lines_are_discounted(demo):
    assert InvoiceLine.objects.filter(invoice__status=ISSUED, discount_percent__gt=0).exists()


def test_the_eu_business_is_invoiced_with_reverse_charge_and_intra_eu_supply(demo):
    customer = Customer.objects.get(vat_regime=VatRegime.EU)
    assert eu_vat.is_valid(customer.vat_number) and customer.country == customer.vat_number[:2] != "FR"

    taxes = _taxes_by_invoice(invoice__customer=customer)

    assert any(("AE", Decimal("0")) in rows for rows in taxes.values())
    assert any(("K", Decimal("0")) in rows for rows in taxes.values())
    assert all(inv.buyer_vat_number == customer.vat_number for inv in Invoice.objects.filter(pk__in=taxes))


def test_the_export_customer_is_invoiced_without_french_vat(demo):
    customer = Customer.objects.get(vat_regime=VatRegime.EXPORT)

    taxes = _taxes_by_invoice(invoice__customer=customer)

    assert taxes and all(rows == {("G", Decimal("0"))} for rows in taxes.values())


def test_a_service_invoice_paid_in_two_goes_moves_its_vat_from_44574_to_44571(demo):
    pending = {
        row["invoice_id"]: row["amount_on_receipts"]
        for row in InvoiceTax.objects.filter(
            invoice__status=ISSUED, invoice__kind="invoice", amount_on_receipts__gt=0
        ).values("invoice_id", "amount_on_receipts")
    }
    payments = defaultdict(int)
    for invoice_id in PaymentAllocation.objects.filter(invoice_id__in=pending).values_list(
        "invoice_id", flat=True
    ):
        payments[invoice_id] += 1

    in_two_goes = [pk for pk, n in payments.items() if n >= 2 and _paid(Invoice.objects.get(pk=pk))]

    assert in_two_goes
    released = VatRelease.objects.filter(invoice_id=in_two_goes[0]).values_list("amount", flat=True)
    assert len(released) >= 2 and money.amount(sum(released)) == pending[in_two_goes[0]]


def test_a_deposit_is_invoiced_and_paid_then_deducted_from_the_final_invoice(demo):
    deductions = DepositDeduction.objects.filter(
        deposit__milestone__percent=30, invoice__status=ISSUED
    ).select_related("deposit", "invoice")

    deduction = next((d for d in deductions if _paid(d.deposit)), None)

    assert deduction is not None
    deposit, final = deduction.deposit, deduction.invoice
    assert deposit.kind == Invoice.Kind.DEPOSIT and deposit.total_untaxed == money.amount(
        deposit.order.total_untaxed * Decimal("0.3")
    )
    assert final.order_id == deposit.order_id and final.date >= deposit.date
    assert final.deposits_deducted == deposit.total
    assert final.amount_payable == final.total - deposit.total


def test_an_order_is_billed_by_milestones_at_order_delivery_and_acceptance(demo):
    acceptance = BillingMilestone.objects.get(trigger=BillingMilestone.Trigger.ACCEPTANCE)
    order = acceptance.order
    steps = list(order.milestones.all())
    assert [(m.trigger, m.percent) for m in steps] == [
        ("confirmation", Decimal("30.00")),
        ("delivery", Decimal("40.00")),
        ("acceptance", Decimal("30.00")),
    ]

    invoices = list(Invoice.objects.filter(order=order, status=ISSUED).order_by("date", "number"))

    assert [inv.milestone_id for inv in invoices] == [m.pk for m in steps]
    assert sum(inv.total_untaxed for inv in invoices) == order.total_untaxed
    assert acceptance.reached_at is not None


def test_a_commercial_gesture_is_a_credit_note_with_its_category_booked_on_709(demo):
    gesture = Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE, status=ISSUED).exclude(
        gesture_category=""
    )

    note = gesture.first()

    assert note is not None and note.source_reference == "" and note.corrects.status == ISSUED
    assert {line.account_code for line in note.lines.all()} == {chart.DISCOUNTS_GRANTED}


# --- Returns ----------------------------------------------------------------------------------------


def test_return_cases_cover_every_reason_and_are_spread_over_the_period(demo):
    cases = ReturnCase.objects.all()

    assert {c.reason for c in cases} >= {
        Reason.DAMAGED,
        Reason.SHORT_SHIPMENT,
        Reason.WRONG_REFERENCE,
        Reason.QUALITY,
        Reason.WRONG_PRICE,
        Reason.LATE_DELIVERY,
    }
    assert len({c.opened_at.date().replace(day=1) for c in cases}) >= 3
    assert cases.filter(status=ReturnCase.Status.CLOSED).count() > cases.count() / 2


def test_some_claims_are_rejected_and_one_is_refused_after_inspection(demo):
    rejected = AuditEvent.objects.filter(action="return.rejected").values_list("object_id", flat=True)
    assert ReturnCase.objects.filter(pk__in=[int(pk) for pk in rejected]).exists()

    refusal = Resolution.objects.get(kind=Resolution.Kind.REFUSAL)

    assert refusal.case.receipts.filter(
        lines__disposition=ReturnReceiptLine.Disposition.BACK_TO_STOCK
    ).exists()


def test_goods_sent_back_return_to_stock_or_are_scrapped_as_a_loss(demo):
    lines = ReturnReceiptLine.objects.select_related("receipt")

    assert lines.filter(disposition=ReturnReceiptLine.Disposition.BACK_TO_STOCK).exists()
    scrapped = lines.filter(disposition=ReturnReceiptLine.Disposition.SCRAP).first()
    assert scrapped is not None and scrapped.receipt.loss_entry is not None


def test_case_credit_notes_are_issued_and_deducted_applied_to_another_invoice_or_refunded(demo):
    resolutions = Resolution.objects.filter(kind=Resolution.Kind.CREDIT_NOTE).select_related(
        "credit_note", "case"
    )
    assert resolutions and all(
        r.credit_note.status == ISSUED and r.credit_note.source_reference == r.case.number
        for r in resolutions
    )
    notes = [r.credit_note for r in resolutions]

    applications = CreditApplication.objects.filter(credit_note__in=notes).select_related("credit_note")

    assert any(a.invoice_id == a.credit_note.corrects_id for a in applications)
    assert any(a.invoice_id != a.credit_note.corrects_id for a in applications)
    assert Refund.objects.filter(credit_note__in=notes).exists()


def test_cases_are_also_resolved_by_replacement_and_by_re_invoicing_a_surplus(demo):
    replacement = Resolution.objects.filter(kind=Resolution.Kind.REPLACEMENT).first()
    assert replacement is not None and replacement.replacement.kind == Delivery.Kind.REPLACEMENT

    reinvoice = Resolution.objects.get(kind=Resolution.Kind.REINVOICE)

    assert reinvoice.case.reason == Reason.SURPLUS and reinvoice.invoice.status == ISSUED


def test_the_dispute_board_has_open_cases_one_of_them_late_on_its_sla(demo):
    summary = returns_view.board_summary()

    assert summary.by_status.get(ReturnCase.Status.SUBMITTED, 0) >= 2
    assert summary.by_status.get(ReturnCase.Status.APPROVED, 0) >= 2
    assert summary.by_status.get(ReturnCase.Status.GOODS_RECEIVED, 0) >= 1
    assert summary.overdue >= 1
    awaiting_goods = ReturnCase.objects.filter(
        status=ReturnCase.Status.APPROVED,
        reason__in=[Reason.DAMAGED, Reason.WRONG_REFERENCE, Reason.QUALITY],
        receipts__isnull=True,
    )
    assert awaiting_goods.exists()


def test_a_draft_invoice_waits_for_the_open_discrepancy_on_its_delivery(demo, django_user_model):
    (draft,) = Invoice.objects.filter(
        status=Invoice.Status.DRAFT, lines__delivery_line__delivery__invoicing_blocked=True
    ).distinct()
    delivery = draft.lines.first().delivery_line.delivery
    assert delivery.return_cases.filter(status__in=ReturnCase.OPEN_STATUSES).exists()

    with pytest.raises(DomainError) as refused:
        issue_invoice(draft, by=django_user_model.objects.get(username="compta"))

    assert refused.value.code == "delivery_invoicing_blocked"


# --- The whole -------------------------------------------------------------------------------------


def test_the_books_balance_and_the_audit_chain_verifies(demo):
    balance = ledger_view.trial_balance()
    # SQLite sums decimals as floats: compare to the cent.
    assert money.amount(balance.total_debit) == money.amount(balance.total_credit) > 0

    report = integrity.verify()  # the chain, and every document against its events

    assert report.ok, [str(problem) for problem in report.problems]


def test_the_services_were_told_the_day_of_the_story_and_the_real_clock_is_back(demo):
    times = list(AuditEvent.objects.order_by("seq").values_list("at", flat=True))
    invoice = Invoice.objects.filter(status=ISSUED).order_by("date", "number").first()
    case = ReturnCase.objects.order_by("opened_at").first()

    # Each fact is stamped on the day it happened in the story, in the order it happened.
    assert times == sorted(times)
    assert timezone.localtime(invoice.issued_at).date() == invoice.date
    assert timezone.localdate(case.opened_at) < timezone.localdate() - datetime.timedelta(days=60)
    assert timezone.datetime is datetime.datetime


def test_the_summary_counts_cases_credit_notes_and_deposits(demo):
    keys = {key for key, _, _ in SUMMARY}
    for key in (
        "dossiers de retour",
        "avoirs",
        "gestes commerciaux",
        "factures d'acompte",
        "acomptes déduits",
    ):
        assert key in keys and demo.counts[key] > 0, key
    assert demo.counts["dossiers de retour"] == ReturnCase.objects.count()
    assert (
        demo.counts["avoirs"] == Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE, status=ISSUED).count()
    )
    assert "dossiers de retour" in demo.summary


@pytest.mark.slow
def test_every_issued_document_of_the_demo_is_valid_and_says_the_same_everywhere(demo):
    # The archived CII, the Factur-X PDF (embedded XML and printed totals) and the ledger agree to the
    # cent, and the official validators (XSD, EN 16931 and Factur-X Schematron, BR-FR) accept every one.
    from comptoir.billing.conformity import check_issued

    kinds = set(Invoice.objects.filter(status=ISSUED).values_list("kind", flat=True))
    assert kinds == set(Invoice.Kind.values)
    checked, found = check_issued(validate=True)
    assert checked == Invoice.objects.filter(status=ISSUED).count()
    assert [str(d) for d in found] == []


# --- Real profitability (#22) ---------------------------------------------------------------------


def test_the_best_revenue_customer_loses_money_once_its_costs_of_service_are_counted(demo):
    import datetime

    from comptoir.aftersales.models import Ticket, TimeEntry
    from comptoir.core import dates
    from comptoir.insights import real_margin
    from comptoir.insights import selectors as margin_view
    from comptoir.parties.models import Customer

    today = dates.today()
    year_ago = today - datetime.timedelta(days=365)
    french = set(Customer.objects.filter(country="FR").values_list("pk", flat=True))
    best = next(
        row
        for row in margin_view.margins_by("customer", date_from=year_ago, date_to=today)
        if row.key in french
    )
    star = Customer.objects.get(pk=best.key)
    result = real_margin.customer_waterfall(star, date_from=year_ago, date_to=today)
    assert result.sales_view.margin > 0 and result.real_margin < 0
    assert Ticket.objects.filter(customer=star).count() >= 5
    assert TimeEntry.objects.filter(customer=star, activity="project").exists()
    assert result.step("logistics").details and result.step("aftersales").amount < 0


def test_a_customer_whose_orders_slowed_is_flagged_and_the_star_looks_good_but_loses_money(demo):
    import datetime

    from comptoir.assistant.models import Proposal
    from comptoir.core import dates
    from comptoir.insights import selectors as margin_view
    from comptoir.insights import watch
    from comptoir.parties.models import Customer

    today = dates.today()
    flagged = {a.customer_id: a for a in watch.customers_at_risk(today).at_risk}
    slowed = [a for a in flagged.values() if any(r.signal == "rhythm" for r in a.reasons)]
    assert slowed, "no customer flagged for orders that slowed"
    follow_ups = Proposal.objects.filter(kind="open_price_review", status="open")
    assert {p.customer_id for p in follow_ups} >= {a.customer_id for a in slowed}

    year_ago = today - datetime.timedelta(days=365)
    french = set(Customer.objects.filter(country="FR").values_list("pk", flat=True))
    star = next(
        row.key
        for row in margin_view.margins_by("customer", date_from=year_ago, date_to=today)
        if row.key in french
    )
    losing = watch.rankings(date_from=year_ago, date_to=today).looks_good_loses_money
    assert star in [row.customer_id for row in losing]
    # The assistant proposes to review its price list
    assert follow_ups.filter(customer_id=star, payload__review_kind="price_list").exists()
