"""The FEC checker on small hand-written files: pure Python, no database."""

from decimal import Decimal

import pytest
from django.utils import translation

from comptoir.accounting.fec_check import COLUMNS, Rule, check_fec, totals

HEADER = "\t".join(COLUMNS)
NAME = "732829320FEC20261231.txt"


def row(**fields) -> str:
    """One FEC line; by default the 411 debit of invoice FA-2026-00001, lettered."""
    values = {
        "JournalCode": "VE",
        "JournalLib": "Ventes",
        "EcritureNum": "VE-2026-00001",
        "EcritureDate": "20260115",
        "CompteNum": "411",
        "CompteLib": "Clients",
        "CompAuxNum": "C00001",
        "CompAuxLib": "Menuiserie Martin SARL",
        "PieceRef": "FA-2026-00001",
        "PieceDate": "20260115",
        "EcritureLib": "Facture FA-2026-00001",
        "Debit": "120,00",
        "Credit": "0,00",
        "EcritureLet": "A",
        "DateLet": "20260210",
        "ValidDate": "20260115",
        "Montantdevise": "",
        "Idevise": "",
    }
    values.update(fields)
    return "\t".join(values[name] for name in COLUMNS)


def sale(number="VE-2026-00001", *, date="20260115", total="120,00", net="100,00", vat="20,00", **common):
    """The three lines of an invoice entry: 411 debit, 707 and 44571 credits."""
    common = {"EcritureNum": number, "EcritureDate": date, **common}
    no_partner = {"CompAuxNum": "", "CompAuxLib": "", "EcritureLet": "", "DateLet": ""}
    return [
        row(Debit=total, **common),
        row(
            CompteNum="707",
            CompteLib="Ventes de marchandises",
            Debit="0,00",
            Credit=net,
            **no_partner | common,
        ),
        row(CompteNum="44571", CompteLib="TVA collectée", Debit="0,00", Credit=vat, **no_partner | common),
    ]


def payment(number="BQ-2026-00001", *, amount="120,00"):
    common = {
        "JournalCode": "BQ",
        "JournalLib": "Banque",
        "EcritureNum": number,
        "EcritureDate": "20260210",
        "PieceRef": "REG-2026-00001",
        "PieceDate": "20260210",
        "EcritureLib": "Règlement REG-2026-00001",
        "ValidDate": "20260210",
    }
    return [
        row(
            CompteNum="512",
            CompteLib="Banque",
            CompAuxNum="",
            CompAuxLib="",
            EcritureLet="",
            DateLet="",
            Debit=amount,
            **common,
        ),
        row(Debit="0,00", Credit=amount, **common),
    ]


def write(tmp_path, lines, *, name=NAME, header=HEADER, end="\r\n"):
    path = tmp_path / name
    path.write_bytes((end.join([header, *lines]) + end).encode())
    return path


def codes(path, **options) -> list[str]:
    return [v.code for v in check_fec(path, **options)]


def good_lines():
    return [*sale("VE-2026-00001"), *sale("VE-2026-00002", date="20260120"), *payment()]


def test_a_well_formed_file_has_no_violation(tmp_path):
    assert check_fec(write(tmp_path, good_lines())) == []


def test_lf_line_ends_are_accepted_too(tmp_path):
    assert check_fec(write(tmp_path, good_lines(), end="\n")) == []


def test_totals_add_up_debits_and_credits(tmp_path):
    result = totals(write(tmp_path, good_lines()))
    assert (result.debit, result.credit, result.lines) == (Decimal("360.00"), Decimal("360.00"), 8)


def test_a_header_with_columns_out_of_order_is_refused(tmp_path):
    names = list(COLUMNS)
    names[0], names[1] = names[1], names[0]
    assert codes(write(tmp_path, good_lines(), header="\t".join(names))) == [Rule.HEADER]


def test_a_header_separated_by_pipes_is_refused(tmp_path):
    violations = check_fec(write(tmp_path, good_lines(), header="|".join(COLUMNS)))
    assert [v.code for v in violations] == [Rule.HEADER]
    assert violations[0].line == 1


