"""French labels for codes the pages show: audit actions, progress states, payment states."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comptoir.payments import selectors as payment_view
from comptoir.sales import progress

AUDIT_ACTIONS = {
    "company.configured": _("Société paramétrée"),
    "customer.created": _("Client créé"),
    "customer.updated": _("Client modifié"),
    "customer.contact_added": _("Contact ajouté"),
    "customer.delivery_address_added": _("Adresse de livraison ajoutée"),
    "product.created": _("Produit créé"),
    "product.updated": _("Produit modifié"),
    "quote.created": _("Devis créé"),
    "quote.lines_replaced": _("Lignes du devis modifiées"),
    "quote.sent": _("Devis envoyé"),
    "quote.accepted": _("Devis accepté"),
    "quote.refused": _("Devis refusé"),
    "quote.cancelled": _("Devis annulé"),
    "order.created": _("Commande créée"),
    "order.lines_replaced": _("Lignes de la commande modifiées"),
    "order.confirmed": _("Commande confirmée"),
    "order.cancelled": _("Commande annulée"),
    "receipt.created": _("Réception créée"),
    "receipt.validated": _("Réception validée"),
    "receipt.cancelled": _("Réception annulée"),
    "delivery.created": _("Bon de livraison préparé"),
    "delivery.validated": _("Livraison expédiée"),
    "delivery.cancelled": _("Bon de livraison annulé"),
    "invoice.drafted": _("Brouillon de facture créé"),
    "invoice.issued": _("Facture émise"),
    "invoice.cancelled": _("Brouillon de facture annulé"),
    "payment.registered": _("Règlement enregistré"),
    "credit_note.drafted": _("Brouillon d'avoir créé"),
    "credit_note.applied": _("Avoir imputé sur une facture"),
    "credit_note.refunded": _("Avoir remboursé"),
    "order.billing_schedule_set": _("Échéancier de facturation défini"),
    "order.milestone_reached": _("Jalon de facturation atteint"),
    "delivery.replacement_shipped": _("Remplacement expédié"),
    "stock.returned": _("Marchandises retournées en stock"),
    "stock.surplus_kept": _("Excédent conservé par le client sorti du stock"),
    "accounting.period_locked": _("Période comptable verrouillée"),
    "accounting.period_unlocked": _("Période comptable déverrouillée"),
    "accounting.fiscal_year_opened": _("Exercice comptable ouvert"),
    "return.opened": _("Dossier de retour ouvert"),
    "return.submitted": _("Retour soumis"),
    "return.approved": _("Retour accepté"),
    "return.rejected": _("Retour rejeté"),
    "return.refused": _("Retour refusé"),
    "return.goods_received": _("Marchandises retournées reçues"),
    "return.resolved": _("Retour résolu"),
    "return.closed": _("Retour clos"),
    "return.attachment_added": _("Pièce jointe ajoutée au retour"),
    "return.block_lifted": _("Blocage de facturation levé"),
    "return.policy_updated": _("Politique de retour modifiée"),
    "assistant.override": _("Constats bloquants levés (passer outre)"),
    "user.created": _("Utilisateur créé"),
    "api_token.created": _("Jeton d'API créé"),
    "user.roles_changed": _("Rôles de l'utilisateur modifiés"),
    "user.deactivated": _("Utilisateur désactivé"),
    "user.reactivated": _("Utilisateur réactivé"),
    "user.password_changed": _("Mot de passe changé"),
    "api_token.revoked": _("Jeton d'API révoqué"),
    "login.unlocked": _("Connexion débloquée"),
}

AUDIT_KEYS = {
    "customer": _("client"),
    "name": _("raison sociale"),
    "siren": _("SIREN"),
    "changed": _("modifications"),
    "price": _("prix"),
    "vat": _("TVA"),
    "total": _("total HT"),
    "untaxed": _("total HT"),
    "lines": _("lignes"),
    "from_quote": _("devis d'origine"),
    "order": _("commande"),
    "reason": _("motif"),
    "codes": _("constats levés"),
    "findings": _("constats"),
    "cost_of_goods": _("coût des marchandises"),
    "number": _("numéro"),
    "amount": _("montant"),
    "method": _("mode"),
    "allocations": _("affectations"),
    "contact": _("contact"),
    "label": _("libellé"),
    "fields": _("champs"),
    "deposits_deducted": _("acomptes déduits"),
    "deposit": _("acompte"),
    "invoice": _("facture"),
    "delivery": _("livraison"),
    "case": _("dossier"),
    "gesture": _("geste commercial"),
    "refund": _("remboursement"),
    "milestone": _("jalon"),
    "milestones": _("jalons"),
    "trigger": _("déclencheur"),
    "until": _("jusqu'au"),
    "value": _("valeur"),
    "roles": _("rôles"),
    "superuser": _("super-utilisateur"),
    "amount_at_stake": _("montant en jeu"),
    "statement": _("déclaration du client"),
    "attachments": _("pièces jointes"),
    "threshold": _("seuil d'approbation"),
    "receipt": _("réception"),
    "scrapped_cost": _("coût mis au rebut"),
    "kind": _("type"),
    "credit_notes": _("avoirs"),
    "invoice_total": _("montant refacturé HT"),
    "pending_repairs": _("en réparation"),
    "before": _("avant"),
    "after": _("après"),
    "username": _("compte"),
    "ip_address": _("adresse IP"),
    "failures": _("échecs"),
    "tokens_revoked": _("jetons révoqués"),
    "prefix": _("jeton"),
    "expires_at": _("expire le"),
    "user": _("utilisateur"),
}

# Values of these keys are amounts in euros.
AUDIT_AMOUNT_KEYS = {
    "total",
    "untaxed",
    "vat",
    "amount",
    "price",
    "cost_of_goods",
    "deposits_deducted",
    "amount_at_stake",
    "threshold",
    "scrapped_cost",
    "invoice_total",
}

AUDIT_OBJECT_TYPES = {
    "parties.customer": _("Client"),
    "parties.company": _("Société"),
    "catalog.product": _("Produit"),
    "sales.quote": _("Devis"),
    "sales.order": _("Commande"),
    "stock.receipt": _("Réception"),
    "stock.delivery": _("Livraison"),
    "billing.invoice": _("Facture"),
    "payments.payment": _("Règlement"),
    "returns.returncase": _("Dossier de retour"),
    "auth.user": _("Utilisateur"),
    "returns.returnpolicy": _("Règles de retour"),
    "accounting.fiscalyear": _("Exercice comptable"),
}

# object_type → URL name of its detail page.
AUDIT_OBJECT_URLS = {
    "parties.customer": "web:customer_detail",
    "catalog.product": "web:product_detail",
    "sales.quote": "web:quote_detail",
    "sales.order": "web:order_detail",
    "stock.delivery": "web:delivery_detail",
    "stock.receipt": "web:receipt_detail",
    "billing.invoice": "web:invoice_detail",
    "payments.payment": "web:payment_detail",
    "returns.returncase": "web:return_detail",
    "auth.user": "web:settings_user_detail",
}

DELIVERY_PROGRESS = {
    progress.NOT_STARTED: _("Non livrée"),
    progress.PARTIAL: _("Partiellement livrée"),
    progress.DONE: _("Livrée"),
}

INVOICING_PROGRESS = {
    progress.NOT_STARTED: _("Non facturée"),
    progress.PARTIAL: _("Partiellement facturée"),
    progress.DONE: _("Facturée"),
}

PAYMENT_STATES = {
    "open": _("Non réglée"),
    "partial": _("Partiellement réglée"),
    "paid": _("Réglée"),
    "overdue": _("En retard"),
}


def payment_chip(invoice, today=None) -> tuple[str, str] | None:
    """(css status, French label) of the payment state of an issued invoice annotated with
    `amount_paid`; None for a draft or a cancelled invoice."""
    if invoice.status != "issued" or getattr(invoice, "kind", "invoice") == "credit_note":
        return None
    today = today or timezone.localdate()
    state = payment_view.payment_status(invoice.total, invoice.amount_paid)
    if state != payment_view.PAID and invoice.due_date and invoice.due_date < today:
        state = "overdue"
    return state, str(PAYMENT_STATES[state])


# What each permission code allows, for the table of roles (settings). A code missing here is shown as is.
PERMISSION_LABELS = {
    "customer.view": _("Consulter les clients"),
    "customer.manage": _("Créer et modifier les clients"),
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
    "accounting.view": _("Consulter la comptabilité"),
    "accounting.close": _("Verrouiller une période comptable"),
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
}
