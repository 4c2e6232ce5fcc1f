"""French first, every string through gettext, English complete and chosen from the user menu.

The strings are extracted here without xgettext (a CI machine may not have gettext): templates through
Django's own templatize(), Python through ast. The compiled .mo files are what Django reads at run time,
so they are what is checked; the .po files are read by a small parser to check that the .mo files were
recompiled and that placeholders survived translation.
"""

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation.template import templatize

import comptoir
from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core.testing import make_customer, make_product
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

PACKAGE = Path(comptoir.__file__).resolve().parent
LOCALE = PACKAGE / "locale"
FIX = "run `make messages`, then translate the new entries in comptoir/locale/en/LC_MESSAGES/django.po"

# Python gettext callables → positions of (context, singular, plural) among the call's arguments.
# N_ (gettext_noop) and _l (gettext_lazy) are the project's aliases, also given to xgettext.
PYTHON_CALLS = {
    **dict.fromkeys(["_", "gettext", "gettext_lazy", "gettext_noop", "N_", "_l"], (None, 0, None)),
    **dict.fromkeys(["ngettext", "ngettext_lazy"], (None, 0, 1)),
    **dict.fromkeys(["pgettext", "pgettext_lazy"], (0, 1, None)),
    **dict.fromkeys(["npgettext", "npgettext_lazy"], (0, 1, 2)),
}
# templatize() turns {% translate %} and {% blocktranslate %} into calls of these.
TEMPLATE_CALLS = {key: PYTHON_CALLS[key] for key in ("_", "gettext", "ngettext", "pgettext", "npgettext")}
STRING = r"""u?'(?:[^'\\]|\\.)*'|u?"(?:[^"\\]|\\.)*\""""  # templatize() writes u'…' literals
TEMPLATE_CALL = re.compile(rf"\b(n?p?gettext|_)\(\s*((?:(?:{STRING})\s*,?\s*)+)")
PLACEHOLDER = re.compile(
    r"%\(\w+\)[-+#0 ]*\d*(?:\.\d+)?[a-zA-Z]"  # %(name)s
    r"|%(?:\d+\$)?[-+#0]*\d*(?:\.\d+)?[sdifr]"  # %s, %d
    r"|\{\w*\}"  # {name}, {}
    r"|</?(?:a|abbr|b|br|code|em|i|kbd|small|span|strong)\b[^>]*>"  # inline markup
)


@dataclass(frozen=True)
class Message:
    """One msgid as the .mo file keys it: context\\x04msgid, and the plural form when there is one."""

    msgid: str
    plural: str | None
    where: str

    def keys(self) -> list:
        return [(self.msgid, 0), (self.msgid, 1)] if self.plural is not None else [self.msgid]


def message(spec: tuple, args: list, where: str) -> Message:
    """The Message of a call whose arguments are `args`, given its (context, singular, plural) positions."""
    ctx, singular, plural = (args[i] if i is not None else None for i in spec)
    return Message(f"{ctx}\x04{singular}" if ctx is not None else singular, plural, where)


def source_files(pattern: str) -> list[Path]:
    return sorted(p for p in PACKAGE.rglob(pattern) if "tests" not in p.relative_to(PACKAGE).parts)


