"""Forms of the return-case pages: declare a discrepancy on a delivery, receive goods back, resolve.

They parse and type what is typed (quantities the French way, one row per line); the rules — what may
still be claimed, received, credited or replaced — are the services' (`comptoir.returns.services`), whose
French refusals the views show on the form.
"""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from comptoir.returns.models import Reason, Resolution, ReturnReceiptLine
from comptoir.web.forms import DateInput, FrenchDecimalField

ZERO = Decimal("0")


def _quantity_field(**kwargs) -> FrenchDecimalField:
    return FrenchDecimalField(
        label=_("Quantité"), max_digits=14, decimal_places=3, min_value=0, required=False, **kwargs
    )


class _LineRows:
    """A form with a few fields per line, named `<field>_<line id>`; `rows` pairs each line with them."""

    line_ids: list[int]

    def row(self, line_id: int, name: str):
        return self[f"{name}_{line_id}"]

    def value(self, line_id: int, name: str):
        return self.cleaned_data.get(f"{name}_{line_id}")

    def quantities(self) -> dict[int, Decimal]:
        """Line id → quantity typed, for the lines with a positive quantity."""
        typed = {line_id: self.value(line_id, "qty") for line_id in self.line_ids}
        return {line_id: qty for line_id, qty in typed.items() if qty}


class DeclareForm(_LineRows, forms.Form):
    reason = forms.ChoiceField(label=_("Motif"), choices=[("", "—")] + list(Reason.choices))
    customer_statement = forms.CharField(
        label=_("Ce que dit le client"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ses mots, tels quels : ils restent au dossier."),
    )

    ERROR_FIELDS = {"return_invalid_reason": "reason"}

    def __init__(self, *args, returnable=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.returnable = list(returnable)
        self.line_ids = [row.delivery_line_id for row in self.returnable]
        for row in self.returnable:
            self.fields[f"qty_{row.delivery_line_id}"] = _quantity_field()
            self.fields[f"note_{row.delivery_line_id}"] = forms.CharField(
                label=_("Note"), max_length=250, required=False
            )

    def rows(self):
        return [
            {
                "line": row,
                "qty": self.row(row.delivery_line_id, "qty"),
                "note": self.row(row.delivery_line_id, "note"),
            }
            for row in self.returnable
        ]

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.quantities():
            raise forms.ValidationError(gettext("Indiquez la quantité concernée sur au moins une ligne."))
        return cleaned

    def lines(self) -> list[dict]:
        return [
            {"delivery_line": line_id, "quantity": qty, "note": self.value(line_id, "note") or ""}
            for line_id, qty in self.quantities().items()
        ]


class ReceiveForm(_LineRows, forms.Form):
    date = forms.DateField(label=_("Date de réception"), required=False, widget=DateInput)

    def __init__(self, *args, progress=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.progress = list(progress)
        self.line_ids = [p.line.pk for p in self.progress]
        for p in self.progress:
            self.fields[f"qty_{p.line.pk}"] = _quantity_field()
            self.fields[f"disposition_{p.line.pk}"] = forms.ChoiceField(
                label=_("Destination"),
                choices=ReturnReceiptLine.Disposition.choices,
                initial=ReturnReceiptLine.Disposition.BACK_TO_STOCK,
            )
            self.fields[f"inspection_{p.line.pk}"] = forms.CharField(
                label=_("Résultat du contrôle"), max_length=2000, required=False
            )

    def rows(self):
        return [
            {
                "progress": p,
                "qty": self.row(p.line.pk, "qty"),
                "disposition": self.row(p.line.pk, "disposition"),
                "inspection": self.row(p.line.pk, "inspection"),
            }
            for p in self.progress
        ]

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.quantities():
            raise forms.ValidationError(gettext("Indiquez la quantité reçue sur au moins une ligne."))
        return cleaned

    def lines(self) -> list[dict]:
        return [
            {
                "line": line_id,
                "quantity": qty,
                "disposition": self.value(line_id, "disposition"),
                "inspection": self.value(line_id, "inspection") or "",
            }
            for line_id, qty in self.quantities().items()
        ]


class ResolveForm(_LineRows, forms.Form):
    kind = forms.ChoiceField(label=_("Résolution"), widget=forms.RadioSelect)
    amount = FrenchDecimalField(
        label=_("Ou un montant global HT (€)"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("Avoir seulement : réparti sur les lignes ouvertes au prorata de leur valeur."),
    )
    reason = forms.CharField(
        label=_("Motif"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Obligatoire pour un refus ; repris sur l'avoir ou la facture."),
    )

    ERROR_FIELDS = {
        "return_reason_required": "reason",
        "return_amount_not_positive": "amount",
        "return_amount_exceeds_case": "amount",
        "return_lines_or_amount": "amount",
    }

    def __init__(self, *args, progress=(), kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Resolution.Kind.choices)
        self.fields["kind"].choices = [(kind, labels[kind]) for kind in kinds]
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0]
        self.progress = list(progress)
        self.line_ids = [p.line.pk for p in self.progress]
        for p in self.progress:
            self.fields[f"qty_{p.line.pk}"] = _quantity_field()
            self.fields[f"price_{p.line.pk}"] = FrenchDecimalField(
                label=_("Prix unitaire HT"), max_digits=14, decimal_places=4, min_value=0, required=False
            )

    def rows(self):
        return [
            {"progress": p, "qty": self.row(p.line.pk, "qty"), "price": self.row(p.line.pk, "price")}
            for p in self.progress
        ]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        kind, amount = cleaned.get("kind"), cleaned.get("amount")
        prices = [self.value(line_id, "price") for line_id in self.line_ids]
        if amount is not None and kind != Resolution.Kind.CREDIT_NOTE:
            self.add_error("amount", gettext("Un montant global ne s'emploie qu'avec un avoir."))
        elif amount is not None and self.quantities():
            self.add_error(
                "amount", gettext("Indiquez soit des quantités, soit un montant global, pas les deux.")
            )
        if kind == Resolution.Kind.REPLACEMENT and any(price is not None for price in prices):
            raise forms.ValidationError(
                gettext("Un remplacement n'a pas de prix : videz les prix unitaires.")
            )
        return cleaned

    def lines(self) -> list[dict] | None:
        """The lines typed, or None to settle everything still open on the case."""
        quantities = self.quantities()
        if not quantities:
            return None
        return [
            {"line": line_id, "quantity": qty, "unit_price": self.value(line_id, "price")}
            for line_id, qty in quantities.items()
        ]
