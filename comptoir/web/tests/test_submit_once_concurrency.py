"""A double click on the payment form, the two submits on two real PostgreSQL connections at once: the
second waits for the first and lands on its payment; one payment only."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from comptoir.core.models import NumberSequence
from comptoir.core.testing import run_second_while_first_waits
from comptoir.payments.models import Payment
from comptoir.payments.services import register_payment
from comptoir.web.tests.clients import client_for
from comptoir.web.tests.test_submit_once import FIELD, token_in

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrent connections: PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def test_a_double_click_on_the_payment_form_registers_one_payment(boss, customer):
    register_payment(customer, amount="1.00", method="cash", by=boss)  # the payments' number counter exists
    browser = client_for(boss)
    page = browser.get(f"/reglements/nouveau/?client={customer.pk}")
    data = {
        "client": customer.pk,
        "date": datetime.date.today().isoformat(),
        "method": "transfer",
        "reference": "VIR double clic",
        "amount": "75,00",
        FIELD: token_in(page, "/reglements/nouveau/"),
    }

    def click():
        tab = Client()  # the same browser session: the same cookie
        tab.cookies[settings.SESSION_COOKIE_NAME] = browser.cookies[settings.SESSION_COOKIE_NAME].value
        return tab.post("/reglements/nouveau/", data)

    answers = run_second_while_first_waits(
        click,
        click,
        held=NumberSequence.objects.filter(series="REG"),
        first_waits_on="core_numbersequence",
        second_waits_on="core_idempotencykey",
    )

    payment = Payment.objects.get(reference="VIR double clic")
    assert [(a.status_code, a["Location"]) for a in answers] == [(302, f"/reglements/{payment.pk}/")] * 2
