"""The sales line editor shared by quotes and orders: an extra row and live totals (htmx).

Totals are computed by the same code the services use (`build_lines` and `document_totals`),
without saving anything, so what the user sees is what the document will say.
"""

import uuid

from django.shortcuts import render
from django.utils.translation import gettext as _

from comptoir.core.errors import DomainError
from comptoir.core.taxes import document_totals
from comptoir.parties.models import Customer
from comptoir.pricing.models import DiscountCategory
from comptoir.sales.services import build_lines
from comptoir.web import forms, pickers, queries
from comptoir.web.views.common import requires


def new_row_id() -> str:
    return uuid.uuid4().hex[:10]


def rows_with_ids(rows: list[dict]) -> list[dict]:
    for row in rows:
        row["row_id"] = row.get("row_id") or new_row_id()
    return rows


def rows_from_lines(lines) -> list[dict]:
    """Editor rows from saved quote or order lines (to edit a draft)."""
    return [
        {
            "row_id": new_row_id(),
            "product": str(line.product_id),
            "product_texte": f"{line.product.sku} — {line.product.name}",
            "quantity": forms.plain_decimal(line.quantity, 0),
            "unit_price": forms.plain_decimal(line.unit_price),
            "discount_percent": forms.plain_decimal(line.discount_percent, 0)
            if line.discount_percent
            else "",
            "discount_category": line.discount_category,
            # An order line keeps the quote line it answers through every edit.
            "quote_line": str(getattr(line, "quote_line_id", None) or ""),
        }
        for line in lines
    ]


def category_choices() -> list[tuple[str, str]]:
    """The discount categories a person chooses from (« non catégorisé » is only what old rows say)."""
    return [("", _("— catégorie —"))] + [
        (value, label) for value, label in DiscountCategory.choices if value != DiscountCategory.UNCATEGORISED
    ]


def editor_context(rows: list[dict] | None = None) -> dict:
    return {
        "rows": pickers.label_rows(rows_with_ids(rows or [{}]), "produits"),
        "discount_categories": category_choices(),
    }


def _customer_of(data):
    """The customer chosen on the form: their VAT regime decides the VAT of each line."""
    customer_id = queries.int_or_none(data.get("customer"))
    return Customer.objects.filter(pk=customer_id).first() if customer_id else None


@requires("quote.view")
def line_row(request):
    """One more empty row of the line editor."""
    return render(
        request,
        "web/sales/_line_row.html",
        {"row": {"row_id": new_row_id()}, "discount_categories": category_choices()},
    )


@requires("quote.view")
def line_totals(request):
    """Per-line net amounts and document totals for the rows typed so far; nothing is saved."""
    rows = forms.sales_rows(request.POST)
    typed = forms.filled(rows)
    context = {"rows": [{"row_id": row["row_id"], "line": None} for row in rows], "totals": None, "error": ""}
    if typed:
        try:
            built = iter(build_lines(forms.sales_lines(rows), _customer_of(request.POST)))
        except (forms.RowError, DomainError) as exc:
            context["error"] = exc.message
        else:
            context["rows"] = [
                {
                    "row_id": row["row_id"],
                    "line": next(built) if row in typed else None,
                    "default_price": not row["unit_price"],
                }
                for row in rows
            ]
            lines = [r["line"] for r in context["rows"] if r["line"]]
            context["totals"] = document_totals(
                (line["net_amount"], line["vat_rate"], line["vat_category"]) for line in lines
            )
            context["mentions"] = sorted({line["vat_exemption_reason"] for line in lines} - {""})
    return render(request, "web/sales/_totals.html", context)
