"""Every table declared append-only by a migration carries its guards on the engine in use."""

import pytest
from django.db import IntegrityError, connection, transaction

APPEND_ONLY = [
    "archive_storedcontent",
    "archive_archivedfile",
    "mailing_outgoingemail",
    "payments_payment",
    "payments_paymentallocation",
    "payments_creditapplication",
    "payments_refund",
    "payments_vatrelease",
    "payments_openinginvoice",
    "payments_openingallocation",
    "payments_openingsupplierinvoice",
    "stock_stockmove",
]


def _triggers(table: str) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [table]
            )
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db
@pytest.mark.parametrize("table", APPEND_ONLY)
def test_each_append_only_table_has_its_guards(table):
    expected = (
        {f"{table}_append_only", f"{table}_no_truncate"}
        if connection.vendor == "postgresql"
        else {f"{table}_update_refused", f"{table}_delete_refused"}
    )
    assert expected <= _triggers(table)


@pytest.mark.django_db
def test_an_archived_content_cannot_be_rewritten_in_sql():
    from comptoir.archive.models import StoredContent

    stored = StoredContent.objects.create(sha256="0" * 64, size=3, content=b"abc")
    with pytest.raises(IntegrityError) as refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE archive_storedcontent SET size = 4 WHERE id = %s", [stored.pk])
    assert "comptoir:" in str(refused.value)
