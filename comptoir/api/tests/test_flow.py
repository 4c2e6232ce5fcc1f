"""The whole cycle through HTTP only: customer → … → payment, with the books balanced at the end."""

from comptoir.api.tests.conftest import ApiClient, issue_token


def test_a_quote_becomes_a_paid_invoice_with_balanced_books_through_the_api(boss, company):
    api = ApiClient(issue_token(boss))

    # Given a customer with a contact and a delivery address, a drill and an installation service
    response = api.post(
        "/customers",
        {
            "name": "Menuiserie Martin SARL",
            "siren": "542 107 651",
            "city": "Lyon",
            "postal_code": "69003",
            "contacts": [{"name": "Julie Martin", "email": "julie@martin.fr"}],
            "delivery_addresses": [{"label": "Atelier", "street": "3 rue du Bois", "city": "Villeurbanne"}],
        },
    )
    assert response.status_code == 201, response.json()
    customer = response.json()
    assert customer["siren"] == "542107651"
    assert [c["name"] for c in customer["contacts"]] == ["Julie Martin"]
    assert [a["label"] for a in customer["delivery_addresses"]] == ["Atelier"]

    drill = api.post(
        "/products",
        {"sku": "REF-88", "name": "Perceuse à percussion", "sale_price": "120.00", "purchase_cost": "70.00"},
    ).json()
    install = api.post(
        "/products",
        {"sku": "SRV-INST", "name": "Installation sur site", "sale_price": "450", "kind": "service"},
    ).json()
    assert drill["sale_price"] == "120.0000" and drill["vat_rate"] == "20.00"

    # And 50 drills received at 70 €
    response = api.post(
        "/stock/receipts",
        {"supplier_name": "Bosch", "lines": [{"product": drill["id"], "quantity": "50", "unit_cost": "70"}]},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "validated"

    # When the customer accepts a quote for 12 drills (10 % off) and an installation
    response = api.post(
        "/quotes",
        {
            "customer": customer["id"],
            "lines": [
                {"product": drill["id"], "quantity": "12", "discount_percent": "10"},
                {"product": install["id"], "quantity": "1"},
            ],
        },
    )
    assert response.status_code == 201, response.json()
    quote = response.json()
    assert (quote["status"], quote["total_untaxed"], quote["total"]) == ("draft", "1746.00", "2095.20")
    assert api.post(f"/quotes/{quote['id']}/send").json()["status"] == "sent"
    response = api.post(f"/quotes/{quote['id']}/accept", {"customer_reference": "PO-4471"})
    assert response.status_code == 201, response.json()
    order = response.json()
    assert order["quote"]["number"] == quote["number"] and order["customer_reference"] == "PO-4471"
    assert api.get(f"/quotes/{quote['id']}").json()["order_id"] == order["id"]

    response = api.post(f"/orders/{order['id']}/confirm")
    assert response.json()["status"] == "confirmed"
    levels = api.get("/stock/levels", {"product": drill["id"]}).json()["items"]
    assert (levels[0]["on_hand"], levels[0]["reserved"], levels[0]["available"]) == (
        "50.000",
        "12.000",
        "38.000",
    )

    # And 10 drills are shipped first
    drill_line = next(line for line in order["lines"] if line["product"]["id"] == drill["id"])
    response = api.post(
        "/deliveries", {"order": order["id"], "lines": [{"order_line": drill_line["id"], "quantity": "10"}]}
    )
    assert response.status_code == 201, response.json()
    delivery = response.json()
    response = api.post(f"/deliveries/{delivery['id']}/validate")
    assert response.json()["status"] == "validated"
    assert response.json()["lines"][0]["unit_cost"] == "70.0000"

    order = api.get(f"/orders/{order['id']}").json()
    assert (order["delivery_progress"], order["invoicing_progress"]) == ("partial", "none")
    drill_line = next(line for line in order["lines"] if line["product"]["id"] == drill["id"])
    assert (drill_line["quantity_delivered"], drill_line["quantity_to_deliver"]) == ("10.000", "2.000")
    levels = api.get("/stock/levels", {"product": drill["id"]}).json()["items"]
    assert (levels[0]["on_hand"], levels[0]["reserved"], levels[0]["available"]) == (
        "40.000",
        "2.000",
        "38.000",
    )

    # Then the draft invoice bills the 10 delivered drills and the service, at the agreed price
    response = api.post("/invoices", {"order": order["id"]})
    assert response.status_code == 201, response.json()
    draft = response.json()
    assert (draft["status"], draft["number"], draft["payment"]) == ("draft", None, None)
    assert draft["taxes"] == [
        {
            "vat_rate": "20.00",
            "category": "S",
            "exemption_reason": "",
            "base": "1530.00",
            "amount": "306.00",
            "amount_on_receipts": None,
        }
    ]

    response = api.post(f"/invoices/{draft['id']}/issue")
    assert response.status_code == 200, response.json()
    invoice = response.json()
    assert invoice["number"].startswith("FA-") and invoice["number"].endswith("-00001")
    assert (invoice["total_untaxed"], invoice["total_vat"], invoice["total"]) == (
        "1530.00",
        "306.00",
        "1836.00",
    )
    assert (invoice["buyer_siren"], invoice["operation_nature"]) == ("542107651", "mixed")
    # VAT on the service (90.00) is due when the customer pays (TVA sur les encaissements)
    assert [(t["amount"], t["amount_on_receipts"]) for t in invoice["taxes"]] == [("306.00", "90.00")]
    assert invoice["payment"] == {
        "status": "open",
        "label": "Ouverte",
        "paid": "0.00",
        "balance_due": "1836.00",
    }
    assert api.get(f"/orders/{order['id']}").json()["invoicing_progress"] == "partial"

    # When the customer pays in two transfers
    response = api.post(
        "/payments",
        {
            "customer": customer["id"],
            "amount": "1000.00",
            "method": "transfer",
            "allocations": [{"invoice": invoice["id"], "amount": "1000.00"}],
        },
    )
    assert response.status_code == 201, response.json()
    assert api.get(f"/invoices/{invoice['id']}").json()["payment"]["status"] == "partial"
    response = api.post(
        "/payments",
        {
            "customer": customer["id"],
            "amount": "836.00",
            "method": "transfer",
            "reference": "VIR 2",
            "allocations": [{"invoice": invoice["id"], "amount": "836.00"}],
        },
    )
    assert response.status_code == 201, response.json()

    # Then the invoice shows paid, the customer account is settled and lettered, the books balance
    paid = api.get(f"/invoices/{invoice['id']}").json()["payment"]
    assert (paid["status"], paid["paid"], paid["balance_due"]) == ("paid", "1836.00", "0.00")
    assert [i["id"] for i in api.get("/invoices", {"payment": "paid"}).json()["items"]] == [invoice["id"]]

    statement = api.get(f"/customers/{customer['id']}/statement").json()
    assert statement["balance"] == "0.00"
    assert all(line["letter"] for line in statement["lines"])

    balance = api.get("/accounting/trial-balance").json()
    assert balance["is_balanced"] is True
    assert balance["total_debit"] == balance["total_credit"]
    by_code = {row["code"]: row for row in balance["rows"]}
    assert by_code["411"]["balance"] == "0.00"
    assert by_code["512"]["balance"] == "1836.00"
    assert by_code["707"]["balance"] == "-1080.00"
    assert by_code["706"]["balance"] == "-450.00"
    assert by_code["44571"]["balance"] == "-306.00"

    journals = [entry["journal"] for entry in api.get("/accounting/entries").json()["items"]]
    assert sorted(journals) == ["BQ", "BQ", "VE"]
    events = api.get("/audit", {"object_type": "billing.invoice"}).json()["items"]
    assert [e["action"] for e in events] == ["invoice.issued", "invoice.drafted"]
    report = api.get("/audit/verify").json()
    assert report == {
        "ok": True,
        "checked": api.get("/audit").json()["count"],
        "broken_at_seq": None,
        "reason": "",
        "checkpoints": 0,
        "problems": [],
    }
