"""Forms of « Mon compte » and of an administrator's password reset. They only parse the input; the
password rules, the lifetime bounds of a token and who may do what are core.users' and core.tokens'."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


def _password(label, autocomplete="new-password", help_text=""):
    return forms.CharField(
        label=label,
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": autocomplete}),
        help_text=help_text,
    )


class SetPasswordForm(forms.Form):
    """A new password, typed twice (an administrator for someone who forgot theirs)."""

    new_password = _password(
        _("Nouveau mot de passe"),
        help_text=_("8 caractères au moins. Les jetons d'API de la personne seront révoqués."),
    )
    confirm_password = _password(_("Nouveau mot de passe (confirmation)"))

    ERROR_FIELDS = {"weak_password": "new_password", "wrong_current_password": "current_password"}

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("confirm_password") != data.get("new_password"):
            self.add_error("confirm_password", _("Les deux mots de passe diffèrent."))
        return data


class PasswordChangeForm(SetPasswordForm):
    """One's own password: the current one first (a session left open must not be enough)."""

    current_password = _password(_("Mot de passe actuel"), autocomplete="current-password")
    field_order = ["current_password", "new_password", "confirm_password"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password"].help_text = _(
            "8 caractères au moins. Vos jetons d'API seront révoqués : créez-en de nouveaux ensuite."
        )


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Nom"),
        max_length=80,
        required=False,
        help_text=_("À quoi sert ce jeton, par exemple « ERP client » ou « export comptable »."),
    )
    days = forms.IntegerField(label=_("Durée de validité (jours)"))

    ERROR_FIELDS = {"invalid_token_lifetime": "days"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].initial = settings.API_TOKEN_DAYS
        self.fields["days"].help_text = _("De 1 à %(max)s jours.") % {"max": settings.API_TOKEN_MAX_DAYS}
