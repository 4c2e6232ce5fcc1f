"""Manual entries (OD): drafted balanced, posted by accounting through the ledger's own posting (locks and
fiscal years respected), four eyes above the threshold, never changed once posted but reversed; recurring
entries written when due, once."""

import datetime
from decimal import Decimal

import pytest

from comptoir.accounting import manual
from comptoir.accounting import services as ledger
from comptoir.accounting.models import EntryLine, JournalEntry, ManualEntry, OpenItem, RecurringEntry
from comptoir.core import approvals, dates
from comptoir.core.errors import DomainError, PermissionDenied
from comptoir.core.models import AuditEvent, ImmutableError
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def _refused(code, call, *args, **kwargs):
    with pytest.raises(DomainError) as exc:
        call(*args, **kwargs)
    assert exc.value.code == code, exc.value.message
    return exc.value


@pytest.fixture
def accountant(company):
    return make_user("compta", Role.COMPTABILITE)


@pytest.fixture
def colleague(company):
    return make_user("compta2", Role.COMPTABILITE)


RENT = [
    {"account": "613", "debit": "1200.00", "label": "Loyer de l'entrepôt"},
    {"account": "44566", "debit": "240.00"},
    {"account": "401", "credit": "1440.00"},
]


def test_a_balanced_draft_posts_in_od_numbered_with_its_lines(accountant):
    draft = manual.create_manual_entry(
        by=accountant, label="Loyer de mars", lines=RENT, document_number="BAIL-03"
    )
    assert (draft.status, draft.entry_id, draft.journal.code) == (ManualEntry.Status.DRAFT, None, "OD")
    posted = manual.post_manual_entry(draft, by=accountant)
    entry = posted.entry
    year = ledger.fiscal_year_for(dates.today()).end_date.year
    assert entry.number == f"OD-{year}-00001"
    assert (entry.document_number, entry.date) == ("BAIL-03", dates.today())
    assert [(line.account.code, line.debit, line.credit) for line in entry.lines.order_by("id")] == [
        ("613", Decimal("1200.00"), Decimal("0.00")),
        ("44566", Decimal("240.00"), Decimal("0.00")),
        ("401", Decimal("0.00"), Decimal("1440.00")),
    ]
    # 401 is a lettered account: its line stays open until matched.
    assert OpenItem.objects.filter(line__entry=entry, account__code="401").count() == 1
    event = AuditEvent.objects.get(action="manual_entry.posted")
    assert event.data["entry"]["number"] == entry.number


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ([{"account": "613", "debit": "10.00"}, {"account": "401", "credit": "9.99"}], "entry_unbalanced"),
        ([{"account": "613", "debit": "10.00"}], "entry_too_few_lines"),
        (
            [{"account": "613", "debit": "10.00", "credit": "10.00"}, {"account": "401", "credit": "0"}],
            "manual_entry_line_invalid",
        ),
        (
            [{"account": "613", "debit": "-10.00"}, {"account": "401", "credit": "-10.00"}],
            "manual_entry_line_invalid",
        ),
        (
            [{"account": "613", "debit": "10.001"}, {"account": "401", "credit": "10.001"}],
            "manual_entry_line_invalid",
        ),
        ([{"account": "999", "debit": "10.00"}, {"account": "401", "credit": "10.00"}], "unknown_account"),
        (
            [{"account": "613", "debit": "10.00"}, {"account": "411", "credit": "10.00"}],
            "manual_entry_partner_required",
        ),
    ],
)
def test_a_draft_with_bad_lines_is_refused_and_nothing_is_written(accountant, lines, code):
    _refused(code, manual.create_manual_entry, by=accountant, label="OD", lines=lines)
    assert not ManualEntry.objects.exists()


def test_a_partner_goes_only_on_a_third_party_account(accountant, customer):
    lines = [{"account": "613", "debit": "10.00", "partner": customer}, {"account": "401", "credit": "10.00"}]
    _refused(
        "manual_entry_partner_not_allowed", manual.create_manual_entry, by=accountant, label="OD", lines=lines
    )
    lines = [
        {"account": "471", "debit": "10.00"},
        {"account": "411", "credit": "10.00", "partner": customer.pk},
    ]
    posted = manual.post_manual_entry(
        manual.create_manual_entry(by=accountant, label="OD", lines=lines), by=accountant
    )
    assert posted.entry.lines.get(account__code="411").partner_id == customer.pk


