"""The demo data set: loaded through the services, idempotent, with balanced books and a sound audit chain."""

import random
from collections import defaultdict
from decimal import Decimal

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone
from stdnum.ch import uid as ch_uid
from stdnum.eu import vat as eu_vat
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret
from stdnum.fr import tva as fr_tva

from comptoir.accounting import selectors as ledger_view
from comptoir.accounting.models import EntryLine, FiscalYear, JournalEntry
from comptoir.billing.models import Invoice
from comptoir.catalog.models import Product
from comptoir.core import integrity, money
from comptoir.core.models import AuditEvent
from comptoir.core.permissions import has_perm
from comptoir.core.testing import make_company
from comptoir.demo import names
from comptoir.demo.generator import add_business_days, is_business_day, months_before, seed_demo
from comptoir.parties.models import Company, Customer, VatRegime
from comptoir.payments import selectors as payment_view
from comptoir.payments.models import Payment
from comptoir.sales.models import Order, Quote
from comptoir.stock.models import Delivery, StockMove

SMALL = {"months": 2, "customers": 5, "products": 10, "seed": 42}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Six demo users with the production hasher cost a second and a half per seeded test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _row_counts() -> dict[str, int]:
    models = [
        Company,
        Customer,
        Product,
        Quote,
        Order,
        Delivery,
        StockMove,
        Invoice,
        Payment,
        JournalEntry,
        AuditEvent,
    ]
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.django_db
def test_seeding_twice_creates_nothing_new(capsys):
    call_command("seed_demo", "--months", "2", "--customers", "5", "--products", "10", "--no-progress")
    first = _row_counts()
    assert first["Invoice"] > 0 and first["Payment"] > 0

    call_command("seed_demo", "--months", "2", "--customers", "5", "--products", "10", "--no-progress")

    assert _row_counts() == first
    assert "déjà chargées" in capsys.readouterr().out


@pytest.mark.django_db
def test_demo_books_balance_entry_by_entry_and_in_the_trial_balance():
    seed_demo(**SMALL)

    sides = defaultdict(lambda: [Decimal("0"), Decimal("0")])
    for entry_id, debit, credit in EntryLine.objects.values_list("entry_id", "debit", "credit"):
        sides[entry_id][0] += debit
        sides[entry_id][1] += credit
    assert len(sides) == JournalEntry.objects.count() > 0
    assert [entry for entry, (debit, credit) in sides.items() if debit != credit] == []

    balance = ledger_view.trial_balance()
    # SQLite sums decimals as floats: compare to the cent (see the report on accounting/selectors.py).
    assert money.amount(balance.total_debit) == money.amount(balance.total_credit)
    assert money.amount(balance.total_debit) == sum(debit for debit, _ in sides.values())


@pytest.mark.django_db
def test_demo_has_paid_partly_paid_and_open_invoices():
    seed_demo(**SMALL)

    invoices = payment_view.with_amount_paid(Invoice.objects.filter(status=Invoice.Status.ISSUED))
    statuses = {payment_view.payment_status(inv.total, money.amount(inv.amount_paid)) for inv in invoices}

    assert {payment_view.PAID, payment_view.PARTIAL} <= statuses


@pytest.mark.django_db
def test_demo_audit_chain_verifies():
    seed_demo(**SMALL)

    report = integrity.verify()  # the chain, and every document against its events

    assert report.ok, [str(problem) for problem in report.problems]
    assert report.checked == AuditEvent.objects.count() > 100


@pytest.mark.django_db
def test_demo_documents_carry_their_historical_dates():
    seed_demo(**SMALL)

    first_quote = Quote.objects.order_by("date").first()
    issued = list(Invoice.objects.filter(status=Invoice.Status.ISSUED).order_by("number"))

    assert months_before(issued[-1].date, 2) <= first_quote.date < issued[-1].date
    # Invoice numbers follow invoice dates within each series and year, as the law requires.
    assert {inv.series for inv in issued} == {"FA", "AV"}
    for series, year in {(inv.series, inv.date.year) for inv in issued}:
        dates = [inv.date for inv in issued if (inv.series, inv.date.year) == (series, year)]
        assert dates == sorted(dates)


@pytest.mark.django_db
def test_demo_fiscal_years_are_opened_by_the_accountant_and_hold_every_entry():
    seed_demo(**SMALL)

    years = list(FiscalYear.objects.order_by("start_date"))
    opened = AuditEvent.objects.filter(action="accounting.fiscal_year_opened").order_by("seq")
    assert [(e.object_repr, e.actor_name) for e in opened] == [(y.name, "compta") for y in years]
    # Each was opened on a day of its own, before anything was posted in it.
    for year, event in zip(years, opened, strict=True):
        first_entry = JournalEntry.objects.filter(date__gte=year.start_date).order_by("date").first()
        assert year.start_date <= timezone.localdate(event.at) <= first_entry.date
    assert not JournalEntry.objects.exclude(
        date__gte=years[0].start_date, date__lte=years[-1].end_date
    ).exists()
    # The story is told in date order: the company keeps the default backdating window.
    assert Company.objects.get().backdating_days == 31


