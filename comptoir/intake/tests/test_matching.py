"""Matching rules, pure: identifiers before names, our code and EAN before the customer's references,
the catalogue by description last with its top 3."""

from comptoir.intake import matching as m

CUSTOMERS = [
    m.CustomerCandidate(1, "Brasserie du Port SAS", siren="552032534", vat_number="FR27552032534"),
    m.CustomerCandidate(2, "Brasserie du Nord SARL", siren="409251261", siret="40925126100018"),
    m.CustomerCandidate(3, "Menuiserie Martin", gln="3012345000010"),
]
CATALOGUE = m.Catalogue(
    [
        m.ProductCandidate(10, "VIS-M6-50", "Vis inox M6x50 boîte de 100", "3012345678902"),
        m.ProductCandidate(11, "PERC-18V", "Perceuse sans fil 18 V"),
        m.ProductCandidate(12, "GANT-T9", "Gants de protection cuir T9"),
        m.ProductCandidate(13, "GANT-T10", "Gants de protection cuir T10"),
    ]
)


def test_customer_by_siret_then_siren_then_vat_then_gln():
    assert m.match_customer({"buyer_siret": "409 251 261 00018"}, CUSTOMERS) == m.CustomerMatch(
        2, "siret", 100
    )
    assert m.match_customer({"buyer_siren": "552032534", "buyer_name": "X"}, CUSTOMERS).id == 1
    assert m.match_customer({"buyer_vat": "fr 27 552032534"}, CUSTOMERS) == m.CustomerMatch(1, "vat", 100)
    assert m.match_customer({"buyer_gln": "3012345000010"}, CUSTOMERS) == m.CustomerMatch(3, "gln", 100)


def test_customer_by_name_ignores_legal_form_and_accents_but_refuses_a_close_tie():
    assert m.match_customer({"buyer_name": "BRASSERIE DU PORT"}, CUSTOMERS).id == 1
    assert m.match_customer({"buyer_name": "Ménuiserie Martin SAS"}, CUSTOMERS).method == "name"
    assert m.match_customer({"buyer_name": "Brasserie"}, CUSTOMERS).id is None
    assert m.match_customer({"buyer_name": "Boulangerie Dupont"}, CUSTOMERS).id is None


def test_product_by_code_then_ean_then_customer_reference():
    assert m.match_product({"our_code": "perc-18v"}, CATALOGUE, {}).id == 11
    assert m.match_product({"ean": "3012345678902"}, CATALOGUE, {}).method == "ean"
    found = m.match_product(
        {"customer_reference": "BP GANT", "description": "gants"}, CATALOGUE, {"bp-gant": 12}
    )
    assert (found.id, found.method) == (12, "reference")


def test_product_by_description_gives_the_top_three_and_proposes_only_a_close_one():
    close = m.match_product({"description": "Perceuse sans-fil 18V"}, CATALOGUE, {})
    assert (close.id, close.method) == (11, "description")
    vague = m.match_product({"description": "Gants de protection taille 9"}, CATALOGUE, {})
    assert vague.id is None
    assert len(vague.candidates) == 3
    assert {vague.candidates[0][0], vague.candidates[1][0]} == {12, 13}
    assert vague.candidates[0][1] >= vague.candidates[2][1]
