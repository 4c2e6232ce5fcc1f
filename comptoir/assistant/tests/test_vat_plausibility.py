"""VAT plausibility (#17): the customer's VAT regime against its country and VAT number, and a 0 % line
without the exemption reason an invoice without VAT must cite."""

import datetime
from decimal import Decimal

import pytest

from comptoir.assistant.findings import Severity
from comptoir.assistant.models import Proposal
from comptoir.assistant.services import approve_proposal, run_agent
from comptoir.assistant.tests.factories import (
    codes,
    draft,
    invoice_findings,
    order_findings,
    ship,
    sold,
    stock,
    the,
)
from comptoir.billing.services import correct_draft_line, issue_invoice
from comptoir.catalog.services import update_product
from comptoir.core import dates
from comptoir.core.testing import make_customer, make_product
from comptoir.parties.models import Customer

pytestmark = pytest.mark.django_db

REGIME = "customer_vat_regime_implausible"
VAT_CODES = {"invoice_vat_inconsistent", "reverse_charge_without_eu_vat_number"}


def open_proposal(kind: str) -> Proposal:
    run_agent(by=None)
    (proposal,) = Proposal.objects.filter(kind=kind, status=Proposal.Status.OPEN)
    return proposal


# --- the customer's regime ------------------------------------------------------------------------


def test_a_german_company_set_up_as_export_is_reported_and_approving_the_fix_makes_the_invoice_right(
    boss, company, product
):
    german = make_customer(
        boss, name="Werkzeug GmbH", siren="", country="DE", vat_number="DE136695976", vat_regime="export"
    )
    stock(boss, product)
    order = sold(boss, german, (product, "10"))
    ship(boss, order)
    invoice = draft(boss, order)
    # The draft agrees with the record (export, G): only the record itself is wrong.
    assert {line.vat_category for line in invoice.lines.all()} == {"G"}
    assert not VAT_CODES & set(codes(invoice_findings(invoice)))

    finding = the(invoice_findings(invoice), REGIME)

    assert finding.severity == Severity.WARNING
    assert finding.message == (
        "Le client Werkzeug GmbH est établi dans un autre État de l'Union européenne (DE) mais sa fiche est au "
        "régime « hors Union européenne » : ses factures partent en exportation exonérée (G), alors qu'une "
        "vente à une entreprise d'un autre État membre est une livraison intracommunautaire (K) ou une "
        "autoliquidation (AE) qui citent son numéro de TVA. Passez sa fiche au régime « entreprise de "
        "l'Union européenne »."
    )
    assert finding.evidence[0].values == {
        "country": "DE",
        "vat_number": "DE136695976",
        "vat_regime": "export",
    }
    assert finding.evidence[1].id == invoice.pk
    assert finding.proposal.payload == {"customer_id": german.pk, "vat_regime": "eu"}

    approve_proposal(open_proposal("set_customer_vat_regime"), by=boss)
    assert Customer.objects.get(pk=german.pk).vat_regime == "eu"
    assert REGIME not in codes(invoice_findings(invoice))
    # The draft's VAT now follows the corrected record through its own proposal, and the invoice issues.
    approve_proposal(open_proposal("set_invoice_line_vat"), by=boss)
    assert {line.vat_category for line in invoice.lines.all()} == {"K"}
    assert issue_invoice(invoice, by=boss).number


def test_an_eu_company_set_up_as_export_without_a_vat_number_is_told_to_fill_it_in(boss, company, product):
    italian = make_customer(boss, name="Utensili Srl", siren="", country="IT", vat_regime="export")
    order = sold(boss, italian, (product, "1"))

    finding = the(order_findings(order), REGIME)

    assert "Renseignez son numéro de TVA intracommunautaire" in finding.message
    # Switching the regime alone would be refused (an EU regime needs the number): nothing to approve.
    assert finding.proposal is None
    assert finding.evidence[1].kind == "order"


def test_a_french_company_set_up_as_export_is_reported_with_the_fix(boss, company, product):
    french = make_customer(boss, name="Scierie Dupuis", vat_regime="export")
    stock(boss, product)
    order = sold(boss, french, (product, "2"))
    ship(boss, order)
    invoice = draft(boss, order)

    finding = the(invoice_findings(invoice), REGIME)

    assert "est établi en France métropolitaine" in finding.message
    assert "ses factures partent sans TVA" in finding.message
    assert finding.proposal.payload == {"customer_id": french.pk, "vat_regime": "france"}


