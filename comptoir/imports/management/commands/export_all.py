from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from comptoir.core.errors import DomainError
from comptoir.imports.full_export import export_all_data


class Command(BaseCommand):
    help = (
        "Exporte toutes les données de la société dans un zip (un CSV par table, les documents archivés, "
        "manifest.json, LISEZMOI.txt) : comptoir export-all --out export.zip --user claire."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="le fichier zip à écrire")
        parser.add_argument(
            "--user", required=True, help="l'utilisateur qui exporte (direction ou administrateur)"
        )

    def handle(self, *args, out, user, **options):
        User = get_user_model()
        try:
            by = User.objects.get(username=user, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"Utilisateur inconnu ou désactivé : « {user} ».", returncode=2) from None
        target = Path(out)
        if target.exists():
            raise CommandError(f"Le fichier {out} existe déjà : choisissez un autre nom.", returncode=2)
        partial = target.with_name(target.name + ".partiel")
        try:
            with partial.open("wb") as handle:
                manifest = export_all_data(handle, by=by)
        except DomainError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(exc.message, returncode=1) from None
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.rename(target)
        rows = sum(t.rows for t in manifest.tables)
        self.stdout.write(
            f"{target} : {len(manifest.tables)} tables, {rows} lignes, {manifest.files} fichiers, "
            f"{manifest.media} fichiers déposés."
        )
