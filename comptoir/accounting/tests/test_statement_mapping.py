"""Where each account goes on the simplified balance sheet (2033-A) and income statement (2033-B): the
sign rules of the accounts that may hold either balance, depreciation netted, nothing ever dropped.
Pure: no database."""

from decimal import Decimal

from comptoir.accounting import statements
from comptoir.accounting.statements import ASSETS, LIABILITIES, AccountBalance

D = Decimal


def _row(code, debit="0", credit="0", partner=None):
    return AccountBalance(code, f"Compte {code}", D(debit), D(credit), partner)


def test_a_third_party_account_goes_to_assets_on_a_debit_and_to_liabilities_on_a_credit():
    line = statements.balance_sheet_line
    # Customers: what they owe is a receivable; a customer who paid twice is owed money.
    assert line("411", D("100")) == "creances_clients"
    assert line("411", D("-100")) == "autres_dettes"
    # Deposits received are a debt; the State: a VAT credit is an asset, the VAT due a debt.
    assert line("4191", D("-50")) == "avances_recues"
    assert line("44566", D("20")) == "autres_creances"
    assert line("44567", D("20")) == "autres_creances"
    assert line("44571", D("-20")) == "dettes_fiscales_sociales"
    assert line("44551", D("-20")) == "dettes_fiscales_sociales"
    # Suppliers: owed is a debt, an advance paid to them a receivable.
    assert line("401", D("-300")) == "dettes_fournisseurs"
    assert line("409", D("300")) == "autres_creances"
    # The bank: cash, or an overdraft among the borrowings.
    assert line("512", D("10")) == "disponibilites"
    assert line("512", D("-10")) == "emprunts"
    # Capital stays with the equity whatever its sign; an unknown account still lands somewhere.
    assert line("101", D("-1000")) == line("101", D("5")) == "capital"
    assert line("471", D("5")) == "autres_creances" and line("471", D("-5")) == "autres_dettes"
    assert line("891", D("5")) == "autres_creances"


def test_customers_are_judged_per_partner_so_a_credit_balance_is_not_netted_against_receivables():
    sheet = statements.balance_sheet(
        [
            _row("411", debit="1200", partner=1),
            _row("411", credit="200", partner=2),
            _row("512", credit="1000"),
            _row("101", debit="0", credit="0"),
        ]
    )
    assert sheet.amount("creances_clients") == D("1200")
    assert sheet.amount("autres_dettes") == D("200")
    assert sheet.amount("emprunts") == D("1000")  # the overdraft
    assert sheet.total(ASSETS) == sheet.total(LIABILITIES) == D("1200")


def test_depreciation_is_deducted_from_its_asset_and_the_result_is_income_less_charges():
    sheet = statements.balance_sheet(
        [
            _row("2183", debit="3000"),
            _row("28183", credit="1000"),
            _row("101", credit="2100"),
            _row("512", debit="700"),
            _row("707", credit="2000"),
            _row("607", debit="600"),
            _row("6811", debit="1000"),
            _row("401", credit="200"),
        ]
    )
    assert sheet.amount("immobilisations_corporelles") == D("2000")
    assert sheet.result == sheet.amount("resultat") == D("400")
    assert [a.code for a in sheet.lines["resultat"].accounts] == ["607", "6811", "707"]
    assert sheet.total(ASSETS) == sheet.total(LIABILITIES) == D("2700")


def test_the_income_statement_puts_each_account_on_its_2033_b_line_and_gives_the_intermediate_results():
    income = statements.income_statement(
        [
            _row("707", credit="10000"),
            _row("709", debit="100"),  # discounts granted come off the sales
            _row("706", credit="3000"),
            _row("701", credit="500"),
            _row("607", debit="4000"),
            _row("6037", credit="300"),  # stock grew: a negative variation
            _row("613", debit="1200"),
            _row("6411", debit="2000"),
            _row("6451", debit="800"),
            _row("635", debit="150"),
            _row("6811", debit="400"),
            _row("658", debit="50"),
            _row("661", debit="70"),
            _row("768", credit="20"),
            _row("671", debit="30"),
            _row("695", debit="500"),
            _row("411", debit="999"),  # not an income nor a charge: ignored
        ]
    )
    amount = income.amount
    assert amount("ventes_marchandises") == D("9900")
    assert amount("production_services") == D("3000")
    assert amount("production_biens") == D("500")
    assert amount("achats_marchandises") == D("4000")
    assert amount("variation_marchandises") == D("-300")
    assert amount("charges_externes") == D("1200")
    assert amount("salaires") == D("2000") and amount("charges_sociales") == D("800")
    assert amount("impots_taxes") == D("150") and amount("dotations") == D("400")
    assert amount("autres_charges") == D("50")
    assert amount("charges_financieres") == D("70") and amount("produits_financiers") == D("20")
    assert amount("charges_exceptionnelles") == D("30") and amount("impot_benefices") == D("500")
    totals = statements.subtotals(income)
    assert totals["exploitation"] == D("13400") - D("8300")
    assert totals["financier"] == D("-50") and totals["exceptionnel"] == D("-30")
    assert totals["resultat"] == income.result == D("4520")


def test_a_period_with_a_loss_shows_a_negative_result_on_both_statements():
    balances = [_row("613", debit="900"), _row("512", credit="900")]
    assert statements.income_statement(balances).result == D("-900")
    sheet = statements.balance_sheet(balances)
    assert sheet.amount("resultat") == D("-900") and sheet.amount("emprunts") == D("900")
    assert sheet.total(ASSETS) == sheet.total(LIABILITIES) == D("0")
