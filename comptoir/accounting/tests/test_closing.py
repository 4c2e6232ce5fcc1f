"""Year-end closing: the checklist holds the year back until its loose ends are tied (or direction forces
it, in writing); the result goes to 120/129, the next year opens with its à-nouveaux (customers item by
item, still lettered in the new year), the year is locked; reopening reverses, never deletes."""

import datetime
from decimal import Decimal

import pytest

from comptoir.accounting import closing, manual
from comptoir.accounting import services as ledger
from comptoir.accounting.fec import export_fec
from comptoir.accounting.fec_check import check_fec
from comptoir.accounting.models import (
    CarriedItem,
    EntryLine,
    FiscalYear,
    JournalEntry,
    OpenItem,
    ReconciledLine,
    YearClosing,
)
from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core import dates
from comptoir.core.errors import DomainError, PermissionDenied
from comptoir.core.models import AuditEvent
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.parties.services import configure_company
from comptoir.payments.selectors import possibly_unsettled
from comptoir.payments.services import register_payment
from comptoir.sales.services import confirm_order, create_order

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
ZERO = Decimal("0")


def _refused(code, call, *args, **kwargs):
    with pytest.raises(DomainError) as exc:
        call(*args, **kwargs)
    assert exc.value.code == code, exc.value.message
    return exc.value


@pytest.fixture
def accountant(company):
    return make_user("compta", Role.COMPTABILITE)


@pytest.fixture
def years(admin_user, company):
    """Last year (to close) and this year; documents may be dated back to last year."""
    configure_company(by=admin_user, backdating_days=800)
    current = ledger.fiscal_year_for(dates.today())
    previous = ledger.fiscal_year_for(current.start_date - DAY)
    return previous, current


def _in(year: FiscalYear, days: int) -> datetime.date:
    return min(year.start_date + days * DAY, dates.today())


def _invoice(boss, customer, service_product, day):
    order = confirm_order(
        create_order(customer, [{"product": service_product, "quantity": "1"}], by=boss, date=day), by=boss
    )
    return issue_invoice(create_invoice_from_order(order, by=boss), by=boss, date=day)


def _pay(boss, customer, invoice, day, amount=None):
    amount = amount or invoice.total
    return register_payment(
        customer,
        amount=amount,
        method="transfer",
        date=day,
        allocations=[{"invoice": invoice, "amount": amount}],
        by=boss,
    )


def _settle_vat(accountant, year):
    """The last VAT return's entry: what 44571 and 44566 hold goes to 44551 (to pay)."""
    sums = closing.balances(year.start_date, year.end_date)
    debit, credit, _lettered = sums.get("44571", (ZERO, ZERO, False))
    collected = credit - debit
    if not collected:
        return None
    lines = [{"account": "44571", "debit": str(collected)}, {"account": "44551", "credit": str(collected)}]
    return manual.post_manual_entry(
        manual.create_manual_entry(by=accountant, label="TVA de décembre", lines=lines, date=year.end_date),
        by=accountant,
    )


@pytest.fixture
def traded(years, boss, customer, service_product, accountant):
    """Last year: one invoice paid, one left unpaid (450 € HT each, VAT on receipts), VAT settled."""
    last, _current = years
    paid = _invoice(boss, customer, service_product, last.start_date + 40 * DAY)
    _pay(boss, customer, paid, last.start_date + 50 * DAY)
    unpaid = _invoice(boss, customer, service_product, last.end_date - 20 * DAY)
    _settle_vat(accountant, last)
    return paid, unpaid


