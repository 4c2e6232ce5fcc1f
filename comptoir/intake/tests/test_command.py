"""comptoir intake import PATH...: each file kept and read, one line per file, exit 1 on a refused one."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from comptoir.intake.models import InboundDocument
from comptoir.intake.tests.conftest import FIXTURES

pytestmark = pytest.mark.django_db


def test_import_reads_every_file_of_a_folder_and_says_what_became_of_each(boss, brasserie, catalogue, capsys):
    call_command("intake", "import", str(FIXTURES), "--user", boss.username)
    out = capsys.readouterr().out
    assert out.count("À vérifier") == 5  # the four structured fixtures and the digital PDF
    assert "order-scan.png : REC-" in out and "lecture (OCR) en cours" in out  # read by the worker
    assert "PO-2026-0412" in out and "Brasserie du Port SAS" in out
    assert set(InboundDocument.objects.values_list("channel", flat=True)) == {"cli"}


def test_the_same_file_twice_is_said_already_received(boss, brasserie, catalogue, capsys):
    path = str(FIXTURES / "order-x.xml")
    call_command("intake", "import", path, "--user", boss.username)
    call_command("intake", "import", path, "--user", boss.username)
    assert "(déjà reçu)" in capsys.readouterr().out
    assert InboundDocument.objects.count() == 1


def test_an_empty_file_is_refused_with_exit_code_1(boss, tmp_path, capsys):
    empty = tmp_path / "vide.csv"
    empty.write_bytes(b"")
    picture = tmp_path / "scan.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 10)
    with pytest.raises(CommandError) as failed:
        call_command("intake", "import", str(empty), str(picture), "--user", boss.username)
    assert failed.value.returncode == 1
    captured = capsys.readouterr()
    assert "intake_empty_file" in captured.err
    assert "Reçu" in captured.out and "lecture (OCR) en cours" in captured.out
