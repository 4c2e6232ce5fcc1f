"""Document-level allowances and charges (BG-20/BG-21) on invoices: totals, e-invoice, ledger, FEC,
credit notes."""

import datetime
import io
from decimal import Decimal as D

import pytest
from django.db import DatabaseError, transaction
from pypdf import PdfReader

from comptoir.accounting import fec
from comptoir.accounting.models import EntryLine, OpenItem
from comptoir.billing import adjusting, conformity, einvoicing, integrity
from comptoir.billing.models import AllowanceCharge, Invoice
from comptoir.billing.services import create_credit_note, create_invoice_from_order, issue_invoice
from comptoir.core.errors import DomainError
from comptoir.core.testing import approved_case, make_product, tamper
from comptoir.einvoice.cii import amounts_from_cii
from comptoir.einvoice.validate import read_back, validate_many, validate_ubl_many
from comptoir.payments.models import EarlyPaymentDiscount
from comptoir.payments.selectors import invoice_payment_state
from comptoir.payments.services import register_payment
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(boss):
    return make_product(boss, sku="LIV-1", name="Manuel d'atelier", sale_price="40.00", vat_rate="5.50")


@pytest.fixture
def draft(boss, customer, product, book):
    """A draft billing 10 drills at 120.00 (20 %) and 5 books at 40.00 (5.5 %)."""
    receive_stock(
        [
            {"product": product, "quantity": "20", "unit_cost": "70"},
            {"product": book, "quantity": "20", "unit_cost": "20"},
        ],
        by=boss,
    )
    order = confirm_order(
        create_order(
            customer,
            [{"product": product, "quantity": "10"}, {"product": book, "quantity": "5"}],
            by=boss,
        ),
        by=boss,
    )
    validate_delivery(
        create_delivery(
            order, [{"order_line": line, "quantity": line.quantity} for line in order.lines.all()], by=boss
        ),
        by=boss,
    )
    return create_invoice_from_order(order, by=boss)


def _with_discount_and_shipping(boss, draft):
    # 5 % of the 1 200.00 of drills (60.00), and 25.00 of shipping at 20 %.
    adjusting.add_allowance_charge(
        draft, by=boss, is_charge=False, percent="5", reason_code="95", vat_rate="20", vat_category="S"
    )
    adjusting.add_allowance_charge(
        draft, by=boss, is_charge=True, amount="25.00", reason_code="FC", vat_rate="20", vat_category="S"
    )
    return Invoice.objects.get(pk=draft.pk)


def _refusal(call, *args, **kwargs) -> str:
    with pytest.raises(DomainError) as exc:
        call(*args, **kwargs)
    return exc.value.code


def test_allowances_and_charges_change_the_vat_base_of_their_rate_only(boss, draft):
    invoice = _with_discount_and_shipping(boss, draft)
    # Lines 1 200.00 + 200.00; 20 % base 1 200 − 60 + 25 = 1 165.00 → VAT 233.00; 5.5 % base 200 → 11.00.
    assert (invoice.total_lines, invoice.total_allowances, invoice.total_charges) == (
        D("1400.00"),
        D("60.00"),
        D("25.00"),
    )
    assert (invoice.total_untaxed, invoice.total_vat, invoice.total) == (
        D("1365.00"),
        D("244.00"),
        D("1609.00"),
    )
    item = invoice.allowances_charges.get(is_charge=False)
    assert (item.reason, item.percent, item.base_amount, item.amount) == (
        "Remise globale",
        D("5.00"),
        D("1200.00"),
        D("60.00"),
    )


def test_an_allowance_cannot_exceed_the_lines_of_its_rate(boss, draft):
    assert (
        _refusal(
            adjusting.add_allowance_charge,
            draft,
            by=boss,
            is_charge=False,
            amount="250",
            reason="Remise fidélité",
            vat_rate="5.5",
            vat_category="S",
        )
        == "allowance_exceeds_base"
    )
    assert not draft.allowances_charges.exists()


def test_an_allowance_needs_a_reason_a_known_code_and_a_french_vat_rate(boss, draft):
    add = adjusting.add_allowance_charge
    assert _refusal(add, draft, by=boss, is_charge=False, amount="10", vat_rate="20") == (
        "allowance_charge_reason_missing"
    )
    assert _refusal(add, draft, by=boss, is_charge=True, amount="10", reason_code="95", vat_rate="20") == (
        "allowance_charge_reason_code_unknown"
    )
    assert _refusal(add, draft, by=boss, is_charge=True, amount="10", reason="Port", vat_rate="21") == (
        "allowance_charge_vat_invalid"
    )
    assert _refusal(add, draft, by=boss, is_charge=True, amount="-3", reason="Port", vat_rate="20") == (
        "allowance_charge_amount_invalid"
    )


