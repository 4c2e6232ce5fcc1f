"""Stable codes and French messages of the first run (the set-up of a real company)."""

from django.utils.translation import gettext_noop as N_

ALREADY_SET_UP = (
    "company_already_set_up",
    N_("La société est déjà en place (%(name)s) : modifiez-la dans Paramètres › Société."),
)
NOT_SET_UP = (
    "company_not_set_up",
    N_(
        "La société n'est pas encore en place : terminez les premiers pas (/premiers-pas/) ou lancez « comptoir setup-company »."
    ),
)
USER_REQUIRED = (
    "first_user_required",
    N_("Indiquez au moins un utilisateur : le premier reçoit les rôles direction et administrateur."),
)
FIRST_USER_REFUSED = ("first_user_refused", N_("Premier utilisateur refusé : %(reason)s"))