def python_messages() -> list[Message]:
    found = []
    for path in source_files("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in PYTHON_CALLS:
                continue
            args = [
                a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None
                for a in node.args
            ]
            needed = [i for i in PYTHON_CALLS[name] if i is not None]
            if len(args) <= max(needed) or any(args[i] is None for i in needed):
                continue  # a variable, as in DomainError's _(self.template): its string is declared elsewhere
            found.append(message(PYTHON_CALLS[name], args, f"{path.relative_to(PACKAGE)}:{node.lineno}"))
    return found


def template_messages() -> list[Message]:
    found = []
    for path in source_files("templates/**/*.html") + source_files("templates/**/*.txt"):
        code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
        for match in TEMPLATE_CALL.finditer(code):
            args = [ast.literal_eval(literal) for literal in re.findall(STRING, match[2])]
            found.append(message(TEMPLATE_CALLS[match[1]], args, str(path.relative_to(PACKAGE))))
    return found


def compiled(language: str) -> dict:
    with open(LOCALE / language / "LC_MESSAGES" / "django.mo", "rb") as mo:
        catalog = dict(gettext.GNUTranslations(mo)._catalog)
    catalog.pop("", None)  # the header
    return catalog


@dataclass
class PoEntry:
    msgctxt: str | None = None
    msgid: str | None = None
    msgid_plural: str | None = None
    msgstr: dict = field(default_factory=dict)
    flags: set = field(default_factory=set)

    def key(self) -> str:
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid


def read_po(language: str) -> list[PoEntry]:
    """The live entries of a .po file (obsolete ones and the header left out)."""
    entries, entry, target = [], PoEntry(), None
    lines = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8").splitlines()
    for line in [*lines, ""]:
        if line.startswith("#~"):
            continue
        if (not line or line.startswith("#")) and entry.msgid is not None:
            entries.append(entry)
            entry, target = PoEntry(), None
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        keyword = re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?) (".*")$', line)
        if keyword:
            target = (
                ("msgstr", int(keyword[2] or 0)) if keyword[1].startswith("msgstr") else (keyword[1], None)
            )
            value = ast.literal_eval(keyword[3])
            if target[0] == "msgstr":
                entry.msgstr[target[1]] = value
            else:
                setattr(entry, target[0], value)
        elif line.startswith('"') and target:
            value = ast.literal_eval(line)
            if target[0] == "msgstr":
                entry.msgstr[target[1]] += value
            else:
                setattr(entry, target[0], getattr(entry, target[0]) + value)
    return [e for e in entries if e.msgid]


def listing(items) -> str:
    items = list(items)
    shown = "\n".join(f"  {item}" for item in items[:20])
    more = f"\n  … and {len(items) - 20} more" if len(items) > 20 else ""
    return f"{len(items)} string(s):\n{shown}{more}"


# ---------------------------------------------------------------------------------------------------
# Catalogs


def test_the_extraction_finds_strings_in_templates_and_python():
    """Guards the checks below against an extractor that silently finds nothing."""
    templates = {m.msgid for m in template_messages()}
    python = {m.msgid for m in python_messages()}
    assert {"Se déconnecter", "Aucune facture", "Ajouter une ligne"} <= templates
    assert {"Brouillon", "Ajoutez au moins une ligne."} <= python  # gettext_lazy and N_ (gettext_noop)
    plurals = {m.msgid: m.plural for m in template_messages() if m.plural}
    assert plurals["%(counter)s facture en retard"] == "%(counter)s factures en retard"


def test_every_string_of_templates_and_python_has_an_english_translation():
    english = compiled("en")
    missing = sorted(
        {
            f"{m.msgid!r} ({m.where})"
            for m in template_messages() + python_messages()
            if any(not english.get(key) for key in m.keys())
        }
    )
    assert not missing, f"No English translation for {listing(missing)}\n{FIX}."


def test_the_french_catalog_has_every_message_of_the_english_one():
    english, french = compiled("en"), compiled("fr")
    missing = sorted(repr(key) for key in english if not french.get(key))
    assert not missing, f"The French catalog lacks {listing(missing)}\nRun `make messages`."


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_committed_mo_files_match_their_po_files(language):
    expected = {}
    for entry in read_po(language):
        if "fuzzy" in entry.flags or not all(entry.msgstr.values()):
            continue
        if entry.msgid_plural is None:
            expected[entry.key()] = entry.msgstr[0]
        else:
            expected.update({(entry.key(), n): text for n, text in entry.msgstr.items()})
    actual = compiled(language)
    differ = {key for key in expected if expected[key] != actual.get(key)}
    stale = sorted(repr(key) for key in expected.keys() ^ actual.keys() | differ)
    assert not stale, f"{language}/django.mo is older than its .po: {listing(stale)}\nRun `make messages`."


def test_no_entry_is_left_fuzzy_or_empty_in_english():
    unfinished = [
        repr(e.msgid)
        for e in read_po("en")
        if "fuzzy" in e.flags or not e.msgstr or not all(e.msgstr.values())
    ]
    assert not unfinished, f"Unfinished English entries, {listing(unfinished)}\n{FIX}."


def test_english_translations_keep_every_placeholder_and_tag():
    broken = []
    for entry in read_po("en"):
        sources = [entry.msgid] if entry.msgid_plural is None else [entry.msgid, entry.msgid_plural]
        for n, translated in entry.msgstr.items():
            source = sources[min(n, len(sources) - 1)]
            want = set(PLACEHOLDER.findall(source.replace("%%", "")))
            got = set(PLACEHOLDER.findall(translated.replace("%%", "")))
            if translated and want != got:
                broken.append(f"{source!r} → {translated!r}: expected {sorted(want)}, found {sorted(got)}")
    assert not broken, f"Placeholders differ in {listing(broken)}"


