"""The opening of a company switching to Comptoir: its open customer invoices, then its opening balances
(a trial balance or its previous system's FEC), as entries of journal AN (imports.opening)."""

import datetime
from decimal import Decimal

import pytest

from comptoir.accounting import fec
from comptoir.accounting.models import Account, EntryLine, FiscalYear, JournalEntry, OpenItem, ReconciledLine
from comptoir.accounting.opening import agreement
from comptoir.core import dates
from comptoir.core.errors import DomainError
from comptoir.core.testing import make_company, make_customer
from comptoir.imports import services
from comptoir.imports.tests.files import csv_bytes, xlsx_bytes
from comptoir.payments import opening as payments_opening
from comptoir.payments.models import OpeningInvoice
from comptoir.payments.selectors import aged_receivables

pytestmark = pytest.mark.django_db

OPEN_INVOICES = [
    ["N° de facture", "Code client", "Date de facture", "Échéance", "Montant TTC", "Reste à payer"],
    ["FA2025-0412", "C-001", "15/11/2025", "15/12/2025", "1 440,00", "1 440,00"],
    ["FA2025-0431", "C-002", "20/12/2025", "", "1 200,00", "600,00"],
]


def _trial_balance(receivables_c001="1 440,00", receivables_c002="600,00"):
    return [
        ["Compte", "Libellé du compte", "Compte auxiliaire", "Débit", "Crédit"],
        ["101000", "Capital", "", "", "10 000,00"],
        ["218300", "Matériel de bureau", "", "3 000,00", ""],
        ["411000", "Clients", "C-001", receivables_c001, ""],
        ["411000", "Clients", "C-002", receivables_c002, ""],
        ["512000", "Banque", "", "7 360,00", ""],
        ["44571", "TVA collectée", "", "", "400,00"],
        ["707000", "Ventes", "", "", "12 000,00"],
        ["607000", "Achats", "", "10 000,00", ""],
    ]


@pytest.fixture
def setup(boss, admin_user):
    make_company(admin_user)
    make_customer(boss, code="C-001", name="Boulangerie Martin SARL")
    make_customer(boss, code="C-002", name="Garage Petit SAS")
    year = FiscalYear.objects.get(start_date__lte=dates.today(), end_date__gte=dates.today())
    return year


def run(kind, content, by, name="fichier.csv", **options):
    return services.run_import(kind, content, file_name=name, by=by, **options)


def test_open_invoices_become_open_items_of_journal_an_with_their_original_references(setup, boss):
    year = setup
    report = run("open_invoices", csv_bytes(OPEN_INVOICES), boss)
    assert report.imported and report.counts["created"] == 2 and report.counts["refused"] == 0
    first = OpeningInvoice.objects.get(number="FA2025-0412")
    assert (first.customer.code, first.date, first.due_date, first.amount) == (
        "C-001",
        datetime.date(2025, 11, 15),
        datetime.date(2025, 12, 15),
        Decimal("1440.00"),
    )
    # Its own AN entry, dated the first day of the year, with the original number and date as the piece.
    entry = first.entry
    assert (entry.journal.code, entry.date, entry.document_number, entry.document_date) == (
        "AN",
        year.start_date,
        "FA2025-0412",
        datetime.date(2025, 11, 15),
    )
    assert (first.line.account.code, first.line.partner.code, first.line.debit) == (
        "411",
        "C-001",
        Decimal("1440.00"),
    )
    assert "échéance 15/12/2025" in first.line.label
    assert OpenItem.objects.filter(line=first.line).exists()
    # No due date: due on its date. Never a Comptoir invoice.
    second = OpeningInvoice.objects.get(number="FA2025-0431")
    assert second.due_date == second.date and second.amount == Decimal("600.00")
    from comptoir.billing.models import Invoice

    assert not Invoice.objects.exists()


