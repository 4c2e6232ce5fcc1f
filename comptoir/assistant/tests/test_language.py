"""The assistant speaks the user's language: French first, English when the user chose it.

Findings, proposals, return-case advice and recurring causes are worded when they are asked for, so the
same facts read in French or in English depending on the active language."""

import datetime
from decimal import Decimal

from django.utils import translation

from comptoir.assistant import causes, returns_advice
from comptoir.assistant.chain import (
    Chain,
    Customer,
    Delivery,
    DeliveryLine,
    Invoice,
    InvoiceLine,
    Order,
    OrderLine,
    Product,
)
from comptoir.assistant.checks import check_delivered_not_invoiced, check_invoice_exceeds_delivered
from comptoir.assistant.findings import units

DRILL = Product(1, "REF-88", "Perceuse", False, Decimal("20"))
MARTIN = Customer(1, "C00001", "Menuiserie Martin SARL", "france")
ORDER_LINE = OrderLine(1, DRILL, Decimal("10"), Decimal("120"), Decimal("0"), Decimal("20"), "S")
SHIPPED = Delivery(
    1, "BL-2026-00001", "validated", datetime.date(2026, 3, 2), (DeliveryLine(1, 1, DRILL, Decimal("10")),)
)


def _delivered_not_invoiced() -> Chain:
    return Chain(
        customer=MARTIN,
        today=datetime.date(2026, 3, 5),
        order=Order(1, "CMD-2026-00001", "confirmed", datetime.date(2026, 3, 1), (ORDER_LINE,)),
        deliveries=(SHIPPED,),
    )


def _draft_billing_more_than_delivered() -> Chain:
    line = InvoiceLine(
        1, DRILL, Decimal("12"), Decimal("120"), Decimal("0"), Decimal("20"), "S", Decimal("1440"), 1, 1
    )
    draft = Invoice(
        7,
        None,
        "invoice",
        "draft",
        1,
        datetime.date(2026, 3, 5),
        Decimal("1440"),
        Decimal("1728"),
        (line,),
        1,
    )
    return Chain(
        customer=MARTIN,
        today=datetime.date(2026, 3, 5),
        focus=7,
        order=Order(1, "CMD-2026-00001", "confirmed", datetime.date(2026, 3, 1), (ORDER_LINE,)),
        deliveries=(SHIPPED,),
        invoices=(draft,),
    )


def test_a_finding_and_its_proposal_read_in_french_by_default_and_in_english_when_chosen():
    chain = _delivered_not_invoiced()
    with translation.override("fr"):
        (french,) = check_delivered_not_invoiced(chain)
    with translation.override("en"):
        (english,) = check_delivered_not_invoiced(chain)

    assert french.message == (
        "Le BL-2026-00001 (expédié le 02/03/2026) n'est encore facturé par aucune facture : "
        "10 unités de REF-88."
    )
    assert (
        french.proposal.rationale == "Établir la facture des quantités livrées de la commande CMD-2026-00001."
    )
    assert english.message == (
        "Delivery note BL-2026-00001 (shipped on 02/03/2026) is not billed on any invoice yet: 10 units of REF-88."
    )
    assert (
        english.proposal.rationale
        == "Draw up the invoice for the quantities delivered on order CMD-2026-00001."
    )
    # Only the words change: the code, the evidence and the proposed action are the same facts.
    assert (english.code, english.evidence, english.proposal.payload) == (
        french.code,
        french.evidence,
        french.proposal.payload,
    )


def test_the_document_a_sentence_names_is_translated_too():
    chain = _draft_billing_more_than_delivered()
    with translation.override("fr"):
        (french,) = check_invoice_exceeds_delivered(chain)
    with translation.override("en"):
        (english,) = check_invoice_exceeds_delivered(chain)

    assert french.message == (
        "La facture brouillon n° 7 facture 12 unités de REF-88 alors que le BL-2026-00001 n'en a livré que 10."
    )
    assert english.message == (
        "Invoice draft no. 7 bills 12 units of REF-88 although delivery note BL-2026-00001 delivered only 10."
    )
    assert english.evidence[0].document == "draft no. 7"
    assert english.proposal.rationale == "Bring the draft's REF-88 line back to the quantity delivered (10)."


def test_units_follow_each_languages_plural_rule():
    with translation.override("fr"):
        assert [units(Decimal(v)) for v in ("1", "1.5", "2")] == ["1 unité", "1,5 unité", "2 unités"]
    with translation.override("en"):
        assert [units(Decimal(v)) for v in ("1", "1.5", "2")] == ["1 unit", "1,5 units", "2 units"]


def test_return_case_advice_and_its_priority_read_in_english_when_chosen():
    now = datetime.datetime(2026, 3, 5, 12, tzinfo=datetime.UTC)
    facts = returns_advice.CaseFacts(
        number="RET-2026-00001",
        reason="wrong_price",
        status="approved",
        undecided=False,
        amount_at_stake=Decimal("240"),
        opened_at=now,
        answer_due_at=now + datetime.timedelta(days=2),
        close_due_at=now + datetime.timedelta(days=15),
        answer_overdue=False,
        close_overdue=False,
        blocks_invoice=True,
        goods_back_expected=False,
        receipt_required_before_credit=False,
        received=False,
        approval_threshold=Decimal("1000"),
        lines=(),
        customer_name="Menuiserie Martin SARL",
        customer_revenue_12m=Decimal("0"),
        customer_cases_12m=0,
    )
    with translation.override("en"):
        suggestion = returns_advice.suggest(facts)
        priority = returns_advice.priority(facts, now)
        assert (suggestion.label, suggestion.short_label) == ("Credit note", "Credit note")
        assert suggestion.reasons == (
            "A price error is corrected by a credit note for the difference, with no return of goods.",
        )
        assert "invoice blocked 20" in priority.explanation
    with translation.override("fr"):
        assert returns_advice.suggest(facts).label == "Avoir"
        assert "facture bloquée 20" in priority.explanation
    # The parts keep their French labels: the API serves them as stable keys.
    assert ("facture bloquée", 20) in priority.parts


def test_what_changed_in_the_returns_reads_in_english_when_chosen():
    today = datetime.date(2026, 3, 5)
    rows = [
        causes.Row(
            n, today - datetime.timedelta(days=n), "damaged", "Damaged", "Martin", "REF-88", Decimal("10")
        )
        for n in (1, 2, 3)
    ]
    with translation.override("en"):
        found = causes.analyse(rows, today=today)
    assert found.changes[0] == (
        "“Damaged”: 3 case(s) in the last 90 days against 0 in the 90 days before; "
        "3 of them for REF-88, 3 of them for Martin."
    )
    assert "Product REF-88 comes up in 3 recent case(s) (against 0 before)." in found.changes