@pytest.mark.django_db
def test_demo_users_log_in_with_the_demo_password_and_their_role():
    seed_demo(**SMALL)

    demo = authenticate(username="demo", password="demo1234")
    compta = authenticate(username="compta", password="demo1234")

    assert demo is not None and demo.is_superuser and has_perm(demo, "company.manage")
    assert compta is not None and has_perm(compta, "invoice.issue") and not has_perm(compta, "quote.send")


@pytest.mark.django_db
def test_demo_company_and_customers_have_valid_identifiers():
    seed_demo(**SMALL)

    company = Company.objects.get()
    assert company.legal_name == "Comptoir Lyonnais de l'Outillage SAS"
    french = [company, *Customer.objects.filter(country="FR")]
    abroad = list(Customer.objects.exclude(country="FR").order_by("country"))
    assert (len(french), len(abroad)) == (4, 2)
    for party in french:
        assert fr_siren.is_valid(party.siren)
        assert fr_siret.is_valid(party.siret) and party.siret.startswith(party.siren)
        assert fr_tva.is_valid(party.vat_number) and party.vat_number.endswith(party.siren)
    belgian, swiss = abroad
    assert (belgian.country, belgian.vat_regime) == ("BE", VatRegime.EU) and eu_vat.is_valid(
        belgian.vat_number
    )
    assert (swiss.country, swiss.vat_regime) == ("CH", VatRegime.EXPORT) and ch_uid.is_valid(
        swiss.einvoice_address
    )
    assert {c.payment_days for c in Customer.objects.all()} <= {30, 45}


@pytest.mark.django_db
def test_an_interrupted_load_is_reported_instead_of_called_done(admin_user):
    # A previous run stopped after configuring the demo company but before the end mark.
    make_company(admin_user, **names.COMPANY)

    with pytest.raises(CommandError, match="interrompu"):
        call_command("seed_demo", "--months", "1", "--customers", "1", "--products", "2", "--no-progress")

    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_seed_demo_leaves_an_already_configured_company_alone(admin_user):
    make_company(admin_user)

    result = seed_demo(**SMALL)

    assert not result.created
    assert "déjà configurée" in result.message
    assert Customer.objects.count() == 0


def _snapshot() -> tuple:
    return (
        list(Customer.objects.order_by("code").values_list("code", "name", "siren", "payment_days")),
        list(Invoice.objects.order_by("number").values_list("number", "date", "total", "customer__code")),
        list(Payment.objects.order_by("number").values_list("number", "date", "amount", "method")),
    )


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_data():
    with transaction.atomic():
        seed_demo(**SMALL)
        first = _snapshot()
        transaction.set_rollback(True)

    seed_demo(**SMALL)

    assert first[1] and _snapshot() == first


def test_generated_sirens_are_valid_and_unique():
    rng, taken = random.Random(7), set()

    numbers = [names.random_siren(rng, taken) for _ in range(200)]

    assert len(set(numbers)) == 200
    assert all(fr_siren.is_valid(n) for n in numbers)
    assert all(fr_siret.is_valid(names.siret_from(n, 3)) for n in numbers[:20])


def test_catalogue_has_the_requested_size_with_services_reduced_rates_and_an_exemption():
    for count in (10, 100, 150):
        products = names.catalogue(random.Random(1), count)
        assert len(products) == count == len({p.sku for p in products})
        assert any(p.kind == "service" for p in products)
        # Even a small catalogue has every French VAT case.
        assert {Decimal("20.00"), Decimal("10.00"), Decimal("5.50"), Decimal("2.10")} <= {
            p.vat_rate for p in products
        }
        exempt = [p for p in products if p.exemption]
        assert exempt and all(p.vat_rate == 0 and p.exemption_code for p in exempt)


def test_business_days_skip_weekends_and_bank_holidays():
    import datetime

    friday = datetime.date(2025, 7, 11)

    # Saturday, Sunday and Monday 14 July are skipped.
    assert add_business_days(friday, 1) == datetime.date(2025, 7, 15)
    assert not is_business_day(datetime.date(2025, 12, 25))
    assert months_before(datetime.date(2026, 3, 31), 1) == datetime.date(2026, 2, 28)
