"""Prices and discounts in the browser: price lists (list, edit, lines pasted or imported from CSV),
customer groups and customer prices, the discounts waiting for approval, the thresholds per role."""

import csv
import datetime
import io

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from comptoir.catalog.models import Product
from comptoir.core import dates, permissions
from comptoir.core.errors import DomainError
from comptoir.core.permissions import has_perm
from comptoir.parties.models import Customer
from comptoir.pricing import selectors, services
from comptoir.pricing.models import CustomerGroup, CustomerGroupMember, CustomerPrice, PriceList, PriceReview
from comptoir.sales import discounts
from comptoir.sales.models import Order, Quote
from comptoir.web import forms
from comptoir.web.views.common import action, param, perform, requires

MAX_CSV_BYTES = 2_000_000


def discount_context(document, user) -> dict:
    """The four-eyes panel of a draft quote or order: what waits, who may approve, may this user."""
    if document.status != type(document).Status.DRAFT:
        return {"discount": None}
    state = discounts.discount_state(document)
    if not state.required:
        return {"discount": None}
    own = selectors.discount_threshold_of(user)
    may_approve = (
        state.pending
        and has_perm(user, "discount.approve")
        and getattr(user, "pk", None) != document.discount_granted_by_id
        and (own is None or state.max_percent <= own)
    )
    return {"discount": state, "can_approve_discount": may_approve}


def _approve(request, document, detail: str):
    perform(
        request,
        lambda: discounts.approve_discounts(
            document, by=request.user, reason=param(request.POST, "reason", 500)
        ),
        _("Remises de %(number)s approuvées.") % {"number": document.number},
    )
    return redirect(detail, pk=document.pk)


@action("quote.view")
def quote_approve_discounts(request, pk):
    return _approve(request, get_object_or_404(Quote, pk=pk), "web:quote_detail")


@action("order.view")
def order_approve_discounts(request, pk):
    return _approve(request, get_object_or_404(Order, pk=pk), "web:order_detail")


@requires("quote.view")
def discount_approvals(request):
    rows = [
        {
            "document": document,
            "state": state,
            "url": ("web:quote_detail" if isinstance(document, Quote) else "web:order_detail"),
            "kind": _("Devis") if isinstance(document, Quote) else _("Commande"),
        }
        for document, state in discounts.pending_approvals()
    ]
    return render(request, "web/pricing/approvals.html", {"rows": rows})


# --- Price lists ----------------------------------------------------------------------------------


def _date(raw: str) -> datetime.date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise forms.RowError(_("Date illisible : « %(value)s » (JJ/MM/AAAA).") % {"value": raw[:20]})


def _target(data):
    """The customer (by code) or the group (by id) a list is for, as typed."""
    code = param(data, "customer_code", 20)
    customer = Customer.objects.filter(code__iexact=code).first() if code else None
    if code and customer is None:
        raise forms.RowError(_("Aucun client n'a le code « %(code)s ».") % {"code": code})
    group_id = param(data, "group", 12)
    group = CustomerGroup.objects.filter(pk=int(group_id)).first() if group_id.isdigit() else None
    return customer, group


def _is_number(cell: str) -> bool:
    try:
        forms.parse_decimal(cell.strip(), forms.QUANTITY)
    except forms.ValidationError:
        return False
    return True