def test_a_customer_in_an_overseas_department_rightly_set_up_as_export_is_not_reported(
    boss, company, product
):
    martinique = make_customer(
        boss, name="Quincaillerie du Lamentin", postal_code="97232", city="Le Lamentin", vat_regime="export"
    )
    order = sold(boss, martinique, (product, "2"))

    assert REGIME not in codes(order_findings(order))


def test_a_company_in_france_set_up_as_an_eu_business_is_reported_without_a_guess(boss, company, product):
    branch = make_customer(
        boss, name="Werkzeug France", siren="", country="FR", vat_number="DE136695976", vat_regime="eu"
    )
    order = sold(boss, branch, (product, "2"))

    finding = the(order_findings(order), REGIME)

    assert finding.message.startswith(
        "Le client Werkzeug France a son adresse en France mais sa fiche est au régime « entreprise de "
        "l'Union européenne » (numéro DE136695976)"
    )
    # Either the regime or the address is wrong: a person decides.
    assert finding.proposal is None


def test_regimes_that_fit_the_country_are_not_reported(boss, company, customer, product):
    german = make_customer(boss, name="Werkzeug GmbH", siren="", country="DE", vat_number="DE136695976")
    swiss = make_customer(boss, name="Werkzeug AG", siren="", country="CH")
    for buyer in (customer, german, swiss):
        assert REGIME not in codes(order_findings(sold(boss, buyer, (product, "1"))))


def test_an_issued_invoice_is_not_reported_again(boss, company, product):
    german = make_customer(
        boss, name="Werkzeug GmbH", siren="", country="DE", vat_number="DE136695976", vat_regime="export"
    )
    stock(boss, product)
    order = sold(boss, german, (product, "1"))
    ship(boss, order)
    invoice = issue_invoice(draft(boss, order), by=boss)

    assert REGIME not in codes(invoice_findings(invoice))


# --- 0 % without an exemption reason --------------------------------------------------------------

GOLD_EXEMPTION = "Exonération de TVA, article 298 sexdecies A du CGI"


@pytest.fixture
def gold_sold_while_exempt(boss, company, customer):
    """Investment gold delivered three days ago while exempt; the card was made taxable from today."""
    three_days_ago = dates.today() - datetime.timedelta(days=3)
    gold = make_product(
        boss,
        sku="OR-50G",
        name="Lingot d'or 50 g",
        sale_price="3000.00",
        vat_rate="0.00",
        vat_exemption_reason=GOLD_EXEMPTION,
    )
    stock(boss, gold, date=three_days_ago)
    order = sold(boss, customer, (gold, "1"), date=three_days_ago)
    ship(boss, order, date=three_days_ago)
    update_product(gold, by=boss, vat_rate="20.00", vat_exemption_reason="")
    return order


def test_goods_delivered_while_exempt_keep_their_exemption_and_are_not_blocked(boss, gold_sold_while_exempt):
    invoice = draft(boss, gold_sold_while_exempt)
    line = invoice.lines.get()
    assert (line.vat_category, line.vat_rate, line.vat_exemption_reason) == (
        "E",
        Decimal("0.00"),
        GOLD_EXEMPTION,
    )

    found = codes(invoice_findings(invoice))

    assert not VAT_CODES & set(found) and "zero_rate_without_exemption_reason" not in found
    assert issue_invoice(invoice, by=boss).number


def test_a_zero_rate_line_without_an_exemption_reason_is_reported(boss, gold_sold_while_exempt):
    invoice = draft(boss, gold_sold_while_exempt)
    # VAT taken again from the card: the rate history gives the old 0 %, but the reason is gone.
    line = correct_draft_line(invoice.lines.get().pk, by=boss, vat_from_product=True)
    assert (line.vat_category, line.vat_rate, line.vat_exemption_reason) == ("Z", Decimal("0.00"), "")

    finding = the(invoice_findings(invoice), "zero_rate_without_exemption_reason")

    assert finding.severity == Severity.WARNING
    assert finding.message.startswith(
        f"La facture brouillon n° {invoice.pk} applique une TVA de 0\u00a0% à OR-50G sans motif d'exonération : "
        "une facture sans TVA doit citer l'article du CGI qui l'exonère"
    )
    assert finding.evidence[0].values["vat_category"] == "Z"
    assert finding.evidence[1].values == {"vat_rate": Decimal("20.00"), "vat_exemption_reason": ""}
