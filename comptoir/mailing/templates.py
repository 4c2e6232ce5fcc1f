"""The subject and body proposed for each kind of document, before the user edits them.

French; an English version waits for customers to carry a language (they do not yet). Plain functions.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Draft:
    subject: str
    body: str


SUBJECTS = {
    "quote": "Devis {number} — {company}",
    "order": "Confirmation de votre commande {number} — {company}",
    "delivery": "Bon de livraison {number} — {company}",
    "invoice": "Facture {number} — {company}",
    "credit_note": "Avoir {number} — {company}",
    "reminder": "Relance de paiement — {company}",
    "statement": "Relevé de compte au {date} — {company}",
}
BODIES = {
    "quote": (
        "Bonjour,\n\nVeuillez trouver ci-joint notre devis {number} d'un montant de {total} TTC{valid_until}.\n"
        "Pour l'accepter, il vous suffit de nous le retourner signé avec la mention « Bon pour accord ».\n\n"
        "Nous restons à votre disposition pour tout renseignement.\n\nCordialement,\n{company}"
    ),
    "order": (
        "Bonjour,\n\nNous vous remercions de votre commande. Vous trouverez ci-joint sa confirmation, "
        "{number}, d'un montant de {total} TTC.\n\nCordialement,\n{company}"
    ),
    "delivery": (
        "Bonjour,\n\nVeuillez trouver ci-joint le bon de livraison {number} de votre commande {order}.\n\n"
        "Cordialement,\n{company}"
    ),
    "invoice": (
        "Bonjour,\n\nVeuillez trouver ci-joint notre facture {number} d'un montant de {total} TTC, "
        "payable au plus tard le {due_date}.\nLe fichier PDF contient aussi la facture au format "
        "électronique Factur-X.\n\nCordialement,\n{company}"
    ),
    "credit_note": (
        "Bonjour,\n\nVeuillez trouver ci-joint notre avoir {number} d'un montant de {total} TTC.\n\n"
        "Cordialement,\n{company}"
    ),
    "reminder": (
        "Bonjour,\n\nSauf erreur de notre part, des factures échues restent impayées sur votre compte, "
        "pour {total}. Vous en trouverez le détail ci-joint ({number}).\n"
        "Nous vous remercions de bien vouloir procéder à leur règlement ; si votre paiement a croisé ce "
        "message, merci de ne pas en tenir compte.\n\nCordialement,\n{company}"
    ),
    "statement": (
        "Bonjour,\n\nVeuillez trouver ci-joint le relevé de votre compte au {date} ({number}), "
        "dont le solde est de {total}.\n\nCordialement,\n{company}"
    ),
}


def draft_for(kind: str, **values: str) -> Draft:
    """`values`: number, company, total, and per kind valid_until (" valable jusqu'au …" or ""),
    order, due_date."""
    fields = {"valid_until": "", "order": "", "due_date": "", "total": "", "date": "", **values}
    return Draft(SUBJECTS[kind].format(**fields), BODIES[kind].format(**fields))