@pytest.mark.parametrize("journal", ["VE", "BQ", "AN", "CL"])
def test_journals_of_documents_and_of_the_closing_take_no_manual_entry(accountant, journal):
    error = _refused(
        "manual_entry_journal_reserved",
        manual.create_manual_entry,
        by=accountant,
        label="OD",
        lines=RENT,
        journal=journal,
    )
    assert journal in error.message


def test_the_purchases_journal_takes_a_manual_entry(accountant):
    posted = manual.post_manual_entry(
        manual.create_manual_entry(by=accountant, label="Facture fournisseur", lines=RENT, journal="AC"),
        by=accountant,
    )
    assert posted.entry.number.startswith("AC-")


def test_only_accounting_and_direction_write_manual_entries(company, accountant):
    seller = make_user("adv", Role.ADV)
    with pytest.raises(PermissionDenied):
        manual.create_manual_entry(by=seller, label="OD", lines=RENT)
    draft = manual.create_manual_entry(by=accountant, label="OD", lines=RENT)
    with pytest.raises(PermissionDenied):
        manual.post_manual_entry(draft, by=seller)


def test_a_locked_period_refuses_the_posting_and_the_draft_stays(admin_user, accountant):
    from comptoir.parties.services import configure_company

    configure_company(by=admin_user, backdating_days=60)
    day = dates.today() - 10 * DAY
    if ledger.fiscal_year_for(day) is None:
        pytest.skip("the year before is not open")
    draft = manual.create_manual_entry(by=accountant, label="OD", lines=RENT, date=day)
    ledger.lock_period(day, by=accountant)
    _refused("period_locked", manual.post_manual_entry, draft, by=accountant)
    draft.refresh_from_db()
    assert (draft.status, draft.entry_id) == (ManualEntry.Status.DRAFT, None)
    assert not JournalEntry.objects.exists()


def test_above_the_threshold_another_person_approves_before_posting(accountant, colleague):
    approvals.set_thresholds(manual_entry_threshold=Decimal("1000.00"))
    draft = manual.create_manual_entry(by=accountant, label="Loyer", lines=RENT)
    error = _refused("manual_entry_approval_required", manual.post_manual_entry, draft, by=accountant)
    assert "1440,00 €" in error.message and error.status == 409
    _refused("approval_same_person", manual.approve_manual_entry, draft, by=accountant)
    manual.approve_manual_entry(draft, by=colleague)
    # Changing the draft withdraws the approval: what was approved is no longer it.
    manual.update_manual_entry(draft, by=accountant, label="Loyer d'avril")
    _refused("manual_entry_approval_required", manual.post_manual_entry, draft, by=accountant)
    manual.approve_manual_entry(draft, by=colleague)
    posted = manual.post_manual_entry(draft, by=accountant)
    assert posted.approved_by == colleague
    assert AuditEvent.objects.filter(action="manual_entry.approved").count() == 2


def test_below_the_threshold_one_person_posts_and_no_approval_is_asked(accountant, colleague):
    draft = manual.create_manual_entry(by=accountant, label="Loyer", lines=RENT)
    _refused("manual_entry_approval_not_needed", manual.approve_manual_entry, draft, by=colleague)
    assert manual.post_manual_entry(draft, by=accountant).status == ManualEntry.Status.POSTED