def test_an_unbalanced_entry_is_reported_at_its_first_line(tmp_path):
    lines = good_lines()
    lines[3:6] = sale("VE-2026-00002", total="120,00", net="100,00", vat="19,99")
    violations = check_fec(write(tmp_path, lines))
    assert [v.code for v in violations] == [Rule.UNBALANCED, Rule.FILE_UNBALANCED]
    assert violations[0].line == 5  # header is line 1, the entry starts on the 4th data line
    assert "VE-2026-00002" in violations[0].message and "119,99" in violations[0].message


def test_a_gap_in_the_numbering_of_a_journal_is_reported(tmp_path):
    lines = [*sale("VE-2026-00001"), *sale("VE-2026-00004"), *payment()]
    violations = check_fec(write(tmp_path, lines))
    assert [v.code for v in violations] == [Rule.GAP]
    assert "VE-2026-00002 à VE-2026-00003" in violations[0].message


def test_each_journal_and_year_has_its_own_series(tmp_path):
    # BQ starts at 1 on its own; VE switches year mid-file (a fiscal year not starting in January).
    lines = [
        *sale("VE-2025-00041"),
        *sale("VE-2025-00042"),
        *sale("VE-2026-00001"),
        *payment("BQ-2026-00001"),
    ]
    assert check_fec(write(tmp_path, lines)) == []


def test_a_gap_spanning_many_numbers_is_one_violation(tmp_path):
    lines = [*sale("VE-2026-1"), *sale("VE-2026-200000"), *payment()]
    violations = check_fec(write(tmp_path, lines))
    assert [v.code for v in violations] == [Rule.GAP]
    assert "VE-2026-2 à VE-2026-199999" in violations[0].message


def test_lines_of_one_entry_must_be_contiguous(tmp_path):
    first, second = sale("VE-2026-00001"), sale("VE-2026-00002")
    lines = [first[0], first[1], *second, first[2]]
    assert Rule.NOT_GROUPED in codes(write(tmp_path, lines))


def test_an_entry_number_without_counter_is_reported(tmp_path):
    lines = [*sale("VE-2026-A"), *payment()]
    assert codes(write(tmp_path, lines)) == [Rule.NUMBER]


@pytest.mark.parametrize(
    "change, code",
    [
        ({"EcritureDate": "20261301", "PieceDate": "20261301"}, Rule.DATE),
        ({"EcritureDate": "2026-01-15", "PieceDate": "20260115"}, Rule.DATE),
        ({"ValidDate": "2026011"}, Rule.DATE),
        ({"EcritureDate": "20250115", "PieceDate": "20250115"}, Rule.OUT_OF_YEAR),
        ({"Debit": "120.00"}, Rule.AMOUNT),
        ({"Debit": "1 200,00"}, Rule.AMOUNT),
        ({"Debit": "+120,00"}, Rule.AMOUNT),
        ({"Debit": "-120,00"}, Rule.NEGATIVE),
        ({"PieceRef": ""}, Rule.REQUIRED),
        ({"EcritureLib": " "}, Rule.REQUIRED),
        ({"CompAuxLib": ""}, Rule.AUXILIARY),
        ({"DateLet": ""}, Rule.LETTERING),
        ({"Montantdevise": "130,00"}, Rule.CURRENCY),
        ({"CompteNum": "37"}, Rule.ACCOUNT),
        ({"CompteNum": "CLIENTS"}, Rule.ACCOUNT),
    ],
)
def test_a_bad_field_is_reported_with_its_rule(tmp_path, change, code):
    lines = good_lines()
    lines[0] = row(**change)
    violations = check_fec(write(tmp_path, lines))
    assert code in [v.code for v in violations]
    assert all(v.line == 2 for v in violations if v.code == code)


def test_a_line_with_both_debit_and_credit_is_reported(tmp_path):
    lines = [*payment(), row(EcritureNum="VE-2026-00001", Debit="10,00", Credit="10,00")]
    assert codes(write(tmp_path, lines)) == [Rule.BOTH_SIDES]


