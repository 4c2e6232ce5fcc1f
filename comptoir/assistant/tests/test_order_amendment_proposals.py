"""Quote ↔ order findings fixed by an amendment (avenant, `sales.amending`), approved from the inbox
(#17): approving puts the order line back as the accepted quote had it; it is refused, with the
amendment's own French reason and nothing written, once the line is invoiced or shipped. A difference a
recorded amendment brought is not an anomaly."""

import datetime
from decimal import Decimal

import pytest

from comptoir.assistant.models import Proposal
from comptoir.assistant.services import approve_proposal, run_agent
from comptoir.assistant.tests.factories import codes, draft, order_findings, ship, sold, stock, the
from comptoir.core import dates
from comptoir.core.errors import DomainError
from comptoir.core.testing import make_product
from comptoir.sales.amending import amend_order
from comptoir.sales.models import OrderAmendment, Quote
from comptoir.sales.services import (
    accept_quote,
    cancel_quote,
    confirm_order,
    create_order,
    create_quote,
    replace_order_lines,
    send_quote,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_product(boss):
    return make_product(boss, sku="REF-89", name="Perceuse sans fil", sale_price="150.00")


def _stored(customer, kind):
    run_agent(by=None)
    return Proposal.objects.get(customer=customer, kind=kind, status=Proposal.Status.OPEN)


def _order_rekeyed(boss, customer, quoted, keyed):
    """An accepted quote of `quoted` whose order line (linked to the quote line) was re-keyed as `keyed`
    before confirmation."""
    quote = create_quote(customer, [quoted], by=boss)
    send_quote(quote, by=boss)
    order = accept_quote(quote, by=boss)
    replace_order_lines(order, [keyed | {"quote_line": quote.lines.get().pk}], by=boss)
    return confirm_order(order, by=boss), quote


def _refusal(action) -> DomainError:
    with pytest.raises(DomainError) as refused:
        action()
    return refused.value


# --- price and discount put back --------------------------------------------------------------------


def test_approving_puts_the_quoted_price_and_discount_back_on_the_order(boss, company, customer, product):
    order, _ = _order_rekeyed(
        boss,
        customer,
        {"product": product, "quantity": "10", "discount_percent": "8"},
        {"product": product, "quantity": "10", "unit_price": "132.00", "discount_percent": "3"},
    )
    assert {"order_price_differs_from_quote", "order_discount_differs_from_quote"} <= set(
        codes(order_findings(order))
    )

    proposal = _stored(customer, "amend_order_to_quote")  # one proposal for both findings of the line
    approve_proposal(proposal, by=boss)

    line = order.lines.get()
    assert (line.unit_price, line.discount_percent) == (Decimal("120.0000"), Decimal("8.00"))
    assert line.net_amount == Decimal("1104.00")
    amendment = OrderAmendment.objects.get(order=order)
    assert amendment.reason == proposal.rationale
    found = codes(order_findings(order))
    assert "order_price_differs_from_quote" not in found and "order_discount_differs_from_quote" not in found


def test_approval_is_refused_once_the_line_is_invoiced_and_nothing_changes(boss, company, customer, product):
    stock(boss, product)
    order, _ = _order_rekeyed(
        boss,
        customer,
        {"product": product, "quantity": "10"},
        {"product": product, "quantity": "10", "unit_price": "132.00"},
    )
    proposal = _stored(customer, "amend_order_to_quote")
    ship(boss, order)
    draft(boss, order)  # a draft already claims the line at 132 €

    refused = _refusal(lambda: approve_proposal(proposal, by=boss))

    assert refused.code == "amendment_price_invoiced"
    assert "déjà facturée" in refused.message and "Établissez un avoir" in refused.message
    assert order.lines.get().unit_price == Decimal("132.0000")
    assert not OrderAmendment.objects.filter(order=order).exists()
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.OPEN


def test_an_invoiced_line_gets_no_proposal_and_the_finding_says_what_blocks(boss, company, customer, product):
    stock(boss, product)
    order, _ = _order_rekeyed(
        boss,
        customer,
        {"product": product, "quantity": "10"},
        {"product": product, "quantity": "10", "unit_price": "132.00"},
    )
    ship(boss, order)
    invoice = draft(boss, order)

    finding = the(order_findings(order), "order_price_differs_from_quote")

    assert finding.proposal is None
    assert f"La ligne est déjà facturée (brouillon n° {invoice.pk})" in finding.message
    assert "établissez un avoir de la différence" in finding.message


def test_a_discount_beyond_the_approvers_threshold_is_refused(boss, company, customer, product):
    from comptoir.core.permissions import Role
    from comptoir.core.testing import make_user

    order, _ = _order_rekeyed(
        boss,
        customer,
        {"product": product, "quantity": "10", "discount_percent": "40"},
        {"product": product, "quantity": "10", "discount_percent": "5"},
    )
    proposal = _stored(customer, "amend_order_to_quote")
    adv = make_user("adv", Role.ADV)

    refused = _refusal(lambda: approve_proposal(proposal, by=adv))

    assert refused.code == "amendment_discount_beyond_threshold"
    assert order.lines.get().discount_percent == Decimal("5.00")


# --- a product substituted ----------------------------------------------------------------------------


def test_approving_puts_the_quoted_product_back_at_the_quoted_price(
    boss, company, customer, product, other_product
):
    order, quote = _order_rekeyed(
        boss, customer, {"product": product, "quantity": "5"}, {"product": other_product, "quantity": "6"}
    )
    assert "product_changed_along_chain" in codes(order_findings(order))

    approve_proposal(_stored(customer, "amend_order_to_quote"), by=boss)

    line = order.lines.get()
    assert (line.product, line.quantity, line.unit_price) == (product, Decimal("6.000"), Decimal("120.0000"))
    assert line.quote_line_id == quote.lines.get().pk
    found = codes(order_findings(order))
    assert "product_changed_along_chain" not in found and "order_price_differs_from_quote" not in found


def test_a_substituted_product_already_shipped_is_refused_without_half_applying(
    boss, company, customer, product, other_product
):
    stock(boss, other_product)
    order, _ = _order_rekeyed(
        boss, customer, {"product": product, "quantity": "5"}, {"product": other_product, "quantity": "5"}
    )
    proposal = _stored(customer, "amend_order_to_quote")
    ship(boss, order)

    refused = _refusal(lambda: approve_proposal(proposal, by=boss))

    assert refused.code == "amendment_remove_started"
    assert "déjà livrée ou facturée" in refused.message
    assert [line.product for line in order.lines.all()] == [other_product]
    assert not OrderAmendment.objects.filter(order=order).exists()


# --- what an amendment explains -----------------------------------------------------------------------


def test_a_price_changed_by_an_amendment_with_its_reason_is_not_an_anomaly(boss, company, customer, product):
    order = sold(boss, customer, {"product": product, "quantity": "10", "discount_percent": "5"})
    amend_order(
        order,
        by=boss,
        reason="Le client passe à 14 unités : 5 % de moins, accord du 12",
        lines=[
            {"line": order.lines.get().pk, "quantity": "14", "unit_price": "114.00", "discount_percent": "8"}
        ],
    )

    found = codes(order_findings(order))

    assert "order_price_differs_from_quote" not in found
    assert "order_discount_differs_from_quote" not in found


def test_an_amendment_explains_only_what_it_changed(boss, company, customer, product):
    order, _ = _order_rekeyed(
        boss,
        customer,
        {"product": product, "quantity": "10", "discount_percent": "8"},
        {"product": product, "quantity": "10", "unit_price": "132.00", "discount_percent": "8"},
    )
    amend_order(
        order,
        by=boss,
        reason="Remise portée à 10 %",
        lines=[{"line": order.lines.get().pk, "discount_percent": "10"}],
    )

    finding = the(order_findings(order), "order_price_differs_from_quote")

    assert "order_discount_differs_from_quote" not in codes(order_findings(order))
    # The fix puts back the price only: the discount is the amendment's.
    assert finding.proposal.payload == {
        "order_id": order.pk,
        "order_line_id": order.lines.get().pk,
        "quote_line_id": order.lines.get().quote_line_id,
        "unit_price": Decimal("120.0000"),
    }


# --- an order keyed by hand beside its open quote -------------------------------------------------------


def _keyed_beside_quote(boss, customer, product, other_product):
    quote = create_quote(
        customer,
        [{"product": product, "quantity": "10"}, {"product": other_product, "quantity": "4"}],
        by=boss,
    )
    send_quote(quote, by=boss)
    order = create_order(
        customer,
        [
            {"product": product, "quantity": "10", "unit_price": "129.60"},
            {"product": other_product, "quantity": "4"},
        ],
        by=boss,
    )
    return confirm_order(order, by=boss), quote


def test_approving_takes_the_open_quotes_prices_and_closes_it(
    boss, company, customer, product, other_product
):
    order, quote = _keyed_beside_quote(boss, customer, product, other_product)

    approve_proposal(_stored(customer, "align_order_with_quote"), by=boss)

    assert order.lines.get(product=product).unit_price == Decimal("120.0000")
    quote.refresh_from_db()
    assert quote.status == Quote.Status.CANCELLED
    assert "order_may_answer_open_quote" not in codes(order_findings(order))


def test_a_quote_closed_meanwhile_refuses_the_approval_and_the_order_stays(
    boss, company, customer, product, other_product
):
    order, quote = _keyed_beside_quote(boss, customer, product, other_product)
    proposal = _stored(customer, "align_order_with_quote")
    cancel_quote(quote, by=boss, reason="Remplacé")

    refused = _refusal(lambda: approve_proposal(proposal, by=boss))

    assert refused.code == "proposal_quote_not_open"
    assert refused.message == (
        f"Le devis {quote.number} n'est plus ouvert (Annulé) : la commande {order.number} ne peut plus le "
        "reprendre. Rien n'a été modifié ; rejetez la proposition."
    )
    assert order.lines.get(product=product).unit_price == Decimal("129.6000")
    assert not OrderAmendment.objects.filter(order=order).exists()


# --- an unusual quantity ----------------------------------------------------------------------------------


def _unusual_quantity(boss, customer, product):
    stock(boss, product, quantity="500")
    for week in range(4, 0, -1):
        sold(boss, customer, (product, "10"), date=dates.today() - datetime.timedelta(days=7 * week))
    return sold(boss, customer, (product, "100"))


def test_approving_sets_the_usual_quantity_back(boss, company, customer, product):
    order = _unusual_quantity(boss, customer, product)

    approve_proposal(_stored(customer, "set_order_line_quantity"), by=boss)

    assert order.lines.get().quantity == Decimal("10.000")
    assert "quantity_unusual_for_customer" not in codes(order_findings(order))


def test_a_quantity_below_what_was_shipped_meanwhile_is_refused(boss, company, customer, product):
    order = _unusual_quantity(boss, customer, product)
    proposal = _stored(customer, "set_order_line_quantity")
    ship(boss, order, (product, "40"))

    refused = _refusal(lambda: approve_proposal(proposal, by=boss))

    assert refused.code == "amendment_below_delivered"
    assert "40 déjà livré(s)" in refused.message
    assert order.lines.get().quantity == Decimal("100.000")
