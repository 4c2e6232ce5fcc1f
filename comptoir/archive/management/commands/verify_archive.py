from django.core.management.base import BaseCommand

from comptoir.archive import integrity


class Command(BaseCommand):
    help = (
        "Vérifie l'archive des documents : recalcule l'empreinte SHA-256 de chaque contenu archivé et nomme "
        "chaque fichier absent ou modifié (code de sortie 1). --reindex : écrit aussi la fiche de recherche "
        "des fichiers qui n'en ont pas."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--reindex",
            action="store_true",
            help="Écrire les fiches de recherche manquantes avant de vérifier.",
        )

    def handle(self, *args, reindex=False, **options):
        if reindex:
            self.stdout.write(f"{integrity.reindex()} fiche(s) de recherche écrite(s).")
        report = integrity.verify()
        if report.ok:
            self.stdout.write(
                f"Archive intègre : {report.checked} contenu(s) vérifié(s) pour {report.files} fichier(s)."
            )
            return
        self.stderr.write(
            f"Archive altérée : {len(report.missing)} fichier(s) absent(s), "
            f"{len(report.altered)} modifié(s), sur {report.checked} contenu(s)."
        )
        for line in report.missing:
            self.stderr.write(f"  - absent : {line}")
        for line in report.altered:
            self.stderr.write(f"  - modifié : {line}")
        raise SystemExit(1)
