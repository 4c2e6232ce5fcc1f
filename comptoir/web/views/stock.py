"""Stock levels and goods receipts."""

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from comptoir.catalog.models import Product
from comptoir.core.errors import DomainError
from comptoir.stock import selectors as stock_view
from comptoir.stock import services
from comptoir.web import forms
from comptoir.web.views.common import paginate, param, requires

RECEIPT_ROWS = 3


@requires("stock.view")
def stock_levels(request):
    q, only_alerts = param(request.GET, "q"), request.GET.get("alertes") == "1"
    products = Product.objects.filter(kind=Product.Kind.GOODS, is_active=True).order_by("sku")
    if q:
        products = products.filter(Q(sku__icontains=q) | Q(name__icontains=q))
    if only_alerts:
        levels = [lvl for lvl in stock_view.stock_levels(products) if lvl.is_low or lvl.available < 0]
        page = paginate(request, levels)
    else:
        page = paginate(request, products)
        page.object_list = stock_view.stock_levels(page.object_list)
    return render(request, "web/stock/levels.html", {"page_obj": page, "q": q, "alertes": only_alerts})


def _stocked_products():
    return list(Product.objects.filter(kind=Product.Kind.GOODS, is_active=True).order_by("sku"))


@requires("stock.receive")
def receipt_create(request):
    form = forms.ReceiptForm(request.POST or None)
    rows = forms.receipt_rows(request.POST) if request.method == "POST" else []
    if request.method == "POST" and form.is_valid():
        try:
            lines = forms.receipt_lines(rows)
            receipt = services.receive_stock(
                lines,
                by=request.user,
                supplier_name=form.cleaned_data["supplier_name"],
                date=form.cleaned_data["date"],
            )
        except (forms.RowError, DomainError) as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Réception %(number)s enregistrée : %(count)s ligne(s) entrée(s) en stock.")
                % {"number": receipt.number, "count": len(lines)},
            )
            return redirect("web:stock")
    rows = rows or [{} for _ in range(RECEIPT_ROWS)]
    return render(
        request, "web/stock/receipt_form.html", {"form": form, "rows": rows, "products": _stocked_products()}
    )


@requires("stock.receive")
def receipt_row(request):
    """One more empty row of the receipt form (htmx)."""
    return render(request, "web/stock/_receipt_row.html", {"row": {}, "products": _stocked_products()})
