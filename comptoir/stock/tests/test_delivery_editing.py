"""A prepared delivery note is edited before it ships (#20 point 2): a quantity goes down when the
shelves hold less, a line comes off, in the service, the web page and the API, each change audited;
and its picking list prints, for one note or several."""

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from comptoir.api.tests.conftest import ApiClient, issue_token
from comptoir.core.audit import AuditEvent
from comptoir.core.errors import DomainError
from comptoir.core.permissions import Role
from comptoir.core.testing import make_product, make_user
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock.editing import edit_delivery
from comptoir.stock.models import Delivery
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery
from comptoir.web.tests.clients import client_for, messages_of, text_of

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def other(boss):
    return make_product(boss, sku="VIS-10", name="Visseuse compacte", ean="3760012345670", sale_price="59.00")


@pytest.fixture
def delivery(boss, customer, product, other):
    """A note for 6 drills and 2 screwdrivers; the shelves hold 4 drills and 5 screwdrivers."""
    receive_stock(
        [
            {"product": product, "quantity": "4", "unit_cost": "70"},
            {"product": other, "quantity": "5", "unit_cost": "30"},
        ],
        by=boss,
    )
    order = confirm_order(
        create_order(
            customer,
            [{"product": product, "quantity": "6"}, {"product": other, "quantity": "2"}],
            by=boss,
            customer_reference="PO-77",
        ),
        by=boss,
    )
    return create_delivery(order, by=boss)


def _lines(delivery):
    return {line.product.sku: line for line in delivery.lines.select_related("product")}


def test_a_quantity_goes_down_and_a_line_comes_off_with_one_audit_event(boss, delivery):
    drills, screws = _lines(delivery)["REF-88"], _lines(delivery)["VIS-10"]
    edit_delivery(delivery, {drills.pk: "4", screws.pk: "0"}, by=boss)

    [line] = delivery.lines.all()
    assert (line.product.sku, line.quantity) == ("REF-88", Decimal("4"))
    event = AuditEvent.objects.filter(action="delivery.edited").get()
    assert event.data["changes"] == [
        {"sku": "REF-88", "planned": "6.000", "now": "4.000"},
        {"sku": "VIS-10", "planned": "2.000", "now": "0.000"},
    ]
    # What came off stays to deliver: the note ships 4, the order still waits for 2 + 2.
    validate_delivery(delivery, by=boss)
    delivered = {
        ol.product.sku: ol.quantity_delivered for ol in delivery.order.lines.select_related("product")
    }
    assert delivered == {"REF-88": Decimal("4"), "VIS-10": Decimal("0")}


def test_a_quantity_cannot_go_up(boss, delivery):
    drills = _lines(delivery)["REF-88"]
    with pytest.raises(DomainError) as refused:
        edit_delivery(delivery, {drills.pk: "7"}, by=boss)
    assert refused.value.code == "delivery_quantity_up"
    assert "on ne peut que baisser" in refused.value.message


def test_a_note_cannot_be_emptied_nor_edited_once_shipped(boss, delivery):
    lines = _lines(delivery)
    with pytest.raises(DomainError) as refused:
        edit_delivery(delivery, {line.pk: "0" for line in lines.values()}, by=boss)
    assert refused.value.code == "delivery_would_be_empty"
    edit_delivery(delivery, {lines["REF-88"].pk: "4"}, by=boss)
    validate_delivery(delivery, by=boss)
    with pytest.raises(DomainError) as refused:
        edit_delivery(delivery, {lines["VIS-10"].pk: "1"}, by=boss)
    assert refused.value.code == "delivery_not_editable"


def test_a_line_of_another_note_and_a_negative_quantity_are_refused(boss, delivery, customer, product):
    drills = _lines(delivery)["REF-88"]
    with pytest.raises(DomainError) as refused:
        edit_delivery(delivery, {drills.pk + 1000: "1"}, by=boss)
    assert refused.value.code == "line_not_in_delivery"
    with pytest.raises(DomainError) as refused:
        edit_delivery(delivery, {drills.pk: "-1"}, by=boss)
    assert refused.value.code == "delivery_quantity_negative"
    assert AuditEvent.objects.filter(action="delivery.edited").count() == 0


