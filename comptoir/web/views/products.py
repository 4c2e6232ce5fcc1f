"""Products: list, create, edit, detail with stock level and recent moves."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from comptoir.catalog import services
from comptoir.catalog.models import Product
from comptoir.core.errors import DomainError
from comptoir.stock import selectors as stock_view
from comptoir.web import forms, queries
from comptoir.web.views.common import paginate, param, requires, show_form_error

RECENT_MOVES = 20


@requires("product.view")
def product_list(request):
    q, kind, active = param(request.GET, "q"), param(request.GET, "type"), param(request.GET, "etat")
    page = paginate(request, queries.products(q, kind, active))
    return render(
        request,
        "web/products/list.html",
        {"page_obj": page, "q": q, "type": kind, "etat": active, "kinds": Product.Kind.choices},
    )


@requires("product.manage")
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
        "moves": list(stock_view.moves_of(product, limit=RECENT_MOVES)),
        "events": queries.events_of(product),
    }
    return render(request, "web/products/detail.html", context)
