"""Bad input is refused with a 4xx, a stable code and a French message, and writes nothing. Never a 500."""

import contextlib
import datetime
import re

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comptoir.accounting.models import JournalEntry
from comptoir.api.tests.conftest import ApiClient, error_of, issue_token
from comptoir.billing.models import Invoice
from comptoir.billing.services import cancel_draft_invoice, create_invoice_from_order, issue_invoice
from comptoir.catalog.models import Product
from comptoir.core.models import AuditEvent
from comptoir.parties.models import Contact, Customer
from comptoir.payments.models import Payment
from comptoir.sales.models import Order, Quote
from comptoir.sales.services import confirm_order, create_order, create_quote
from comptoir.stock.models import Delivery, Receipt, StockMove
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

WATCHED = (
    AuditEvent,
    Customer,
    Contact,
    Product,
    Quote,
    Order,
    Delivery,
    Receipt,
    StockMove,
    Invoice,
    Payment,
    JournalEntry,
)


@contextlib.contextmanager
def nothing_written():
    before = {model.__name__: model.objects.count() for model in WATCHED}
    yield
    assert {model.__name__: model.objects.count() for model in WATCHED} == before


@pytest.fixture
def stocked(boss, product):
    receive_stock([{"product": product, "quantity": "50", "unit_cost": "70"}], by=boss)
    return product


@pytest.fixture
def confirmed_order(boss, customer, stocked):
    return confirm_order(create_order(customer, [{"product": stocked, "quantity": "12"}], by=boss), by=boss)


@pytest.fixture
def issued_invoice(boss, company, confirmed_order):
    validate_delivery(create_delivery(confirmed_order, by=boss), by=boss)
    return issue_invoice(create_invoice_from_order(confirmed_order, by=boss), by=boss)


# --- The refusals the business rules define ---------------------------------------------------------


def test_quote_with_an_unknown_product_is_refused_as_unknown_product(api, customer):
    with nothing_written():
        response = api.post(
            "/quotes", {"customer": customer.pk, "lines": [{"product": 987654, "quantity": "1"}]}
        )
    assert error_of(response) == (404, "unknown_product")


@pytest.mark.parametrize("quantity", ["0", "-3", "0.000", "-0.001"])
def test_quote_line_quantity_must_be_positive(api, customer, product, quantity):
    with nothing_written():
        response = api.post(
            "/quotes", {"customer": customer.pk, "lines": [{"product": product.pk, "quantity": quantity}]}
        )
    assert error_of(response) == (400, "quantity_not_positive")


def test_a_line_amount_beyond_the_limit_is_a_400_not_an_overflow(api, customer, product):
    line = {"product": product.pk, "quantity": "99999999", "unit_price": "99999999"}
    with nothing_written():
        response = api.post("/quotes", {"customer": customer.pk, "lines": [line]})
    assert error_of(response) == (400, "amount_too_large")


@pytest.mark.parametrize("quantity", ["0", "-5"])
def test_receipt_quantity_must_be_positive(api, product, quantity):
    with nothing_written():
        response = api.post("/stock/receipts", {"lines": [{"product": product.pk, "quantity": quantity}]})
    assert error_of(response) == (400, "quantity_not_positive")


def test_quantity_finer_than_a_thousandth_is_refused_before_reaching_the_service(api, product):
    with nothing_written():
        response = api.post("/stock/receipts", {"lines": [{"product": product.pk, "quantity": "0.0001"}]})
    assert error_of(response) == (422, "validation_error")
    assert response.json()["details"][0]["field"] == "lines.0.quantity"


def test_delivering_more_than_ordered_is_refused(api, confirmed_order):
    line = confirmed_order.lines.get()
    with nothing_written():
        response = api.post(
            "/deliveries", {"order": confirmed_order.pk, "lines": [{"order_line": line.pk, "quantity": "13"}]}
        )
    assert error_of(response) == (400, "delivery_exceeds_ordered")
    assert "13" in response.json()["message"] and "12" in response.json()["message"]