def parse_lines(text: str) -> list[dict]:
    """Lines typed or imported as « référence ; à partir de ; prix HT ; remise % » (a header line, `,`
    or tab as separators and French decimals accepted). Raises RowError naming the line."""
    sample = text[:2000]
    delimiter = ";" if ";" in sample else ("\t" if "\t" in sample else ",")
    rows = [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if any(c.strip() for c in row)]
    if rows and not _is_number(rows[0][1] if len(rows[0]) > 1 else "1"):
        rows = rows[1:]  # a header
    skus = {row[0].strip() for row in rows}
    products = {p.sku: p.pk for p in Product.objects.filter(sku__in=skus)}
    lines = []
    for position, row in enumerate(rows, start=1):
        cells = [c.strip() for c in row] + ["", "", "", ""]
        sku, threshold, price, percent = cells[:4]
        if sku not in products:
            raise forms.RowError(
                _("Ligne %(position)s : aucun produit n'a la référence « %(sku)s ».")
                % {"position": position, "sku": sku[:40]}
            )
        try:
            line = {
                "product": products[sku],
                "min_quantity": forms.parse_decimal(threshold, forms.QUANTITY),
                "price": forms.parse_decimal(price, forms.PRICE),
                "percent_off": forms.parse_decimal(percent, forms.PERCENT),
            }
        except forms.ValidationError as exc:
            raise forms.RowError(
                _("Ligne %(position)s : %(error)s") % {"position": position, "error": " ".join(exc.messages)}
            ) from None
        lines.append({k: v for k, v in line.items() if v is not None})
    return lines


def lines_text(price_list: PriceList) -> str:
    def number(value, places):
        return "" if value is None else forms.plain_decimal(value, places)

    return "\n".join(
        f"{line.product.sku};{number(line.min_quantity, 0)};{number(line.price, 2)};{number(line.percent_off, 0)}"
        for line in selectors.price_list_lines(price_list)
    )


def _uploaded_text(request) -> str | None:
    upload = request.FILES.get("csv_file")
    if not upload:
        return None
    raw = upload.read(MAX_CSV_BYTES + 1)[:MAX_CSV_BYTES]
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _save_list(request, price_list: PriceList | None):
    data = request.POST
    customer, group = _target(data)
    valid_from, valid_until = _date(data.get("valid_from")), _date(data.get("valid_until"))
    text = _uploaded_text(request)
    lines = parse_lines(text if text is not None else data.get("lines", ""))
    if price_list is None:
        return services.create_price_list(
            param(data, "name", 120),
            customer=customer,
            group=group,
            valid_from=valid_from,
            valid_until=valid_until,
            lines=lines,
            by=request.user,
        )
    services.update_price_list(
        price_list,
        name=param(data, "name", 120),
        customer=customer,
        group=group,
        valid_from=valid_from,
        valid_until=valid_until,
        is_active=bool(data.get("is_active")),
        by=request.user,
    )
    services.set_price_list_lines(price_list, lines, by=request.user)
    return price_list


@requires("quote.view")
def price_lists(request):
    if request.method == "POST":
        try:
            price_list = _save_list(request, None)
        except (DomainError, forms.RowError) as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Liste de prix « %(name)s » créée.") % {"name": price_list.name})
            return redirect("web:price_list_detail", pk=price_list.pk)
    context = {
        "lists": selectors.price_lists(),
        "groups": CustomerGroup.objects.all(),
        "members": CustomerGroupMember.objects.select_related("customer", "group").order_by(
            "group__name", "customer__name"
        ),
        "customer_prices": CustomerPrice.objects.select_related("customer", "product").order_by(
            "customer__name", "product__sku"
        )[:200],
        "can_manage": has_perm(request.user, "pricing.manage"),
        "form": request.POST if request.method == "POST" else {},
        **reviews_context(request.user),
    }
    return render(request, "web/pricing/lists.html", context)


def reviews_context(user, customer=None) -> dict:
    """The open follow-ups (PriceReview), of one customer or everyone's, and the last ones done."""
    reviews = PriceReview.objects.select_related("customer", "assigned_to")
    if customer is not None:
        reviews = reviews.filter(customer=customer)
    return {
        "reviews_open": list(reviews.filter(status=PriceReview.Status.OPEN).order_by("due_date", "id")[:200]),
        "reviews_done": list(
            reviews.filter(status=PriceReview.Status.DONE).order_by("-closed_at", "-id")[:10]
        ),
        "can_close_reviews": has_perm(user, "price_review.manage"),
        "today": dates.today(),
    }


@action("customer.view")
def price_review_close(request, pk):
    """Mark a follow-up done (the service checks `price_review.manage`); back to where it was closed."""
    review = get_object_or_404(PriceReview, pk=pk)
    perform(
        request,
        lambda: services.close_price_review(
            review, by=request.user, outcome=param(request.POST, "outcome", 2000)
        ),
        _("Suivi de %(customer)s clos.") % {"customer": review.customer.name},
    )
    if param(request.POST, "next", 10) == "client":
        return redirect("web:customer_detail", pk=review.customer_id)
    return redirect("web:price_lists")


