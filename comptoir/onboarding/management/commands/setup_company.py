import getpass
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from comptoir.core.errors import DomainError
from comptoir.onboarding import plan as plans
from comptoir.onboarding import services

# What the interactive set-up asks, section by section: (section, key, question).
QUESTIONS = [
    ("societe", "raison_sociale", "Raison sociale"),
    ("societe", "forme_juridique", "Forme juridique (SAS, SARL…)"),
    ("societe", "siren", "SIREN (9 chiffres)"),
    ("societe", "siret", "SIRET du siège"),
    ("societe", "tva_intracommunautaire", "N° de TVA intracommunautaire"),
    ("societe", "capital_social", "Capital social (€)"),
    ("societe", "ville_rcs", "Ville du RCS"),
    ("societe", "adresse", "Adresse"),
    ("societe", "code_postal", "Code postal"),
    ("societe", "ville", "Ville"),
    ("societe", "email", "E-mail de la société"),
    ("societe", "telephone", "Téléphone de la société"),
    ("societe", "logo", "Logo (chemin d'un PNG ou JPEG)"),
    ("banque", "iban", "IBAN"),
    ("banque", "bic", "BIC"),
    ("tva", "regime", "TVA sur les encaissements ou les débits (encaissements/debits)"),
    ("exercice", "premier_mois", "Premier mois de l'exercice (1 = janvier)"),
    ("exercice", "ouvrir_au", "Un jour de l'exercice à ouvrir, AAAA-MM-JJ (vide : aujourd'hui)"),
    ("numerotation", "prefixe_factures", "Préfixe des factures (FA)"),
    ("paiement", "delai_jours", "Délai de paiement par défaut en jours (30)"),
    ("paiement", "taux_penalites", "Taux annuel des pénalités de retard en % (12)"),
    ("paiement", "escompte", "Conditions d'escompte (vide : pas d'escompte)"),
]


class Command(BaseCommand):
    help = (
        "Met en place une vraie société (sans la démonstration) : identité, banque, régime de TVA, exercice, "
        "numérotation, conditions de paiement et utilisateurs, en une fois. "
        "comptoir setup-company --file societe.toml (ou .json), ou sans option pour répondre aux questions ; "
        "comptoir setup-company --example affiche un fichier modèle."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--file", help="le fichier de la société, TOML ou JSON (voir --example)")
        parser.add_argument("--example", action="store_true", help="affiche un fichier modèle et s'arrête")
        parser.add_argument(
            "--user",
            help="un administrateur existant qui fait la mise en place (sinon le premier utilisateur du fichier)",
        )

    def handle(self, *args, file, example, user, **options):
        if example:
            self.stdout.write(plans.EXAMPLE, ending="")
            return
        if services.is_set_up():
            raise CommandError(
                "Une société est déjà en place : modifiez-la dans Paramètres › Société.", returncode=1
            )
        try:
            plan = plans.read_file(file) if file else self._ask()
        except plans.PlanError as exc:
            raise CommandError(str(exc), returncode=2) from None
        by = self._acting(user)
        try:
            result = services.set_up_company(plan, by=by)
        except DomainError as exc:
            raise CommandError(f"Rien n'a été enregistré. {exc.message}", returncode=1) from None
        company, year = result.company, result.fiscal_year
        self.stdout.write(f"Société « {company.legal_name} » en place (SIREN {company.siren}).")
        self.stdout.write(
            f"Exercice {year.name} ouvert, du {year.start_date:%d/%m/%Y} au {year.end_date:%d/%m/%Y}."
        )
        for created in result.users:
            self.stdout.write(f"Utilisateur « {created.get_username()} » créé.")
        self.stdout.write(
            "Ensuite : importez vos clients, produits et stock (Paramètres › Import de données, ou "
            "comptoir import KIND FICHIER)."
        )

    def _acting(self, username):
        if not username:
            return None
        User = get_user_model()
        try:
            return User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"Utilisateur inconnu ou désactivé : « {username} ».", returncode=2) from None

    def _ask(self) -> plans.SetupPlan:
        if not sys.stdin.isatty():
            raise plans.PlanError(
                "Aucun terminal pour poser les questions : passez --file societe.toml (voir --example)."
            )
        self.stdout.write("Mise en place de la société. Laissez vide ce qui ne s'applique pas.")
        document: dict = {}
        for section, key, question in QUESTIONS:
            answer = input(f"{question} : ").strip()
            if answer:
                document.setdefault(section, {})[key] = answer
        self.stdout.write("Le premier utilisateur reçoit les rôles direction et administrateur.")
        users = []
        while True:
            username = input("Identifiant de l'utilisateur (vide pour terminer) : ").strip()
            if not username:
                break
            entry = {
                "identifiant": username,
                "prenom": input("Prénom : ").strip(),
                "nom": input("Nom : ").strip(),
                "email": input("E-mail : ").strip(),
                "mot_de_passe": self._password(),
            }
            if users:
                entry["roles"] = input("Rôles (séparés par des virgules : commercial, adv…) : ").replace(
                    " ", ""
                )
                entry["roles"] = [role for role in entry["roles"].split(",") if role]
            users.append(entry)
        document["utilisateurs"] = users
        return plans.from_document(document)

    def _password(self) -> str:
        password = getpass.getpass("Mot de passe : ")
        if password != getpass.getpass("Mot de passe (confirmation) : "):
            raise plans.PlanError("Les deux mots de passe diffèrent.")
        return password