@pytest.mark.parametrize("quantity", ["0", "-1"])
def test_delivery_quantity_must_be_positive(api, confirmed_order, quantity):
    line = confirmed_order.lines.get()
    with nothing_written():
        response = api.post(
            "/deliveries",
            {"order": confirmed_order.pk, "lines": [{"order_line": line.pk, "quantity": quantity}]},
        )
    assert error_of(response) == (400, "quantity_not_positive")


def test_delivering_a_line_of_another_order_is_refused(api, boss, customer, stocked, confirmed_order):
    other = confirm_order(create_order(customer, [{"product": stocked, "quantity": "1"}], by=boss), by=boss)
    with nothing_written():
        response = api.post(
            "/deliveries",
            {"order": confirmed_order.pk, "lines": [{"order_line": other.lines.get().pk, "quantity": "1"}]},
        )
    assert error_of(response) == (400, "line_not_in_order")


def test_paying_a_cancelled_draft_invoice_is_refused(api, boss, company, customer, confirmed_order):
    validate_delivery(create_delivery(confirmed_order, by=boss), by=boss)
    invoice = cancel_draft_invoice(create_invoice_from_order(confirmed_order, by=boss), by=boss)
    with nothing_written():
        response = api.post(
            "/payments",
            {
                "customer": customer.pk,
                "amount": "100.00",
                "method": "transfer",
                "allocations": [{"invoice": invoice.pk, "amount": "100.00"}],
            },
        )
    assert error_of(response) == (400, "invoice_not_payable")


def test_allocating_more_than_the_payment_is_refused(api, customer, issued_invoice):
    with nothing_written():
        response = api.post(
            "/payments",
            {
                "customer": customer.pk,
                "amount": "100.00",
                "method": "transfer",
                "allocations": [{"invoice": issued_invoice.pk, "amount": "150.00"}],
            },
        )
    assert error_of(response) == (400, "payment_over_allocated")


def test_allocating_more_than_the_invoice_balance_is_refused(api, customer, issued_invoice):
    with nothing_written():
        response = api.post(
            "/payments",
            {
                "customer": customer.pk,
                "amount": "5000.00",
                "method": "transfer",
                "allocations": [{"invoice": issued_invoice.pk, "amount": "5000.00"}],
            },
        )
    assert error_of(response) == (400, "allocation_exceeds_balance")


def test_paying_an_unknown_invoice_is_404(api, customer):
    with nothing_written():
        response = api.post(
            "/payments",
            {
                "customer": customer.pk,
                "amount": "10",
                "method": "cheque",
                "allocations": [{"invoice": 424242, "amount": "10"}],
            },
        )
    assert error_of(response) == (404, "unknown_invoice")


def test_unknown_payment_method_is_refused(api, customer):
    with nothing_written():
        response = api.post("/payments", {"customer": customer.pk, "amount": "10", "method": "bitcoin"})
    assert error_of(response) == (422, "validation_error")
    assert "transfer" in response.json()["message"]


@pytest.mark.parametrize("siren", ["123456789", "54210765", "ABCDEFGHI"])
def test_customer_with_an_invalid_siren_is_refused(api, siren):
    with nothing_written():
        response = api.post(
            "/customers", {"name": "Scierie Blanc", "siren": siren, "contacts": [{"name": "Paul Blanc"}]}
        )
    assert error_of(response) == (400, "invalid_siren")
    assert siren in response.json()["message"]


def test_patching_a_customer_with_an_invalid_siren_changes_nothing(api, customer):
    with nothing_written():
        response = api.patch(f"/customers/{customer.pk}", {"siren": "123456789", "city": "Nantes"})
    assert error_of(response) == (400, "invalid_siren")
    customer.refresh_from_db()
    assert (customer.siren, customer.city) == ("542107651", "Paris")


