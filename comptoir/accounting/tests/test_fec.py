"""FEC export of a fiscal year, over books written by the real services (quote → … → payment)."""

import datetime
import io
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comptoir.accounting import selectors as ledger_view
from comptoir.accounting.fec import _paris_day, export_fec, fec_lines, fiscal_year_bounds, write_fec
from comptoir.accounting.fec_check import COLUMNS, check_fec
from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core.testing import make_company, make_customer, open_fiscal_years
from comptoir.parties.services import configure_company
from comptoir.payments.services import register_payment
from comptoir.sales.services import accept_quote, confirm_order, create_order, create_quote, send_quote
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

pytestmark = pytest.mark.django_db


def _year() -> int:
    return timezone.localdate().year


def _paid_invoice(boss, customer, product):
    """Quote → order → delivery → invoice, then paid in full: the 411 lines get lettered."""
    receive_stock([{"product": product, "quantity": "20", "unit_cost": "70"}], by=boss)
    quote = create_quote(customer, [{"product": product, "quantity": "5"}], by=boss)
    send_quote(quote, by=boss)
    order = confirm_order(accept_quote(quote, by=boss), by=boss)
    validate_delivery(create_delivery(order, by=boss), by=boss)
    invoice = issue_invoice(create_invoice_from_order(order, by=boss), by=boss)
    register_payment(
        customer,
        amount=invoice.total,
        method="transfer",
        allocations=[{"invoice": invoice, "amount": invoice.total}],
        by=boss,
    )
    return invoice


def _open_invoice(boss, customer, service_product, *, date=None, paid="100.00"):
    """A service invoice, partly paid: it stays open, nothing is lettered. Ordered the day it is issued."""
    order = confirm_order(
        create_order(customer, [{"product": service_product, "quantity": "1"}], by=boss, date=date),
        by=boss,
    )
    invoice = issue_invoice(create_invoice_from_order(order, by=boss), by=boss, date=date)
    if paid:
        register_payment(
            customer,
            amount=paid,
            method="cheque",
            allocations=[{"invoice": invoice, "amount": paid}],
            by=boss,
        )
    return invoice


@pytest.fixture
def books(boss, company, customer, product, service_product):
    return _paid_invoice(boss, customer, product), _open_invoice(boss, customer, service_product)


def read_fec(path) -> tuple[str, list[dict[str, str]]]:
    """The header line and the lines as dicts, splitting on CR LF only."""
    text = path.read_bytes().decode("utf-8")
    assert text.endswith("\r\n")
    header, *lines = text[: -len("\r\n")].split("\r\n")
    rows = []
    for line in lines:
        fields = line.split("\t")
        assert len(fields) == 18, line
        rows.append(dict(zip(COLUMNS, fields, strict=True)))
    return header, rows


def read_fec_encoded(path, encoding: str) -> tuple[str, list[dict[str, str]]]:
    header, *lines = path.read_bytes().decode(encoding)[: -len("\r\n")].split("\r\n")
    return header, [dict(zip(COLUMNS, line.split("\t"), strict=True)) for line in lines]


