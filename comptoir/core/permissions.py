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
    "supplier.view",
    "product.view",
    "quote.view",
    "order.view",
    "delivery.view",
    "invoice.view",
    "payment.view",
    "stock.view",
    "return.view",
    "proposal.view",
    "ticket.view",
    # Everyone records the time they spend for a customer (aftersales): their own entries only.
    "time.record",
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
        "intake.receive",
        "ticket.manage",
        "discount.approve",
        "price_review.manage",
        "crm.view",
        "crm.manage",
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
        "intake.receive",
        "intake.review",
        "margin.view",
        "ticket.manage",
        "pricing.manage",
        "discount.approve",
        "price_review.manage",
        "crm.view",
        "crm.manage",
    },
    Role.LOGISTIQUE: _READ
    | {
        "supplier.manage",
        "ticket.manage",
        "product.manage",
        "stock.receive",
        "delivery.manage",
        "delivery.validate",
        "return.receive",
    },
    Role.COMPTABILITE: _READ
    | {
        "customer.manage",
        "supplier.manage",
        "invoice.manage",
        "invoice.issue",
        "payment.register",
        "payment.write_off",
        "accounting.view",
        "accounting.close",
        "accounting.open_year",
        "accounting.entry",
        "accounting.vat_settle",
        "settings.view",
        "credit_note.manage",
        "credit_note.gesture",
        "return.resolve",
        "invoice.unblock",
        "assistant.override",
        "assistant.run",
        "reminder.send",
        "margin.view",
    },
    Role.DIRECTION: _READ
    | {
        "customer.manage",
        "supplier.manage",
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
        "payment.write_off",
        "accounting.view",
        "accounting.close",
        "accounting.open_year",
        "accounting.entry",
        "accounting.vat_settle",
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
        # Bringing a company's existing data in (customers, products, opening stock): thousands of cards
        # written at once, decided by the people who own the switch to Comptoir.
        "data.import",
        # Taking everything out (one zip of every table and document): the company's data, no lock-in,
        # but all of it at once — decided by the same people as bringing it in.
        "data.export",
        # Sending a test e-mail from the settings page, to check the SMTP set-up.
        "mail.test",
        "intake.receive",
        "intake.review",
        # Letting intake accept structured orders on its own (the intake policy).
        "intake.configure",
        # Margins show what the goods cost: direction, accounting and ADV read them (insights); a
        # salesperson negotiating with a customer does not see the cost floor.
        "margin.view",
        "ticket.manage",
        # Correcting anyone's time entries, and the costs behind the real margin (hourly cost per profile,
        # carrier rates, financing rate, exceptional adjustments): direction's.
        "time.manage",
        "profitability.configure",
        # Price lists and customer prices (ADV keeps them too); the discount each role grants alone
        # (`pricing.DiscountThreshold`) is direction's decision; approving a discount above someone's
        # threshold needs a threshold of one's own that covers it (`sales.discounts`).
        "pricing.manage",
        "pricing.configure",
        "discount.approve",
        # Following up a customer at risk: a call, a price-list review, new payment terms.
        "price_review.manage",
        # The commercial pipeline (crm): leads, opportunities, activities; closing a colleague's activity
        # and reading everyone's figures side by side are direction's.
        "crm.view",
        "crm.manage",
        "crm.supervise",
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


def roles_allowed(perm: str) -> list[str]:
    """The roles that hold `perm`, in words, in the order of ALL_ROLES."""
    return [str(ROLE_LABELS[role]) for role in ALL_ROLES if perm in PERMISSIONS.get(role, ())]


def require(user, perm: str) -> None:
    """Refuse with the action in words and the roles that may do it, so the person knows whom to ask;
    the API's error keeps the stable code `permission_denied` (and the permission in `perm`)."""
    if not has_perm(user, perm):
        raise PermissionDenied(
            "permission_denied",
            N_("Votre rôle ne permet pas cette action : %(action)s. Rôles qui le peuvent : %(roles)s."),
            perm=perm,
            action=_LazyLower(PERMISSION_LABELS.get(perm, perm)),
            roles=_LazyJoin(perm),
        )


class _LazyLower:
    """The permission's label in the reader's language, lower-cased, when the message is rendered."""

    def __init__(self, label):
        self.label = label

    def __str__(self) -> str:
        return str(self.label).lower()


class _LazyJoin:
    def __init__(self, perm: str):
        self.perm = perm

    def __str__(self) -> str:
        return ", ".join(roles_allowed(self.perm)) or "—"


PERMISSION_LABELS = {
    "customer.view": _("Consulter les clients"),
    "customer.manage": _("Créer et modifier les clients"),
    "supplier.view": _("Consulter les fournisseurs"),
    "supplier.manage": _("Créer et modifier les fournisseurs"),
    "product.view": _("Consulter les produits"),
    "product.manage": _("Créer et modifier les produits"),
    "quote.view": _("Consulter les devis"),
    "quote.manage": _("Créer et modifier les devis"),
    "quote.send": _("Envoyer un devis"),
    "quote.accept": _("Enregistrer l'acceptation d'un devis"),
    "order.view": _("Consulter les commandes"),
    "order.manage": _("Créer et modifier les commandes"),
    "order.confirm": _("Confirmer une commande"),
    "order.cancel": _("Annuler une commande"),
    "pricing.manage": _("Gérer les listes de prix et les prix spécifiques"),
    "pricing.configure": _("Fixer les seuils de remise par rôle"),
    "price_review.manage": _("Ouvrir et clore les suivis commerciaux des clients"),
    "discount.approve": _("Approuver une remise au-delà du seuil d'un collègue"),
    "delivery.view": _("Consulter les livraisons"),
    "delivery.manage": _("Préparer les bons de livraison"),
    "delivery.validate": _("Valider (expédier) une livraison"),
    "stock.view": _("Consulter le stock"),
    "stock.receive": _("Réceptionner des marchandises"),
    "invoice.view": _("Consulter les factures"),
    "invoice.manage": _("Préparer les factures"),
    "invoice.issue": _("Émettre une facture"),
    "invoice.unblock": _("Lever le blocage de facturation d'une livraison en litige"),
    "credit_note.manage": _("Préparer les avoirs"),
    "credit_note.gesture": _("Accorder un avoir commercial sans retour"),
    "payment.view": _("Consulter les règlements"),
    "payment.register": _("Enregistrer un règlement"),
    "payment.write_off": _("Passer un petit écart de règlement en perte ou profit"),
    "accounting.view": _("Consulter la comptabilité"),
    "accounting.vat_settle": _("Liquider la TVA d'une période (écriture de la CA3)"),
    "accounting.close": _("Verrouiller une période comptable"),
    "accounting.open_year": _("Ouvrir un exercice comptable"),
    "accounting.entry": _("Saisir et valider des écritures manuelles"),
    "accounting.unlock": _("Rouvrir une période ou un exercice clôturé"),
    "audit.view": _("Consulter le journal d'audit"),
    "return.view": _("Consulter les litiges"),
    "return.manage": _("Ouvrir et instruire un dossier de retour"),
    "return.approve": _("Accepter ou rejeter un retour (sous le seuil)"),
    "return.approve_large": _("Accepter ou rejeter un retour au-delà du seuil"),
    "return.receive": _("Réceptionner une marchandise retournée"),
    "return.resolve": _("Résoudre un dossier de retour"),
    "return.configure": _("Modifier les règles de retour et les seuils"),
    "assistant.override": _("Passer outre un constat bloquant de l'assistant"),
    "assistant.run": _("Lancer l'assistant"),
    "assistant.configure": _("Modifier la politique de l'assistant"),
    "proposal.view": _("Consulter les propositions de l'assistant"),
    "reminder.send": _("Envoyer une relance"),
    "settings.view": _("Consulter les paramètres"),
    "company.manage": _("Modifier la société et les conditions de paiement"),
    "user.manage": _("Gérer les utilisateurs et leurs rôles"),
    "login.unlock": _("Débloquer une connexion bloquée après trop d'échecs"),
    "data.import": _("Importer des données (clients, produits, stock initial)"),
    "data.export": _("Exporter toutes les données de la société"),
    "mail.test": _("Envoyer un e-mail de test"),
    "jobs.manage": _("Planifier et lancer les tâches périodiques"),
    "intake.receive": _("Déposer des commandes reçues (fichiers, API)"),
    "intake.review": _("Vérifier, accepter ou rejeter une commande reçue"),
    "intake.configure": _("Modifier la politique des commandes reçues (acceptation automatique)"),
    "margin.view": _("Consulter les marges et les coûts de revient"),
    "ticket.view": _("Consulter les tickets SAV"),
    "ticket.manage": _("Ouvrir et suivre les tickets SAV"),
    "time.record": _("Saisir son temps passé"),
    "time.manage": _("Corriger les saisies de temps de chacun"),
    "crm.view": _("Consulter les pistes, les opportunités et les activités"),
    "crm.manage": _("Gérer les pistes, les opportunités et les activités"),
    "crm.supervise": _("Clore les activités des autres commerciaux"),
    "profitability.configure": _(
        "Régler les coûts de la rentabilité client (profils, transport, financement)"
    ),
}