def test_issuing_an_invoice_twice_is_refused(api, issued_invoice):
    with nothing_written():
        response = api.post(f"/invoices/{issued_invoice.pk}/issue")
    assert error_of(response) == (400, "invoice_not_draft")


def test_cancelling_an_issued_invoice_is_a_conflict(api, issued_invoice):
    with nothing_written():
        response = api.post(f"/invoices/{issued_invoice.pk}/cancel")
    assert error_of(response) == (409, "invalid_transition")


def test_issuing_an_invoice_dated_in_the_future_is_refused(api, boss, company, confirmed_order):
    validate_delivery(create_delivery(confirmed_order, by=boss), by=boss)
    draft = create_invoice_from_order(confirmed_order, by=boss)
    with nothing_written():
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        response = api.post(f"/invoices/{draft.pk}/issue", {"date": tomorrow.isoformat()})
    assert error_of(response) == (400, "date_in_future")


def test_accepting_a_draft_quote_is_a_conflict(api, boss, customer, product):
    from comptoir.sales.services import create_quote

    quote = create_quote(customer, [{"product": product, "quantity": "1"}], by=boss)
    with nothing_written():
        response = api.post(f"/quotes/{quote.pk}/accept")
    assert error_of(response) == (409, "invalid_transition")


def test_duplicate_sku_is_refused(api, product):
    with nothing_written():
        response = api.post("/products", {"sku": product.sku, "name": "Autre", "sale_price": "1"})
    assert error_of(response) == (400, "duplicate_sku")


def test_unknown_vat_rate_is_refused(api):
    with nothing_written():
        response = api.post("/products", {"sku": "X-1", "name": "Vis", "sale_price": "1", "vat_rate": "19.6"})
    assert error_of(response) == (400, "invalid_vat_rate")


# --- Input the HTTP layer refuses -------------------------------------------------------------------

GARBAGE_NUMBERS = [
    "12,5abc",
    "abc",
    "",
    " ",
    "1.2.3",
    "1,000.50",
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "sNaN",
    "1e400",
    "-1e30",
    "99999999999999999999",
    "0x10",
    True,
    False,
    None,
    [],
    {},
    ["1"],
    {"value": "1"},
]


@pytest.mark.parametrize("value", GARBAGE_NUMBERS, ids=repr)
def test_garbage_quantity_or_price_is_a_validation_error_never_a_500(api, customer, product, value):
    with nothing_written():
        responses = [
            api.post(
                "/quotes", {"customer": customer.pk, "lines": [{"product": product.pk, "quantity": value}]}
            ),
            api.post(
                "/quotes",
                {
                    "customer": customer.pk,
                    "lines": [{"product": product.pk, "quantity": "1", "unit_price": value}],
                },
            ),
            api.post(
                "/orders",
                {
                    "customer": customer.pk,
                    "lines": [{"product": product.pk, "quantity": "1", "discount_percent": value}],
                },
            ),
            api.post("/stock/receipts", {"lines": [{"product": product.pk, "quantity": value}]}),
            api.post("/products", {"sku": "NEW-1", "name": "Scie", "sale_price": value}),
            api.patch(f"/products/{product.pk}", {"purchase_cost": value}),
            api.post("/payments", {"customer": customer.pk, "amount": value, "method": "cash"}),
        ]
    for response in responses:
        assert error_of(response) == (422, "validation_error"), response.json()
        assert response.json()["details"]


def test_validation_error_says_in_french_which_field_is_wrong(api, customer, product):
    response = api.post(
        "/quotes", {"customer": customer.pk, "lines": [{"product": product.pk, "quantity": "12,5abc"}]}
    )
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["message"].startswith("Données invalides")
    assert body["details"] == [
        {
            "field": "lines.0.quantity",
            "location": "body",
            "type": "value_error",
            "message": "« 12,5abc » n'est pas un nombre décimal (par exemple « 12.5 »)",
        }
    ]