def _euros(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def test_the_file_is_named_after_the_siren_and_the_closing_date(books, tmp_path):
    path = export_fec(_year(), tmp_path)
    assert path.name == f"732829320FEC{_year()}1231.txt"
    assert path.parent == tmp_path and not list(tmp_path.glob("*.partial"))


def test_the_header_lists_the_18_columns_in_the_legal_order(books, tmp_path):
    header, _ = read_fec(export_fec(_year(), tmp_path))
    assert header == (
        "JournalCode\tJournalLib\tEcritureNum\tEcritureDate\tCompteNum\tCompteLib\tCompAuxNum\tCompAuxLib\t"
        "PieceRef\tPieceDate\tEcritureLib\tDebit\tCredit\tEcritureLet\tDateLet\tValidDate\tMontantdevise\tIdevise"
    )


def test_every_entry_balances_and_every_line_has_one_side(books, tmp_path):
    _, rows = read_fec(export_fec(_year(), tmp_path))
    by_entry = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for row in rows:
        debit, credit = _euros(row["Debit"]), _euros(row["Credit"])
        assert (debit == 0) != (credit == 0)
        assert "0,00" in (row["Debit"], row["Credit"])
        by_entry[(row["JournalCode"], row["EcritureNum"])][0] += debit
        by_entry[(row["JournalCode"], row["EcritureNum"])][1] += credit
    assert len(by_entry) == 4  # two invoices, two payments
    assert all(debit == credit for debit, credit in by_entry.values())


def test_the_totals_equal_the_trial_balance_account_by_account(books, tmp_path):
    _, rows = read_fec(export_fec(_year(), tmp_path))
    per_account = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for row in rows:
        per_account[row["CompteNum"]][0] += _euros(row["Debit"])
        per_account[row["CompteNum"]][1] += _euros(row["Credit"])
    date_from, date_to = fiscal_year_bounds(_year(), 1)
    balance = ledger_view.trial_balance(date_from, date_to)
    assert {row.code: [row.debit, row.credit] for row in balance.rows} == dict(per_account)
    assert sum(d for d, _ in per_account.values()) == balance.total_debit == balance.total_credit


def test_entry_numbers_run_without_gaps_in_each_journal(books, tmp_path):
    _, rows = read_fec(export_fec(_year(), tmp_path))
    numbers = defaultdict(list)
    for row in rows:
        if row["EcritureNum"] not in numbers[row["JournalCode"]]:
            numbers[row["JournalCode"]].append(row["EcritureNum"])
    year = _year()
    assert numbers == {
        "VE": [f"VE-{year}-00001", f"VE-{year}-00002"],
        "BQ": [f"BQ-{year}-00001", f"BQ-{year}-00002"],
    }


def _history(admin_user):
    """Books kept since the start of last year: documents may be dated back that far."""
    configure_company(by=admin_user, backdating_days=800)


def test_lines_come_in_posting_order_so_numbers_and_validation_dates_never_go_back(
    admin_user, boss, company, customer, service_product, tmp_path
):
    _history(admin_user)
    year = _year()
    first = _open_invoice(boss, customer, service_product, date=datetime.date(year, 1, 2), paid="")
    _open_invoice(boss, customer, service_product, date=datetime.date(year, 1, 5), paid="")
    # Payments posted afterwards but dated earlier (a backdated payment): the file follows the order in
    # which entries were validated, so each journal's numbers and the validation dates only go forward.
    for day in (3, 2):
        register_payment(
            customer,
            amount="10.00",
            method="transfer",
            date=datetime.date(year, 1, day),
            allocations=[{"invoice": first, "amount": "10.00"}],
            by=boss,
        )
    _, rows = read_fec(export_fec(year, tmp_path))
    keys = list(dict.fromkeys((row["EcritureDate"], row["EcritureNum"]) for row in rows))
    assert keys == [
        (f"{year}0102", f"VE-{year}-00001"),
        (f"{year}0105", f"VE-{year}-00002"),
        (f"{year}0103", f"BQ-{year}-00001"),
        (f"{year}0102", f"BQ-{year}-00002"),
    ]
    valid = [row["ValidDate"] for row in rows]
    assert valid == sorted(valid)
    assert all(row["ValidDate"] >= row["EcritureDate"] for row in rows)
    assert check_fec(export_fec(year, tmp_path)) == []


def test_the_lettering_date_is_never_before_the_lines_it_letters(
    admin_user, boss, company, customer, product, tmp_path
):
    from comptoir.billing.services import create_milestone_invoice
    from comptoir.sales.services import set_billing_schedule

    _history(admin_user)
    today = timezone.localdate()
    order = create_order(customer, [{"product": product, "quantity": "10"}], by=boss, date=today)
    set_billing_schedule(
        order, [{"label": "Acompte", "trigger": "confirmation", "percent": "30", "is_deposit": True}], by=boss
    )
    confirm_order(order, by=boss)
    deposit = issue_invoice(create_milestone_invoice(order.milestones.get(), by=boss), by=boss)
    # The money came three days before the deposit invoice (a prepayment), recorded afterwards
    register_payment(
        customer,
        amount=deposit.total,
        method="transfer",
        date=today - datetime.timedelta(days=3),
        allocations=[{"invoice": deposit, "amount": deposit.total}],
        by=boss,
    )
    _, rows = read_fec(export_fec(_year(), tmp_path))
    lettered = [row for row in rows if row["EcritureLet"]]
    assert {row["PieceRef"] for row in lettered} >= {deposit.number}
    latest = max(row["EcritureDate"] for row in lettered)
    assert latest == today.strftime("%Y%m%d")
    assert {row["DateLet"] for row in lettered} == {latest}


def test_customer_deposit_lines_carry_the_customer_as_auxiliary_account(
    boss, company, customer, product, tmp_path
):
    from comptoir.billing.services import create_milestone_invoice
    from comptoir.sales.services import set_billing_schedule

    receive_stock([{"product": product, "quantity": "20", "unit_cost": "70"}], by=boss)
    order = create_order(customer, [{"product": product, "quantity": "10"}], by=boss)
    set_billing_schedule(
        order, [{"label": "Acompte", "trigger": "confirmation", "percent": "30", "is_deposit": True}], by=boss
    )
    confirm_order(order, by=boss)
    issue_invoice(create_milestone_invoice(order.milestones.get(), by=boss), by=boss)
    validate_delivery(create_delivery(order, by=boss), by=boss)
    issue_invoice(create_invoice_from_order(order, by=boss), by=boss)  # deducts the deposit: 4191 debit
    _, rows = read_fec(export_fec(_year(), tmp_path))
    deposits = [row for row in rows if row["CompteNum"] == "4191"]
    assert len(deposits) == 2
    assert {(row["CompAuxNum"], row["CompAuxLib"]) for row in deposits} == {
        (customer.code, "Menuiserie Martin SARL")
    }
    assert check_fec(export_fec(_year(), tmp_path)) == []


def test_customer_lines_carry_the_customer_as_auxiliary_account(books, customer, tmp_path):
    _, rows = read_fec(export_fec(_year(), tmp_path))
    for row in rows:
        if row["CompteNum"] == "411":
            assert (row["CompAuxNum"], row["CompAuxLib"]) == (customer.code, "Menuiserie Martin SARL")
        else:
            assert row["CompAuxNum"] == row["CompAuxLib"] == ""


def test_lettering_is_filled_for_a_paid_invoice_and_empty_for_an_open_one(books, tmp_path):
    paid, open_ = books
    _, rows = read_fec(export_fec(_year(), tmp_path))
    customer_rows = [row for row in rows if row["CompteNum"] == "411"]
    invoice_line = {row["PieceRef"]: row for row in customer_rows if row["JournalCode"] == "VE"}
    today = timezone.localdate().strftime("%Y%m%d")
    assert (invoice_line[paid.number]["EcritureLet"], invoice_line[paid.number]["DateLet"]) == ("A", today)
    assert (invoice_line[open_.number]["EcritureLet"], invoice_line[open_.number]["DateLet"]) == ("", "")
    settling = [row for row in customer_rows if row["JournalCode"] == "BQ" and row["EcritureLet"]]
    assert [(row["EcritureLet"], row["DateLet"], row["Credit"]) for row in settling] == [
        ("A", today, invoice_line[paid.number]["Debit"])
    ]


def test_fields_follow_the_fec_formats(books, tmp_path):
    paid, _ = books
    _, rows = read_fec(export_fec(_year(), tmp_path))
    sale = [row for row in rows if row["PieceRef"] == paid.number]
    today = timezone.localdate().strftime("%Y%m%d")
    assert {row["EcritureDate"] for row in sale} == {row["PieceDate"] for row in sale} == {today}
    assert {row["ValidDate"] for row in sale} == {today}
    assert {row["JournalLib"] for row in sale} == {"Ventes"}
    assert sale[0]["Debit"] == f"{paid.total:.2f}".replace(".", ",")
    assert all(row["Montantdevise"] == row["Idevise"] == "" for row in rows)


def test_the_validation_date_is_the_posting_day_in_paris(
    boss, company, customer, service_product, tmp_path, monkeypatch
):
    # 22:30 UTC on 31 March is already 1 April in Paris (summer time, UTC+2).
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2026, 3, 31, 22, 30, tzinfo=datetime.UTC))
    open_fiscal_years(boss, back=0)
    _open_invoice(boss, customer, service_product, paid="")
    _, rows = read_fec(export_fec(2026, tmp_path))
    assert {(row["EcritureDate"], row["ValidDate"]) for row in rows} == {("20260401", "20260401")}