def test_removing_an_allowance_restores_the_totals(boss, draft):
    invoice = _with_discount_and_shipping(boss, draft)
    adjusting.remove_allowance_charge(invoice.allowances_charges.get(is_charge=False), by=boss)
    invoice.refresh_from_db()
    assert (invoice.total_allowances, invoice.total_untaxed) == (D("0.00"), D("1425.00"))


def test_issued_invoice_posts_allowances_on_709_and_charges_on_7085(boss, draft):
    invoice = issue_invoice(_with_discount_and_shipping(boss, draft), by=boss)
    lines = {
        (ln.account.code, ln.vat_rate): (ln.debit, ln.credit)
        for ln in EntryLine.objects.filter(entry=invoice.entry).select_related("account")
    }
    assert lines[("411", None)] == (D("1609.00"), D("0"))
    assert lines[("707", D("20.00"))] == (D("0"), D("1200.00"))
    assert lines[("707", D("5.50"))] == (D("0"), D("200.00"))
    assert lines[("709", D("20.00"))] == (D("60.00"), D("0"))
    assert lines[("7085", D("20.00"))] == (D("0"), D("25.00"))
    assert lines[("44571", D("20.00"))] == (D("0"), D("233.00"))
    assert lines[("44571", D("5.50"))] == (D("0"), D("11.00"))
    # The FEC carries them with the invoice's number.
    text = "\n".join(fec.fec_lines(invoice.date, invoice.date))
    assert "\t709\tRabais, remises et ristournes accordés\t" in text
    assert "\t7085\tPorts et frais accessoires facturés\t" in text


def test_issued_invoice_with_allowance_and_charge_makes_valid_cii_ubl_and_factur_x(boss, draft):
    invoice = issue_invoice(_with_discount_and_shipping(boss, draft), by=boss)
    [report] = validate_many([einvoicing.cii_xml(invoice)])
    assert [str(f) for f in report.errors] == []
    [ubl] = validate_ubl_many([einvoicing.ubl_xml(invoice)])
    assert [str(f) for f in ubl.errors] == []
    pdf = einvoicing.facturx_pdf(invoice)
    back = read_back(pdf)
    amounts = amounts_from_cii(back.xml)
    assert (
        amounts["BT-106"],
        amounts["BT-107"],
        amounts["BT-108"],
        amounts["BT-109"],
        amounts["BT-112"],
    ) == (
        D("1400.00"),
        D("60.00"),
        D("25.00"),
        D("1365.00"),
        D("1609.00"),
    )
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Remise globale (5 %)" in text.replace("\u00a0", " ") and "Frais de port" in text
    # `comptoir check-einvoices` finds the archive, the PDF page and the ledger saying the same thing.
    assert conformity.check_document(invoice) == []


def test_a_credit_note_of_the_whole_invoice_reverses_its_allowance_and_charge(boss, draft):
    invoice = issue_invoice(_with_discount_and_shipping(boss, draft), by=boss)
    note = create_credit_note(
        invoice,
        [{"invoice_line": line, "quantity": line.quantity} for line in invoice.lines.all()],
        by=boss,
        reason="Livraison refusée",
        source_reference=approved_case(invoice, by=boss),
    )
    assert (note.total_allowances, note.total_charges, note.total) == (D("60.00"), D("25.00"), invoice.total)
    note = issue_invoice(note, by=boss)
    lines = {
        (ln.account.code, ln.vat_rate): (ln.debit, ln.credit)
        for ln in EntryLine.objects.filter(entry=note.entry).select_related("account")
    }
    assert lines[("709", D("20.00"))] == (D("0"), D("60.00"))
    assert lines[("7085", D("20.00"))] == (D("25.00"), D("0"))
    assert lines[("411", None)] == (D("0"), D("1609.00"))
    [report] = validate_many([einvoicing.cii_xml(note)])
    assert [str(f) for f in report.errors] == []


def test_a_credit_note_for_part_of_the_lines_takes_its_share_of_the_allowance(boss, draft):
    invoice = issue_invoice(_with_discount_and_shipping(boss, draft), by=boss)
    drills = invoice.lines.get(vat_rate=D("20"))
    note = create_credit_note(
        invoice,
        [{"invoice_line": drills, "quantity": "5"}],
        by=boss,
        reason="Retour",
        source_reference=approved_case(invoice, by=boss, quantity=D("5")),
    )
    # Half the drills: half of the 5 % allowance and half of the shipping of that rate.
    assert (note.total_allowances, note.total_charges, note.total_untaxed) == (
        D("30.00"),
        D("12.50"),
        D("582.50"),
    )