def test_missing_and_unknown_fields_are_named(api, customer):
    response = api.post("/quotes", {"customer": customer.pk, "lignes": []})
    details = {(d["field"], d["type"]) for d in response.json()["details"]}
    assert details == {("lines", "missing"), ("lignes", "extra_forbidden")}
    assert "champ obligatoire" in response.json()["message"]


@pytest.mark.parametrize(
    "raw",
    [
        "{",
        "[]",
        "null",
        '"text"',
        "1",
        "{'single': 'quotes'}",
        '{"amount": NaN}',
        '{"amount": Infinity}',
        "\xff\xfe",
        '{"amount": ' + "9" * 5000 + "}",
    ],
)
def test_unreadable_or_misshapen_body_is_refused(api, raw):
    with nothing_written():
        response = api.post("/payments", raw=raw.encode("latin-1") if raw == "\xff\xfe" else raw)
    status, code = error_of(response)
    assert (status, code) in {(400, "invalid_json"), (422, "validation_error")}


def test_a_body_that_is_not_an_object_is_refused_where_every_field_is_optional(api, boss, customer, product):
    # A JSON number with a fraction is read as Decimal, and pydantic took any such object for a body whose
    # fields all have defaults: the quote was cancelled on « -1.8e308 ».
    quote = create_quote(customer, [{"product": product, "quantity": "1"}], by=boss)
    for raw in ("-1.7976931348623157e+308", "12.5", "1e3", "[{}]"):
        with nothing_written():
            response = api.post(f"/quotes/{quote.pk}/cancel", raw=raw)
        assert error_of(response) == (422, "validation_error"), raw
    quote.refresh_from_db()
    assert quote.status == "draft"


def test_empty_body_where_one_is_required_is_a_validation_error(api):
    with nothing_written():
        response = api.post("/customers")
    assert error_of(response) == (422, "validation_error")


@pytest.mark.parametrize(
    "value",
    ["abc", "12.5", "-1", 0, -7, 2**63, 10**30, True, None, [1], "1 OR 1=1"],
    ids=repr,
)
def test_garbage_ids_in_a_body_are_refused(api, customer, product, value):
    with nothing_written():
        responses = [
            api.post("/quotes", {"customer": value, "lines": [{"product": product.pk, "quantity": "1"}]}),
            api.post("/quotes", {"customer": customer.pk, "lines": [{"product": value, "quantity": "1"}]}),
            api.post("/invoices", {"order": value}),
            api.post("/deliveries", {"order": value}),
        ]
    for response in responses:
        assert error_of(response) == (422, "validation_error"), response.json()


@pytest.mark.parametrize(
    "path",
    [
        "/customers/{}",
        "/products/{}",
        "/quotes/{}",
        "/orders/{}",
        "/deliveries/{}",
        "/invoices/{}",
        "/payments/{}",
        "/stock/receipts/{}",
    ],
)
def test_unknown_path_id_is_404_not_found(api, path):
    assert error_of(api.get(path.format(987654))) == (404, "not_found")


@pytest.mark.parametrize("segment", ["0", "-1", "abc", "1.5", str(2**63), "9" * 40])
def test_path_id_that_is_not_a_valid_id_is_refused(api, segment):
    response = api.get(f"/customers/{segment}")
    assert error_of(response)[0] in {404, 422}


@pytest.mark.parametrize(
    "action",
    [
        "/quotes/{}/send",
        "/quotes/{}/accept",
        "/orders/{}/confirm",
        "/deliveries/{}/validate",
        "/invoices/{}/issue",
        "/stock/receipts/{}/validate",
    ],
)
def test_action_on_an_unknown_document_is_404(api, action):
    with nothing_written():
        assert error_of(api.post(action.format(987654))) == (404, "not_found")


