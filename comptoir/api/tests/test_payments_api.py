"""A payment received before its remittance advice is allocated later through the API."""

import pytest

from comptoir.api.tests.conftest import error_of
from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.payments.services import register_payment
from comptoir.sales.services import confirm_order, create_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def advance_and_invoice(boss, company, customer, service_product):
    order = confirm_order(
        create_order(customer, [{"product": service_product, "quantity": "1"}], by=boss), by=boss
    )
    invoice = issue_invoice(create_invoice_from_order(order, by=boss), by=boss)  # 540 € incl. VAT
    return register_payment(customer, amount="600.00", method="cheque", by=boss), invoice


def test_allocating_what_a_payment_left_returns_what_is_still_unallocated(api, advance_and_invoice):
    payment, invoice = advance_and_invoice

    response = api.post(
        f"/payments/{payment.pk}/allocate", {"allocations": [{"invoice": invoice.pk, "amount": "540.00"}]}
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["unallocated"] == "60.00"
    assert [(a["invoice_number"], a["amount"]) for a in body["allocations"]] == [(invoice.number, "540.00")]
    assert api.get(f"/invoices/{invoice.pk}").json()["payment"]["status"] == "paid"


def test_allocating_more_than_is_left_or_without_the_role_is_refused(api, api_as, advance_and_invoice):
    payment, invoice = advance_and_invoice
    too_much = {"allocations": [{"invoice": invoice.pk, "amount": "600.01"}]}
    assert (
        error_of(api.post(f"/payments/{payment.pk}/allocate", too_much))[1] == "payment_unallocated_exceeded"
    )

    fair = {"allocations": [{"invoice": invoice.pk, "amount": "540.00"}]}
    assert error_of(api_as("logistique").post(f"/payments/{payment.pk}/allocate", fair)) == (
        403,
        "permission_denied",
    )
    assert error_of(api.post("/payments/999999/allocate", fair)) == (404, "not_found")
