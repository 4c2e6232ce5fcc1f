"""The balance sheet and income statement read from real books: sales, a payment, a customer who paid
before being invoiced, a return credited, the rent owed to the landlord, the VAT settled and the year
closed. Assets equal liabilities at every step, the result of the income statement is the one in the
balance sheet and the one the closing carries to 120, and the next year shows it as carried forward."""

import datetime
from decimal import Decimal

import pytest

from comptoir.accounting import closing, integrity, manual
from comptoir.accounting import selectors as ledger_view
from comptoir.accounting import services as ledger
from comptoir.accounting.statements import ASSETS, LIABILITIES
from comptoir.billing.services import create_credit_note, create_invoice_from_order, issue_invoice
from comptoir.core import dates
from comptoir.core.permissions import Role
from comptoir.core.testing import approved_case, make_customer, make_user
from comptoir.parties.services import configure_company
from comptoir.payments.services import register_payment
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
ZERO = Decimal("0")


def _sale(boss, customer, lines, day):
    order = confirm_order(create_order(customer, lines, by=boss, date=day), by=boss)
    validate_delivery(create_delivery(order, by=boss, date=day), by=boss, date=day)
    return issue_invoice(create_invoice_from_order(order, by=boss), by=boss, date=day)


def _balanced(sheet):
    assert sheet.total(ASSETS) == sheet.total(LIABILITIES), (sheet.total(ASSETS), sheet.total(LIABILITIES))


@pytest.fixture
def last_year_books(admin_user, boss, company, customer, product, service_product):
    """Last year's trade, VAT settled, not closed yet."""
    configure_company(by=admin_user, backdating_days=800)
    accountant = make_user("compta", Role.COMPTABILITE)
    this_year = ledger.fiscal_year_for(dates.today())
    last = ledger.fiscal_year_for(this_year.start_date - DAY)
    receive_stock(
        [{"product": product, "quantity": "30", "unit_cost": "70"}], by=boss, date=last.start_date + 9 * DAY
    )
    # 5 drills and a service, paid; 3 drills, one returned and credited, the rest unpaid.
    first = _sale(
        boss,
        customer,
        [{"product": product, "quantity": "5"}, {"product": service_product, "quantity": "1"}],
        last.start_date + 60 * DAY,
    )
    register_payment(
        customer,
        amount=first.total,
        method="transfer",
        date=last.start_date + 75 * DAY,
        allocations=[{"invoice": first, "amount": first.total}],
        by=boss,
    )
    second = _sale(boss, customer, [{"product": product, "quantity": "3"}], last.end_date - 40 * DAY)
    case = approved_case(second, by=boss, quantity=Decimal("1"))
    note = create_credit_note(
        second,
        [{"invoice_line": second.lines.get(), "quantity": "1"}],
        by=boss,
        reason="1 perceuse défectueuse",
        source_reference=case,
    )
    note = issue_invoice(note, by=boss, date=last.end_date - 30 * DAY)
    # Another customer paid 500 € ahead of any invoice: money owed to him.
    prepaying = make_customer(boss, name="Atelier Prévoyant SARL")
    register_payment(
        prepaying, amount=Decimal("500.00"), method="transfer", date=last.end_date - 20 * DAY, by=boss
    )
    manual.post_manual_entry(
        manual.create_manual_entry(
            by=accountant,
            label="Loyer du 4e trimestre",
            date=last.end_date - 25 * DAY,
            document_number="BAIL-T4",
            lines=[
                {"account": "613", "debit": "900.00"},
                {"account": "44566", "debit": "180.00"},
                {"account": "401", "credit": "1080.00"},
            ],
        ),
        by=accountant,
    )
    sums = closing.balances(last.start_date, last.end_date)
    collected = sums["44571"][1] - sums["44571"][0]
    deductible = sums["44566"][0] - sums["44566"][1]
    manual.post_manual_entry(
        manual.create_manual_entry(
            by=accountant,
            label="TVA de décembre",
            date=last.end_date,
            lines=[
                {"account": "44571", "debit": str(collected)},
                {"account": "44566", "credit": str(deductible)},
                {"account": "44551", "credit": str(collected - deductible)},
            ],
        ),
        by=accountant,
    )
    return {
        "last": last,
        "this": this_year,
        "first": first,
        "second": second,
        "note": note,
        "accountant": accountant,
        "vat_due": collected - deductible,
    }


def test_assets_equal_liabilities_and_the_result_is_the_closing_s_before_and_after_the_closing(
    last_year_books,
):
    books = last_year_books
    last, first, second, note = books["last"], books["first"], books["second"], books["note"]
    before = ledger_view.financial_statements(last.start_date, last.end_date)
    sheet, income = before.balance_sheet, before.income_statement
    _balanced(sheet)
    revenue = first.total_untaxed + second.total_untaxed - note.total_untaxed
    assert income.result == sheet.amount("resultat") == revenue - Decimal("900.00")
    goods = first.lines.get(product__kind="goods").net_amount + second.total_untaxed - note.total_untaxed
    assert income.amount("ventes_marchandises") == goods
    assert income.amount("production_services") == revenue - goods
    assert income.amount("charges_externes") == Decimal("900.00")
    # The unpaid invoice less its credit note is owed by the customer; the prepayment is owed to the other.
    assert sheet.amount("creances_clients") == second.total - note.total
    assert sheet.amount("autres_dettes") == Decimal("500.00")
    assert sheet.amount("dettes_fournisseurs") == Decimal("1080.00")
    assert sheet.amount("disponibilites") == first.total + Decimal("500.00")
    # VAT: the settled part is due; the services' VAT not cashed yet still waits on 44574 (none here).
    assert sheet.amount("dettes_fiscales_sociales") == books["vat_due"]
    # Nothing before last year: no N-1 column.
    assert not before.has_previous

    done = closing.close_fiscal_year(last, by=books["accountant"])
    assert done.result == income.result
    # The opening entry, its items copied in the database, still hashes to what the closing recorded.
    assert integrity.check() == []
    after = ledger_view.financial_statements(last.start_date, last.end_date)
    _balanced(after.balance_sheet)
    # On the last day the closed year still reads as it did: its result, not yet a 120 balance.
    for key, line in sheet.lines.items():
        assert after.balance_sheet.amount(key) == line.amount, key
    assert after.income_statement.result == income.result


def test_the_next_year_carries_last_year_s_result_forward_and_compares_with_it(
    last_year_books, boss, customer, product
):
    books = last_year_books
    last, this_year = books["last"], books["this"]
    done = closing.close_fiscal_year(last, by=books["accountant"])
    today = dates.today()
    sale = _sale(
        boss, customer, [{"product": product, "quantity": "2"}], min(this_year.start_date + 12 * DAY, today)
    )
    found = ledger_view.financial_statements(this_year.start_date, today)
    sheet = found.balance_sheet
    _balanced(sheet)
    assert sheet.amount("report_a_nouveau") == done.result
    assert sheet.amount("resultat") == found.income_statement.result == sale.total_untaxed
    # The customer owes the new sale and last year's unpaid balance, carried by the à-nouveaux once.
    assert sheet.amount("creances_clients") == sale.total + books["second"].total - books["note"].total
    # Last year, same dates: the comparison column is there and balances too.
    assert found.has_previous
    assert found.previous_from == this_year.start_date.replace(year=this_year.start_date.year - 1)
    _balanced(found.previous_balance_sheet)
    assert found.previous_income_statement.amount("charges_externes") in (ZERO, Decimal("900.00"))