def test_only_who_prepares_notes_may_edit_them(delivery):
    accountant = make_user("compta", Role.COMPTABILITE)
    drills = _lines(delivery)["REF-88"]
    with pytest.raises(DomainError):
        edit_delivery(delivery, {drills.pk: "1"}, by=accountant)
    assert client_for(accountant).get(f"/livraisons/{delivery.pk}/modifier/").status_code == 403
    assert "Modifier les quantités" not in text_of(client_for(accountant).get(f"/livraisons/{delivery.pk}/"))


def test_the_web_page_lowers_short_lines_to_the_stock_in_one_click(boss, delivery):
    client = client_for(boss)
    detail = text_of(client.get(f"/livraisons/{delivery.pk}/"))
    assert "Modifier les quantités" in detail and "Liste de préparation" in detail
    page = client.get(f"/livraisons/{delivery.pk}/modifier/")
    assert "insuffisant : 4" in text_of(page)
    response = client.post(f"/livraisons/{delivery.pk}/modifier/", {"au_stock": "1"})
    assert response.status_code == 302
    assert {sku: line.quantity for sku, line in _lines(delivery).items()} == {
        "REF-88": Decimal("4"),
        "VIS-10": Decimal("2"),
    }
    history = text_of(client.get(f"/livraisons/{delivery.pk}/"))
    assert "Bon de livraison modifié avant expédition" in history and "REF-88 : 6 → 4" in history


def test_the_web_page_says_why_it_refuses_and_keeps_what_was_typed(boss, delivery):
    lines = _lines(delivery)
    response = client_for(boss).post(
        f"/livraisons/{delivery.pk}/modifier/",
        {f"qte_{lines['REF-88'].pk}": "9", f"qte_{lines['VIS-10'].pk}": "2"},
    )
    assert response.status_code == 200
    assert messages_of(response) == [
        f"REF-88 : le bon {delivery.number} prévoit 6 ; on ne peut que baisser la quantité "
        "(préparez un autre bon pour le reste)."
    ]
    assert 'value="9"' in text_of(response)
    assert lines["REF-88"].quantity == _lines(delivery)["REF-88"].quantity


def test_the_api_edits_a_note(boss, delivery):
    lines = _lines(delivery)
    api = ApiClient(issue_token(boss))
    response = api.post(
        f"/deliveries/{delivery.pk}/edit", {"lines": [{"line": lines["VIS-10"].pk, "quantity": "0"}]}
    )
    assert response.status_code == 200, response.content
    assert [line["product"]["sku"] for line in response.json()["lines"]] == ["REF-88"]
    refused = api.post(
        f"/deliveries/{delivery.pk}/edit", {"lines": [{"line": lines["REF-88"].pk, "quantity": "8"}]}
    )
    assert refused.status_code >= 400 and refused.json()["code"] == "delivery_quantity_up"


def test_the_picking_list_prints_each_line_to_tick_with_the_stock(boss, delivery):
    client = client_for(boss)
    response = client.get(f"/livraisons/{delivery.pk}/preparation.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "LISTE DE PRÉPARATION" in text and delivery.number in text and "PO-77" in text
    assert "REF-88" in text and "VIS-10" in text and "EAN 3760012345670" in text
    assert "Prélevé" in text and "Préparé par" in text
    assert "4 !" in text  # 6 to pick, 4 on the shelves: seen before walking
    api = ApiClient(issue_token(boss)).get(f"/deliveries/{delivery.pk}/picking-list")
    assert api.status_code == 200 and "LISTE DE PRÉPARATION" in pdf_text(api.content)


def test_several_picking_lists_print_at_once_from_to_ship(boss, delivery, customer, product):
    receive_stock([{"product": product, "quantity": "10", "unit_cost": "70"}], by=boss)
    second = create_delivery(
        confirm_order(create_order(customer, [{"product": product, "quantity": "3"}], by=boss), by=boss),
        by=boss,
    )
    client = client_for(boss)
    page = text_of(client.get("/livraisons/a-expedier/"))
    assert "Imprimer les listes de préparation" in page and delivery.number in page and second.number in page
    response = client.get("/livraisons/preparation.pdf", {"bl": [delivery.pk, second.pk]})
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 2
    assert (
        delivery.number in reader.pages[0].extract_text() and second.number in reader.pages[1].extract_text()
    )
    only = pdf_text(client.get("/livraisons/preparation.pdf", {"bl": [second.pk]}).content)
    assert second.number in only and delivery.number not in only
    Delivery.objects.filter(pk__in=[delivery.pk, second.pk]).update(status=Delivery.Status.CANCELLED)
    assert client.get("/livraisons/preparation.pdf").status_code == 302