def test_a_posted_entry_never_changes_and_is_reversed_by_its_mirror(accountant):
    posted = manual.post_manual_entry(
        manual.create_manual_entry(by=accountant, label="Loyer", lines=RENT), by=accountant
    )
    _refused("manual_entry_not_draft", manual.update_manual_entry, posted, by=accountant, label="autre")
    _refused("manual_entry_not_draft", manual.delete_manual_entry, posted, by=accountant)
    with pytest.raises(ImmutableError):
        posted.entry.delete()
    _refused("reversal_reason_required", manual.reverse_manual_entry, posted, by=accountant, reason=" ")
    _refused(
        "reversal_before_entry",
        manual.reverse_manual_entry,
        posted,
        by=accountant,
        reason="x",
        date=posted.date - DAY,
    )
    reversal = manual.reverse_manual_entry(posted, by=accountant, reason="Loyer saisi deux fois")
    assert reversal.reverses == posted and reversal.status == ManualEntry.Status.POSTED
    original = [(line.account_id, line.debit, line.credit) for line in posted.entry.lines.order_by("id")]
    mirror = [(line.account_id, line.credit, line.debit) for line in reversal.entry.lines.order_by("id")]
    assert original == mirror
    assert reversal.entry.document_number == posted.entry.number
    _refused(
        "manual_entry_already_reversed", manual.reverse_manual_entry, posted, by=accountant, reason="encore"
    )
    totals = EntryLine.objects.filter(account__code="613").values_list("debit", "credit")
    assert sum(d - c for d, c in totals) == 0
    event = AuditEvent.objects.get(action="manual_entry.reversed")
    assert event.data["reason"] == "Loyer saisi deux fois" and event.data["reverses"] == posted.entry.number


def test_a_draft_is_not_reversed_but_deleted(accountant):
    draft = manual.create_manual_entry(by=accountant, label="Loyer", lines=RENT)
    _refused("manual_entry_not_posted", manual.reverse_manual_entry, draft, by=accountant, reason="x")
    manual.delete_manual_entry(draft, by=accountant)
    assert not ManualEntry.objects.exists()


def test_next_due_keeps_the_day_and_takes_a_short_months_last_day():
    assert manual.next_due(datetime.date(2026, 1, 31), "monthly", 31) == datetime.date(2026, 2, 28)
    assert manual.next_due(datetime.date(2026, 2, 28), "monthly", 31) == datetime.date(2026, 3, 31)
    assert manual.next_due(datetime.date(2026, 11, 30), "quarterly", 30) == datetime.date(2027, 2, 28)
    assert manual.next_due(datetime.date(2024, 2, 29), "yearly", 29) == datetime.date(2025, 2, 28)


def test_recurring_entries_due_are_written_once_catching_up_missed_months(admin_user, accountant):
    from comptoir.parties.services import configure_company

    configure_company(by=admin_user, backdating_days=100)
    today = dates.today()
    first = today - 65 * DAY
    if ledger.fiscal_year_for(first) is None:
        pytest.skip("the year before is not open")
    template = manual.create_recurring_entry(
        by=accountant,
        label="Loyer mensuel",
        lines=RENT,
        frequency="monthly",
        first_date=first,
        auto_post=True,
    )
    written = manual.generate_due_recurring_entries(by=accountant)
    expected = []
    due = first
    while due <= today:
        expected.append(due)
        due = manual.next_due(due, "monthly", first.day)
    assert [entry.date for entry in written] == expected
    assert all(entry.status == ManualEntry.Status.POSTED and entry.recurring == template for entry in written)
    template.refresh_from_db()
    assert template.next_date == due
    assert manual.generate_due_recurring_entries(by=accountant) == []
    assert ManualEntry.objects.count() == len(expected)


def test_a_recurring_entry_above_the_threshold_stays_a_draft_for_a_second_person(accountant):
    approvals.set_thresholds(manual_entry_threshold=Decimal("1000.00"))
    manual.create_recurring_entry(
        by=accountant, label="Loyer", lines=RENT, frequency="yearly", first_date=dates.today(), auto_post=True
    )
    [written] = manual.generate_due_recurring_entries(by=accountant)
    assert written.status == ManualEntry.Status.DRAFT
    assert RecurringEntry.objects.get().next_date > dates.today()


def test_the_recurring_task_runs_the_service(accountant):
    from comptoir.accounting.tasks import generate_recurring_entries

    manual.create_recurring_entry(
        by=accountant, label="Loyer", lines=RENT, frequency="monthly", first_date=dates.today()
    )
    [pk] = generate_recurring_entries.call(accountant.pk)
    assert ManualEntry.objects.get(pk=pk).status == ManualEntry.Status.DRAFT