@requires("quote.view")
def price_list_detail(request, pk):
    price_list = get_object_or_404(PriceList.objects.select_related("customer", "group"), pk=pk)
    text = None
    if request.method == "POST":
        try:
            _save_list(request, price_list)
        except (DomainError, forms.RowError) as exc:
            messages.error(request, exc.message)
            text = request.POST.get("lines", "")
        else:
            messages.success(request, _("Liste de prix enregistrée."))
            return redirect("web:price_list_detail", pk=price_list.pk)
    context = {
        "price_list": price_list,
        "lines": selectors.price_list_lines(price_list),
        "lines_text": lines_text(price_list) if text is None else text,
        "groups": CustomerGroup.objects.all(),
        "can_manage": has_perm(request.user, "pricing.manage"),
    }
    return render(request, "web/pricing/detail.html", context)


@action("quote.view")
def customer_group_add(request):
    perform(
        request,
        lambda: services.create_customer_group(
            param(request.POST, "code", 20), param(request.POST, "name", 120), by=request.user
        ),
        _("Groupe de clients créé."),
    )
    return redirect("web:price_lists")


@action("quote.view")
def customer_group_member(request):
    code = param(request.POST, "customer_code", 20)
    customer = Customer.objects.filter(code__iexact=code).first()
    group_id = param(request.POST, "group", 12)
    group = CustomerGroup.objects.filter(pk=int(group_id)).first() if group_id.isdigit() else None
    if customer is None:
        messages.error(request, _("Aucun client n'a le code « %(code)s ».") % {"code": code})
    else:
        perform(
            request,
            lambda: services.set_customer_group(customer, group, by=request.user),
            _("Groupe du client %(customer)s enregistré.") % {"customer": customer.name},
        )
    return redirect("web:price_lists")


@action("quote.view")
def customer_price_add(request):
    data = request.POST
    customer = Customer.objects.filter(code__iexact=param(data, "customer_code", 20)).first()
    product = Product.objects.filter(sku=param(data, "sku", 40)).first()
    if customer is None or product is None:
        messages.error(request, _("Indiquez un code client et une référence produit existants."))
        return redirect("web:price_lists")
    try:
        price = forms.parse_decimal(param(data, "price", 20), forms.PRICE)
        valid_from, valid_until = _date(data.get("valid_from")), _date(data.get("valid_until"))
    except (forms.ValidationError, forms.RowError) as exc:
        messages.error(request, getattr(exc, "message", None) or " ".join(exc.messages))
        return redirect("web:price_lists")
    perform(
        request,
        lambda: services.set_customer_price(
            customer, product, price, valid_from=valid_from, valid_until=valid_until, by=request.user
        ),
        _("Prix spécifique enregistré."),
    )
    return redirect("web:price_lists")


# --- Paramètres › Seuils de remise ---------------------------------------------------------------


@requires("settings.view")
def discount_thresholds(request):
    if request.method == "POST":
        values = {
            role: param(request.POST, f"threshold_{role}", 10).replace(",", ".")
            for role in permissions.ALL_ROLES
        }
        perform(
            request,
            lambda: services.set_discount_thresholds(
                {r: (v or None) for r, v in values.items()}, by=request.user
            ),
            _("Seuils de remise enregistrés."),
        )
        return redirect("web:discount_thresholds")
    current = selectors.discount_thresholds()
    rows = [
        {
            "role": role,
            "label": permissions.ROLE_LABELS[role],
            "value": "" if current.get(role, 0) is None else forms.plain_decimal(current.get(role, 0), 0),
            "unlimited": role in current and current[role] is None,
        }
        for role in permissions.ALL_ROLES
    ]
    return render(
        request,
        "web/pricing/thresholds.html",
        {"rows": rows, "can_configure": has_perm(request.user, "pricing.configure")},
    )
