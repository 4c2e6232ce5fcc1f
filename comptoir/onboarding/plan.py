"""The set-up of a real company, as a plan: what `comptoir setup-company` reads from a TOML or JSON file
(or asks at the terminal) and what the first-run screen collects step by step.

Pure: no Django. It checks the shape of the document (known sections and keys, the right types) and
turns it into the keyword arguments of the services; the business rules (SIREN checksum, IBAN, the legal
floor of the penalty rate, roles, passwords) are the services' (onboarding.services and those it calls).
"""

import datetime
import json
import os
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from comptoir.parties.series import SERIES

VAT_REGIMES = {"encaissements": False, "debits": True}

# Section → key in the file → field of parties.Company (None: read by the plan itself).
SECTIONS: dict[str, dict[str, str | None]] = {
    "societe": {
        "raison_sociale": "legal_name",
        "forme_juridique": "legal_form",
        "siren": "siren",
        "siret": "siret",
        "tva_intracommunautaire": "vat_number",
        "capital_social": "share_capital",
        "ville_rcs": "rcs_city",
        "adresse": "street",
        "complement_adresse": "street2",
        "code_postal": "postal_code",
        "ville": "city",
        "pays": "country",
        "email": "email",
        "telephone": "phone",
        "logo": None,
    },
    "banque": {"iban": "iban", "bic": "bic"},
    "tva": {"regime": None},
    "exercice": {"premier_mois": "fiscal_year_start_month", "ouvrir_au": None},
    # Every series' prefix (parties/series.py: prefixe_factures, prefixe_avoirs, prefixe_devis…).
    "numerotation": {s.plan_key: s.field for s in SERIES},
    "paiement": {
        "delai_jours": "default_payment_days",
        "taux_penalites": "late_penalty_rate",
        "escompte": "early_payment_discount",
    },
}
USER_KEYS = ("identifiant", "prenom", "nom", "email", "mot_de_passe", "mot_de_passe_env", "roles")
INTEGER_FIELDS = {"fiscal_year_start_month", "default_payment_days"}
DECIMAL_FIELDS = {"share_capital", "late_penalty_rate"}


class PlanError(Exception):
    """The document is not a set-up plan (unknown key, wrong type, unreadable file): a French sentence."""


@dataclass
class UserPlan:
    username: str
    password: str
    roles: list[str]
    first_name: str = ""
    last_name: str = ""
    email: str = ""


@dataclass
class SetupPlan:
    company: dict = field(default_factory=dict)
    open_fiscal_year_on: datetime.date | None = None
    users: list[UserPlan] = field(default_factory=list)


