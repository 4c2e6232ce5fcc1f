"""A month of sales for the VAT return tests, made through the services."""

import datetime
from dataclasses import dataclass

from comptoir.billing.models import Invoice
from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core import dates
from comptoir.core.testing import make_customer
from comptoir.parties.services import configure_company
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

DAY = datetime.timedelta(days=1)


def last_month() -> tuple[datetime.date, datetime.date]:
    end = dates.today().replace(day=1) - DAY
    return end.replace(day=1), end


def sale(boss, customer, lines, day) -> Invoice:
    """An order taken, delivered (when it has goods) and invoiced on `day`."""
    order = confirm_order(create_order(customer, lines, by=boss, date=day), by=boss)
    if any(line["product"].is_stocked for line in lines):
        validate_delivery(create_delivery(order, by=boss, date=day), by=boss, date=day)
    return issue_invoice(create_invoice_from_order(order, by=boss), by=boss, date=day)


@dataclass
class Month:
    start: datetime.date
    end: datetime.date
    domestic: Invoice  # 2 drills at 120.00, 20 %
    service: Invoice  # an installation (450.00) for a German business: DES
    supply: Invoice  # 1 drill delivered to that German business: goods statement


def eu_month(admin_user, boss, customer, product, service_product) -> Month:
    configure_company(by=admin_user, backdating_days=62)
    start, end = last_month()
    receive_stock([{"product": product, "quantity": "10", "unit_cost": "70"}], by=boss, date=start)
    german = make_customer(boss, name="Werkzeug GmbH", siren="", country="DE", vat_number="DE136695976")
    return Month(
        start,
        end,
        domestic=sale(boss, customer, [{"product": product, "quantity": "2"}], start + DAY),
        service=sale(boss, german, [{"product": service_product, "quantity": "1"}], start + 2 * DAY),
        supply=sale(boss, german, [{"product": product, "quantity": "1"}], start + 3 * DAY),
    )
