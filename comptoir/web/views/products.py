"""Products: list, create, edit, detail with stock level and recent moves."""

from decimal import Decimal

from django.contrib import messages
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from comptoir.catalog import services
from comptoir.catalog.models import Product
from comptoir.core.errors import DomainError
from comptoir.stock import selectors as stock_view
from comptoir.web import forms, queries
from comptoir.web.sorting import SortSpec
from comptoir.web.submissions import submitted_once
from comptoir.web.views.common import export_list, paginate, param, requires, show_form_error
from comptoir.web.views.stock import readable_sources

RECENT_MOVES = 20
ZERO = Decimal("0")


PRODUCT_SORT = SortSpec(
    {
        "reference": "sku",
        "nom": Lower("name"),
        "type": "kind",
        "prix": "sale_price",
        "tva": "vat_rate",
        "stock": "stock_level__on_hand",
    }
)


def _products(request):
    """The products the list's search and filters select, in the order asked for, and those filters
    for the page."""
    q, kind, active = param(request.GET, "q"), param(request.GET, "type"), param(request.GET, "etat")
    products, sort = PRODUCT_SORT.apply(queries.products(q, kind, active), request.GET)
    return products, {"q": q, "type": kind, "etat": active, "sort": sort}


@requires("product.view")
def product_list(request):
    products, filters = _products(request)
    page = paginate(request, products)
    return render(
        request,
        "web/products/list.html",
        {"page_obj": page, "kinds": Product.Kind.choices, **filters},
    )


def _on_hand(product):
    if not product.is_stocked:
        return None
    level = getattr(product, "stock_level", None)
    return level.on_hand if level else ZERO


PRODUCT_COLUMNS = (
    (_l("Référence"), lambda product: product.sku),
    (_l("Désignation"), lambda product: product.name),
    (_l("Type"), lambda product: product.get_kind_display()),
    (_l("Prix HT"), lambda product: product.sale_price),
    (_l("TVA (%)"), lambda product: product.vat_rate),
    (_l("En stock"), _on_hand),
    (_l("Unité"), lambda product: product.unit),
    (_l("EAN"), lambda product: product.ean),
    (_l("Actif"), lambda product: _("oui") if product.is_active else _("non")),
)


@requires("product.view")
def product_export(request, fmt):
    products, _filters = _products(request)
    return export_list(fmt, _("produits"), PRODUCT_COLUMNS, products)


@requires("product.manage")
@submitted_once
def product_create(request):
    form = forms.ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.create_product(
                by=request.user, sku=form.cleaned_data["sku"], **form.service_fields()
            )
        except DomainError as exc:
            show_form_error(request, form, exc)
        else:
            messages.success(request, _("Produit %(sku)s créé.") % {"sku": product.sku})
            return redirect("web:product_detail", pk=product.pk)
    return render(request, "web/products/form.html", {"form": form, "product": None})


@requires("product.manage")
def product_edit(request, pk):
    product = get_object_or_404(Product, pk=pk)
    initial = {
        "name": product.name,
        "kind": product.kind,
        "unit": product.unit,
        "sale_price": forms.plain_decimal(product.sale_price),
        "purchase_cost": forms.plain_decimal(product.purchase_cost),
        "vat_rate": str(product.vat_rate),
        "low_stock_threshold": forms.plain_decimal(product.low_stock_threshold, 0),
        "ean": product.ean,
        "customs_code": product.customs_code,
        "net_mass_kg": forms.plain_decimal(product.net_mass_kg, 0),
        "origin_country": product.origin_country,
        "is_active": product.is_active,
    }
    form = forms.ProductEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_product(product, by=request.user, **form.service_fields())
        except DomainError as exc:
            show_form_error(request, form, exc)
        else:
            messages.success(request, _("Produit %(sku)s enregistré.") % {"sku": product.sku})
            return redirect("web:product_detail", pk=product.pk)
    return render(request, "web/products/form.html", {"form": form, "product": product})


@requires("product.view")
def product_detail(request, pk):
    product = get_object_or_404(Product, pk=pk)
    context = {
        "product": product,
        "level": stock_view.level_of(product) if product.is_stocked else None,
        "moves": queries.with_sources(
            stock_view.moves_of(product, limit=RECENT_MOVES), readable_sources(request.user)
        ),
        "events": queries.events_of(product),
    }
    return render(request, "web/products/detail.html", context)
