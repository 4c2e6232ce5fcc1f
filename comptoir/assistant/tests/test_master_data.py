"""Master data (#17): a draft whose buyer lacks what the invoice must say of it is reported before
anyone tries to issue it, with what to fill in."""

import pytest

from comptoir.assistant.findings import Severity
from comptoir.assistant.tests.factories import codes, draft, invoice_findings, ship, sold, stock, the
from comptoir.billing.services import issue_invoice
from comptoir.core.errors import DomainError
from comptoir.core.testing import make_customer
from comptoir.parties.services import update_customer

pytestmark = pytest.mark.django_db

MASTER_DATA = {"customer_siren_missing", "customer_address_incomplete"}


def drafted_for(boss, customer, product):
    stock(boss, product)
    order = sold(boss, customer, (product, "2"))
    ship(boss, order)
    return draft(boss, order)


def test_a_french_buyer_without_siren_is_said_on_the_draft_and_filling_it_in_lets_it_issue(
    boss, company, product
):
    buyer = make_customer(boss, name="Charpentes Leroy", siren="")
    invoice = drafted_for(boss, buyer, product)

    finding = the(invoice_findings(invoice), "customer_siren_missing")

    assert finding.severity == Severity.WARNING
    assert finding.message == (
        f"La facture brouillon n° {invoice.pk} ne pourra pas être émise : le client Charpentes Leroy n'a pas de "
        "SIREN, obligatoire sur une facture entre entreprises françaises (il sert aussi d'adresse de "
        "facturation électronique). Renseignez ses 9 chiffres sur la fiche du client."
    )
    assert [item.kind for item in finding.evidence] == ["invoice", "customer"]
    # What the finding says is what the issue refuses…
    with pytest.raises(DomainError) as refused:
        issue_invoice(invoice, by=boss)
    assert refused.value.code == "buyer_siren_missing"
    # …and what it asks for is enough.
    update_customer(buyer, by=boss, siren="542107651")
    assert not MASTER_DATA & set(codes(invoice_findings(invoice)))
    assert issue_invoice(invoice, by=boss).number


def test_a_buyer_without_postal_code_or_town_is_reported_though_the_issue_would_let_it_through(
    boss, company, product
):
    buyer = make_customer(boss, name="Charpentes Leroy", postal_code="", city="")
    invoice = drafted_for(boss, buyer, product)

    finding = the(invoice_findings(invoice), "customer_address_incomplete")

    assert finding.severity == Severity.WARNING
    assert finding.message == (
        f"La facture brouillon n° {invoice.pk} porterait l'adresse du client Charpentes Leroy sans code postal ni "
        "ville : une facture doit indiquer l'adresse de l'acheteur. Complétez la fiche du client avant "
        "d'émettre."
    )
    assert finding.evidence[1].values == {"street": "", "postal_code": "", "city": "", "country": "FR"}


def test_a_buyer_with_a_town_but_no_postal_code_is_told_which_is_missing(boss, company, product):
    buyer = make_customer(boss, name="Charpentes Leroy", postal_code="", city="Bozouls")
    invoice = drafted_for(boss, buyer, product)

    finding = the(invoice_findings(invoice), "customer_address_incomplete")

    assert "sans code postal :" in finding.message


def test_buyers_with_what_the_invoice_needs_are_not_reported(boss, company, customer, product):
    # A street is not required: « Le Bourg, 12340 Bozouls » has none.
    german = make_customer(
        boss,
        name="Werkzeug GmbH",
        siren="",
        country="DE",
        vat_number="DE136695976",
        city="Köln",
        postal_code="50667",
    )
    swiss = make_customer(boss, name="Werkzeug AG", siren="", country="CH", city="Basel", postal_code="4051")

    for buyer in (customer, german, swiss):
        assert not MASTER_DATA & set(codes(invoice_findings(drafted_for(boss, buyer, product))))


def test_an_issued_invoice_is_not_reported(boss, company, customer, product):
    invoice = issue_invoice(drafted_for(boss, customer, product), by=boss)
    update_customer(customer, by=boss, postal_code="", city="")

    assert not MASTER_DATA & set(codes(invoice_findings(invoice)))


# --- the SIREN its French VAT number carries ---------------------------------------------------------


def _without_siren_but_vat(boss, product):
    buyer = make_customer(boss, name="Charpentes Leroy", siren="", vat_number="FR13542107651")
    return buyer, drafted_for(boss, buyer, product)


def _stored_siren_proposal(buyer):
    from comptoir.assistant.models import Proposal
    from comptoir.assistant.services import run_agent

    run_agent(by=None)
    return Proposal.objects.get(customer=buyer, kind="set_customer_siren", status=Proposal.Status.OPEN)


def test_a_buyer_whose_vat_number_carries_the_siren_gets_it_filled_in_by_approval(boss, company, product):
    from comptoir.assistant.services import approve_proposal

    buyer, invoice = _without_siren_but_vat(boss, product)
    finding = the(invoice_findings(invoice), "customer_siren_missing")
    assert finding.proposal.payload == {"customer_id": buyer.pk, "siren": "542107651"}

    approve_proposal(_stored_siren_proposal(buyer), by=boss)

    buyer.refresh_from_db()
    assert buyer.siren == "542107651"
    assert "customer_siren_missing" not in codes(invoice_findings(invoice))
    assert issue_invoice(invoice, by=boss).number


def test_a_buyer_without_vat_number_gets_no_siren_proposal(boss, company, product):
    buyer = make_customer(boss, name="Charpentes Leroy", siren="")

    finding = the(invoice_findings(drafted_for(boss, buyer, product)), "customer_siren_missing")

    assert finding.proposal is None


def test_a_siren_filled_in_meanwhile_refuses_the_approval_and_keeps_it(boss, company, product):
    from comptoir.assistant.services import approve_proposal

    buyer, _ = _without_siren_but_vat(boss, product)
    proposal = _stored_siren_proposal(buyer)
    # Someone typed the SIREN on the card (the VAT number corrected with it) before the inbox was read.
    update_customer(buyer, by=boss, siren="552032534", vat_number="FR27552032534")

    with pytest.raises(DomainError) as refused:
        approve_proposal(proposal, by=boss)

    assert refused.value.code == "proposal_siren_already_set"
    assert refused.value.message == (
        "La fiche de Charpentes Leroy porte déjà le SIREN 552032534 : rien n'a été modifié ; rejetez la "
        "proposition si ce SIREN est le bon."
    )
    buyer.refresh_from_db()
    assert buyer.siren == "552032534"
