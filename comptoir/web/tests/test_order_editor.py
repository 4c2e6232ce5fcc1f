"""The order line editor keeps each line's link to the quote line it answers (#17 defect 6), so a
product swapped between the accepted quote and the order is seen by the assistant."""

import re

import pytest

from comptoir.assistant.tests.factories import codes, order_findings
from comptoir.core.testing import make_product
from comptoir.sales.models import Order
from comptoir.sales.services import accept_quote, confirm_order, create_quote, send_quote
from comptoir.web.tests.clients import client_for

pytestmark = pytest.mark.django_db


def _editor_rows(html: str) -> list[dict]:
    """The rows the editor page shows, as the browser would post them back."""
    rows = []
    for tr in re.findall(r'<tr class="line-row">(.*?)</tr>', html, re.S):
        row = {name: value for name, value in re.findall(r'name="(\w+)" value="([^"]*)"', tr)}
        rows.append(row)
    return rows


def test_a_product_swapped_in_the_order_editor_keeps_its_quote_line_and_is_reported(
    boss, company, customer, product
):
    other = make_product(boss, sku="REF-99", name="Perceuse sans fil", sale_price="120.00")
    quote = create_quote(customer, [{"product": product, "quantity": "10"}], by=boss)
    send_quote(quote, by=boss)
    order = accept_quote(quote, by=boss)
    assert order.status == Order.Status.DRAFT
    client = client_for(boss)
    url = f"/commandes/{order.pk}/modifier/"

    [row] = _editor_rows(client.get(url).content.decode())
    assert row["quote_line"] == str(quote.lines.get().pk)
    row["product"] = str(other.pk)  # the ADV swaps the product, keeping the line (picked in the list)
    row["product_texte"] = "REF-99 — Perceuse sans fil"
    response = client.post(url, row)

    assert response.status_code == 302
    [line] = order.lines.all()
    assert (line.product_id, line.quote_line_id) == (other.pk, quote.lines.get().pk)
    confirm_order(order, by=boss)
    assert "product_changed_along_chain" in codes(order_findings(order))


def test_an_order_line_cannot_claim_a_line_of_another_quote(boss, company, customer, product):
    from comptoir.core.errors import DomainError
    from comptoir.sales.services import replace_order_lines

    mine = create_quote(customer, [{"product": product, "quantity": "1"}], by=boss)
    send_quote(mine, by=boss)
    order = accept_quote(mine, by=boss)
    other = create_quote(customer, [{"product": product, "quantity": "2"}], by=boss)

    with pytest.raises(DomainError) as refused:
        replace_order_lines(
            order,
            [{"product": product, "quantity": "1", "quote_line": other.lines.get().pk}],
            by=boss,
        )
    assert refused.value.code == "quote_line_not_of_order"
