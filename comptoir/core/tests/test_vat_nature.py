"""Where each sales line goes for VAT and for the e-invoicing reform (pure, no database)."""

from comptoir.core.vat_nature import Buyer, Ca3Line, Operation, Processing, classify, processing_type

FRENCH = Buyer("FR", siren="732829320")
GERMAN = Buyer("DE", vat_number="DE136695976")
AMERICAN = Buyer("US")


def test_a_standard_rated_sale_in_france_is_a_domestic_b2b_operation_on_a1():
    found = classify("S", FRENCH)
    assert (found.operation, found.ca3_line, found.processing) == (Operation.DOMESTIC, "A1", "B2B")
    assert not found.in_des and not found.in_emebi


def test_goods_to_an_eu_business_go_on_f2_and_the_goods_statement():
    found = classify("K", GERMAN)
    assert (found.ca3_line, found.in_emebi, found.in_des, found.processing) == ("F2", True, False, "B2BINT")


def test_an_export_goes_on_e1():
    found = classify("G", AMERICAN)
    assert (found.operation, found.ca3_line, found.processing) == (Operation.EXPORT, "E1", "B2BINT")


def test_a_service_to_an_eu_business_goes_on_e2_and_the_des():
    found = classify("AE", GERMAN)
    assert (found.operation, found.ca3_line, found.in_des) == (Operation.INTRA_EU_SERVICES, "E2", True)


def test_french_reverse_charge_and_exempt_sales_go_on_e2_without_the_des():
    subcontracting = classify("AE", FRENCH)
    training = classify("E", FRENCH)
    assert (subcontracting.ca3_line, subcontracting.in_des) == (Ca3Line.OTHER_NON_TAXABLE, False)
    assert (training.operation, training.ca3_line, training.processing) == (
        Operation.OTHER_NON_TAXABLE,
        "E2",
        "B2B",
    )


def test_an_operation_outside_the_scope_of_vat_is_on_no_line_and_out_of_scope_for_the_reform():
    found = classify("O", FRENCH)
    assert (found.ca3_line, found.processing) == ("", Processing.OUT_OF_SCOPE)
    assert processing_type(FRENCH, ["O", "S"]) == Processing.B2B


def test_a_buyer_without_business_identifier_in_france_is_b2c():
    assert processing_type(Buyer("FR"), ["S"]) == Processing.B2C


def test_a_greek_vat_number_places_a_buyer_without_country_in_the_eu():
    assert classify("AE", Buyer("", vat_number="EL094259216")).in_des
