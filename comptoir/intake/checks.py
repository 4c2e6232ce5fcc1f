"""The checks made when an order is read, shown on the review screen with their reason (point 5 of #21).

Each check is a function (document, its lines) → list of findings (dicts: code, severity, line, params),
registered in CHECKS like the assistant's checks; they read through the other areas' selectors and never
write. They inform the person who reviews: none of them refuses the document by itself.
"""

from decimal import Decimal

from comptoir.core import dates, money
from comptoir.intake import errors

UNUSUAL_FACTOR = Decimal("3")
HISTORY_MIN = 2


def _finding(code: str, line=None, **params) -> dict:
    severity, _template = errors.CHECKS[code]
    return {
        "code": code,
        "severity": severity,
        "line": line.position if line is not None else None,
        "params": {k: str(v) for k, v in params.items()},
    }


def customer_checks(document, lines) -> list[dict]:
    if document.customer is None:
        return [_finding("customer_unknown")]
    if not document.customer.is_active:
        return [_finding("customer_inactive", customer=document.customer.name)]
    return []


def product_checks(document, lines) -> list[dict]:
    found = []
    for line in lines:
        if line.quantity is None or line.quantity <= 0:
            found.append(_finding("quantity_missing", line, position=line.position))
        if line.product_id is None:
            found.append(
                _finding(
                    "product_unknown",
                    line,
                    position=line.position,
                    description=line.description or line.customer_reference or "—",
                )
            )
    return found


def _last_prices_and_quantities(customer, product_ids) -> tuple[dict, dict]:
    from comptoir.sales.models import Order, OrderLine

    last_price, history = {}, {}
    rows = (
        OrderLine.objects.filter(order__customer=customer, product_id__in=product_ids)
        .exclude(order__status=Order.Status.CANCELLED)
        .order_by("order__date", "order_id", "id")
        .values_list("product_id", "unit_price", "quantity")
    )
    for product_id, price, quantity in rows:
        last_price[product_id] = price
        history.setdefault(product_id, []).append(quantity)
    return last_price, history


def price_and_quantity_checks(document, lines) -> list[dict]:
    matched = [line for line in lines if line.product_id is not None]
    if not matched or document.customer is None:
        return []
    last_price, history = _last_prices_and_quantities(
        document.customer, {line.product_id for line in matched}
    )
    found = []
    for line in matched:
        if line.unit_price is not None:
            basis, ours = "price", line.product.sale_price
            if line.product_id in last_price:
                basis, ours = "last_order", last_price[line.product_id]
            if money.unit_price(line.unit_price) != money.unit_price(ours):
                found.append(
                    _finding(
                        "price_differs",
                        line,
                        position=line.position,
                        asked=money.fr(line.unit_price),
                        ours=money.fr(ours),
                        basis=basis,
                    )
                )
        past = history.get(line.product_id, [])
        if line.quantity and len(past) >= HISTORY_MIN and line.quantity > max(past) * UNUSUAL_FACTOR:
            found.append(
                _finding(
                    "quantity_unusual",
                    line,
                    position=line.position,
                    quantity=money.fr(line.quantity, 0),
                    usual=money.fr(max(past), 0),
                )
            )
    return found


def stock_checks(document, lines) -> list[dict]:
    from comptoir.stock.selectors import stock_levels

    stocked = [
        line for line in lines if line.product_id is not None and line.product.is_stocked and line.quantity
    ]
    if not stocked:
        return []
    levels = {level.product.pk: level for level in stock_levels([line.product for line in stocked])}
    extracted = getattr(document, "extracted", None)
    day = (extracted.requested_date if extracted else None) or dates.today()
    found = []
    for line in stocked:
        level = levels.get(line.product_id)
        if level is not None and level.available < line.quantity:
            found.append(
                _finding(
                    "stock_short",
                    line,
                    position=line.position,
                    available=money.fr(max(level.available, Decimal("0")), 0),
                    quantity=money.fr(line.quantity, 0),
                    date=day.strftime("%d/%m/%Y"),
                    incoming=money.fr(level.incoming, 0),
                )
            )
    return found


CHECKS = (customer_checks, product_checks, price_and_quantity_checks, stock_checks)


def run(document, lines) -> list[dict]:
    found = [finding for check in CHECKS for finding in check(document, lines)]
    order = {"error": 0, "warning": 1}
    return sorted(found, key=lambda f: (order.get(f["severity"], 2), f["line"] or 0))
