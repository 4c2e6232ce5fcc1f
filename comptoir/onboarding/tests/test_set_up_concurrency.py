"""Two first runs at once on a new installation: one company, the other refused."""

import threading

import pytest
from django.db import connection, connections, transaction

from comptoir.core.errors import Conflict
from comptoir.core.testing import statements_waiting_for_locks, wait_until
from comptoir.onboarding import services
from comptoir.onboarding.plan import SetupPlan, UserPlan
from comptoir.parties.models import Company

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row and table locks: PostgreSQL"),
]


def plan(name: str, siren: str, username: str) -> SetupPlan:
    return SetupPlan(
        company={"legal_name": name, "siren": siren},
        users=[UserPlan(username=username, password="Premier-Pas-2026", roles=[])],
    )


def test_two_set_ups_at_once_make_one_company_and_refuse_the_other():
    results = [None, None]
    plans = [
        plan("Atelier Mercier SARL", "542107651", "paul"),
        plan("Outillage Durand SAS", "732829320", "claire"),
    ]

    def run(i):
        try:
            results[i] = services.set_up_company(plans[i])
        except Exception as exc:  # handed back to the test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    table = Company._meta.db_table
    with transaction.atomic():
        # Held here, so both set-ups have started and wait on the same table before either goes on.
        with connection.cursor() as cursor:
            cursor.execute(f'LOCK TABLE "{table}" IN SHARE ROW EXCLUSIVE MODE')
        for thread in threads:
            thread.start()
        assert wait_until(lambda: sum(table in sql for sql in statements_waiting_for_locks()) == 2), (
            statements_waiting_for_locks()
        )
    for thread in threads:
        thread.join()

    assert Company.objects.count() == 1
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], Conflict)
    assert refused[0].code == "company_already_set_up"