# --- Early-payment discount (escompte) -----------------------------------------------------------------


def _pay(boss, invoice, amount, date=None):
    return register_payment(
        invoice.customer,
        amount=amount,
        method="transfer",
        date=date,
        allocations=[{"invoice": invoice, "amount": amount}],
        by=boss,
    )


def test_early_discount_terms_are_printed_in_bt20_and_the_aab_note_and_stay_valid(boss, draft):
    adjusting.set_early_discount(draft, by=boss, percent="2", days=10)
    invoice = issue_invoice(draft, by=boss)
    assert invoice.early_discount_until == invoice.date + datetime.timedelta(days=10)
    # 2 % of 1 200.00 (24.00 + 4.80 VAT) and of 200.00 (4.00 + 0.22 VAT): 33.02 off 1 651.00.
    until = invoice.early_discount_until.strftime("%d/%m/%Y")
    expected = (
        f"Escompte de 2\u00a0% pour paiement au plus tard le {until} : 33,02 € déduits (dont TVA 5,02 €), "
        "soit 1\u202f617,98 € à payer"
    )
    assert expected.replace("\u202f", " ") in invoice.payment_terms.replace("\u202f", " ")
    xml = einvoicing.cii_xml(invoice).decode()
    assert xml.count("Escompte de 2") == 2  # BT-20 and the AAB note
    assert "Pas d'escompte" not in xml
    [report] = validate_many([einvoicing.cii_xml(invoice)])
    assert [str(f) for f in report.errors] == []
    [ubl] = validate_ubl_many([einvoicing.ubl_xml(invoice)])
    assert [str(f) for f in ubl.errors] == []


def test_a_payment_within_the_deadline_for_the_discounted_amount_settles_and_posts_the_discount(boss, draft):
    adjusting.set_early_discount(draft, by=boss, percent="2", days=10)
    invoice = issue_invoice(draft, by=boss)
    payment = _pay(boss, invoice, "1617.98")
    granted = EarlyPaymentDiscount.objects.get(invoice=invoice)
    assert (granted.payment, granted.amount, granted.untaxed, granted.vat) == (
        payment,
        D("33.02"),
        D("28.00"),
        D("5.02"),
    )
    lines = sorted(
        (ln.account.code, ln.vat_rate, ln.debit, ln.credit)
        for ln in EntryLine.objects.filter(entry=payment.entry).select_related("account")
    )
    assert lines == [
        ("411", None, D("0"), D("33.02")),
        ("411", None, D("0"), D("1617.98")),
        ("44571", D("5.50"), D("0.22"), D("0")),
        ("44571", D("20.00"), D("4.80"), D("0")),
        ("512", None, D("1617.98"), D("0")),
        ("665", D("5.50"), D("4.00"), D("0")),
        ("665", D("20.00"), D("24.00"), D("0")),
    ]
    assert invoice_payment_state(invoice).balance_due == D("0.00")
    # The invoice is lettered with the payment and the discount: nothing left open on 411.
    assert not OpenItem.objects.filter(entry=invoice.entry).exists()
    text = "\n".join(fec.fec_lines(payment.date, payment.date))
    assert "\t665\tEscomptes accordés\t" in text


def test_a_payment_of_another_amount_earns_no_discount(boss, draft):
    adjusting.set_early_discount(draft, by=boss, percent="2", days=10)
    invoice = issue_invoice(draft, by=boss)
    _pay(boss, invoice, "1000.00")
    assert not EarlyPaymentDiscount.objects.exists()
    assert invoice_payment_state(invoice).balance_due == D("651.00")


def test_early_discount_rate_must_be_below_100_and_days_within_a_year(boss, draft):
    assert _refusal(adjusting.set_early_discount, draft, by=boss, percent="120", days=10) == (
        "early_discount_invalid"
    )
    assert _refusal(adjusting.set_early_discount, draft, by=boss, percent="2", days=400) == (
        "early_discount_invalid"
    )


def test_verification_finds_an_allowance_changed_behind_comptoir(boss, draft):
    invoice = issue_invoice(_with_discount_and_shipping(boss, draft), by=boss)
    assert integrity.check() == []
    item = invoice.allowances_charges.get(is_charge=False)
    with pytest.raises(DatabaseError), transaction.atomic():
        AllowanceCharge.objects.filter(pk=item.pk).update(amount=D("6.00"))
    tamper("UPDATE billing_allowancecharge SET amount = %s WHERE id = %s", ["6.00", item.pk])
    assert [p.document for p in integrity.check()] == [f"facture {invoice.number}"]
    assert "remises et frais" in str(integrity.check()[0])
