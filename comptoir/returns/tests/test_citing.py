"""A credit note may cite a return case only when the case justifies it: the same customer, a case line
billed on the invoice it corrects, a case decided and not closed nor refused, with something still to
settle. Otherwise citing a case would bypass the gesture permission (and the four eyes above it)."""

from decimal import Decimal

import pytest

from comptoir.billing.models import Invoice
from comptoir.billing.services import create_credit_note, issue_invoice
from comptoir.core.errors import DomainError
from comptoir.core.permissions import Role
from comptoir.core.testing import colleague_of, make_customer, make_user
from comptoir.returns.services import (
    approve_case,
    close_case,
    open_case,
    refuse,
    resolve_with_credit_note,
    resolve_with_replacement,
    submit_case,
)
from comptoir.returns.tests.factories import make_sale

pytestmark = pytest.mark.django_db


@pytest.fixture
def adv(db):
    """Order administration: may draft credit notes, not commercial gestures."""
    return make_user("adv-avoirs", Role.ADV)


def _case(by, sale, quantity="2", reason="short_shipment", approved=True):
    case = submit_case(
        open_case(
            sale.delivery, [{"delivery_line": sale.delivery_line, "quantity": quantity}], by=by, reason=reason
        ),
        by=by,
    )
    return approve_case(case, by=colleague_of(by)) if approved else case


def _cite(by, sale, case, quantity="1", **line):
    return create_credit_note(
        sale.invoice,
        [{"invoice_line": sale.invoice_line, "quantity": quantity, **line}],
        by=by,
        reason="retour",
        source_reference=case if isinstance(case, str) else case.number,
    )


def _refused(code, call, *args, **kwargs):
    notes = Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).count()
    with pytest.raises(DomainError) as exc:
        call(*args, **kwargs)
    assert exc.value.code == code, exc.value.message
    assert Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).count() == notes
    return exc.value


def test_a_credit_note_citing_its_approved_case_is_drafted(boss, adv, sale):
    case = _case(boss, sale)
    note = _cite(adv, sale, case, quantity="2")
    assert (note.source_reference, note.total_untaxed) == (case.number, Decimal("240.00"))


def test_a_credit_note_cannot_cite_another_customers_case(boss, adv, customer, product, sale):
    other = make_sale(boss, make_customer(boss, name="Ébénisterie Roux"), product, stock=None)
    foreign = _case(boss, other)
    close_case(refuse(foreign, by=boss, reason="Rien à créditer").case, by=boss)
    error = _refused("credit_note_case_other_customer", _cite, adv, sale, foreign)
    assert error.message == (
        f"Le dossier {foreign.number} est celui d'un autre client (Ébénisterie Roux) : un avoir de "
        f"{customer.name} ne peut pas s'en prévaloir."
    )


def test_a_credit_note_cannot_cite_a_case_about_another_invoice(boss, adv, customer, product, sale):
    later = make_sale(boss, customer, product, stock=None)
    case = _case(boss, later)
    error = _refused("credit_note_case_other_invoice", _cite, adv, sale, case)
    assert sale.invoice.number in error.message and later.delivery.number in error.message


def test_a_credit_note_cannot_cite_an_unknown_case(adv, sale):
    error = _refused("credit_note_case_unknown", _cite, adv, sale, "RET-2026-09999")
    assert "RET-2026-09999" in error.message


def test_a_credit_note_cannot_cite_a_case_not_yet_approved(boss, adv, sale):
    case = _case(boss, sale, approved=False)
    _refused("credit_note_case_not_approved", _cite, adv, sale, case)


def test_a_credit_note_cannot_cite_a_closed_or_refused_case(boss, adv, sale):
    refused = _case(boss, sale, quantity="1")
    refuse(refused, by=boss, reason="Aucun défaut")
    _refused("credit_note_case_closed", _cite, adv, sale, refused)
    close_case(refused, by=boss)
    _refused("credit_note_case_closed", _cite, adv, sale, refused)


def test_a_credit_note_cannot_cite_a_case_already_settled(boss, adv, people, sale):
    credited = _case(boss, sale, quantity="2")
    resolve_with_credit_note(credited, by=boss)
    error = _refused("credit_note_case_settled", _cite, adv, sale, credited)
    assert credited.number in error.message
    replaced = _case(boss, sale, quantity="1")
    resolve_with_replacement(replaced, by=boss)
    _refused("credit_note_case_settled", _cite, adv, sale, replaced)


def test_a_credit_note_cannot_take_back_more_than_its_case_has_left(boss, adv, sale):
    case = _case(boss, sale, quantity="3")
    issue_invoice(_cite(adv, sale, case, quantity="2"), by=boss)
    error = _refused("credit_note_exceeds_case", _cite, adv, sale, case, quantity="2")
    assert "1" in error.message
    # A price reduction applies to the units the case still claims, within what they are worth.
    reduced = {"unit_price": "100", "price_reduction": True}
    _refused("credit_note_exceeds_case", _cite, adv, sale, case, quantity="2", **reduced)
    assert _cite(adv, sale, case, quantity="1", **reduced).total_untaxed == Decimal("100.00")
    error = _refused("credit_note_exceeds_case", _cite, adv, sale, case, quantity="1")
    assert "20,00 €" in error.message