def test_an_open_invoice_is_paid_and_lettered_and_the_aged_balance_counts_it_by_its_due_date(setup, boss):
    run("open_invoices", csv_bytes(OPEN_INVOICES), boss)
    item = OpeningInvoice.objects.get(number="FA2025-0412")
    aged = {row.customer_code: row for row in aged_receivables().rows}
    assert aged["C-001"].over_90 == Decimal("1440.00") and aged["C-001"].total == Decimal("1440.00")
    assert aged["C-002"].total == Decimal("600.00")

    payments_opening.pay_opening_invoice(item, by=boss, amount="1000", method="transfer")
    assert not ReconciledLine.objects.filter(line=item.line).exists()
    assert payments_opening.left_to_pay(item) == Decimal("440.00")
    aged = {row.customer_code: row for row in aged_receivables().rows}
    # What is left, and no credit "non affecté": the money went to the invoice.
    assert aged["C-001"].over_90 == Decimal("440.00") and aged["C-001"].unapplied == 0

    payment = payments_opening.pay_opening_invoice(item, by=boss, amount="440.00", method="cheque")
    lettered = ReconciledLine.objects.get(line=item.line).reconciliation
    assert set(lettered.items.values_list("line__entry__journal__code", flat=True)) == {"AN", "BQ"}
    assert not OpenItem.objects.filter(line=item.line).exists()
    assert "C-001" not in {row.customer_code for row in aged_receivables().rows}
    assert payment.entry.lines.get(account__code="411").partner.code == "C-001"
    with pytest.raises(DomainError) as exc:
        payments_opening.pay_opening_invoice(item, by=boss, amount="1", method="cheque")
    assert exc.value.code == "opening_invoice_settled"


def test_an_open_invoice_still_due_is_in_the_not_due_bucket(setup, boss):
    rows = [
        OPEN_INVOICES[0],
        [
            "FA2025-0500",
            "C-001",
            "30/12/2025",
            (dates.today() + datetime.timedelta(days=20)).strftime("%d/%m/%Y"),
            "",
            "99,90",
        ],
    ]
    run("open_invoices", csv_bytes(rows), boss)
    row = aged_receivables().rows[0]
    assert (row.not_due, row.overdue) == (Decimal("99.90"), 0)


def test_importing_the_same_open_invoices_again_changes_nothing_and_a_different_amount_is_refused(
    setup, boss
):
    content = csv_bytes(OPEN_INVOICES)
    run("open_invoices", content, boss)
    entries = JournalEntry.objects.count()
    again = run("open_invoices", content, boss)
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 2, "refused": 0}
    assert JournalEntry.objects.count() == entries and OpeningInvoice.objects.count() == 2

    changed = [OPEN_INVOICES[0], [*OPEN_INVOICES[1][:5], "650,00"]]
    report = run("open_invoices", csv_bytes(changed), boss)
    assert not report.imported and report.refusals[0].code == "opening_invoice_exists"
    assert report.refusals[0].column == "N° de facture"
    assert OpeningInvoice.objects.get(number="FA2025-0431").amount == Decimal("600.00")


def test_bad_open_invoice_rows_are_reported_one_by_one_and_nothing_is_posted(setup, boss):
    rows = [
        OPEN_INVOICES[0],
        ["FA-1", "C-404", "01/10/2025", "", "", "100"],
        ["FA-2", "C-001", "01/10/2025", "", "", "0"],
        ["FA-3", "C-001", "02/02/2026", "", "", "100"],
        ["FA-4", "C-001", "31/13/2025", "", "", "100"],
        ["FA-5", "C-001", "01/10/2025", "", "50", "100"],
        ["FA-6", "C-001", "01/10/2025", "01/09/2025", "", "100"],
    ]
    report = run("open_invoices", csv_bytes(rows), boss)
    assert not report.imported
    found = {(r.row, r.column, r.code) for r in report.refusals}
    assert found == {
        (2, "Code client", "opening_invoice_unknown_customer"),
        (3, "Reste à payer", "opening_invoice_amount_not_positive"),
        (4, "Date de facture", "opening_invoice_after_opening"),
        (5, "Date de facture", "import_not_a_date"),
        (6, "Reste à payer", "opening_invoice_amount_above_total"),
        (7, "Échéance", "opening_invoice_due_before_date"),
    }
    assert not OpeningInvoice.objects.exists() and not JournalEntry.objects.exists()


