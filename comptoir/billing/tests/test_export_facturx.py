import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.einvoice.validate import read_back
from comptoir.sales.services import confirm_order, create_order

pytestmark = pytest.mark.django_db


def test_export_facturx_writes_one_readable_pdf_per_issued_document(
    boss, company, customer, service_product, tmp_path
):
    numbers = []
    for _ in range(2):
        order = confirm_order(
            create_order(customer, [{"product": service_product, "quantity": "1"}], by=boss), by=boss
        )
        numbers.append(issue_invoice(create_invoice_from_order(order, by=boss), by=boss).number)
    call_command("export_facturx", all=True, out=str(tmp_path))
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == [f"{n}.pdf" for n in numbers]
    assert read_back((tmp_path / files[0]).read_bytes()).xml
    single = tmp_path / "one" / "f.pdf"
    call_command("export_facturx", numbers[1], out=str(single))
    assert single.read_bytes() == (tmp_path / f"{numbers[1]}.pdf").read_bytes()
    with pytest.raises(CommandError):
        call_command("export_facturx", "FA-1999-00001", out=str(single))
