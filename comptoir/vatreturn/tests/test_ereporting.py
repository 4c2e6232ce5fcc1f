"""E-reporting data of a period, through `comptoir ereporting`: each sale classified, international
invoices in full, payments of services taxed on receipts."""

import datetime
import json
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command

from comptoir.core import dates
from comptoir.core.testing import make_customer
from comptoir.parties.services import configure_company
from comptoir.payments.services import register_payment
from comptoir.vatreturn import ereporting
from comptoir.vatreturn.tests.factories import sale

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def test_the_command_writes_the_period_as_json_for_the_platform_connector(
    admin_user, boss, company, customer, service_product, tmp_path
):
    configure_company(by=admin_user, backdating_days=62)
    today = dates.today()
    american = make_customer(boss, name="Hardware Inc.", siren="", country="US")
    export = sale(boss, american, [{"product": service_product, "quantity": "1"}], today)
    domestic = sale(boss, customer, [{"product": service_product, "quantity": "1"}], today)
    register_payment(
        customer,
        amount=domestic.total,
        method="transfer",
        date=today,
        allocations=[{"invoice": domestic, "amount": domestic.total}],
        by=boss,
    )
    out = tmp_path / "e-reporting.json"

    call_command("ereporting", "--from", today.isoformat(), "--to", today.isoformat(), "--out", str(out))

    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format"] == "comptoir-ereporting/1" and data["seller"]["siren"] == "732829320"
    assert data["classification"]["counts"] == {"B2B": 1, "B2BINT": 1, "B2C": 0, "OUTOFSCOPE": 0}
    (international,) = data["international_invoices"]
    assert (international["number"], international["buyer"]["country"]) == (export.number, "US")
    assert international["vat_breakdown"][0]["category"] == "G"
    (payment,) = data["payments"]
    # A domestic B2B service: its payment goes to the platform as status 212, not e-reporting.
    assert (payment["invoice"], payment["vat"], payment["base"], payment["channel"]) == (
        domestic.number,
        "90.00",
        "450.00",
        "status_212",
    )
    assert data["b2c_daily"] == []


def test_a_bad_date_is_refused_in_french(db):
    with pytest.raises(CommandError, match="Date non valide"):
        call_command("ereporting", "--from", "2026-13-01", "--to", "2026-12-31")


def _rows(*items):
    return SimpleNamespace(all=lambda: list(items))


def test_b2c_sales_are_totalled_per_day_rate_and_goods_or_services():
    """Comptoir refuses to issue an invoice to a French buyer without a SIREN today, so the B2C totals
    are checked on documents as the reader sees them."""
    day = datetime.date(2026, 11, 3)
    goods = SimpleNamespace(kind="goods")
    service = SimpleNamespace(kind="service")

    def document(pk, kind, lines, taxes):
        return SimpleNamespace(pk=pk, kind=kind, date=day, lines=_rows(*lines), taxes=_rows(*taxes))

    def line(product, net, rate="20.00"):
        return SimpleNamespace(
            product=product, net_amount=Decimal(net), vat_rate=Decimal(rate), vat_category="S"
        )

    def tax(base, vat, rate="20.00"):
        return SimpleNamespace(vat_rate=Decimal(rate), category="S", base=Decimal(base), amount=Decimal(vat))

    sold = document(1, "invoice", [line(goods, "100.00"), line(service, "50.00")], [tax("150.00", "30.00")])
    returned = document(2, "credit_note", [line(goods, "40.00")], [tax("40.00", "8.00")])

    assert ereporting.b2c_daily([sold, returned]) == [
        {
            "date": "2026-11-03",
            "vat_rate": "20.00",
            "category": "goods",
            "base": "60.00",
            "vat": "12.00",
            "documents": 2,
        },
        {
            "date": "2026-11-03",
            "vat_rate": "20.00",
            "category": "services",
            "base": "50.00",
            "vat": "10.00",
            "documents": 1,
        },
    ]