def test_a_trial_balance_becomes_the_opening_entry_balanced_with_the_result_and_new_accounts(setup, boss):
    year = setup
    report = run("opening_balances", xlsx_bytes(_trial_balance()), boss, name="balance.xlsx")
    assert report.imported and report.counts["created"] == 8 and report.counts["refused"] == 0
    [entry] = JournalEntry.objects.filter(journal__code="AN")
    assert entry.date == year.start_date
    lines = {
        (line.account.code, line.partner.code if line.partner else ""): (line.debit, line.credit)
        for line in entry.lines.select_related("account", "partner")
    }
    assert lines[("101", "")] == (0, Decimal("10000.00"))
    assert lines[("512", "")] == (Decimal("7360.00"), 0)  # « 512000 » is the chart's 512
    assert lines[("218300", "")] == (Decimal("3000.00"), 0)  # a PCG number the chart lacked: created
    assert Account.objects.get(code="218300").name == "Matériel de bureau"
    # Customers itemised, each with its customer: open items to letter.
    assert lines[("411", "C-001")] == (Decimal("1440.00"), 0)
    assert OpenItem.objects.filter(line__entry=entry, account__code="411").count() == 2
    # Classes 6 and 7 of the year not closed: a profit of 2,000 on 120.
    assert lines[("120", "")] == (0, Decimal("2000.00"))
    assert not any(code.startswith(("6", "7")) for code, _p in lines)


def test_an_unbalanced_balance_is_refused_with_its_difference(setup, boss):
    rows = _trial_balance()
    rows[5][3] = "7 360,01"
    with pytest.raises(DomainError) as exc:
        run("opening_balances", csv_bytes(rows), boss)
    assert exc.value.code == "opening_unbalanced" and "0,01" in exc.value.message
    assert not JournalEntry.objects.exists()


def test_accounts_outside_the_pcg_and_unknown_customers_are_refused_row_by_row(setup, boss):
    rows = [
        *_trial_balance(),
        ["ABC", "Divers", "", "1", ""],
        ["9100", "Hors bilan", "", "1", ""],
        ["411000", "Clients", "C-404", "1", ""],
        ["467", "Autres", "", "", ""],
    ]
    report = run("opening_balances", csv_bytes(rows), boss)
    assert not report.imported
    assert {(r.row, r.column, r.code) for r in report.refusals} == {
        (10, "Compte", "opening_not_an_account"),
        (11, "Compte", "opening_not_an_account"),
        (12, "Compte auxiliaire", "opening_unknown_customer"),
        (13, "Débit", "opening_no_amount"),
    }
    assert report.counts["created"] == 8 and not JournalEntry.objects.exists()


def test_reimporting_the_same_balance_posts_nothing_and_another_one_is_refused(setup, boss):
    content = csv_bytes(_trial_balance())
    run("opening_balances", content, boss)
    again = run("opening_balances", content, boss)
    assert again.imported and again.counts["unchanged"] == 8 and again.counts["created"] == 0
    assert JournalEntry.objects.filter(journal__code="AN").count() == 1
    other = _trial_balance()
    other[1][4], other[5][3] = "10 100,00", "7 460,00"
    with pytest.raises(DomainError) as exc:
        run("opening_balances", csv_bytes(other), boss)
    assert exc.value.code == "opening_already_posted"


