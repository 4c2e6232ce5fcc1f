"""Quote versions (#22 point 7): a sent quote revised into v2, v3…, the earlier one frozen and
superseded, the differences between versions, and only the latest live version accepted."""

from decimal import Decimal

import pytest

from comptoir.core.errors import Conflict, DomainError, PermissionDenied
from comptoir.core.models import AuditEvent
from comptoir.core.permissions import Role
from comptoir.core.testing import make_product, make_user
from comptoir.sales import versions
from comptoir.sales.models import Quote
from comptoir.sales.services import (
    accept_quote,
    compare_versions,
    create_quote,
    replace_quote_lines,
    revise_quote,
    send_quote,
    versions_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cable(boss):
    return make_product(boss, sku="CAB-10", name="Câble 10 m", sale_price="15.00", purchase_cost="6.00")


@pytest.fixture
def sent(boss, customer, product, cable):
    quote = create_quote(
        customer,
        [
            {"product": product, "quantity": "10", "unit_price": "120"},
            {"product": cable, "quantity": "5"},
        ],
        by=boss,
        note="Délai 2 semaines.",
    )
    return send_quote(quote, by=boss)


def test_revising_a_sent_quote_drafts_v2_under_the_same_number_and_supersedes_v1(boss, sent, product, cable):
    v2 = revise_quote(sent, by=boss)

    sent.refresh_from_db()
    assert sent.status == Quote.Status.SUPERSEDED
    assert v2.status == Quote.Status.DRAFT
    assert v2.number == f"{sent.number}-v2" and v2.version == 2
    assert v2.previous_version == sent and v2.first_version == sent
    assert v2.note == sent.note and v2.customer == sent.customer
    assert [(line.product_id, line.quantity) for line in v2.lines.all()] == [
        (product.pk, Decimal("10.000")),
        (cable.pk, Decimal("5.000")),
    ]
    assert (v2.total_untaxed, v2.total) == (sent.total_untaxed, sent.total)
    event = AuditEvent.objects.filter(action="quote.revised").get()
    assert event.data["revises"] == sent.number and event.data["version"] == 2


def test_v3_keeps_the_first_number_and_every_version_is_listed(boss, sent):
    v2 = send_quote(revise_quote(sent, by=boss), by=boss)
    v3 = revise_quote(v2, by=boss)
    assert v3.number == f"{sent.number}-v3"
    assert v3.first_version == sent and v3.previous_version == v2
    assert [q.number for q in versions_of(v2)] == [sent.number, v2.number, v3.number]
    assert versions_of(sent) == versions_of(v3)


def test_a_superseded_version_is_frozen_and_cannot_be_accepted_nor_revised_again(boss, sent):
    v2 = revise_quote(sent, by=boss)

    with pytest.raises(DomainError) as refused:
        accept_quote(sent, by=boss)
    assert refused.value.code == "quote_superseded"
    assert "seule la dernière version peut être acceptée" in refused.value.message
    assert v2.number in refused.value.message and "version 2" in refused.value.message

    with pytest.raises(DomainError) as again:
        revise_quote(sent, by=boss)
    assert again.value.code == "quote_not_revisable"
    with pytest.raises(DomainError) as edit:
        replace_quote_lines(sent, [{"product": sent.lines.first().product_id, "quantity": "1"}], by=boss)
    assert edit.value.code == "document_not_editable"


def test_only_a_sent_quote_is_revised(boss, customer, product):
    draft = create_quote(customer, [{"product": product, "quantity": "1"}], by=boss)
    with pytest.raises(DomainError) as refused:
        revise_quote(draft, by=boss)
    assert refused.value.code == "quote_not_revisable"
    assert "Brouillon" in refused.value.message


def test_the_latest_version_once_sent_is_accepted_and_the_order_links_its_lines(boss, sent, product, cable):
    v2 = revise_quote(
        sent,
        by=boss,
        lines=[
            {"product": product, "quantity": "12", "unit_price": "115", "discount_percent": "5"},
            {"product": cable, "quantity": "5"},
        ],
    )
    with pytest.raises(Conflict):
        accept_quote(v2, by=boss)  # a draft is not offered yet
    send_quote(v2, by=boss)

    order = accept_quote(v2, by=boss)

    assert order.quote == v2
    v2_lines = list(v2.lines.all())
    assert [line.quote_line for line in order.lines.all()] == v2_lines
    assert [line.quantity for line in order.lines.all()] == [Decimal("12.000"), Decimal("5.000")]
    assert order.total_untaxed == v2.total_untaxed != sent.total_untaxed


def test_the_diff_names_lines_added_removed_and_changed_with_the_totals(boss, sent, product, cable):
    plug = make_product(boss, sku="PRI-2", name="Prise double", sale_price="8.00")
    v2 = revise_quote(
        sent,
        by=boss,
        lines=[
            {"product": product, "quantity": "12", "unit_price": "110", "discount_percent": "5"},
            {"product": plug, "quantity": "3"},
        ],
    )

    diff = compare_versions(sent, v2)

    assert diff.counts == {"added": 1, "removed": 1, "changed": 1, "same": 0}
    changed, added, removed = diff.lines
    assert changed.kind == versions.CHANGED and changed.after.sku == "REF-88"
    assert {c.field: (c.before, c.after) for c in changed.changes} == {
        "quantity": (Decimal("10.000"), Decimal("12.000")),
        "unit_price": (Decimal("120.0000"), Decimal("110.0000")),
        "discount_percent": (Decimal("0.00"), Decimal("5.00")),
        "net_amount": (Decimal("1200.00"), Decimal("1254.00")),
    }
    assert added.kind == versions.ADDED and added.after.sku == "PRI-2"
    assert removed.kind == versions.REMOVED and removed.before.sku == "CAB-10"
    totals = {c.field: (c.before, c.after) for c in diff.totals}
    assert totals["total_untaxed"] == (Decimal("1275.00"), Decimal("1278.00"))
    assert compare_versions(v2, sent) == diff  # either order: older to newer


def test_versions_of_two_offers_are_not_compared(boss, sent, customer, product):
    other = create_quote(customer, [{"product": product, "quantity": "1"}], by=boss)
    with pytest.raises(DomainError) as refused:
        compare_versions(sent, other)
    assert refused.value.code == "quote_versions_unrelated"


def test_revising_needs_the_right_to_manage_quotes(sent):
    warehouse = make_user("entrepot", Role.LOGISTIQUE)
    with pytest.raises(PermissionDenied):
        revise_quote(sent, by=warehouse)
    sent.refresh_from_db()
    assert sent.status == Quote.Status.SENT


def test_a_revision_keeps_why_each_discount_was_granted(boss, customer, product):
    quote = create_quote(
        customer,
        [{"product": product, "quantity": "50", "discount_percent": "8", "discount_category": "volume"}],
        by=boss,
    )
    v2 = revise_quote(send_quote(quote, by=boss), by=boss)
    (line,) = v2.lines.all()
    assert (line.discount_percent, line.discount_category) == (Decimal("8.00"), "volume")
