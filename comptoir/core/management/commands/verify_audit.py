from django.core.management.base import BaseCommand

from comptoir.core import checkpoints, integrity


class Command(BaseCommand):
    help = (
        "Vérifie le journal d'audit : chaîne scellée, points de contrôle externes et documents "
        "(factures, écritures, règlements, archives) ; nomme chaque rupture (code de sortie 1)."
    )
    # Like createsuperuser: no need to import every URL and template to run this.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoints",
            action="append",
            default=[],
            metavar="FICHIER",
            help="Autre fichier de points de contrôle (copie reçue par e-mail, sauvegarde…).",
        )
        parser.add_argument(
            "--no-checkpoint",
            action="store_true",
            help="Ne pas ajouter de point de contrôle après une vérification réussie.",
        )

    def handle(self, *args, **options):
        report = integrity.verify(checkpoint_files=options["checkpoints"])
        if report.ok:
            self.stdout.write(
                f"Journal d'audit intègre : {report.checked} événements vérifiés, "
                f"{report.checkpoints} points de contrôle, documents concordants."
            )
            if not options["no_checkpoint"]:
                checkpoint = checkpoints.take()
                if checkpoint is not None:
                    path = checkpoints.append(checkpoint)
                    self.stdout.write(f"Point de contrôle n° {checkpoint.seq} ajouté à {path}.")
            return
        self.stderr.write(f"Journal d'audit altéré : {len(report.problems)} rupture(s) trouvée(s).")
        for problem in report.problems:
            self.stderr.write(f"  - {problem}")
        raise SystemExit(1)