def test_the_checklist_holds_the_year_back_until_the_vat_is_settled_and_drafts_are_posted(
    years, boss, customer, service_product, accountant
):
    last, _current = years
    paid = _invoice(boss, customer, service_product, last.start_date + 40 * DAY)
    _pay(boss, customer, paid, last.start_date + 50 * DAY)
    draft = manual.create_manual_entry(
        by=accountant,
        label="Attente",
        date=last.end_date,
        lines=[{"account": "471", "debit": "10.00"}, {"account": "512", "credit": "10.00"}],
    )
    codes = {item.code for item in closing.checklist(last) if item.blocking}
    assert codes == {"vat_not_settled", "manual_entries_draft"}
    error = _refused("closing_blocked", closing.close_fiscal_year, last, by=accountant)
    assert "TVA collectée 44571" in error.message
    manual.post_manual_entry(draft, by=accountant)
    _settle_vat(accountant, last)
    codes = {item.code for item in closing.checklist(last) if item.blocking}
    assert codes == {"suspense_balance"}
    # Accounting may not force a closing past the checklist; direction may, in writing.
    with pytest.raises(PermissionDenied):
        closing.close_fiscal_year(last, by=accountant, force_reason="Pressé")
    done = closing.close_fiscal_year(last, by=boss, force_reason="Le 471 sera soldé par l'expert-comptable")
    assert done.forced_reason == "Le 471 sera soldé par l'expert-comptable"
    event = AuditEvent.objects.get(action="accounting.fiscal_year_closed")
    assert event.data["forced"]["items"] == ["suspense_balance"]


def test_closing_carries_the_result_to_120_opens_the_next_year_and_locks_the_year(
    years, traded, boss, customer, accountant
):
    last, current = years
    paid, unpaid = traded
    done = closing.close_fiscal_year(last, by=accountant)
    # Result: the two services, 900 € HT of revenue, no expense.
    assert done.result == Decimal("900.00")
    cl = done.closing_entry
    assert (cl.journal.code, cl.date) == ("CL", last.end_date)
    assert sorted((line.account.code, line.debit, line.credit) for line in cl.lines.all()) == [
        ("120", ZERO, Decimal("900.00")),
        ("706", Decimal("900.00"), ZERO),
    ]
    an = done.opening_entry
    assert (an.journal.code, an.date) == ("AN", current.start_date)
    an_lines = {(line.account.code, line.partner_id): (line.debit, line.credit) for line in an.lines.all()}
    assert an_lines[("120", None)] == (ZERO, Decimal("900.00"))
    assert an_lines[("411", customer.pk)] == (unpaid.total, ZERO)
    assert an_lines[("512", None)] == (paid.total, ZERO)
    # The unpaid invoice's VAT still waits for the cash on 44574; what was collected is to pay.
    assert an_lines[("44574", None)] == (ZERO, unpaid.total_vat)
    assert an_lines[("44551", None)] == (ZERO, paid.total_vat)
    assert sum(d for d, _c in an_lines.values()) == sum(c for _d, c in an_lines.values())
    last.refresh_from_db()
    assert last.lock_date == last.end_date
    # The unpaid invoice is still unpaid, read through the AN line that carries it.
    [carried] = CarriedItem.objects.all()
    assert carried.origin.entry_id == unpaid.entry_id and carried.line.entry_id == an.pk
    assert OpenItem.objects.get(line=carried.line).entry_id == unpaid.entry_id
    assert not OpenItem.objects.filter(line=carried.origin).exists()
    assert list(possibly_unsettled(type(unpaid).objects.filter(pk__in=[paid.pk, unpaid.pk]))) == [unpaid]
    _refused("fiscal_year_already_closed", closing.close_fiscal_year, last, by=accountant)
    late = manual.create_manual_entry(
        by=accountant,
        label="Trop tard",
        date=last.end_date,
        lines=[{"account": "613", "debit": "1.00"}, {"account": "512", "credit": "1.00"}],
    )
    _refused("period_locked", manual.post_manual_entry, late, by=accountant)


def test_the_unpaid_invoice_paid_next_year_is_lettered_with_its_opening_line(
    years, traded, boss, customer, accountant
):
    last, current = years
    _paid, unpaid = traded
    done = closing.close_fiscal_year(last, by=accountant)
    carried = CarriedItem.objects.get()
    payment = _pay(boss, customer, unpaid, _in(current, 5))
    payment_line = EntryLine.objects.get(entry=payment.entry, account__code="411")
    letter = ReconciledLine.objects.get(line=carried.line).reconciliation
    assert set(letter.items.values_list("line_id", flat=True)) == {carried.line_id, payment_line.pk}
    assert not ReconciledLine.objects.filter(line=carried.origin).exists()
    assert not OpenItem.objects.filter(account__code="411").exists()
    # Reopening would undo a lettering: refused.
    _refused("reopen_opening_items_lettered", closing.reopen_fiscal_year, last, by=boss, reason="erreur")
    assert done.opening_entry.number.startswith("AN-")


