"""Defects the French e-invoicing audit found (issue #16): each case is issued through the services and its
e-invoice goes through the official validators."""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import timezone

from comptoir.billing import einvoicing
from comptoir.billing.services import (
    create_credit_note,
    create_invoice_from_order,
    issue_invoice,
    set_service_period,
)
from comptoir.catalog.services import update_product
from comptoir.core.errors import DomainError
from comptoir.core.legal_interest import minimum_penalty_rate
from comptoir.core.testing import make_customer, make_product
from comptoir.einvoice.validate import validate_many, validate_ubl_many
from comptoir.parties.services import configure_company
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


# --- 8. Smaller defects ---------------------------------------------------------------------------


def _pdf_text(doc) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(BytesIO(einvoicing.facturx_pdf(doc))).pages)


def test_an_exempt_line_carries_the_products_vatex_code(boss, company, customer):
    training = make_product(
        boss,
        name="Formation sécurité",
        kind="service",
        sale_price="800",
        vat_rate="0",
        vat_exemption_reason="Exonération de TVA, article 261-4-4° a du CGI",
        vat_exemption_code="VATEX-EU-132",
    )
    invoice = _issued(boss, customer, [{"product": training, "quantity": "1"}])
    cii = einvoicing.cii_xml(invoice)
    assert b"<ram:ExemptionReasonCode>VATEX-EU-132</ram:ExemptionReasonCode>" in cii
    assert b"<cbc:TaxExemptionReasonCode>VATEX-EU-132</cbc:TaxExemptionReasonCode>" in einvoicing.ubl_xml(
        invoice
    )
    assert _errors([invoice]) == {invoice.number: []}


def test_a_zero_rate_product_must_state_its_exemption(boss):
    with pytest.raises(DomainError) as exc:
        make_product(boss, name="Livre ancien", vat_rate="0")
    assert exc.value.code == "zero_rate_needs_exemption_reason"
    assert exc.value.message.startswith("Un produit à 0 % de TVA est exonéré : indiquez le motif légal")
    product = make_product(boss, name="Livre", vat_rate="5.5")
    with pytest.raises(DomainError) as exc:
        update_product(product, by=boss, vat_rate="0")
    assert exc.value.code == "zero_rate_needs_exemption_reason"
    exempt = update_product(
        product, by=boss, vat_rate="0", vat_exemption_reason="Exonération, art. 261 du CGI"
    )
    assert exempt.vat_rate == 0


def test_the_credit_note_pdf_shows_its_reason_and_asks_no_payment(boss, company, customer, product):
    invoice = _issued(boss, customer, [{"product": product, "quantity": "2"}])
    credit = issue_invoice(
        create_credit_note(
            invoice,
            [{"invoice_line": invoice.lines.first(), "quantity": "1"}],
            by=boss,
            reason="Perceuse défectueuse",
            gesture_category="qualité",
        ),
        by=boss,
    )
    text = _pdf_text(credit)
    assert "Perceuse défectueuse" in text
    assert "Échéance" not in text and "Date d'échéance" not in text
    assert "IBAN" not in text
    assert "IBAN" in _pdf_text(invoice)
    assert b"IBANID" not in einvoicing.cii_xml(credit) and b"DueDateDateTime" not in einvoicing.cii_xml(
        credit
    )
    assert _errors([credit]) == {credit.number: []}


def test_the_products_unit_becomes_its_un_ece_code(boss, company, customer):
    units = {
        "kg": "KGM",
        "mètre": "MTR",
        "litres": "LTR",
        "jour": "DAY",
        "heures": "HUR",
        "pièce": "H87",
        "pce": "H87",
    }
    products = [make_product(boss, name=f"Article en {unit}", unit=unit) for unit in units]
    invoice = _issued(boss, customer, [{"product": p, "quantity": "2"} for p in products])
    codes = [line.unit_code for line in einvoicing.to_document(invoice).lines]
    assert codes == list(units.values())
    assert _errors([invoice]) == {invoice.number: []}


def test_the_late_penalty_rate_cannot_go_below_three_times_the_legal_interest_rate(admin_user, company):
    floor = minimum_penalty_rate(timezone.localdate())
    with pytest.raises(DomainError) as exc:
        configure_company(by=admin_user, late_penalty_rate=floor - Decimal("0.01"))
    assert exc.value.code == "penalty_rate_below_legal_floor"
    assert "trois fois le taux d'intérêt légal" in exc.value.message
    assert configure_company(by=admin_user, late_penalty_rate=floor).late_penalty_rate == floor


def test_the_buyer_is_named_in_good_french():
    from dataclasses import replace

    from comptoir.einvoice.document import consistency_errors
    from comptoir.einvoice.tests import factories

    invoice = factories.single_rate()
    broken = replace(invoice, buyer=replace(invoice.buyer, siren="12345"))
    messages = " ".join(consistency_errors(broken))
    assert "de l'acheteur" in messages and "du acheteur" not in messages