def read_file(path: Path, *, env=None) -> SetupPlan:
    """A plan from a `.toml` or `.json` file; a logo path in it is read relative to the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PlanError(f"Impossible de lire {path} : {exc.strerror or exc}.") from None
    try:
        document = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise PlanError(f"{path.name} n'est pas un fichier {_kind(path)} valide : {exc}.") from None
    return from_document(document, base_dir=path.parent, env=env)


def _kind(path: Path) -> str:
    return "JSON" if path.suffix.lower() == ".json" else "TOML"


def from_document(document: dict, *, base_dir: Path | None = None, env=None) -> SetupPlan:
    env = os.environ if env is None else env
    if not isinstance(document, dict):
        raise PlanError("Le fichier doit contenir des sections (societe, banque, tva…), pas une liste.")
    unknown = sorted(set(document) - set(SECTIONS) - {"utilisateurs"})
    if unknown:
        raise PlanError(f"Section inconnue : {', '.join(unknown)}. Sections possibles : {_sections()}.")
    plan = SetupPlan()
    for section, keys in SECTIONS.items():
        values = document.get(section, {})
        if not isinstance(values, dict):
            raise PlanError(f"[{section}] doit être une section de clés et de valeurs.")
        unknown = sorted(set(values) - set(keys))
        if unknown:
            raise PlanError(
                f"Clé inconnue dans [{section}] : {', '.join(unknown)}. Clés possibles : {', '.join(keys)}."
            )
        for key, value in values.items():
            target = keys[key]
            if target is not None:
                plan.company[target] = _typed(section, key, target, value)
    _read_special(plan, document, base_dir)
    plan.users = [_user(i, entry, env) for i, entry in enumerate(_list(document.get("utilisateurs", [])), 1)]
    return plan


def _sections() -> str:
    return ", ".join([*SECTIONS, "utilisateurs"])


def _list(value) -> list:
    if not isinstance(value, list):
        raise PlanError("[[utilisateurs]] doit être une liste d'utilisateurs.")
    return value


def _typed(section: str, key: str, target: str, value):
    where = f"[{section}] {key}"
    if target in INTEGER_FIELDS:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise PlanError(f"{where} doit être un nombre entier.")
        try:
            return int(value)
        except ValueError:
            raise PlanError(f"{where} doit être un nombre entier, pas « {value} ».") from None
    if target in DECIMAL_FIELDS:
        if isinstance(value, bool) or not isinstance(value, int | str):
            # A float would carry binary noise into money: amounts are written as text ("50000.00").
            raise PlanError(f'{where} s\'écrit entre guillemets ("50000.00") ou en nombre entier.')
        try:
            return Decimal(str(value).replace(" ", "").replace(",", "."))
        except InvalidOperation:
            raise PlanError(f"{where} doit être un montant, pas « {value} ».") from None
    if not isinstance(value, str):
        raise PlanError(f"{where} doit être un texte entre guillemets.")
    return value.strip()


def _read_special(plan: SetupPlan, document: dict, base_dir: Path | None) -> None:
    regime = document.get("tva", {}).get("regime")
    if regime is not None:
        if regime not in VAT_REGIMES:
            raise PlanError(f"[tva] regime vaut « encaissements » ou « debits », pas « {regime} ».")
        plan.company["vat_on_debits"] = VAT_REGIMES[regime]
    day = document.get("exercice", {}).get("ouvrir_au")
    if day is not None:
        if isinstance(day, datetime.date):
            plan.open_fiscal_year_on = day
        else:
            try:
                plan.open_fiscal_year_on = datetime.date.fromisoformat(str(day))
            except ValueError:
                raise PlanError(f"[exercice] ouvrir_au est une date AAAA-MM-JJ, pas « {day} ».") from None
    logo = document.get("societe", {}).get("logo")
    if logo:
        path = Path(logo) if base_dir is None else Path(base_dir) / logo
        try:
            plan.company["logo"] = path.read_bytes()
        except OSError as exc:
            raise PlanError(f"Logo illisible ({path}) : {exc.strerror or exc}.") from None


def _user(number: int, entry, env) -> UserPlan:
    where = f"Utilisateur n° {number}"
    if not isinstance(entry, dict):
        raise PlanError(f"{where} : une section [[utilisateurs]] de clés et de valeurs est attendue.")
    unknown = sorted(set(entry) - set(USER_KEYS))
    if unknown:
        raise PlanError(
            f"{where} : clé inconnue {', '.join(unknown)}. Clés possibles : {', '.join(USER_KEYS)}."
        )
    password = entry.get("mot_de_passe")
    variable = entry.get("mot_de_passe_env")
    if variable:
        # An IT provider keeps passwords out of the file: the variable names where to read it.
        password = env.get(variable)
        if password is None:
            raise PlanError(f"{where} : la variable d'environnement {variable} n'est pas définie.")
    roles = entry.get("roles", [])
    if isinstance(roles, str):
        roles = [roles]
    if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
        raise PlanError(f'{where} : roles est une liste de rôles, par exemple ["commercial", "adv"].')
    texts = {key: entry.get(key, "") for key in ("identifiant", "prenom", "nom", "email")}
    if not all(isinstance(value, str) for value in texts.values()) or not isinstance(password or "", str):
        raise PlanError(f"{where} : identifiant, prénom, nom, e-mail et mot de passe sont des textes.")
    return UserPlan(
        username=texts["identifiant"].strip(),
        password=password or "",
        roles=roles,
        first_name=texts["prenom"].strip(),
        last_name=texts["nom"].strip(),
        email=texts["email"].strip(),
    )


EXAMPLE = """\
# Comptoir — mise en place d'une société (comptoir setup-company --file societe.toml)

[societe]
raison_sociale = "Outillage Durand SAS"
forme_juridique = "SAS"
siren = "732829320"
siret = "73282932000074"
tva_intracommunautaire = "FR44732829320"
capital_social = "50000.00"
ville_rcs = "Lyon"
adresse = "12 rue des Forges"
code_postal = "69007"
ville = "Lyon"
pays = "FR"
email = "contact@durand-outillage.fr"
telephone = "04 78 00 00 00"
# logo = "logo.png"            # PNG ou JPEG, chemin relatif à ce fichier

[banque]
iban = "FR76 3000 6000 0112 3456 7890 189"
bic = "BNPAFRPP"

[tva]
regime = "encaissements"        # ou "debits" (option de l'art. 269-2-c du CGI)

[exercice]
premier_mois = 1                # 1 = janvier
# ouvrir_au = "2026-01-01"      # un jour de l'exercice à ouvrir (par défaut : aujourd'hui)

[numerotation]                  # chaque préfixe se choisit avant le premier numéro de sa série
prefixe_factures = "FA"
# prefixe_avoirs = "AV"
# prefixe_devis = "DEV"
# prefixe_commandes = "CMD"
# prefixe_livraisons = "BL"
# prefixe_receptions = "REC"
# prefixe_retours = "RET"
# prefixe_receptions_retours = "RR"
# prefixe_reglements = "REG"
# prefixe_remboursements = "RBT"

[paiement]
delai_jours = 30
taux_penalites = "12.00"        # au moins trois fois le taux d'intérêt légal
escompte = "Pas d'escompte pour paiement anticipé."

# Le premier utilisateur reçoit les rôles direction et administrateur.
[[utilisateurs]]
identifiant = "claire"
prenom = "Claire"
nom = "Durand"
email = "claire@durand-outillage.fr"
mot_de_passe_env = "COMPTOIR_CLAIRE_PASSWORD"

[[utilisateurs]]
identifiant = "marc"
prenom = "Marc"
nom = "Petit"
roles = ["commercial", "adv"]
mot_de_passe_env = "COMPTOIR_MARC_PASSWORD"
"""
