"""What approving a proposal about a confirmed order does: an amendment (avenant) through
`sales.amending.amend_order`, the service a person calls from the order's page, with the proposal's
rationale as its written reason — so its floors hold exactly as by hand: nothing already invoiced
(drafts included) changes price, nothing delivered is removed, no discount beyond the approver's own
threshold. A refusal leaves the order as it was (one transaction with the approval).

Registered in `actions.ACTIONS`; kept apart so that each area's executors stay small.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N_

from comptoir.assistant import errors
from comptoir.core.errors import Conflict, NotFound
from comptoir.sales import amending
from comptoir.sales import services as sales
from comptoir.sales.models import Order, Quote

# Quote fields an amendment puts back on an order line.
_QUOTED_FIELDS = ("unit_price", "discount_percent")


def _get(model, pk, what: str):
    try:
        return model.objects.get(pk=int(pk))
    except (model.DoesNotExist, TypeError, ValueError):
        raise NotFound(*errors.DOCUMENT_MISSING, what=gettext(what)) from None


def _amended(order: Order, amendment) -> dict:
    return {
        "kind": "order",
        "id": order.pk,
        "label": gettext("%(order)s → avenant n° %(sequence)s")
        % {"order": order.number, "sequence": amendment.sequence},
    }


def amend_to_quote(payload, by, proposal):
    """Put an order line back as the accepted quote had it. A product substituted: the line is removed
    and the quoted product added in its place (same quantity, the quote's price and discount, linked to
    the quote line); otherwise the line's price and/or discount are set to the quote's."""
    order = _get(Order, payload["order_id"], N_("commande"))
    reason = proposal.rationale[:2000]
    if "product_id" in payload:
        amendment = amending.amend_order(
            order,
            by=by,
            reason=reason,
            lines=[{"line": payload["order_line_id"], "remove": True}],
            add=[
                {
                    "product": payload["product_id"],
                    "quantity": payload["quantity"],
                    "unit_price": payload["unit_price"],
                    "discount_percent": payload["discount_percent"],
                    "quote_line": payload["quote_line_id"],
                }
            ],
        )
    else:
        change = {"line": payload["order_line_id"]}
        change |= {name: payload[name] for name in _QUOTED_FIELDS if name in payload}
        amendment = amending.amend_order(order, by=by, reason=reason, lines=[change])
    return _amended(order, amendment)


def align_with_open_quote(payload, by, proposal):
    """An order keyed by hand that answers a quote still open: its lines take the quote's prices and
    discounts where they differ (an amendment), then the quote is closed (cancelled, the order named in
    the reason) so that it cannot be accepted a second time."""
    order = _get(Order, payload["order_id"], N_("commande"))
    quote = _get(Quote, payload["quote_id"], N_("devis"))
    if quote.status != Quote.Status.SENT or quote.customer_id != order.customer_id:
        raise Conflict(
            *errors.QUOTE_NO_LONGER_OPEN,
            quote=quote.number,
            status=quote.get_status_display(),
            order=order.number,
        )
    reason = proposal.rationale[:2000]
    label = order.number
    changes = [
        {"line": line["order_line_id"], **{name: line[name] for name in _QUOTED_FIELDS if name in line}}
        for line in payload.get("lines", [])
    ]
    if changes:
        label = _amended(order, amending.amend_order(order, by=by, reason=reason, lines=changes))["label"]
    sales.cancel_quote(quote, by=by, reason=reason)
    return {"kind": "order", "id": order.pk, "label": f"{label}, {quote.number} ✕"}


def set_order_line_quantity(payload, by, proposal):
    """An order line's quantity set to what the customer confirms (an amendment); the floors of
    `amend_order` keep it at or above what is delivered and invoiced."""
    order = _get(Order, payload["order_id"], N_("commande"))
    amendment = amending.amend_order(
        order,
        by=by,
        reason=proposal.rationale[:2000],
        lines=[{"line": payload["order_line_id"], "quantity": payload["quantity"]}],
    )
    return _amended(order, amendment)