def test_the_balance_411_must_agree_with_the_open_invoices_to_the_cent(setup, boss):
    run("open_invoices", csv_bytes(OPEN_INVOICES), boss)
    state = agreement()
    assert (state.invoices, state.count, state.balance, state.difference) == (
        Decimal("2040.00"),
        2,
        None,
        None,
    )
    # One cent off: shown, per customer too, and nothing posted.
    with pytest.raises(DomainError) as exc:
        run("opening_balances", csv_bytes(_trial_balance(receivables_c002="600,01")), boss)
    assert exc.value.code == "opening_receivables_differ"
    assert "0,01 €" in exc.value.message and "C-002" in exc.value.message
    assert JournalEntry.objects.filter(journal__code="AN").count() == 2

    report = run("opening_balances", csv_bytes(_trial_balance()), boss)
    assert report.imported
    state = agreement()
    assert state.agrees and state.balance == Decimal("2040.00")
    # 411 is not itemised twice: the open invoices hold it, and 890 is cleared.
    totals = {}
    for line in EntryLine.objects.filter(entry__journal__code="AN").select_related("account"):
        totals[line.account.code] = totals.get(line.account.code, 0) + line.debit - line.credit
    assert totals["411"] == Decimal("2040.00") and totals["890"] == 0
    # Open invoices after the balances would no longer be compared with them: refused.
    late = run(
        "open_invoices",
        csv_bytes([OPEN_INVOICES[0], ["FA2025-0999", "C-001", "01/12/2025", "", "", "10"]]),
        boss,
    )
    assert late.refusals[0].code == "opening_invoice_after_balances"


def _fec_file() -> bytes:
    """The FEC of the previous year as another tool writes it (tab separated, AAAAMMJJ, decimal comma):
    an invoice paid and lettered, one still open, the bank, the capital, sales."""
    header = fec.COLUMNS
    rows = [
        [
            "AN",
            "A nouveaux",
            "AN1",
            "20250101",
            "101000",
            "Capital",
            "",
            "",
            "AN",
            "20250101",
            "Capital",
            "0,00",
            "5000,00",
            "",
            "",
            "20250101",
            "",
            "",
        ],
        [
            "AN",
            "A nouveaux",
            "AN1",
            "20250101",
            "512000",
            "Banque",
            "",
            "",
            "AN",
            "20250101",
            "Banque",
            "5000,00",
            "0,00",
            "",
            "",
            "20250101",
            "",
            "",
        ],
        [
            "VE",
            "Ventes",
            "VE1",
            "20250310",
            "411000",
            "Clients",
            "C-001",
            "Martin",
            "F-100",
            "20250310",
            "Facture F-100",
            "1200,00",
            "0,00",
            "AA",
            "20250410",
            "20250310",
            "",
            "",
        ],
        [
            "VE",
            "Ventes",
            "VE1",
            "20250310",
            "707000",
            "Ventes",
            "",
            "",
            "F-100",
            "20250310",
            "Facture F-100",
            "0,00",
            "1000,00",
            "",
            "",
            "20250310",
            "",
            "",
        ],
        [
            "VE",
            "Ventes",
            "VE1",
            "20250310",
            "445710",
            "TVA",
            "",
            "",
            "F-100",
            "20250310",
            "Facture F-100",
            "0,00",
            "200,00",
            "",
            "",
            "20250310",
            "",
            "",
        ],
        [
            "BQ",
            "Banque",
            "BQ1",
            "20250410",
            "512000",
            "Banque",
            "",
            "",
            "R-1",
            "20250410",
            "Règlement F-100",
            "1200,00",
            "0,00",
            "",
            "",
            "20250410",
            "",
            "",
        ],
        [
            "BQ",
            "Banque",
            "BQ1",
            "20250410",
            "411000",
            "Clients",
            "C-001",
            "Martin",
            "R-1",
            "20250410",
            "Règlement F-100",
            "0,00",
            "1200,00",
            "AA",
            "20250410",
            "20250410",
            "",
            "",
        ],
        [
            "VE",
            "Ventes",
            "VE2",
            "20251120",
            "411000",
            "Clients",
            "C-002",
            "Petit",
            "F-101",
            "20251120",
            "Facture F-101",
            "600,00",
            "0,00",
            "",
            "",
            "20251120",
            "",
            "",
        ],
        [
            "VE",
            "Ventes",
            "VE2",
            "20251120",
            "707000",
            "Ventes",
            "",
            "",
            "F-101",
            "20251120",
            "Facture F-101",
            "0,00",
            "500,00",
            "",
            "",
            "20251120",
            "",
            "",
        ],
        [
            "VE",
            "Ventes",
            "VE2",
            "20251120",
            "445710",
            "TVA",
            "",
            "",
            "F-101",
            "20251120",
            "Facture F-101",
            "0,00",
            "100,00",
            "",
            "",
            "20251120",
            "",
            "",
        ],
    ]
    return ("\n".join("\t".join(r) for r in [header, *rows]) + "\n").encode("utf-8")


