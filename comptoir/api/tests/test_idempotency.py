"""A request sent again with the same `Idempotency-Key` (a double click, a retry after a lost answer)
gets the first answer again and never creates a second document."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comptoir.api.tests.conftest import error_of
from comptoir.core import idempotency
from comptoir.core.models import AuditEvent, IdempotencyKey
from comptoir.parties.models import Customer
from comptoir.payments.models import Payment
from comptoir.sales.models import Order

pytestmark = pytest.mark.django_db

KEY = {"Idempotency-Key": "6f1c0a52-2f7e-4d55-9d1e-3b8f1b0b7a10"}


def _payment(customer, amount="150.00"):
    return {"customer": customer.pk, "amount": amount, "method": "transfer", "reference": "VIR 4471"}


def test_a_payment_sent_three_times_with_one_key_is_registered_once_and_answered_the_same(api, customer):
    answers = [api.post("/payments", _payment(customer), headers=KEY) for _ in range(3)]

    assert [a.status_code for a in answers] == [201, 201, 201]
    assert answers[1].content == answers[0].content == answers[2].content
    assert Payment.objects.count() == 1
    assert answers[0].json()["number"] == Payment.objects.get().number
    assert AuditEvent.objects.filter(action__startswith="payment.").count() == 1
    assert "Idempotent-Replayed" not in answers[0] and answers[1]["Idempotent-Replayed"] == "true"


def test_a_customer_and_an_order_sent_three_times_with_one_key_each_are_created_once(api, customer, product):
    new_customer = {"name": "Quincaillerie Dubois", "siren": "552032534", "city": "Lyon"}
    created = [
        api.post("/customers", new_customer, headers={"Idempotency-Key": "client-1"}) for _ in range(3)
    ]
    order = {"customer": customer.pk, "lines": [{"product": product.pk, "quantity": "2"}]}
    ordered = [api.post("/orders", order, headers={"Idempotency-Key": "cmd-1"}) for _ in range(3)]

    assert {(r.status_code, r.content) for r in created} == {(201, created[0].content)}
    assert {(r.status_code, r.content) for r in ordered} == {(201, ordered[0].content)}
    assert Customer.objects.filter(name="Quincaillerie Dubois").count() == 1
    assert Order.objects.count() == 1


def test_the_same_key_with_another_body_is_refused_and_creates_nothing(api, customer):
    first = api.post("/payments", _payment(customer), headers=KEY)
    other = api.post("/payments", _payment(customer, amount="151.00"), headers=KEY)
    elsewhere = api.post("/customers", {"name": "Autre SARL"}, headers=KEY)

    assert first.status_code == 201
    assert error_of(other) == (409, "idempotency_key_reused")
    assert error_of(elsewhere) == (409, "idempotency_key_reused")
    assert Payment.objects.count() == 1 and not Customer.objects.filter(name="Autre SARL").exists()


def test_the_same_body_with_its_keys_reordered_or_respaced_is_the_same_request(api, customer):
    api.post("/payments", _payment(customer), headers=KEY)
    again = api.post(
        "/payments",
        raw=f'{{ "reference": "VIR 4471", "method": "transfer", "amount": "150.00", "customer": {customer.pk} }}',
        headers=KEY,
    )
    assert again.status_code == 201 and Payment.objects.count() == 1


def test_keys_belong_to_their_user(api, api_as, customer):
    accountant = api_as("comptabilite")
    api.post("/payments", _payment(customer), headers=KEY)
    theirs = accountant.post("/payments", _payment(customer), headers=KEY)

    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs
    assert Payment.objects.count() == 2


def test_a_refused_request_does_not_use_up_its_key(api, customer):
    invalid = api.post("/payments", _payment(customer) | {"method": "bitcoin"}, headers=KEY)
    refused = api.post("/payments", _payment(customer, amount="-5"), headers=KEY)
    unknown_customer = api.post("/payments", _payment(customer) | {"customer": 999999}, headers=KEY)
    corrected = api.post("/payments", _payment(customer), headers=KEY)

    assert error_of(invalid) == (422, "validation_error")
    assert error_of(refused) == (400, "payment_amount_not_positive")
    assert error_of(unknown_customer) == (404, "unknown_customer")
    assert corrected.status_code == 201 and Payment.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1


def test_without_a_key_every_post_is_a_new_request(api, customer):
    api.post("/payments", _payment(customer))
    api.post("/payments", _payment(customer))
    assert Payment.objects.count() == 2 and not IdempotencyKey.objects.exists()


@pytest.mark.parametrize("key", ["", " ", "x" * 256, "clé-accentuée", "a\tb"])
def test_a_malformed_key_is_refused_before_anything_is_done(api, customer, key):
    response = api.post("/payments", _payment(customer), headers={"Idempotency-Key": key})
    assert error_of(response) == (400, "invalid_idempotency_key")
    assert not Payment.objects.exists()


def test_a_key_is_kept_for_a_day_then_purged_and_free_again(api, customer):
    api.post("/payments", _payment(customer), headers=KEY)
    IdempotencyKey.objects.update(
        created_at=timezone.now() - idempotency.KEEP_FOR - datetime.timedelta(minutes=1)
    )
    recent = api.post("/customers", {"name": "Récente SARL"}, headers={"Idempotency-Key": "recent"})

    assert idempotency.purge() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["recent"]
    assert recent.status_code == 201
    # Forgotten: the key may now name another request.
    assert api.post("/payments", _payment(customer, amount="99.00"), headers=KEY).status_code == 201
    assert Payment.objects.count() == 2


def test_an_expired_key_not_purged_yet_is_free_again(api, customer):
    api.post("/payments", _payment(customer), headers=KEY)
    IdempotencyKey.objects.update(
        created_at=timezone.now() - idempotency.KEEP_FOR - datetime.timedelta(minutes=1)
    )
    assert api.post("/payments", _payment(customer, amount="99.00"), headers=KEY).status_code == 201
    assert Payment.objects.count() == 2 and IdempotencyKey.objects.count() == 1


def test_every_post_operation_documents_the_header(api):
    schema = api.get("/openapi.json").json()
    posts = [op for path in schema["paths"].values() for method, op in path.items() if method == "post"]
    others = [op for path in schema["paths"].values() for method, op in path.items() if method != "post"]

    assert posts and all(
        any(p["in"] == "header" and p["name"] == "Idempotency-Key" for p in op.get("parameters", []))
        for op in posts
    )
    assert not any(p.get("name") == "Idempotency-Key" for op in others for p in op.get("parameters", []))


def test_a_post_without_a_key_costs_no_extra_query(api, customer):
    api.post("/payments", _payment(customer))  # the token's first use writes last_used_at
    with CaptureQueriesContext(connection) as plain:
        api.post("/payments", _payment(customer))
    with CaptureQueriesContext(connection) as keyed:
        api.post("/payments", _payment(customer), headers=KEY)
    assert not any("idempotency" in q["sql"] for q in plain.captured_queries)
    # The claim and the answer kept with it; the savepoint of the endpoint's own transaction.
    assert len(keyed) - len(plain) <= 4