def test_a_line_without_amount_is_reported_unless_allowed(tmp_path):
    lines = [*good_lines(), row(EcritureNum="VE-2026-00003", Debit="0,00", Credit="0,00")]
    path = write(tmp_path, lines)
    assert codes(path) == [Rule.ZERO_LINE]
    assert codes(path, allow_zero_lines=True) == []


def test_a_tab_inside_a_label_shifts_the_columns(tmp_path):
    lines = good_lines()
    lines[0] = row(EcritureLib="Facture\tFA-2026-00001")
    assert Rule.COLUMNS in codes(write(tmp_path, lines))


def test_a_carriage_return_inside_a_line_is_reported(tmp_path):
    lines = good_lines()
    lines[0] = row(EcritureLib="Facture\rFA-2026-00001")
    assert codes(write(tmp_path, lines, end="\n")) == [Rule.FORBIDDEN_CHAR]


def test_mixed_line_ends_are_reported(tmp_path):
    path = write(tmp_path, good_lines())
    path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n", 2))
    assert codes(path) == [Rule.LINE_ENDINGS]


def test_text_that_is_not_utf8_is_reported(tmp_path):
    lines = good_lines()
    path = tmp_path / NAME
    path.write_bytes(("\r\n".join([HEADER, *lines]) + "\r\n").encode("iso-8859-15"))
    violations = check_fec(path)
    assert {v.code for v in violations} == {Rule.ENCODING}
    assert [v.line for v in violations] == [4, 7, 8, 9]  # « TVA collectée », « Règlement »
    assert codes(path, encoding="iso-8859-15") == []


def test_past_a_hundred_violations_of_one_rule_the_rest_are_counted(tmp_path):
    lines = [row(EcritureNum=f"VE-2026-{n:05d}", Debit="120.00", Credit="0,00") for n in range(1, 151)]
    violations = [v for v in check_fec(write(tmp_path, lines)) if v.code == Rule.AMOUNT]
    assert len(violations) == 101
    assert violations[-1].line is None and "50 autre(s)" in violations[-1].message


@pytest.mark.parametrize(
    "name",
    ["FEC20261231.txt", "73282932FEC20261231.txt", "732829320FEC20261332.txt", "732829320FEC20261231.csv"],
)
def test_the_file_name_follows_the_siren_fec_closing_date_pattern(tmp_path, name):
    assert Rule.FILE_NAME in codes(write(tmp_path, good_lines(), name=name))


def test_without_a_valid_name_the_entries_must_still_fit_in_twelve_months(tmp_path):
    lines = [*sale("VE-2026-00001", date="20250101", PieceDate="20250101"), *payment()]
    assert codes(write(tmp_path, lines, name="fec.txt")) == [Rule.FILE_NAME, Rule.OUT_OF_YEAR]


def test_a_file_without_entries_is_reported(tmp_path):
    assert codes(write(tmp_path, [])) == [Rule.EMPTY]


def test_messages_are_french_and_name_the_line(tmp_path):
    lines = good_lines()
    lines[0] = row(Debit="120.00")
    text = str(check_fec(write(tmp_path, lines))[0])
    assert text.startswith("ligne 2 [montant_invalide]") and "virgule décimale" in text


def test_messages_are_english_when_the_user_chose_english(tmp_path):
    lines = [*sale("VE-2026-00001"), *sale("VE-2026-00004"), *payment()]
    lines[0] = row(CompteNum="C411")
    path = write(tmp_path, lines)
    with translation.override("en"):
        violations = check_fec(path)
        first = str(violations[0])
    # The codes stay the stable French ones; the sentences are English.
    assert [v.code for v in violations] == [Rule.ACCOUNT, Rule.GAP]
    assert first == (
        "line 2 [compte_non_pcg] Account “C411” does not start with three digits of the French chart of "
        "accounts (classes 1 to 8)."
    )
    assert (
        violations[1].message == "Gap in the numbering of journal VE: VE-2026-00002 to VE-2026-00003 missing."
    )
    with translation.override("fr"):
        assert check_fec(path)[1].message == (
            "Numérotation discontinue dans le journal VE : VE-2026-00002 à VE-2026-00003 manquant(s)."
        )
