"""Roles and what each may do.

A user's roles are Django groups named after the role codes below (admin is also any superuser).
Permissions are action codes checked by the services themselves (`require(user, "invoice.issue")`),
so the UI, the API and the CLI cannot disagree about who may do what.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

from comptoir.core.errors import PermissionDenied


class Role:
    COMMERCIAL = "commercial"
    ADV = "adv"
    LOGISTIQUE = "logistique"
    COMPTABILITE = "comptabilite"
    DIRECTION = "direction"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.COMMERCIAL: _("Commercial"),
    Role.ADV: _("ADV (administration des ventes)"),
    Role.LOGISTIQUE: _("Logistique"),
    Role.COMPTABILITE: _("Comptabilité"),
    Role.DIRECTION: _("Direction"),
    Role.ADMIN: _("Administrateur"),
}

ALL_ROLES = tuple(ROLE_LABELS)

# Reading documents of the sales cycle is open to every role: a shared source of truth only helps if
# everyone can see it. Writing is restricted per role.
_READ = {
    "customer.view",
    "product.view",
    "quote.view",
    "order.view",
    "delivery.view",
    "invoice.view",
    "payment.view",
    "stock.view",
    "return.view",
    "proposal.view",
}

# Segregation of duties, the usual internal control of a French SME's books: order administration (ADV)
# prepares invoices and credit notes from what was ordered and delivered, but issuing one (the legal act
# that takes a number and posts revenue) and recording money received are accounting's — whoever sells
# never posts the revenue or the cash of the sale alone. Direction may do everything. Accounting opens
# fiscal years and locks periods; moving a lock back (reopening closed books) is direction's decision alone.
PERMISSIONS: dict[str, set[str]] = {
    Role.COMMERCIAL: _READ
    | {
        "customer.manage",
        "quote.manage",
        "quote.send",
        "quote.accept",
        "order.manage",
        "return.manage",
    },
    Role.ADV: _READ
    | {
        "customer.manage",
        "quote.manage",
        "quote.send",
        "quote.accept",
        "order.manage",
        "order.confirm",
        "order.cancel",
        "delivery.manage",
        "invoice.manage",
        "credit_note.manage",
        "return.manage",
        "return.approve",
        "return.resolve",
        "assistant.run",
    },
    Role.LOGISTIQUE: _READ
    | {
        "product.manage",
        "stock.receive",
        "delivery.manage",
        "delivery.validate",
        "return.receive",
    },
    Role.COMPTABILITE: _READ
    | {
        "customer.manage",
        "invoice.manage",
        "invoice.issue",
        "payment.register",
        "accounting.view",
        "accounting.close",
        "accounting.open_year",
        "accounting.entry",
        "settings.view",
        "credit_note.manage",
        "credit_note.gesture",
        "return.resolve",
        "invoice.unblock",
        "assistant.override",
        "assistant.run",
        "reminder.send",
    },
    Role.DIRECTION: _READ
    | {
        "customer.manage",
        "product.manage",
        "quote.manage",
        "quote.send",
        "quote.accept",
        "order.manage",
        "order.confirm",
        "order.cancel",
        "delivery.manage",
        "delivery.validate",
        "stock.receive",
        "invoice.manage",
        "invoice.issue",
        "payment.register",
        "accounting.view",
        "accounting.close",
        "accounting.open_year",
        "accounting.entry",
        "accounting.unlock",
        "settings.view",
        "audit.view",
        "credit_note.manage",
        "credit_note.gesture",
        "return.manage",
        "return.approve",
        "return.approve_large",
        "return.receive",
        "return.resolve",
        "return.configure",
        "invoice.unblock",
        "assistant.override",
        "assistant.run",
        "assistant.configure",
        "reminder.send",
        # Lifting a sign-in lockout early (core/login_throttle.py): someone senior must be reachable
        # when a colleague is locked out, not only the administrator.
        "login.unlock",
        # The periodic jobs (scheduling): their schedules, running one now.
        "jobs.manage",
        # Sending a test e-mail from the settings page, to check the SMTP set-up.
        "mail.test",
    },
}
PERMISSIONS[Role.ADMIN] = set().union(*PERMISSIONS.values()) | {"company.manage", "user.manage", "audit.view"}

ALL_PERMISSIONS = frozenset(PERMISSIONS[Role.ADMIN])


def roles_of(user) -> set[str]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    cached = getattr(user, "_comptoir_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True)) & set(ALL_ROLES)
        if user.is_superuser:
            cached.add(Role.ADMIN)
        user._comptoir_roles = cached
    return cached


def has_perm(user, perm: str) -> bool:
    if perm not in ALL_PERMISSIONS:
        raise ValueError(f"unknown permission {perm!r}")
    return any(perm in PERMISSIONS[role] for role in roles_of(user))


def require(user, perm: str) -> None:
    if not has_perm(user, perm):
        raise PermissionDenied(
            "permission_denied",
            N_("Votre rôle ne permet pas cette action (%(perm)s). Demandez-la à un collègue habilité."),
            perm=perm,
        )
