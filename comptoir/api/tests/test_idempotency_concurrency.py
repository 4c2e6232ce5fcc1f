"""The same keyed request sent twice at once, on two real PostgreSQL connections: the second waits for
the first, then gives its answer; one document only."""

import pytest
from django.db import connection

from comptoir.api.tests.conftest import ApiClient, issue_token
from comptoir.core.models import NumberSequence
from comptoir.core.testing import run_second_while_first_waits
from comptoir.payments.models import Payment
from comptoir.payments.services import register_payment

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrent connections: PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def _both_at_once(first, second):
    """`second` sent while `first` holds its key and waits for the payments' number counter (held by
    the test): the second must wait on the key, before doing anything of its own."""
    return run_second_while_first_waits(
        first,
        second,
        held=NumberSequence.objects.filter(series="REG"),
        first_waits_on="core_numbersequence",
        second_waits_on="core_idempotencykey",
    )


def test_two_identical_keyed_payments_sent_at_once_register_one_payment(boss, customer):
    register_payment(customer, amount="1.00", method="cash", by=boss)  # the payments' number counter exists
    token = issue_token(boss)
    ApiClient(token).get("/payments")  # the URLs imported and the token's last use written beforehand
    body = {"customer": customer.pk, "amount": "250.00", "method": "transfer", "reference": "VIR 88"}

    def send():
        return ApiClient(token).post("/payments", body, headers={"Idempotency-Key": "b8e2c1f0-double-click"})

    answers = _both_at_once(send, send)

    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].content == answers[1].content
    assert answers[1]["Idempotent-Replayed"] == "true"
    assert Payment.objects.filter(reference="VIR 88").count() == 1


def test_the_same_key_sent_at_once_with_another_body_is_refused_once_the_first_is_done(boss, customer):
    register_payment(customer, amount="1.00", method="cash", by=boss)
    token = issue_token(boss)
    ApiClient(token).get("/payments")

    def send(amount):
        body = {"customer": customer.pk, "amount": amount, "method": "transfer"}
        return lambda: ApiClient(token).post("/payments", body, headers={"Idempotency-Key": "same-key"})

    answers = _both_at_once(send("250.00"), send("999.00"))

    assert answers[0].status_code == 201
    assert (answers[1].status_code, answers[1].json()["code"]) == (409, "idempotency_key_reused")
    assert sorted(Payment.objects.values_list("amount", flat=True)) == [1, 250]