def test_a_fec_of_the_previous_system_gives_its_closing_balances_with_the_open_items_itemised(setup, boss):
    report = run("opening_balances", _fec_file(), boss, name="FEC.txt", preset="fec")
    assert report.imported and report.counts["created"] == 10
    [entry] = JournalEntry.objects.filter(journal__code="AN")
    lines = list(entry.lines.select_related("account", "partner"))
    summary = sorted((line.account.code, line.debit - line.credit) for line in lines)
    assert summary == [
        ("101", Decimal("-5000.00")),
        ("120", Decimal("-1500.00")),  # the year's result (1,500 of sales), not closed there
        ("411", Decimal("600.00")),
        ("44571", Decimal("-300.00")),  # « 445710 » is the chart's 44571
        ("512", Decimal("6200.00")),
    ]
    # The invoice lettered in the previous system is gone; the open one stays, for its customer.
    [open_line] = [line for line in lines if line.account.code == "411"]
    assert open_line.partner.code == "C-002" and "F-101" in open_line.label
    assert OpenItem.objects.filter(line=open_line).exists()


def test_the_fec_of_the_opening_year_starts_with_the_an_entries_and_shows_the_original_references(
    setup, boss
):
    year = setup
    run("open_invoices", csv_bytes(OPEN_INVOICES), boss)
    run("opening_balances", csv_bytes(_trial_balance()), boss)
    export, report = fec.check_year(year.end_date.year)
    assert report.ok, report.violations
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        text = Path(fec.write_fec(year.end_date.year, folder).path).read_text(encoding="utf-8")
    lines = text.splitlines()[1:]
    assert all(line.startswith("AN\t") for line in lines[:6])
    invoice_line = next(line.split("\t") for line in lines if "FA2025-0412" in line and "\t411\t" in line)
    assert invoice_line[8:10] == ["FA2025-0412", "20251115"]  # PieceRef, PieceDate
    assert "échéance 15/12/2025" in invoice_line[10]


def test_the_pages_show_the_agreement_and_let_an_open_invoice_be_paid_from_the_customer(setup, boss):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from comptoir.imports.models import ImportRun
    from comptoir.web.tests.clients import client_for, text_of

    client = client_for(boss)
    upload = SimpleUploadedFile("factures.csv", csv_bytes(OPEN_INVOICES))
    tested = client.post(
        "/parametres/import/tester/", {"kind": "open_invoices", "preset": "comptoir", "file": upload}
    )
    assert "Test de « factures.csv » : 2 créé(s)" in text_of(tested)
    run = ImportRun.objects.get()
    client.post(f"/parametres/import/{run.pk}/importer/")
    page = text_of(client.get("/parametres/import/"))
    assert "Factures clients ouvertes reprises" in page and "040,00" in page and "pas encore importés" in page
    run_import = services.run_import
    run_import("opening_balances", csv_bytes(_trial_balance()), file_name="balance.csv", by=boss)
    assert "concordent au centime" in text_of(client.get("/parametres/import/"))

    item = OpeningInvoice.objects.get(number="FA2025-0431")
    detail = text_of(client.get(f"/clients/{item.customer_id}/"))
    assert "Factures reprises de l'ancien outil" in detail and "FA2025-0431" in detail
    paid = client.post(
        f"/factures-reprises/{item.pk}/regler/", {"amount": "600,00", "method": "transfer"}, follow=True
    )
    assert "enregistré pour la facture reprise FA2025-0431" in text_of(paid)
    assert payments_opening.left_to_pay(item) == 0
    assert ReconciledLine.objects.filter(line=item.line).exists()
    assert "FA2025-0431" not in text_of(client.get(f"/clients/{item.customer_id}/")).split("Règlements")[0]