def test_an_invoice_paid_in_january_before_the_closing_is_carried_but_not_left_open(
    years, traded, boss, customer, accountant
):
    last, current = years
    _paid, unpaid = traded
    _pay(boss, customer, unpaid, _in(current, 3))  # lettered with the year-1 line
    closing.close_fiscal_year(last, by=accountant)
    carried = CarriedItem.objects.get()
    assert carried.settled and carried.line.debit == unpaid.total
    assert not OpenItem.objects.filter(account__code="411").exists()


def test_reopening_is_direction_s_reverses_both_entries_and_gives_the_items_back(
    years, traded, boss, customer, accountant
):
    last, current = years
    _paid, unpaid = traded
    done = closing.close_fiscal_year(last, by=accountant)
    with pytest.raises(PermissionDenied):
        closing.reopen_fiscal_year(last, by=accountant, reason="erreur")
    _refused("reopen_reason_required", closing.reopen_fiscal_year, last, by=boss, reason=" ")
    reopened = closing.reopen_fiscal_year(last, by=boss, reason="Facture fournisseur oubliée")
    assert reopened.reopened_by == boss
    for original, reversal in (
        (done.closing_entry, reopened.closing_reversal),
        (done.opening_entry, reopened.opening_reversal),
    ):
        assert JournalEntry.objects.filter(pk=original.pk).exists()
        assert reversal.date == original.date and reversal.journal_id == original.journal_id
        mine = sorted(
            (line.account_id, line.partner_id, line.debit, line.credit) for line in original.lines.all()
        )
        mirror = sorted(
            (line.account_id, line.partner_id, line.credit, line.debit) for line in reversal.lines.all()
        )
        assert mine == mirror
    last.refresh_from_db()
    assert last.lock_date is None
    carried = CarriedItem.objects.get()
    assert OpenItem.objects.filter(line=carried.origin, entry_id=unpaid.entry_id).exists()
    assert not OpenItem.objects.filter(line__entry__journal__code="AN").exists()
    event = AuditEvent.objects.get(action="accounting.fiscal_year_reopened")
    assert event.data["reason"] == "Facture fournisseur oubliée"
    # Closed again: a new closing and new à-nouveaux; next year's balances are those of one closing.
    again = closing.close_fiscal_year(last, by=accountant)
    assert again.pk != done.pk and again.result == done.result
    sums = closing.balances(current.start_date, current.start_date)
    assert sums["411"][0] - sums["411"][1] == unpaid.total
    _pay(boss, customer, unpaid, _in(current, 5))
    assert not OpenItem.objects.filter(account__code="411").exists()


def test_a_year_not_ended_or_locked_beyond_its_end_is_not_closed(years, traded, boss, accountant):
    last, current = years
    _refused("fiscal_year_not_ended", closing.close_fiscal_year, current, by=accountant)
    ledger.lock_period(_in(current, 0), by=accountant)
    _refused("closing_period_locked", closing.close_fiscal_year, last, by=accountant)
    assert not YearClosing.objects.exists()


def test_the_next_year_s_fec_starts_with_the_opening_entries_and_the_closed_year_s_leaves_the_closing_out(
    years, traded, boss, customer, accountant, tmp_path
):
    last, current = years
    _paid, unpaid = traded
    # Next year trades before the closing is done (it usually is, months later).
    _pay(boss, customer, unpaid, _in(current, 2), amount="100.00")
    closing.close_fiscal_year(last, by=accountant)
    first = _in(current, 0)
    path = export_fec(current.end_date.year, tmp_path / "2")
    assert check_fec(path) == []
    rows = [line.split("\t") for line in path.read_bytes().decode().split("\r\n")[1:-1]]
    assert rows[0][0] == "AN" and rows[0][3] == first.strftime("%Y%m%d")
    journals = [row[0] for row in rows]
    assert journals == sorted(journals, key=lambda code: code != "AN")
    path = export_fec(last.end_date.year, tmp_path / "1")
    assert check_fec(path) == []
    assert "CL\t" not in path.read_bytes().decode()


