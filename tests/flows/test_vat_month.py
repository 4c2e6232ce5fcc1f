"""A month of sales told as a story, then its VAT return: a drill and its installation sold in Lyon
(the installation paid within the month), drills exported to the United States, drills delivered to a
German business and an audit of its workshop (a service taxed in Germany), an exempt training course,
and a credit note on the French drills. The CA3 puts each on its line with the invoices behind it, the
settlement entry clears 44571 against 44551 once, and the DES lists the German service."""

import datetime
from decimal import Decimal

import pytest

from comptoir.accounting import selectors as ledger_view
from comptoir.accounting import settlement
from comptoir.accounting.models import EntryLine
from comptoir.billing.services import create_credit_note, create_invoice_from_order, issue_invoice
from comptoir.core import dates
from comptoir.core.errors import DomainError
from comptoir.core.testing import make_customer, make_product
from comptoir.parties.services import configure_company
from comptoir.payments.services import register_payment
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery
from comptoir.vatreturn import selectors as vat_view
from comptoir.vatreturn import statements

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def _last_month():
    end = dates.today().replace(day=1) - DAY
    return end.replace(day=1), end


def _sale(boss, customer, lines, day):
    order = confirm_order(create_order(customer, lines, by=boss, date=day), by=boss)
    if any(line["product"].is_stocked for line in lines):
        validate_delivery(create_delivery(order, by=boss, date=day), by=boss, date=day)
    return issue_invoice(create_invoice_from_order(order, by=boss), by=boss, date=day)


def test_a_month_of_french_export_and_eu_sales_goes_line_by_line_on_the_ca3_and_the_des(
    admin_user, boss, company, customer, product, service_product
):
    configure_company(by=admin_user, backdating_days=62)
    start, end = _last_month()
    receive_stock([{"product": product, "quantity": "50", "unit_cost": "70"}], by=boss, date=start)
    american = make_customer(boss, name="Hardware Inc.", siren="", country="US")
    german = make_customer(boss, name="Werkzeug GmbH", siren="", country="DE", vat_number="DE136695976")
    training = make_product(
        boss,
        sku="FORM-1",
        name="Formation sécurité",
        sale_price="800",
        kind="service",
        vat_rate="0",
        vat_exemption_reason="Exonération de TVA, article 261-4-4° a du CGI",
        vat_exemption_code="VATEX-EU-132",
    )

    # Given the month's sales (drills at 120.00, the installation at 450.00).
    french = _sale(
        boss,
        customer,
        [{"product": product, "quantity": "2"}, {"product": service_product, "quantity": "1"}],
        start + 1 * DAY,
    )
    register_payment(
        customer,
        amount=french.total,
        method="transfer",
        date=start + 9 * DAY,
        allocations=[{"invoice": french, "amount": french.total}],
        by=boss,
    )
    export = _sale(boss, american, [{"product": product, "quantity": "3"}], start + 2 * DAY)
    supply = _sale(boss, german, [{"product": product, "quantity": "4"}], start + 3 * DAY)
    service = _sale(boss, german, [{"product": service_product, "quantity": "2"}], start + 4 * DAY)
    exempt = _sale(boss, customer, [{"product": training, "quantity": "1"}], start + 5 * DAY)
    # And a credit note for one drill of the French sale, returned.
    note = issue_invoice(
        create_credit_note(
            french,
            [{"invoice_line": french.lines.get(product=product), "quantity": "1"}],
            by=boss,
            reason="Perceuse défectueuse",
            gesture_category="retour",
        ),
        by=boss,
        date=start + 6 * DAY,
    )

    # When the accountant reads the month's return.
    ca3 = vat_view.ca3_return(start, end)

    # Then each operation is on its line: A1 = 240 − 120 goods + 450 installation cashed.
    assert {code: line.base for code, line in ca3.operations.items()} == {
        "A1": Decimal("570.00"),
        "E1": Decimal("360.00"),
        "E2": Decimal("1700.00"),  # 900.00 of services to Germany + 800.00 of training
        "F2": Decimal("480.00"),
    }
    # Each figure drills down to its invoices; the credit note subtracts on the line of its invoice.
    a1 = {(c.document, c.reference, c.base) for c in ca3.operations["A1"].contributions}
    payment = french.allocations.get().payment
    assert a1 == {
        (french.number, "", Decimal("240.00")),
        (note.number, "", Decimal("-120.00")),
        (french.number, payment.number, Decimal("450.00")),
    }
    assert {c.document for c in ca3.operations["E1"].contributions} == {export.number}
    assert {c.document for c in ca3.operations["E2"].contributions} == {service.number, exempt.number}
    assert {c.document for c in ca3.operations["F2"].contributions} == {supply.number}
    # The tax section: 20 % of 570.00 on line 08, as the ledger has it, nothing unexplained.
    (gross,) = ca3.gross
    assert (gross.code, gross.base, gross.vat) == ("08", Decimal("570.00"), Decimal("114.00"))
    assert ca3.ledger_vat == {Decimal("20.00"): Decimal("114.00")} and not ca3.gaps
    assert (ca3.total_gross, ca3.deductible.vat, ca3.net_due, ca3.balance_line) == (
        Decimal("114.00"),
        Decimal("0"),
        Decimal("114.00"),
        "TD",
    )

    # The DES lists the German service, per VAT number; the goods statement the German drills.
    des = statements.des_rows(start, end)
    assert [(row.vat_number, row.amount) for row in des] == [("DE136695976", Decimal("900.00"))]
    assert "DE136695976" in statements.des_csv(des, start) and "900" in statements.des_csv(des, start)
    goods = statements.goods_rows(start, end)
    assert [(row.vat_number, row.sku, row.quantity, row.value) for row in goods] == [
        ("DE136695976", product.sku, Decimal("4.000"), Decimal("480.00"))
    ]

    # When the VAT is settled: 44571 cleared against 44551, once.
    done = settlement.settle_vat(start, end, by=boss)
    lines = {
        line.account.code: (line.debit, line.credit)
        for line in EntryLine.objects.filter(entry=done.entry).select_related("account")
    }
    assert lines == {"44571": (Decimal("114.00"), Decimal("0")), "44551": (Decimal("0"), Decimal("114.00"))}
    assert done.entry.journal.code == "OD" and done.entry.date == end
    # The return is unchanged by its own settlement, and shows it.
    again = vat_view.ca3_return(start, end)
    assert again.total_gross == Decimal("114.00") and again.settlement == done
    assert ledger_view.vat_summary(start, end).total_collected == Decimal("114.00")
    with pytest.raises(DomainError) as refused:
        settlement.settle_vat(start, end, by=boss)
    assert refused.value.code == "vat_already_settled"
