import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from comptoir.catalog.models import Product
from comptoir.cli import translate_argv
from comptoir.imports.tests.files import PRODUCTS, csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

BAD_ROW = ["X-1", "Taux inconnu", "", "pièce", "10", "5", "7"]


def test_the_command_is_comptoir_import():
    assert translate_argv(["comptoir", "import", "products", "f.csv"])[1] == "import"


def test_dry_run_prints_the_report_and_writes_nothing(boss, tmp_path, capsys):
    path = tmp_path / "produits.csv"
    path.write_bytes(csv_bytes([*PRODUCTS, BAD_ROW], encoding="cp1252"))
    with pytest.raises(CommandError) as exc:
        call_command("import", "products", str(path), "--user", boss.username, "--dry-run")
    assert exc.value.returncode == 1
    out = capsys.readouterr().out
    assert "Test de « produits.csv » : 3 créé(s), 0 mis à jour, 0 inchangé(s), 1 refusé(s)." in out
    assert "Ligne 5, colonne « Taux de TVA », valeur « 7 » : Le taux de TVA 7 % n'existe pas en France" in out
    assert Product.objects.count() == 0


def test_all_or_nothing_then_valid_only_with_the_refused_rows_written(boss, tmp_path, capsys):
    path = tmp_path / "produits.xlsx"
    path.write_bytes(xlsx_bytes([*PRODUCTS, BAD_ROW]))
    with pytest.raises(CommandError):
        call_command("import", "products", str(path), "--user", boss.username)
    assert Product.objects.count() == 0
    refused = tmp_path / "refus.csv"
    with pytest.raises(CommandError):
        call_command(
            "import",
            "products",
            str(path),
            "--user",
            boss.username,
            "--valid-only",
            "--refused",
            str(refused),
        )
    assert Product.objects.count() == 3
    assert refused.read_text(encoding="utf-8-sig").splitlines()[1].startswith("X-1;")


def test_dolibarr_preset_from_the_command_line(boss, tmp_path, capsys):
    path = tmp_path / "export_produits.csv"
    path.write_bytes(
        csv_bytes(
            [
                ["Réf.", "Libellé", "Prix unitaire HT", "Taux TVA", "Code-barres"],
                ["P1", "Pot", "3,5", "20", ""],
            ]
        )
    )
    call_command("import", "products", str(path), "--user", boss.username, "--preset", "dolibarr")
    assert "1 créé(s)" in capsys.readouterr().out
    assert Product.objects.get(sku="P1").sale_price == 3.5


def test_an_unknown_user_or_file_is_refused(boss, tmp_path):
    with pytest.raises(CommandError) as exc:
        call_command("import", "products", str(tmp_path / "absent.csv"), "--user", boss.username)
    assert exc.value.returncode == 2
    with pytest.raises(CommandError):
        call_command("import", "products", str(tmp_path / "absent.csv"), "--user", "personne")