@pytest.mark.parametrize(
    "utc, day",
    [
        ("2026-01-15 21:59:59", "20260115"),
        ("2026-01-15 22:30:00", "20260115"),  # winter, UTC+1: 23:30 in Paris
        ("2026-01-15 23:30:00", "20260116"),
        ("2026-07-15 22:00:00.123456", "20260716"),  # summer, UTC+2: midnight in Paris
        ("2026-12-31 23:00:00", "20270101"),
    ],
)
def test_the_validation_day_is_worked_out_in_french_time(utc, day):
    assert _paris_day(utc) == day


def test_tabs_and_line_breaks_in_labels_never_split_a_field(boss, company, service_product, tmp_path):
    awkward = make_customer(boss, name="Menuiserie\tMartin\r\nSARL")
    invoice = _open_invoice(boss, awkward, service_product, paid="")
    _, rows = read_fec(export_fec(_year(), tmp_path))  # read_fec asserts 18 fields on every line
    customer_row = next(row for row in rows if row["CompteNum"] == "411")
    assert customer_row["CompAuxLib"] == "Menuiserie Martin SARL"
    assert customer_row["EcritureLib"] == f"{invoice.number} Menuiserie Martin SARL"


def test_only_entries_of_the_fiscal_year_are_exported(
    admin_user, boss, company, customer, service_product, tmp_path
):
    _history(admin_user)
    year = _year()
    last_year = _open_invoice(boss, customer, service_product, date=datetime.date(year - 1, 12, 15), paid="")
    this_year = _open_invoice(boss, customer, service_product, paid="")
    _, rows = read_fec(export_fec(year, tmp_path))
    assert {row["PieceRef"] for row in rows} == {this_year.number}
    path = export_fec(year - 1, tmp_path)
    assert path.name == f"732829320FEC{year - 1}1231.txt"
    assert {row["PieceRef"] for row in read_fec(path)[1]} == {last_year.number}
    assert check_fec(path) == []


