"""Histories and the audit log speak French (issue 20, point 8): no raw code ("damaged", "scrap",
"credit_note", "admin"), no machine number ("87.0800000000000"), a credit note called an avoir and its
total incl. VAT called so, and a French label for every action any service records."""

import ast
import re
from pathlib import Path

import pytest

from comptoir.core.permissions import Role
from comptoir.core.testing import colleague_of
from comptoir.returns.services import (
    approve_case,
    open_case,
    receive_goods,
    resolve_with_credit_note,
    submit_case,
)
from comptoir.returns.tests.factories import make_sale, team
from comptoir.web import labels
from comptoir.web.tests.clients import client_for, text_of

pytestmark = pytest.mark.django_db

PACKAGE = Path(__file__).resolve().parents[2]
# A code as stored: lower case words joined by "_" (damaged, back_to_stock, credit_note).
RAW_CODE = re.compile(r"^[a-z]+(_[a-z]+)*$")
# A number as Python writes it: a decimal point (the French UI writes a decimal comma).
MACHINE_NUMBER = re.compile(r"\d\.\d")


ACTION = re.compile(r"[a-z_]+\.[a-z_]+")


def _literals(node, constants: dict[str, str]) -> list[str]:
    """The action codes an argument can be: a literal, either branch of `a if c else b`, or a module
    constant (SEEDED = "demo.seeded")."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _literals(node.body, constants) + _literals(node.orelse, constants)
    if isinstance(node, ast.Name) and node.id in constants:
        return [constants[node.id]]
    return []


def recorded_actions() -> set[str]:
    """Every action a service records: the first argument of `audit.record(...)` and every `action=`
    handed on to a helper that records it."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for target in node.targets
            if isinstance(target, ast.Name) and isinstance(node.value.value, str)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr == "record" and node.args:
                found.update(_literals(node.args[0], constants))
            for keyword in node.keywords:
                if keyword.arg == "action":
                    found.update(_literals(keyword.value, constants))
    return {action for action in found if ACTION.fullmatch(action)}


def test_every_recorded_action_has_a_french_label():
    actions = recorded_actions()
    assert len(actions) > 50  # the scan sees the services
    assert sorted(actions - set(labels.AUDIT_ACTIONS)) == []


def history_values(page: str) -> list[str]:
    """What the timeline and the audit log show of each event: its title and the values of its details
    (the labels of the details are French words, not codes)."""
    timeline = r'<span class="what">([^<]*)</span>|<dd>([^<]*)</dd>'
    audit_log = r'<td class="action-cell">([^<]*)</td>|<span class="muted">[^<]* :</span>([^<]*)</span>'
    return [text.strip() for match in re.findall(f"{timeline}|{audit_log}", page) for text in match]


def assert_readable(page: str) -> None:
    from django.contrib.auth import get_user_model

    usernames = set(get_user_model().objects.values_list("username", flat=True))
    shown = [text for text in history_values(page) if text]
    assert shown
    raw = [text for text in shown if RAW_CODE.match(text) and text not in ("oui", "non", *usernames)]
    assert raw == []
    assert [text for text in shown if MACHINE_NUMBER.search(text)] == []


@pytest.fixture
def case_history(boss, company, customer, product, settings, tmp_path):
    """A damaged-goods case: opened, approved, goods scrapped, credited."""
    settings.MEDIA_ROOT = tmp_path / "media"
    people = team()
    sale = make_sale(boss, customer, product)
    case = open_case(
        sale.delivery, [{"delivery_line": sale.delivery_line, "quantity": "2"}], by=boss, reason="damaged"
    )
    case = approve_case(submit_case(case, by=boss), by=colleague_of(boss))
    receive_goods(
        case,
        [{"line": case.lines.get(), "quantity": "2", "inspection": "carter fissuré", "disposition": "scrap"}],
        by=people["logistique"],
    )
    (resolution,) = resolve_with_credit_note(case, by=boss, reason="Perceuses endommagées")
    return case, resolution.credit_note


def test_a_return_case_history_has_no_raw_code_nor_machine_number(boss, case_history):
    case, _note = case_history
    page = text_of(client_for(boss).get(f"/litiges/{case.pk}/"))
    assert_readable(page)
    assert "Endommagé" in page and "Mise au rebut" in page and "Avoir" in page


def test_a_credit_note_calls_itself_an_avoir_and_its_total_incl_vat_so(boss, case_history):
    _case, note = case_history
    page = text_of(client_for(boss).get(f"/factures/{note.pk}/"))
    assert f"<title>Avoir {note.number}" in page
    assert '<h2 id="invoice-info">Avoir</h2>' in page
    assert "Avoir émis" in page and "Facture émise" not in page
    drafted = page.split("Brouillon d'avoir créé")[1]
    assert drafted.index("total TTC") < drafted.index("€")
    assert_readable(page)


def test_the_audit_log_names_roles_not_their_codes(boss, company):
    from comptoir.core.management.accounts import create_user

    create_user("nadia", roles=[Role.ADV, Role.COMMERCIAL], password="motdepasse-1234", by=boss)
    page = text_of(client_for(boss).get("/audit/"))
    assert "ADV (administration des ventes)" in page
    assert_readable(page)