def test_the_assistant_takes_a_payment_of_an_open_invoice_for_an_allocated_one(setup, boss):
    from comptoir.assistant.customer_payments import unallocated_payments

    run("open_invoices", csv_bytes(OPEN_INVOICES), boss)
    item = OpeningInvoice.objects.get(number="FA2025-0412")
    payments_opening.pay_opening_invoice(item, by=boss, amount="100", method="transfer")
    assert unallocated_payments(item.customer_id) == ()


def test_a_test_run_that_creates_accounts_leaves_no_trace_for_the_import_after_it(setup, boss):
    # The test run creates 890 and 218300, then rolls them back: the import must not post to their ids.
    content = csv_bytes(_trial_balance())
    run("open_invoices", csv_bytes(OPEN_INVOICES), boss, dry_run=True)
    run("opening_balances", content, boss, dry_run=True)
    assert not Account.objects.filter(code__in=["890", "218300"]).exists()
    run("open_invoices", csv_bytes(OPEN_INVOICES), boss)
    run("opening_balances", content, boss)
    codes = set(EntryLine.objects.values_list("account__code", flat=True))
    assert {"890", "218300"} <= codes
    assert EntryLine.objects.filter(account__isnull=True).count() == 0


def test_the_command_imports_a_fec_as_opening_balances(setup, boss, tmp_path, capsys):
    from django.core.management import call_command

    path = tmp_path / "732829320FEC20251231.txt"
    path.write_bytes(_fec_file())
    call_command("import", "soldes-ouverture", str(path), "--user", boss.username, "--preset", "fec")
    assert "10 créé(s)" in capsys.readouterr().out
    assert JournalEntry.objects.filter(journal__code="AN").count() == 1


def test_nothing_is_posted_into_a_locked_period(setup, boss):
    from comptoir.accounting.services import lock_period

    lock_period(setup.start_date, by=boss)
    for kind, content in (("open_invoices", OPEN_INVOICES), ("opening_balances", _trial_balance())):
        with pytest.raises(DomainError) as exc:
            run(kind, csv_bytes(content), boss)
        assert exc.value.code == "period_locked"
    assert not JournalEntry.objects.exists() and not OpeningInvoice.objects.exists()


def test_the_api_imports_open_invoices_and_answers_a_411_difference_with_its_code(setup, boss):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from comptoir.api.tests.conftest import ApiClient, issue_token

    api = ApiClient(issue_token(boss))

    def post(kind, content, **fields):
        upload = SimpleUploadedFile("fichier.csv", content)
        return api.client.post(
            "/api/v1/imports", {"kind": kind, "file": upload, **fields}, headers=api.headers
        )

    response = post("open_invoices", csv_bytes(OPEN_INVOICES))
    assert response.status_code == 200, response.json()
    assert response.json()["counts"]["created"] == 2
    response = post("opening_balances", csv_bytes(_trial_balance(receivables_c001="1 440,01")))
    assert response.status_code == 400 and response.json()["code"] == "opening_receivables_differ"


def test_a_fec_separated_by_pipes_is_read_too(setup, boss):
    content = _fec_file().replace(b"\t", b"|")
    report = run("opening_balances", content, boss, name="FEC.txt", preset="fec")
    assert report.imported and report.counts["created"] == 10
