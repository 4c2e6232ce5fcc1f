"""Document-level allowances and charges, and the early-payment discount, through the API."""

from decimal import Decimal

import pytest

from comptoir.api.tests.conftest import BASE, error_of
from comptoir.billing.services import create_invoice_from_order
from comptoir.sales.services import confirm_order, create_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(boss, company, customer, service_product):
    order = confirm_order(
        create_order(customer, [{"product": service_product, "quantity": "1"}], by=boss), by=boss
    )
    return create_invoice_from_order(order, by=boss)


def test_a_draft_takes_an_allowance_a_charge_and_an_early_discount_then_issues(api, draft):
    path = f"/invoices/{draft.pk}/allowances-charges"
    response = api.post(path, {"kind": "allowance", "percent": "10", "reason_code": "95"})
    assert response.status_code == 201, response.json()
    body = response.json()
    # The VAT of the only line (20 %, S) by default; 10 % of 450.00.
    assert body["allowances_charges"][0] | {"id": 0} == {
        "id": 0,
        "kind": "allowance",
        "amount": "45.00",
        "percent": "10.00",
        "base_amount": "450.00",
        "reason": "Remise globale",
        "reason_code": "95",
        "discount_category": "uncategorised",
        "vat_rate": "20.00",
        "vat_category": "S",
    }
    response = api.post(path, {"kind": "charge", "amount": "15.00", "reason": "Frais de déplacement"})
    body = response.json()
    assert (body["total_lines"], body["total_allowances"], body["total_charges"], body["total_untaxed"]) == (
        "450.00",
        "45.00",
        "15.00",
        "420.00",
    )
    assert [(t["base"], t["amount"]) for t in body["taxes"]] == [("420.00", "84.00")]
    assert error_of(api.post(path, {"kind": "allowance", "amount": "500", "reason": "Trop"})) == (
        400,
        "allowance_exceeds_base",
    )
    assert error_of(api.post(path, {"kind": "charge", "amount": "5", "reason_code": "ZZZ"})) == (
        400,
        "allowance_charge_reason_code_unknown",
    )
    charge = body["allowances_charges"][1]["id"]
    removed = api.client.delete(f"{BASE}{path}/{charge}", headers=api.headers)
    assert removed.status_code == 200 and removed.json()["total_untaxed"] == "405.00"
    response = api.post(f"/invoices/{draft.pk}/early-discount", {"percent": "1.5", "days": 8})
    assert (response.json()["early_discount_percent"], response.json()["early_discount_days"]) == ("1.50", 8)
    issued = api.post(f"/invoices/{draft.pk}/issue").json()
    assert issued["total"] == "486.00" and issued["early_discount_until"] is not None
    assert "Escompte de 1,5" in issued["payment_terms"]
    ubl = api.get(f"/invoices/{draft.pk}/ubl").content
    assert b'<cbc:AllowanceTotalAmount currencyID="EUR">45.00</cbc:AllowanceTotalAmount>' in ubl
    assert error_of(api.post(path, {"kind": "charge", "amount": "5", "reason": "Port"})) == (
        400,
        "allowance_charge_not_allowed",
    )
    assert Decimal(issued["total_untaxed"]) == Decimal("405.00")
