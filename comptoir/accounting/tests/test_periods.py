"""Fiscal years are opened by a person, never by a posting; locked periods take nothing, and only
direction moves a lock back, with a written reason kept in the audit trail."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from comptoir.accounting import services as ledger
from comptoir.accounting.models import FiscalYear, JournalEntry
from comptoir.billing.models import Invoice
from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core import dates
from comptoir.core.errors import DomainError, PermissionDenied
from comptoir.core.models import AuditEvent, NumberSequence
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.parties.services import configure_company
from comptoir.payments.services import register_payment
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock.services import create_delivery, receive_stock

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def _refused(code, call, *args, **kwargs):
    with pytest.raises(DomainError) as exc:
        call(*args, **kwargs)
    assert exc.value.code == code, exc.value.message
    return exc.value.message


def _draft(boss, customer, service_product, date):
    order = confirm_order(
        create_order(customer, [{"product": service_product, "quantity": "1"}], by=boss, date=date), by=boss
    )
    return create_invoice_from_order(order, by=boss)


def _line(account, debit="0", credit="0"):
    return ledger.Line(account, debit=Decimal(debit), credit=Decimal(credit))


def test_an_invoice_dated_in_a_year_nobody_opened_is_refused_and_creates_no_year(
    admin_user, boss, company, customer, service_product
):
    # The company keeps two years of history open (make_company); the year before is not.
    configure_company(by=admin_user, backdating_days=dates.MAX_BACKDATING_DAYS)
    oldest = FiscalYear.objects.order_by("start_date").first()
    day = oldest.start_date - DAY
    draft = _draft(boss, customer, service_product, day)
    message = _refused("fiscal_year_not_open", issue_invoice, draft, by=boss, date=day)
    assert str(day.year) in message and day.strftime("%d/%m/%Y") in message
    assert not FiscalYear.objects.filter(start_date__lte=day, end_date__gte=day).exists()
    draft.refresh_from_db()
    assert (draft.status, draft.number) == (Invoice.Status.DRAFT, None)
    assert not NumberSequence.objects.filter(series="FA", last_value__gt=0).exists()


def test_the_ledger_never_creates_a_year_whoever_posts(company):
    with pytest.raises(DomainError) as exc, ledger.transaction.atomic():
        ledger.post_entry(
            "OD",
            date=datetime.date(2003, 6, 1),
            label="Écriture égarée",
            document_number="X",
            lines=[_line("512", debit="10"), _line("411", credit="10")],
        )
    assert exc.value.code == "fiscal_year_not_open"
    assert not FiscalYear.objects.filter(name="2003").exists()
    assert not JournalEntry.objects.exists()


def test_accounting_opens_the_year_in_progress_or_the_next_one_audited(admin_user):
    configure_company(by=admin_user, legal_name="Nouvelle SAS", siren="732829320")  # no year open yet
    claire = make_user("claire", Role.COMPTABILITE)
    with pytest.raises(PermissionDenied):
        ledger.open_fiscal_year(by=make_user("sophie", Role.COMMERCIAL))
    today = dates.today()
    year = ledger.open_fiscal_year(by=claire)
    assert year.start_date <= today <= year.end_date and year.name == str(today.year)
    event = AuditEvent.objects.get(action="accounting.fiscal_year_opened", object_repr=year.name)
    assert (event.actor_id, event.object_repr) == (claire.pk, year.name)
    assert event.data == {"start": year.start_date.isoformat(), "end": year.end_date.isoformat()}
    _refused("fiscal_year_already_open", ledger.open_fiscal_year, today, by=claire)
    following = ledger.open_fiscal_year(year.end_date + DAY, by=claire)
    assert following.name == str(today.year + 1)
    message = _refused("fiscal_year_too_early", ledger.open_fiscal_year, following.end_date + DAY, by=claire)
    assert str(today.year + 2) in message
    assert FiscalYear.objects.count() == 2


def test_a_payment_in_a_locked_period_is_refused(admin_user, boss, company, customer):
    today = dates.today()
    ledger.lock_period(today - DAY, by=admin_user)
    message = _refused(
        "period_locked",
        register_payment,
        customer,
        amount="100",
        method="transfer",
        date=today - DAY,
        by=boss,
    )
    assert (today - DAY).strftime("%d/%m/%Y") in message
    assert register_payment(customer, amount="100", method="transfer", by=boss).date == today


def test_a_lock_covers_every_day_before_it_even_in_an_earlier_year(admin_user, boss, company, customer):
    """Locking a day of this year closes last year too, however it was left: a payment can no longer be
    booked into last year's books."""
    configure_company(by=admin_user, backdating_days=dates.MAX_BACKDATING_DAYS)
    this_year = FiscalYear.objects.order_by("-start_date").first()
    last_day_of_last_year = this_year.start_date - DAY
    ledger.lock_period(this_year.start_date, by=admin_user)
    _refused(
        "period_locked",
        register_payment,
        customer,
        amount="100",
        method="cheque",
        date=last_day_of_last_year,
        by=boss,
    )
    _refused("lock_date_backwards", ledger.lock_period, last_day_of_last_year, by=admin_user)


