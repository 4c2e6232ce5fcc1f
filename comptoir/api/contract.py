"""The API against its published OpenAPI document, checked by schemathesis: a small company to run the
checks on and what they hold the API to. Used by `bench/api_contract.py` (every operation, every phase,
over HTTP) and `api/tests/test_contract.py` (every operation, a few generated requests each, in-process
through the WSGI application).

Not imported by the application: schemathesis is a development dependency.
"""

from decimal import Decimal

from comptoir.api.openapi import SCHEMA_VALID_STATUSES

# schemathesis' configuration (its `schemathesis.toml`, as a dict): a request that follows the schema may
# be answered 400 when a rule the schema cannot state refuses it (see openapi.SCHEMA_VALID_STATUSES).
CONFIG = {"checks": {"positive_data_acceptance": {"expected-statuses": SCHEMA_VALID_STATUSES}}}

SERVER_ERROR_CHECK = "not_a_server_error"

# Operations that may end the authentication of the run itself (a token can revoke itself): checked on
# their own, after every other operation, or every request after them would be answered 401.
RUN_LAST = ("POST /api/v1/tokens/{token_id}/revoke",)


def seed_company():
    """One document of each kind along the chain, written through the real services; returns the
    direction user the checks act as."""
    from comptoir.billing.services import create_invoice_from_order, issue_invoice
    from comptoir.core.permissions import Role
    from comptoir.core.testing import make_company, make_customer, make_product, make_user
    from comptoir.payments.services import register_payment
    from comptoir.returns.services import open_case
    from comptoir.sales.services import accept_quote, confirm_order, create_order, create_quote, send_quote
    from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

    admin = make_user("admin", Role.ADMIN)
    make_company(admin)
    boss = make_user("direction", Role.DIRECTION)
    customer = make_customer(boss, name="Menuiserie Martin SARL", siren="542107651")
    make_customer(boss, name="Garage Dupont SARL", siren="552032534")
    drill = make_product(boss, sku="REF-88", name="Perceuse", sale_price="120.00", purchase_cost="70.00")
    saw = make_product(boss, sku="REF-89", name="Scie", sale_price="80.00", purchase_cost="40.00")
    make_product(boss, sku="SRV-INST", name="Installation", sale_price="450.00", kind="service")
    receive_stock(
        [
            {"product": drill, "quantity": "50", "unit_cost": "70"},
            {"product": saw, "quantity": "30", "unit_cost": "40"},
        ],
        by=boss,
        supplier_name="Bosch",
    )
    quote = send_quote(create_quote(customer, [{"product": saw, "quantity": "2"}], by=boss), by=boss)
    accept_quote(quote, by=boss)
    order = confirm_order(create_order(customer, [{"product": drill, "quantity": "10"}], by=boss), by=boss)
    delivery = validate_delivery(create_delivery(order, by=boss), by=boss)
    invoice = issue_invoice(create_invoice_from_order(order, by=boss), by=boss)
    register_payment(
        customer,
        by=boss,
        amount=Decimal("500.00"),
        method="transfer",
        allocations=[{"invoice": invoice, "amount": Decimal("500.00")}],
    )
    open_case(
        delivery,
        [{"delivery_line": delivery.lines.get(), "quantity": "2"}],
        by=boss,
        reason="damaged",
        customer_statement="Deux perceuses arrivées avec le carter fendu.",
    )
    create_order(customer, [{"product": saw, "quantity": "1"}], by=boss)
    # The commercial pipeline: a lead, an opportunity with its quote, an activity
    from comptoir.crm import services as crm

    crm.create_lead(by=boss, company_name="Charpentes Roux", source="trade_show")
    deal = crm.create_opportunity(customer, by=boss, title="Atelier neuf", amount="5000")
    create_quote(customer, [{"product": drill, "quantity": "3"}], by=boss, opportunity=deal)
    crm.plan_activity(
        opportunity=deal, kind="call", subject="Relancer", due_date=deal.created_on, assigned_to=boss, by=boss
    )
    return boss