# ---------------------------------------------------------------------------------------------------
# The language the pages render in


@pytest.fixture(autouse=True)
def _french_again_after_the_test():
    # A request leaves its language active in the thread (streamed exports render after the response):
    # give the tests that follow their French back.
    yield
    translation.deactivate()


@pytest.fixture
def issued_invoice(boss, company):
    customer = make_customer(boss, name="Menuiserie Martin SARL", siren="542107651")
    product = make_product(boss, sku="REF-88", name="Perceuse à percussion", sale_price="120.00")
    receive_stock([{"product": product, "quantity": "5", "unit_cost": "70"}], by=boss, supplier_name="Bosch")
    order = create_order(customer, [{"product": product, "quantity": "2"}], by=boss)
    confirm_order(order, by=boss)
    validate_delivery(create_delivery(order, by=boss), by=boss)
    return issue_invoice(create_invoice_from_order(order, by=boss), by=boss)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_pages_are_french_without_a_choice_whatever_the_browser_asks(boss, issued_invoice):
    client = signed_in(boss)
    for headers in ({}, {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}):
        home = client.get("/", **headers).content.decode()
        invoices = client.get("/factures/", **headers).content.decode()
        assert '<html lang="fr">' in home
        assert "Se déconnecter" in home and "Sign out" not in home
        assert "Total HT" in invoices and "Reste dû" in invoices and "Émise" in invoices
        assert "Total excl. VAT" not in invoices


@pytest.mark.django_db
def test_choosing_english_in_the_user_menu_renders_the_pages_in_english(boss, issued_invoice):
    client = signed_in(boss)
    home = client.get("/").content.decode()
    assert 'action="/i18n/setlang/"' in home and 'name="language"' in home  # the switch in the user menu

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/factures/"})
    assert response.status_code == 302 and response["Location"] == "/factures/"

    home = client.get("/").content.decode()
    assert '<html lang="en">' in home
    assert "Sign out" in home and "Home" in home and "Invoices" in home
    assert "Se déconnecter" not in home and "Accueil" not in home
    invoices = client.get("/factures/").content.decode()
    assert "Total excl. VAT" in invoices and "Balance due" in invoices and "Issued" in invoices
    assert "Total HT" not in invoices and "Reste dû" not in invoices and "Émise" not in invoices

    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert "Se déconnecter" in client.get("/").content.decode()


@pytest.mark.django_db
def test_the_assistants_findings_follow_the_language_chosen_in_the_user_menu(boss, company):
    customer = make_customer(boss, name="Menuiserie Martin SARL", siren="542107651")
    product = make_product(boss, sku="REF-88", name="Perceuse à percussion", sale_price="120.00")
    receive_stock([{"product": product, "quantity": "5", "unit_cost": "70"}], by=boss, supplier_name="Bosch")
    order = create_order(customer, [{"product": product, "quantity": "2"}], by=boss)
    confirm_order(order, by=boss)
    delivery = validate_delivery(create_delivery(order, by=boss), by=boss)  # shipped, not invoiced yet
    client = signed_in(boss)
    url = f"/commandes/{order.pk}/"

    french = client.get(url).content.decode()
    assert f"Le {delivery.number} (expédié le" in french
    assert "n&#x27;est encore facturé par aucune facture : 2 unités de REF-88." in french

    client.post("/i18n/setlang/", {"language": "en", "next": url})
    english = client.get(url).content.decode()
    assert f"Delivery note {delivery.number} (shipped on" in english
    assert "is not billed on any invoice yet: 2 units of REF-88." in english
    assert f"Draw up the invoice for the quantities delivered on order {order.number}." in english
    assert "aucune facture" not in english


def test_the_french_catalog_says_each_message_as_written():
    """French is the source language: its catalog repeats each msgid. A merge of the .po files once glued
    a msgid onto a message continued on the next line, and the API said its error twice."""
    altered = sorted(
        repr(key)
        for key, text in compiled("fr").items()
        if isinstance(key, str) and text != key.split("\x04")[-1]
    )
    assert not altered, f"The French catalog changes {listing(altered)}"
