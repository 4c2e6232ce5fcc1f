"""Defects the French e-invoicing audit found (issue #16): each case is issued through the services and its
e-invoice goes through the official validators."""

import datetime

import pytest
from django.utils import timezone

from comptoir.billing import einvoicing
from comptoir.billing.services import create_invoice_from_order, issue_invoice, set_service_period
from comptoir.core.errors import DomainError
from comptoir.core.testing import make_customer
from comptoir.einvoice.validate import validate_many, validate_ubl_many
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

pytestmark = pytest.mark.django_db


def _issued(boss, customer, lines, **order_fields):
    order = confirm_order(create_order(customer, lines, by=boss, **order_fields), by=boss)
    goods = [line["product"] for line in lines if line["product"].is_stocked]
    if goods:
        receive_stock([{"product": p, "quantity": "100", "unit_cost": "3"} for p in goods], by=boss)
        validate_delivery(create_delivery(order, by=boss), by=boss)
    return issue_invoice(create_invoice_from_order(order, by=boss), by=boss)


def _errors(documents):
    cii = validate_many([einvoicing.cii_xml(doc) for doc in documents])
    ubl = validate_ubl_many([einvoicing.ubl_xml(doc) for doc in documents])
    return {
        doc.number: [str(f) for f in c.errors] + [str(f) for f in u.errors]
        for doc, c, u in zip(documents, cii, ubl, strict=True)
    }


# --- 2. Customers outside the EU ------------------------------------------------------------------


def test_customers_outside_the_eu_without_an_eu_vat_number_are_invoiced_as_international_b2b(
    boss, company, product, service_product
):
    american = make_customer(
        boss, name="Acme Tools Inc.", siren="", country="US", street="1 Main St", city="Boston"
    )
    british = make_customer(
        boss, name="Spanners Ltd", siren="", country="GB", vat_number="GB 980 7806 84", city="Leeds"
    )
    norwegian = make_customer(
        boss, name="Verktøy AS", siren="", country="NO", vat_number="NO 995 525 828 MVA", city="Oslo"
    )
    swiss = make_customer(boss, name="Outils Lausanne SA", siren="", country="CH", city="Lausanne")
    assert british.vat_number == "GB980780684"
    assert norwegian.vat_number == "NO995525828MVA"
    assert american.vat_regime == swiss.vat_regime == "export"
    documents = [
        _issued(
            boss,
            buyer,
            [{"product": product, "quantity": "1"}, {"product": service_product, "quantity": "1"}],
        )
        for buyer in (american, british, norwegian, swiss)
    ]
    for doc in documents:
        assert b"<ram:Content>B2BINT</ram:Content>" in einvoicing.cii_xml(doc)
    assert _errors(documents) == {doc.number: [] for doc in documents}
    # The UK VAT number is the buyer's electronic address, with its own EAS scheme.
    assert b'<ram:URIID schemeID="9932">GB980780684</ram:URIID>' in einvoicing.cii_xml(documents[1])


# --- 5. BT-13 is the buyer's purchase order, never Comptoir's own order number -------------------


def test_the_buyers_order_reference_is_its_purchase_order_or_nothing(boss, company, customer, product):
    without_po = _issued(boss, customer, [{"product": product, "quantity": "1"}])
    with_po = _issued(boss, customer, [{"product": product, "quantity": "1"}], customer_reference="PO-7781")
    cii = einvoicing.cii_xml(without_po)
    assert b"BuyerOrderReferencedDocument" not in cii
    assert without_po.order.number.encode() not in cii
    assert b"OrderReference" not in einvoicing.ubl_xml(without_po)
    assert einvoicing.to_document(without_po).order_reference == ""
    assert b"<ram:IssuerAssignedID>PO-7781</ram:IssuerAssignedID>" in einvoicing.cii_xml(with_po)
    assert b"<cbc:ID>PO-7781</cbc:ID>" in einvoicing.ubl_xml(with_po)
    assert _errors([without_po, with_po]) == {without_po.number: [], with_po.number: []}


# --- 6. The date the services were performed (BT-72 / BG-14) -----------------------------------------


def _warnings(documents):
    return [
        [f.rule_id for f in report.warnings]
        for report in validate_many([einvoicing.cii_xml(d) for d in documents])
    ]


def test_a_services_invoice_states_when_the_services_were_performed(boss, company, customer, service_product):
    today = timezone.localdate()
    start, end = today - datetime.timedelta(days=20), today - datetime.timedelta(days=6)

    def draft():
        order = confirm_order(
            create_order(customer, [{"product": service_product, "quantity": "1"}], by=boss), by=boss
        )
        return create_invoice_from_order(order, by=boss)

    plain = issue_invoice(draft(), by=boss)
    period = draft()
    set_service_period(period, by=boss, start=start, end=end)
    period = issue_invoice(period, by=boss)
    one_day = draft()
    set_service_period(one_day, by=boss, start=start)
    one_day = issue_invoice(one_day, by=boss)

    # Not stated: performed on the invoice date, said so in BT-72 (no empty delivery block, R008).
    assert einvoicing.to_document(plain).delivery_date == plain.date
    doc = einvoicing.to_document(period)
    assert (doc.period_start, doc.period_end, doc.delivery_date) == (start, end, end)
    cii = einvoicing.cii_xml(period)
    assert f'<ram:StartDateTime>\n          <udt:DateTimeString format="102">{start:%Y%m%d}'.encode() in cii
    assert f"<cbc:EndDate>{end.isoformat()}</cbc:EndDate>".encode() in einvoicing.ubl_xml(period)
    assert einvoicing.to_document(one_day).delivery_date == start
    documents = [plain, period, one_day]
    assert _errors(documents) == {doc.number: [] for doc in documents}
    assert _warnings(documents) == [[], [], []]


def test_the_service_period_is_checked_and_only_set_on_a_draft(boss, company, customer, service_product):
    order = confirm_order(
        create_order(customer, [{"product": service_product, "quantity": "1"}], by=boss), by=boss
    )
    invoice = create_invoice_from_order(order, by=boss)
    today = timezone.localdate()
    with pytest.raises(DomainError) as exc:
        set_service_period(invoice, by=boss, start=today, end=today - datetime.timedelta(days=1))
    assert exc.value.code == "service_period_reversed"
    issued = issue_invoice(invoice, by=boss)
    with pytest.raises(DomainError) as exc:
        set_service_period(issued, by=boss, start=today)
    assert exc.value.code == "invoice_not_draft"
