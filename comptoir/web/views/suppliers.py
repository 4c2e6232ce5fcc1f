"""Suppliers (Achats › Fournisseurs): list, create, edit; and the open supplier invoices of the previous
system (« Factures fournisseurs à payer (reprise) »), shown only: paying them comes with purchasing."""

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from comptoir.core.errors import DomainError
from comptoir.parties import suppliers as services
from comptoir.parties.models import Supplier
from comptoir.payments import opening_payables
from comptoir.web.submissions import submitted_once
from comptoir.web.supplier_forms import SupplierEditForm, SupplierForm
from comptoir.web.views.common import paginate, param, requires, show_form_error


@requires("supplier.view")
def supplier_list(request):
    q = param(request.GET, "q")
    suppliers = Supplier.objects.order_by("name", "id")
    if q:
        suppliers = suppliers.filter(
            Q(name__icontains=q)
            | Q(code__icontains=q)
            | Q(siren__startswith=q.replace(" ", ""))
            | Q(city__icontains=q)
        )
    return render(request, "web/suppliers/list.html", {"page_obj": paginate(request, suppliers), "q": q})


@requires("supplier.manage")
@submitted_once
def supplier_create(request):
    form = SupplierForm(request.POST or None, initial={"payment_days": services.default_payment_days()})
    if request.method == "POST" and form.is_valid():
        try:
            supplier = services.create_supplier(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            show_form_error(request, form, exc)
        else:
            messages.success(request, _("Fournisseur %(name)s créé.") % {"name": supplier.name})
            return redirect("web:supplier_list")
    return render(request, "web/suppliers/form.html", {"form": form, "supplier": None})


@requires("supplier.manage")
def supplier_edit(request, pk):
    supplier = get_object_or_404(Supplier, pk=pk)
    initial = {name: getattr(supplier, name) for name in SupplierEditForm.base_fields if name != "code"}
    form = SupplierEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_supplier(supplier, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            show_form_error(request, form, exc)
        else:
            messages.success(
                request, _("Fournisseur %(name)s enregistré.") % {"name": form.cleaned_data["name"]}
            )
            return redirect("web:supplier_list")
    return render(request, "web/suppliers/form.html", {"form": form, "supplier": supplier})


@requires("supplier.view")
def opening_supplier_invoices(request):
    invoices = opening_payables.open_items()
    return render(
        request,
        "web/suppliers/opening_invoices.html",
        {"invoices": invoices, "total": sum((i.amount for i in invoices), start=0)},
    )