def test_a_fiscal_year_starting_in_july_ends_in_june_of_its_year(admin_user, boss, service_product, tmp_path):
    make_company(admin_user, fiscal_year_start_month=7, backdating_days=800)
    customer = make_customer(boss)
    year = _year()
    in_year = _open_invoice(boss, customer, service_product, date=datetime.date(year - 1, 12, 15), paid="")
    path = export_fec(year, tmp_path)
    assert path.name == f"732829320FEC{year}0630.txt"
    invoice_rows = [row for row in read_fec(path)[1] if row["JournalCode"] == "VE"]
    assert {row["PieceRef"] for row in invoice_rows} == {in_year.number}


def test_entries_are_numbered_per_fiscal_year_not_per_calendar_year(
    admin_user, boss, service_product, tmp_path
):
    # The fiscal year starts this month: yesterday's month closes the previous one.
    today = timezone.localdate()
    make_company(admin_user, fiscal_year_start_month=today.month)
    customer = make_customer(boss)
    first_day = today.replace(day=1)
    previous_year_end = first_day - datetime.timedelta(days=1)
    old = _open_invoice(boss, customer, service_product, date=previous_year_end, paid="")
    new = _open_invoice(boss, customer, service_product, date=first_day, paid="")
    closing_year = (first_day.replace(year=first_day.year + 1) - datetime.timedelta(days=1)).year
    # The new fiscal year starts its own sequence, named by its closing year, whatever the calendar says.
    assert new.entry.number == f"VE-{closing_year}-00001"
    assert old.entry.number.startswith(f"VE-{previous_year_end.year}-")
    fec = export_fec(closing_year, tmp_path)
    assert {row["EcritureNum"] for row in read_fec(fec)[1] if row["JournalCode"] == "VE"} == {
        new.entry.number
    }
    assert check_fec(fec) == []


@pytest.mark.parametrize(
    "year, start_month, bounds",
    [
        (2026, 1, ((2026, 1, 1), (2026, 12, 31))),
        (2026, 7, ((2025, 7, 1), (2026, 6, 30))),
        (2024, 3, ((2023, 3, 1), (2024, 2, 29))),
        (2026, 12, ((2025, 12, 1), (2026, 11, 30))),
    ],
)
def test_fiscal_year_bounds(year, start_month, bounds):
    assert fiscal_year_bounds(year, start_month) == tuple(datetime.date(*b) for b in bounds)