def test_after_the_closing_every_sum_counts_each_balance_once(years, traded, boss, customer, accountant):
    from comptoir.accounting import selectors as ledger_view
    from comptoir.web import queries

    last, current = years
    _paid, unpaid = traded
    today = dates.today()
    before = {row.code: row.balance for row in ledger_view.trial_balance().rows}
    pending = ledger_view.vat_summary(current.start_date, today).pending_balance
    closing.close_fiscal_year(last, by=accountant)
    assert ledger_view.customer_balances()[customer.pk] == unpaid.total
    assert queries.customer_open_balance(customer) == unpaid.total
    assert (
        queries.with_open_balance(type(customer).objects.filter(pk=customer.pk)).get().open_balance
        == unpaid.total
    )
    assert queries.receivables() == unpaid.total
    summary = ledger_view.vat_summary(current.start_date, today)
    assert summary.pending_balance == pending and not summary.rows
    # All time: the same balances, the result moved from classes 6 and 7 to 120.
    after = {row.code: row.balance for row in ledger_view.trial_balance().rows if row.balance}
    expected = {code: balance for code, balance in before.items() if code[0] not in "67" and balance}
    expected["120"] = -Decimal("900.00")
    assert after == expected
    # This year alone opens with last year's balances; its ledger of 411 too.
    this_year = {row.code: row.balance for row in ledger_view.trial_balance(current.start_date, today).rows}
    assert this_year["411"] == unpaid.total
    statement = ledger_view.general_ledger("411", current.start_date, today)
    assert (statement.opening, statement.balance) == (unpaid.total, unpaid.total)


def test_an_invoice_of_the_year_left_in_draft_holds_the_closing(
    years, boss, customer, service_product, accountant
):
    from comptoir.billing.models import Invoice

    last, _current = years
    order = confirm_order(
        create_order(customer, [{"product": service_product, "quantity": "1"}], by=boss, date=last.end_date),
        by=boss,
    )
    draft = create_invoice_from_order(order, by=boss)
    # Prepared on the last day of the year and never issued.
    last_day = datetime.datetime.combine(last.end_date, datetime.time(15), tzinfo=datetime.UTC)
    Invoice.objects.filter(pk=draft.pk).update(created_at=last_day)
    [item] = [item for item in closing.checklist(last) if item.blocking]
    assert (item.code, item.count, item.ids) == ("draft_documents", 1, (draft.pk,))
    error = _refused("closing_blocked", closing.close_fiscal_year, last, by=accountant)
    assert "brouillon" in error.message


def test_money_received_last_year_and_allocated_this_year_is_lettered_through_the_opening_lines(
    years, boss, customer, service_product, accountant
):
    from comptoir.payments.services import allocate_payment

    last, current = years
    invoice = _invoice(boss, customer, service_product, last.end_date - 20 * DAY)
    advance = register_payment(
        customer, amount="100.00", method="transfer", date=last.end_date - 10 * DAY, by=boss
    )
    closing.close_fiscal_year(last, by=accountant)
    advance_line = EntryLine.objects.get(entry=advance.entry, account__code="411")
    carried = CarriedItem.objects.get(origin=advance_line)
    allocate_payment(advance, [{"invoice": invoice, "amount": "100.00"}], by=boss, date=_in(current, 3))
    assert ReconciledLine.objects.filter(line=carried.line).exists()
    assert not ReconciledLine.objects.filter(line=advance_line).exists()
    # What is left open on 411: the invoice's own line, carried, less nothing lettered twice.
    open_lines = OpenItem.objects.filter(account__code="411").values_list("line__debit", "line__credit")
    assert sum(d - c for d, c in open_lines) == invoice.total - Decimal("100.00")