def test_unknown_customer_in_a_body_is_404_unknown_customer(api, product):
    with nothing_written():
        response = api.post(
            "/quotes", {"customer": 987654, "lines": [{"product": product.pk, "quantity": "1"}]}
        )
    assert error_of(response) == (404, "unknown_customer")


def test_delivery_address_of_another_customer_is_refused(api, boss, customer, product):
    from comptoir.core.testing import make_customer

    other = make_customer(boss, siren="", delivery_addresses=[{"label": "Dépôt", "city": "Lille"}])
    address = other.delivery_addresses.get()
    with nothing_written():
        response = api.post(
            "/orders",
            {
                "customer": customer.pk,
                "delivery_address": address.pk,
                "lines": [{"product": product.pk, "quantity": "1"}],
            },
        )
    assert error_of(response) == (404, "unknown_delivery_address")


@pytest.mark.parametrize(
    "query",
    [
        {"limit": "abc"},
        {"limit": "0"},
        {"limit": "100000"},
        {"offset": "-1"},
        {"offset": str(10**30)},
        {"customer": "x"},
        {"status": "lost"},
    ],
)
def test_bad_list_parameters_are_a_validation_error(api, query):
    assert error_of(api.get("/orders", query)) == (422, "validation_error")


@pytest.mark.parametrize("field", ["name", "siren", "payment_days", "is_active"])
def test_null_is_not_a_value_when_patching(api, customer, field):
    with nothing_written():
        response = api.patch(f"/customers/{customer.pk}", {field: None})
    assert error_of(response) == (422, "validation_error")


@pytest.mark.parametrize(
    "payload",
    [
        {"name": "x" * 201},
        {"country": "FRA"},
        {"payment_days": -1},
        {"payment_days": "soixante"},
        {"contacts": [{"name": "x", "mail": "a@b.fr"}]},
        {"contacts": "Paul"},
        {"email": "pas-une-adresse"},
        {"contacts": [{"name": "Paul", "email": "paul@"}]},
        {"vat_regime": "suisse"},
    ],
)
def test_customer_fields_outside_their_bounds_are_refused(api, payload):
    with nothing_written():
        response = api.post("/customers", {"name": "Scierie Blanc"} | payload)
    assert error_of(response) == (422, "validation_error")


def test_payment_terms_beyond_the_legal_limit_are_refused(api):
    with nothing_written():
        response = api.post("/customers", {"name": "Scierie Blanc", "payment_days": 90})
    assert error_of(response) == (400, "payment_terms_too_long")


def test_line_amount_beyond_the_column_capacity_never_gives_a_500(api, customer, product):
    # 999 999 999 × 999 999 999 would overflow DECIMAL(14, 2): the service refuses it first.
    with nothing_written():
        response = api.post(
            "/quotes",
            {
                "customer": customer.pk,
                "lines": [{"product": product.pk, "quantity": "999999999", "unit_price": "999999999"}],
            },
        )
    assert error_of(response) == (400, "quantity_too_large")


def test_unknown_ledger_account_is_404(api):
    assert error_of(api.get("/accounting/ledger/999999")) == (404, "unknown_account")
    assert error_of(api.get("/accounting/ledger/" + "9" * 30)) == (422, "validation_error")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    line=st.fixed_dictionaries(
        {},
        optional={
            "product": st.one_of(
                st.just("own"), st.integers(), st.text(max_size=5), st.none(), st.booleans()
            ),
            "quantity": st.one_of(
                st.decimals(allow_nan=True).map(str),
                st.text(max_size=8),
                st.integers(),
                st.floats(allow_nan=False, allow_infinity=False),
            ),
            "unit_price": st.one_of(
                st.decimals(allow_nan=True).map(str), st.integers(min_value=-(10**20), max_value=10**20)
            ),
            "discount_percent": st.one_of(st.decimals(places=2, allow_nan=False).map(str), st.integers()),
            "description": st.one_of(st.text(max_size=300), st.integers()),
        },
    )
)
def test_no_quote_line_ever_gives_a_server_error(boss, customer, product, line):
    api = ApiClient(issue_token(boss))
    if line.get("product") == "own":
        line["product"] = product.pk
    response = api.post("/quotes", {"customer": customer.pk, "lines": [line]})
    assert response.status_code < 500, (line, response.content)
    if response.status_code >= 400:
        error_of(response)