def test_stock_cannot_move_in_a_locked_period_either(admin_user, boss, company, customer, product):
    today = dates.today()
    receive_stock([{"product": product, "quantity": "5"}], by=boss, date=today - 2 * DAY)
    order = confirm_order(
        create_order(customer, [{"product": product, "quantity": "1"}], by=boss, date=today - 2 * DAY),
        by=boss,
    )
    ledger.lock_period(today - DAY, by=admin_user)
    _refused("period_locked", create_delivery, order, by=boss, date=today - DAY)
    _refused(
        "period_locked", receive_stock, [{"product": product, "quantity": "1"}], by=boss, date=today - DAY
    )
    assert create_delivery(order, by=boss).date == today


def test_only_direction_moves_a_lock_back_with_a_written_reason_audited(
    admin_user, boss, company, customer, service_product
):
    today = dates.today()
    claire = make_user("claire", Role.COMPTABILITE)
    ledger.lock_period(today - DAY, by=claire)
    with pytest.raises(PermissionDenied):
        ledger.unlock_period(today - 5 * DAY, by=claire, reason="Oubli d'une facture")
    _refused("unlock_reason_required", ledger.unlock_period, today - 5 * DAY, by=boss, reason="  ")
    _refused("unlock_not_backwards", ledger.unlock_period, today, by=boss, reason="Avancer ?")
    year = ledger.unlock_period(today - 5 * DAY, by=boss, reason="Facture FA-123 oubliée, accord de l'expert")
    assert year.lock_date == today - 5 * DAY
    event = AuditEvent.objects.get(action="accounting.period_unlocked")
    assert event.actor_id == boss.pk
    assert event.data["reason"] == "Facture FA-123 oubliée, accord de l'expert"
    assert (event.data["from"], event.data["to"]) == (
        (today - DAY).isoformat(),
        (today - 5 * DAY).isoformat(),
    )
    # The period reopened takes postings again; what is still locked does not.
    draft = _draft(boss, customer, service_product, today - 2 * DAY)
    assert issue_invoice(draft, by=boss, date=today - 2 * DAY).status == Invoice.Status.ISSUED
    _refused(
        "period_locked", register_payment, customer, amount="1", method="cash", date=today - 5 * DAY, by=boss
    )
    # Unlocking altogether.
    assert ledger.unlock_period(None, by=admin_user, reason="Reprise des comptes") is None
    assert not FiscalYear.objects.filter(lock_date__isnull=False).exists()
    _refused("nothing_locked", ledger.unlock_period, None, by=admin_user, reason="Encore")


def test_the_open_fiscal_year_command_acts_as_the_named_user(admin_user):
    configure_company(by=admin_user, legal_name="Nouvelle SAS", siren="732829320")
    make_user("claire", Role.COMPTABILITE)
    make_user("sophie", Role.COMMERCIAL)
    out = io.StringIO()
    call_command("open_fiscal_year", "--user", "claire", stdout=out)
    year = FiscalYear.objects.get()
    assert out.getvalue().startswith(f"Exercice {year.name} ouvert, du {year.start_date:%d/%m/%Y}")
    assert AuditEvent.objects.get(action="accounting.fiscal_year_opened").actor_name == "claire"
    with pytest.raises(CommandError, match="déjà ouvert"):
        call_command("open_fiscal_year", "--user", "claire", "--date", year.end_date.isoformat())
    with pytest.raises(CommandError, match="ne permet pas"):
        call_command("open_fiscal_year", "--user", "sophie", "--date", (year.end_date + DAY).isoformat())
    with pytest.raises(CommandError, match="inconnu"):
        call_command("open_fiscal_year", "--user", "personne")
