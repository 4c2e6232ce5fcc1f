"""Two years of books, told as a story: last year trades (orders, deliveries, invoices, a payment, an
invoice left unpaid, the rent) and is closed; this year opens with its à-nouveaux; the unpaid invoice is
paid this year and lettered against its opening line; this year's FEC starts with the AN journal and
passes the checker, and this year's trial balance is last year's closing balances plus this year's
entries."""

import datetime
import io
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command

from comptoir.accounting import closing, manual
from comptoir.accounting import selectors as ledger_view
from comptoir.accounting import services as ledger
from comptoir.accounting.fec import check_year, export_fec
from comptoir.accounting.models import CarriedItem, EntryLine, OpenItem, ReconciledLine
from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core import dates
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.parties.services import configure_company
from comptoir.payments import selectors as payment_view
from comptoir.payments.services import register_payment
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
ZERO = Decimal("0")


def _sale(boss, customer, lines, day):
    """An order taken, delivered and invoiced on `day`."""
    order = confirm_order(create_order(customer, lines, by=boss, date=day), by=boss)
    validate_delivery(create_delivery(order, by=boss, date=day), by=boss, date=day)
    return issue_invoice(create_invoice_from_order(order, by=boss), by=boss, date=day)


def _pay(boss, customer, invoice, day):
    return register_payment(
        customer,
        amount=invoice.total,
        method="transfer",
        date=day,
        allocations=[{"invoice": invoice, "amount": invoice.total}],
        by=boss,
    )


def _balances(date_from, date_to, *, without_journal=None) -> dict[str, Decimal]:
    lines = EntryLine.objects.filter(entry__date__gte=date_from, entry__date__lte=date_to)
    if without_journal:
        lines = lines.exclude(entry__journal__code=without_journal)
    found = defaultdict(lambda: ZERO)
    for code, debit, credit in lines.values_list("account__code", "debit", "credit"):
        found[code] += debit - credit
    return {code: balance for code, balance in found.items() if balance}


def test_a_year_closed_opens_the_next_which_letters_its_open_invoice_and_exports_a_clean_fec(
    admin_user, boss, company, customer, product, service_product, tmp_path
):
    configure_company(by=admin_user, backdating_days=800)
    accountant = make_user("compta", Role.COMPTABILITE)
    this_year = ledger.fiscal_year_for(dates.today())
    last_year = ledger.fiscal_year_for(this_year.start_date - DAY)
    today = dates.today()

    def this(days):
        return min(this_year.start_date + days * DAY, today)

    # Last year: drills received, two sales delivered and invoiced, the first paid, the second not.
    receive_stock(
        [{"product": product, "quantity": "30", "unit_cost": "70"}],
        by=boss,
        date=last_year.start_date + 9 * DAY,
    )
    first = _sale(
        boss,
        customer,
        [{"product": product, "quantity": "5"}, {"product": service_product, "quantity": "1"}],
        last_year.start_date + 60 * DAY,
    )
    _pay(boss, customer, first, last_year.start_date + 75 * DAY)
    unpaid = _sale(boss, customer, [{"product": product, "quantity": "3"}], last_year.end_date - 12 * DAY)
    # The rent of the last quarter, owed to the landlord at the year end.
    rent = manual.post_manual_entry(
        manual.create_manual_entry(
            by=accountant,
            label="Loyer du 4e trimestre",
            date=last_year.end_date - 30 * DAY,
            document_number="BAIL-T4",
            lines=[
                {"account": "613", "debit": "900.00"},
                {"account": "44566", "debit": "180.00"},
                {"account": "401", "credit": "1080.00"},
            ],
        ),
        by=accountant,
    )

    # The closing waits for the last VAT return's entry.
    assert [item.code for item in closing.checklist(last_year) if item.blocking] == ["vat_not_settled"] * 2
    balances = _balances(last_year.start_date, last_year.end_date)
    collected, deductible = -balances["44571"], balances["44566"]
    manual.post_manual_entry(
        manual.create_manual_entry(
            by=accountant,
            label="TVA de décembre",
            date=last_year.end_date,
            lines=[
                {"account": "44571", "debit": str(collected)},
                {"account": "44566", "credit": str(deductible)},
                {"account": "44551", "credit": str(collected - deductible)},
            ],
        ),
        by=accountant,
    )
    assert not [item for item in closing.checklist(last_year) if item.blocking]

    # Closed: the result (sales less the rent) goes to 120; this year opens with the balances.
    done = closing.close_fiscal_year(last_year, by=accountant)
    revenue = first.total_untaxed + unpaid.total_untaxed
    assert done.result == revenue - Decimal("900.00")
    closing_balances = _balances(last_year.start_date, last_year.end_date)
    assert not [code for code in closing_balances if code[0] in "67"]
    assert closing_balances["120"] == -done.result
    opening = done.opening_entry
    assert (opening.journal.code, opening.date) == ("AN", this_year.start_date)
    assert _balances(this_year.start_date, this_year.start_date) == closing_balances
    # Customers and suppliers item by item: the unpaid invoice with its customer, the rent owed.
    itemised = sorted(
        (line.account.code, line.partner_id, line.debit, line.credit)
        for line in opening.lines.filter(account__reconcilable=True)
    )
    assert itemised == [
        ("401", None, ZERO, Decimal("1080.00")),
        ("411", customer.pk, unpaid.total, ZERO),
    ]
    assert rent.entry.lines.get(account__code="401").carried.get().line.entry_id == opening.pk

    # This year: the unpaid invoice is paid, lettered against its opening line; a new sale is paid too.
    assert list(payment_view.possibly_unsettled(type(unpaid).objects.filter(pk=unpaid.pk))) == [unpaid]
    payment = _pay(boss, customer, unpaid, this(10))
    carried = CarriedItem.objects.get(origin__entry=unpaid.entry)
    letter = ReconciledLine.objects.get(line=carried.line).reconciliation
    assert set(letter.items.values_list("line__entry_id", flat=True)) == {opening.pk, payment.entry_id}
    assert not list(payment_view.possibly_unsettled(type(unpaid).objects.filter(pk=unpaid.pk)))
    new_sale = _sale(boss, customer, [{"product": product, "quantity": "2"}], this(12))
    _pay(boss, customer, new_sale, this(14))
    assert not OpenItem.objects.filter(account__code="411").exists()

    # This year's FEC starts with the à-nouveaux and passes the checker (`comptoir check-fec`).
    path = export_fec(this_year.end_date.year, tmp_path)
    out = io.StringIO()
    call_command("check_fec", str(path), stdout=out)
    assert out.getvalue().startswith("FEC conforme")
    lines = path.read_bytes().decode().split("\r\n")[1:-1]
    journals = [line.split("\t")[0] for line in lines]
    assert journals[: opening.lines.count()] == ["AN"] * opening.lines.count()
    assert "AN" not in journals[opening.lines.count() :]

    # This year's trial balance: last year's closing balances plus this year's own entries.
    own = _balances(this_year.start_date, this_year.end_date, without_journal="AN")
    expected = {
        code: closing_balances.get(code, ZERO) + own.get(code, ZERO) for code in {*closing_balances, *own}
    }
    trial = ledger_view.trial_balance(this_year.start_date, this_year.end_date)
    assert {row.code: row.debit - row.credit for row in trial.rows if row.debit != row.credit} == {
        code: balance for code, balance in expected.items() if balance
    }
    assert trial.is_balanced
    # And last year's FEC still passes, without its closing entry.
    _export, report = check_year(last_year.end_date.year)
    assert report.ok, [str(violation) for violation in report.violations]