def test_the_checker_finds_nothing_wrong_with_an_export(books, tmp_path):
    assert check_fec(export_fec(_year(), tmp_path)) == []


def test_the_legal_latin9_encoding_is_available(books, tmp_path):
    result = write_fec(_year(), tmp_path, encoding="iso-8859-15")
    assert "TVA collectée".encode("iso-8859-15") in result.path.read_bytes()
    assert check_fec(result.path, encoding="iso-8859-15") == []
    # Comptoir's own labels use a dash (« Règlement … — FA-… »): the one character Latin-9 lacks here
    assert result.transliterated == {"—": "-"}


def test_latin9_transliterates_what_it_lacks_and_says_so(boss, company, service_product, tmp_path):
    awkward = make_customer(boss, name="Atelier « Œuvre » — Łódź ’s Bâtiment… Ørsted ✓")
    _open_invoice(boss, awkward, service_product, paid="")
    result = write_fec(_year(), tmp_path, encoding="iso-8859-15")
    _, rows = read_fec_encoded(result.path, "iso-8859-15")
    name = next(row["CompAuxLib"] for row in rows if row["CompteNum"] == "411")
    # Latin-9 keeps « » Œ â ó Ø; the dash, the apostrophe, the ellipsis and Ł become their closest
    # letters; what has none becomes "?"
    assert name == "Atelier « Œuvre » - Lódz 's Bâtiment... Ørsted ?"
    assert result.transliterated == {"—": "-", "Ł": "L", "ź": "z", "’": "'", "…": "...", "✓": "?"}
    out = io.StringIO()
    call_command(
        "export_fec", "--year", str(_year()), "--out", str(tmp_path), "--encoding", "iso-8859-15", stdout=out
    )
    assert "transcrit" in out.getvalue() and "— → -" in out.getvalue()


def test_the_number_of_queries_does_not_grow_with_the_lines(books, boss, customer, service_product):
    date_from, date_to = fiscal_year_bounds(_year(), 1)

    def queries_and_lines():
        with CaptureQueriesContext(connection) as queries:
            lines = list(fec_lines(date_from, date_to))
        return len(queries), len(lines)

    before, lines_before = queries_and_lines()
    for _ in range(3):
        _open_invoice(boss, customer, service_product)
    after, lines_after = queries_and_lines()
    assert lines_after > lines_before
    # the chart, the journals AN and CL, the opening lines (their entries when there are), the lines, the
    # entries
    assert after == before <= 5


def test_export_fec_command_prints_the_path_and_the_line_count(books, tmp_path):
    out = io.StringIO()
    call_command("export_fec", "--year", str(_year()), "--out", str(tmp_path), stdout=out)
    path_line, count_line = out.getvalue().splitlines()
    assert path_line == str(tmp_path / f"732829320FEC{_year()}1231.txt")
    _, rows = read_fec(tmp_path / f"732829320FEC{_year()}1231.txt")
    assert count_line.startswith(
        f"{len(rows)} lignes d'écritures, exercice du 01/01/{_year()} au 31/12/{_year()}"
    )


def test_export_fec_command_explains_a_missing_company(db, tmp_path):
    with pytest.raises(CommandError):
        call_command("export_fec", "--year", "2026", "--out", str(tmp_path), stdout=io.StringIO())


def test_check_fec_command_confirms_a_conforming_file(books, tmp_path):
    path = export_fec(_year(), tmp_path)
    _, rows = read_fec(path)
    total = sum(_euros(row["Debit"]) for row in rows)
    out = io.StringIO()
    call_command("check_fec", str(path), stdout=out)
    assert (
        out.getvalue().strip()
        == f"FEC conforme : {len(rows)} lignes, débit = crédit = {total:.2f}".replace(".", ",")
    )


def test_check_fec_command_lists_violations_and_exits_with_1(books, tmp_path):
    path = export_fec(_year(), tmp_path)
    path.write_bytes(path.read_bytes().replace(b"0,00", b"0.00", 1))
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("check_fec", str(path), stdout=out, stderr=err)
    assert exit_.value.code == 1
    assert "[montant_invalide]" in out.getvalue()
    assert "FEC non conforme" in err.getvalue()
