"""Home page: one section per role the user has, each with counts and the next documents to handle."""

import datetime

from django.contrib.auth.decorators import login_required
from django.db.models import Exists
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.assistant import actions
from comptoir.assistant import selectors as assistant_view
from comptoir.catalog.models import Product
from comptoir.core.permissions import Role, has_perm, roles_of
from comptoir.intake import selectors as intake_view
from comptoir.parties.models import Company, Customer
from comptoir.payments import selectors as payment_view
from comptoir.sales.models import Quote
from comptoir.stock import selectors as stock_view
from comptoir.stock.models import StockMove
from comptoir.web import queries, trends

SHORT_LIST = 5


def _card(rows):
    """A count and the first few rows, from a queryset or an already computed list."""
    if isinstance(rows, list):
        return {"count": len(rows), "rows": rows[:SHORT_LIST]}
    return {"count": rows.count(), "rows": list(rows[:SHORT_LIST])}


def first_steps() -> list[dict] | None:
    """The checklist of a company that just started (first run): bring its data in, make a first quote.
    None once everything on it is done, and the card goes away."""
    imports = reverse("web:imports")
    # One query for the four answers.
    done = (
        Company.objects.values(
            customers=Exists(Customer.objects.all()),
            products=Exists(Product.objects.all()),
            stock=Exists(StockMove.objects.all()),
            quotes=Exists(Quote.objects.all()),
        ).first()
        or {}
    )
    steps = [
        (_("Importer vos clients"), f"{imports}?kind=customers", done.get("customers")),
        (_("Importer vos produits"), f"{imports}?kind=products", done.get("products")),
        (_("Importer votre stock de départ"), f"{imports}?kind=stock", done.get("stock")),
        (_("Faire un premier devis"), reverse("web:quote_create"), done.get("quotes")),
    ]
    if all(done for _label, _url, done in steps):
        return None
    return [{"label": label, "url": url, "done": done} for label, url, done in steps]


@login_required
def home(request):
    roles = roles_of(request.user)
    everything = bool(roles & {Role.DIRECTION, Role.ADMIN})
    show = {
        role: everything or role in roles
        for role in (Role.COMMERCIAL, Role.ADV, Role.LOGISTIQUE, Role.COMPTABILITE)
    }
    context = {"show": show, "direction": everything}
    # Both order cards look among the orders not fully invoiced: read once.
    unfinished = queries.orders_not_fully_invoiced() if show[Role.COMMERCIAL] or show[Role.ADV] else []
    if show[Role.COMMERCIAL]:
        context["quotes_awaiting"] = _card(queries.quotes_awaiting_answer())
        context["quotes_expired"] = queries.expired_quotes().count()
        context["orders_in_progress"] = _card(queries.orders_in_progress(unfinished))
    if show[Role.ADV]:
        context["draft_orders"] = _card(queries.draft_orders())
        context["intake_waiting"] = _card(intake_view.queue().filter(status__in=intake_view.WAITING))
        context["orders_to_invoice"] = _card(queries.orders_to_invoice(unfinished))
    if show[Role.ADV] or show[Role.COMPTABILITE]:
        context["draft_invoices"] = _card(queries.draft_invoices())
    if show[Role.LOGISTIQUE]:
        context["deliveries_to_prepare"] = _card(queries.deliveries_to_prepare())
        # Confirmed orders waiting to ship, before anyone prepared their delivery note.
        context["orders_to_ship"] = _card(stock_view.orders_to_ship())
        context["stock_alerts"] = _card(queries.stock_alerts())
    if show[Role.COMPTABILITE] or everything:
        overdue = payment_view.overdue_summary(first=SHORT_LIST)
        context["overdue"] = {"count": overdue.count, "rows": overdue.first}
        context["overdue_total"] = overdue.balance_due
        context["receivables"] = queries.receivables()
    if everything:
        today = timezone.localdate()
        context["revenue_month"] = queries.revenue(today.replace(day=1), today)
        context["revenue_year"] = queries.revenue(datetime.date(today.year, 1, 1), today)
        context["today"] = today
        if has_perm(request.user, "margin.view"):
            context["trends"] = trends.trends(today)
    # The assistant: what it proposes that this user may decide, and the most urgent disputes.
    mine = [kind for kind, act in actions.ACTIONS.items() if has_perm(request.user, act.perm)]
    if mine:
        context["proposals"] = _card(assistant_view.proposals(kinds=mine))
    if has_perm(request.user, "return.view") and (everything or roles & {Role.ADV, Role.COMMERCIAL}):
        context["urgent_cases"] = _card(assistant_view.cases_by_priority()[:3])
    if has_perm(request.user, "data.import"):
        context["first_steps"] = first_steps()
    context["no_role"] = not roles
    return render(request, "web/home.html", context)
