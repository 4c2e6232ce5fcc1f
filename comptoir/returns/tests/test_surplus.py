"""A surplus (the customer received more than the delivery note says): kept and re-invoiced, the goods leave
the stock at their cost; sent back, they never left the books. Re-invoiced to an EU business, it carries
the delivery date an intra-community supply needs."""

from decimal import Decimal

import pytest
from django.utils import timezone

from comptoir.billing import einvoicing
from comptoir.billing.models import Invoice
from comptoir.billing.services import issue_invoice
from comptoir.core.errors import DomainError, PermissionDenied
from comptoir.core.testing import colleague_of, make_customer
from comptoir.einvoice.cii import amounts_from_cii
from comptoir.einvoice.validate import read_back, validate_many
from comptoir.returns import selectors
from comptoir.returns.models import Resolution
from comptoir.returns.services import (
    approve_case,
    open_case,
    receive_goods,
    resolve_with_reinvoice,
    submit_case,
    update_policy,
)
from comptoir.returns.tests.factories import make_sale
from comptoir.stock import selectors as stock_view
from comptoir.stock.models import StockMove

pytestmark = pytest.mark.django_db


def _surplus(by, sale, quantity="2"):
    case = open_case(
        sale.delivery, [{"delivery_line": sale.delivery_line, "quantity": quantity}], by=by, reason="surplus"
    )
    return approve_case(submit_case(case, by=by), by=colleague_of(by))


def _refused(code, call, *args, **kwargs):
    with pytest.raises(DomainError) as exc:
        call(*args, **kwargs)
    assert exc.value.code == code, exc.value.message
    return exc.value


def test_a_kept_surplus_leaves_the_stock_at_average_cost_when_re_invoiced(boss, product, sale):
    assert stock_view.level_of(product).on_hand == Decimal("40")  # 50 received at 70 €, 10 delivered
    case = _surplus(boss, sale, "2")
    resolution = resolve_with_reinvoice(case, by=boss)
    assert stock_view.level_of(product).on_hand == Decimal("38")
    move = StockMove.objects.get(document=case.number)
    assert (move.kind, move.quantity, move.unit_cost, move.date) == (
        StockMove.Kind.SURPLUS,
        Decimal("-2"),
        Decimal("70"),
        timezone.localdate(),
    )
    # The cost of goods sold of the re-invoice, for margins: 2 × 70 € against 240 € billed.
    assert resolution.lines.get().unit_cost == Decimal("70")
    kpis = selectors.returns_kpis(timezone.localdate(), timezone.localdate())
    impact = kpis.margin_per_product[product.pk]
    assert (impact.reinvoiced, impact.surplus_cost, impact.margin_lost) == (
        Decimal("240.00"),
        Decimal("140.00"),
        Decimal("-100.00"),
    )


def test_a_surplus_sent_back_never_left_the_books(boss, product, sale):
    update_policy(by=boss, goods_back_reasons=["damaged", "wrong_reference", "quality", "surplus"])
    case = _surplus(boss, sale, "2")
    line = case.lines.get()
    _refused(
        "return_surplus_back_to_stock_only",
        receive_goods,
        case,
        [{"line": line, "quantity": "1", "disposition": "scrap"}],
        by=boss,
    )
    receive_goods(case, [{"line": line, "quantity": "2", "disposition": "back_to_stock"}], by=boss)
    # Back on the shelf, but the books never lost them: no move, nothing recovered in the margins.
    assert stock_view.level_of(product).on_hand == Decimal("40")
    assert not StockMove.objects.filter(kind__in=["return", "surplus"]).exists()
    kpis = selectors.returns_kpis(timezone.localdate(), timezone.localdate())
    assert kpis.margin_lost == Decimal("0")
    # What came back cannot also be billed as kept.
    _refused("return_nothing_left_to_settle", resolve_with_reinvoice, case, by=boss)


def test_half_a_surplus_kept_and_half_sent_back(boss, product, sale):
    update_policy(by=boss, goods_back_reasons=["surplus"])
    case = _surplus(boss, sale, "3")
    line = case.lines.get()
    resolve_with_reinvoice(case, [{"line": line, "quantity": "2"}], by=boss)
    _refused(
        "return_receipt_exceeds_claim",
        receive_goods,
        case,
        [{"line": line, "quantity": "2", "disposition": "back_to_stock"}],
        by=boss,
    )
    receive_goods(case, [{"line": line, "quantity": "1", "disposition": "back_to_stock"}], by=boss)
    assert stock_view.level_of(product).on_hand == Decimal("38")


def test_re_invoicing_a_kept_surplus_needs_someone_who_may_move_goods(boss, people, sale):
    case = _surplus(boss, sale, "1")
    accounting = people["comptabilite"]
    assert "reinvoice" not in selectors.available_resolutions(case, accounting)
    with pytest.raises(PermissionDenied) as exc:
        resolve_with_reinvoice(case, by=accounting)
    assert exc.value.params["perm"] == "delivery.manage"
    assert not StockMove.objects.filter(kind="surplus").exists()
    assert "reinvoice" in selectors.available_resolutions(case, people["adv"])
    resolve_with_reinvoice(case, by=people["adv"])


def test_a_surplus_kept_by_an_eu_business_is_re_invoiced_with_its_delivery_date(boss, company, product):
    german = make_customer(boss, name="Werkzeug GmbH", siren="", country="DE", vat_number="DE136695976")
    sale = make_sale(boss, german, product)
    case = _surplus(boss, sale, "2")
    draft = resolve_with_reinvoice(case, by=boss).invoice
    invoice = issue_invoice(draft, by=boss)
    assert invoice.delivery_date == sale.delivery.date
    assert {(tax.category, tax.amount) for tax in invoice.taxes.all()} == {("K", Decimal("0.00"))}
    xml = einvoicing.cii_xml(invoice)
    [report] = validate_many([xml])
    assert [str(failure) for failure in report.errors] == []
    back = read_back(einvoicing.facturx_pdf(invoice))
    assert amounts_from_cii(back.xml)["BT-112"] == invoice.total == Decimal("240.00")


def test_a_kept_surplus_the_books_do_not_hold_is_refused_until_the_receipts_are_recorded(
    boss, company, customer, product
):
    sale = make_sale(boss, customer, product, stock="10")  # the 10 received all left on the delivery note
    case = _surplus(boss, sale, "2")
    error = _refused("insufficient_stock", resolve_with_reinvoice, case, by=boss)
    assert product.sku in error.message
    assert not Resolution.objects.exists() and Invoice.objects.filter(status="draft").count() == 0