@pytest.mark.parametrize(
    "date", ["0001-01-01", "1999-12-31", "2100-01-01", "9999-12-31", "2026-02-30", "31/01/2026"]
)
def test_document_dates_outside_the_century_or_malformed_are_refused(api, customer, product, date):
    with nothing_written():
        response = api.post(
            "/quotes",
            {"customer": customer.pk, "date": date, "lines": [{"product": product.pk, "quantity": "1"}]},
        )
    assert error_of(response) == (422, "validation_error")


def test_nul_characters_are_refused_in_bodies_and_queries(api, customer):
    with nothing_written():
        response = api.post("/customers", {"name": "Scierie\x00Blanc"})
        assert error_of(response) == (422, "validation_error")
        assert response.json()["details"][0]["message"] == "caractère nul interdit"
        response = api.post(f"/customers/{customer.pk}/contacts", {"name": "Paul", "phone": "01\x00"})
        assert error_of(response) == (422, "validation_error")
    assert error_of(api.get("/customers", {"search": "a\x00b"})) == (422, "validation_error")
    assert error_of(api.get("/accounting/ledger/41%001")) == (422, "validation_error")


def test_period_filters_accept_any_valid_date(api, customer):
    assert (
        api.get("/accounting/trial-balance", {"date_from": "0001-01-01", "date_to": "9999-12-31"}).status_code
        == 200
    )
    response = api.get(f"/customers/{customer.pk}/statement", {"date_from": "1990-01-01"})
    assert response.json()["opening"] == "0.00"


@pytest.mark.parametrize("value", ["0", "1700000000", "2026-1-5", "20260105", "2026-01-05T00:00:00"])
def test_a_date_is_written_as_a_date_not_a_timestamp(api, product, value):
    # Pydantic alone would read 0 or 1700000000 as seconds since 1970.
    response = api.get("/accounting/trial-balance", {"date_to": value})
    assert error_of(response) == (422, "validation_error")
    response = api.post("/stock/receipts", {"lines": [], "date": value})
    assert error_of(response) == (422, "validation_error")
    assert response.json()["details"][0]["field"] == "date"
    response = api.patch(f"/products/{product.pk}", {"vat_rate": "10", "vat_rate_from": value})
    assert error_of(response) == (422, "validation_error")
    assert response.json()["details"][0]["field"] == "vat_rate_from"


@pytest.mark.parametrize(
    "email",
    [
        "julie@martin.fr",
        "a.b+c-d@ventes.outillage-durand.co",
        "0@0.a",
        "x@localhost",
        "a@b.c0",
        '"entre guillemets"@martin.fr',
        "jean@café.fr",
        "a..b@martin.fr",
        "julie@martin.fr\n",
    ],
)
def test_an_email_is_accepted_exactly_when_the_published_schema_says_it_is_one(api, customer, email):
    # The document said `format: email`, which « 0@0.a » follows, and the API refused it (422): a client
    # that checks its request against the document must get the API's own answer.
    document = api.get("/openapi.json").json()
    field = document["components"]["schemas"]["CustomerPatch"]["properties"]["email"]
    # JSON Schema patterns are ECMAScript's, whose $ does not match before a final newline as Python's does.
    patterns = [
        re.compile(part["pattern"].removesuffix("$") + r"\Z") for part in field["anyOf"] if "pattern" in part
    ]
    follows_schema = any(pattern.search(email) for pattern in patterns)
    response = api.patch(f"/customers/{customer.pk}", {"email": email})
    assert response.status_code == (200 if follows_schema else 422), response.content
