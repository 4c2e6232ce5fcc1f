"""The web UI through Django's test client: pages, roles, the whole cycle by form posts, refusals."""

import datetime
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.test import Client

from comptoir.billing.models import Invoice
from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.catalog.models import Product
from comptoir.core.models import AuditEvent
from comptoir.core.permissions import ALL_ROLES, PERMISSIONS
from comptoir.core.testing import make_customer, make_product, make_user
from comptoir.parties.models import Customer
from comptoir.payments import selectors as payment_view
from comptoir.payments.models import Payment
from comptoir.payments.services import register_payment
from comptoir.sales.models import Order, Quote
from comptoir.sales.services import accept_quote, confirm_order, create_order, create_quote, send_quote
from comptoir.stock import models as stock_models
from comptoir.stock import selectors as stock_view
from comptoir.stock.models import Delivery, StockLevel
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery
from comptoir.web.tests.clients import client_for, messages_of

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return response.content.decode()


@pytest.fixture
def flow(boss, company, customer, product, service_product):
    """One of each document, in the states the detail pages show: a paid invoice's whole chain, a draft
    quote, a draft order and a draft delivery."""
    receive_stock([{"product": product, "quantity": "50", "unit_cost": "70"}], by=boss, supplier_name="Bosch")
    quote = create_quote(
        customer,
        [
            {"product": product, "quantity": "12", "discount_percent": "10"},
            {"product": service_product, "quantity": "1"},
        ],
        by=boss,
    )
    send_quote(quote, by=boss)
    order = accept_quote(quote, by=boss)
    confirm_order(order, by=boss)
    delivery = create_delivery(
        order, [{"order_line": order.lines.get(product=product), "quantity": "10"}], by=boss
    )
    validate_delivery(delivery, by=boss)
    invoice = issue_invoice(create_invoice_from_order(order, by=boss), by=boss)
    payment = register_payment(
        customer,
        amount="1000.00",
        method="transfer",
        allocations=[{"invoice": invoice, "amount": "1000.00"}],
        by=boss,
    )
    draft_delivery = create_delivery(order, by=boss)
    draft_quote = create_quote(customer, [{"product": product, "quantity": "3"}], by=boss)
    draft_order = create_order(customer, [{"product": product, "quantity": "2"}], by=boss)
    return SimpleNamespace(
        customer=customer,
        product=product,
        service=service_product,
        quote=quote,
        order=order,
        delivery=delivery,
        invoice=invoice,
        payment=payment,
        draft_delivery=draft_delivery,
        draft_quote=draft_quote,
        draft_order=draft_order,
        boss=boss,
    )


def page_permissions(f) -> dict[str, str | None]:
    """Every GET page and the permission that opens it (None: any signed-in user)."""
    return {
        "/": None,
        "/compte/": None,
        "/parametres/connexions/": "login.unlock",
        "/clients/": "customer.view",
        "/clients/nouveau/": "customer.manage",
        f"/clients/{f.customer.pk}/": "customer.view",
        f"/clients/{f.customer.pk}/modifier/": "customer.manage",
        f"/clients/{f.customer.pk}/releve/": "customer.view",
        "/produits/": "product.view",
        "/produits/nouveau/": "product.manage",
        f"/produits/{f.product.pk}/": "product.view",
        f"/produits/{f.service.pk}/": "product.view",
        f"/produits/{f.product.pk}/modifier/": "product.manage",
        "/stock/": "stock.view",
        "/stock/?alertes=1": "stock.view",
        "/stock/receptions/nouvelle/": "stock.receive",
        "/devis/": "quote.view",
        "/devis/nouveau/": "quote.manage",
        f"/devis/{f.quote.pk}/": "quote.view",
        f"/devis/{f.draft_quote.pk}/": "quote.view",
        f"/devis/{f.draft_quote.pk}/modifier/": "quote.manage",
        "/commandes/": "order.view",
        "/commandes/nouvelle/": "order.manage",
        f"/commandes/{f.order.pk}/": "order.view",
        f"/commandes/{f.draft_order.pk}/": "order.view",
        f"/commandes/{f.draft_order.pk}/modifier/": "order.manage",
        "/livraisons/": "delivery.view",
        f"/livraisons/{f.delivery.pk}/": "delivery.view",
        f"/livraisons/{f.draft_delivery.pk}/": "delivery.view",
        "/factures/": "invoice.view",
        "/factures/?etat=partial": "invoice.view",
        f"/factures/{f.invoice.pk}/": "invoice.view",
        "/reglements/": "payment.view",
        "/reglements/nouveau/": "payment.register",
        f"/reglements/nouveau/?client={f.customer.pk}&facture={f.invoice.pk}": "payment.register",
        f"/reglements/{f.payment.pk}/": "payment.view",
        "/comptabilite/balance/": "accounting.view",
        "/comptabilite/bilan/": "accounting.view",
        "/comptabilite/compte-de-resultat/?du=2025-01-01&au=2025-12-31": "accounting.view",
        "/comptabilite/grand-livre/411/": "accounting.view",
        "/comptabilite/grand-livre/707/": "accounting.view",
        "/comptabilite/ecritures/": "accounting.view",
        "/comptabilite/ecritures/?journal=VE": "accounting.view",
        "/audit/": "audit.view",
        "/comptabilite/balance-agee/": "accounting.view",
        "/comptabilite/balance-agee/?q=Martin&tri=-total": "accounting.view",
        "/mouvements/": "stock.view",
        f"/mouvements/?produit={f.product.pk}&type=delivery&tri=-quantite": "stock.view",
        f"/stock/receptions/{stock_models.Receipt.objects.order_by('pk').first().pk}/": "stock.view",
        "/factures/?etat=open&tri=-reste": "invoice.view",
        "/assistant/propositions/": "proposal.view",
        "/assistant/propositions/?etat=tous&type=send_reminder": "proposal.view",
        "/assistant/agent/": "proposal.view",
        "/litiges/causes/": "return.view",
        "/parametres/": "settings.view",
        "/parametres/societe/": "settings.view",
        "/parametres/roles/": "settings.view",
        "/parametres/tva/": "settings.view",
        "/parametres/numerotation/": "settings.view",
        "/parametres/conditions-de-paiement/": "settings.view",
        "/parametres/regles/": "settings.view",
        "/parametres/exercices/": "accounting.view",
    }


def admin_page_permissions(f) -> dict[str, str]:
    """Pages only an administrator opens (direction, whose test walks the table above, does not)."""
    return {
        "/parametres/utilisateurs/": "user.manage",
        "/parametres/utilisateurs/?etat=inactifs": "user.manage",
        "/parametres/utilisateurs/nouveau/": "user.manage",
        f"/parametres/utilisateurs/{f.boss.pk}/": "user.manage",
    }


@pytest.mark.parametrize("role", ALL_ROLES)
def test_each_role_opens_exactly_the_admin_pages_its_permissions_allow(role, flow):
    client = client_for(make_user(f"user-{role}", role))
    for url, perm in admin_page_permissions(flow).items():
        expected = 200 if perm in PERMISSIONS[role] else 403
        response = client.get(url)
        assert response.status_code == expected, (role, url)
        assert "Traceback" not in text_of(response)
        assert Client().get(url).status_code == 302, url


# --- Every page renders -------------------------------------------------------------------------


def test_every_page_renders_for_direction(boss, flow):
    client = client_for(boss)
    for url in page_permissions(flow):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Traceback" not in text_of(response)


def test_pages_need_a_signed_in_user(flow):
    for url in page_permissions(flow):
        response = Client().get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/connexion/"), url


@pytest.mark.parametrize("role", ALL_ROLES)
def test_each_role_opens_exactly_the_pages_its_permissions_allow(role, flow):
    client = client_for(make_user(f"user-{role}", role))
    for url, perm in page_permissions(flow).items():
        expected = 200 if perm is None or perm in PERMISSIONS[role] else 403
        response = client.get(url)
        assert response.status_code == expected, (role, url)
        if expected == 403:
            assert "Accès refusé" in text_of(response)


def test_unknown_document_shows_the_french_404_page(boss, flow):
    response = client_for(boss).get("/factures/999999/")
    assert response.status_code == 404
    assert "Page introuvable" in text_of(response)
    assert client_for(boss).get("/comptabilite/grand-livre/999/").status_code == 404


def test_sidebar_shows_only_what_the_role_may_open(flow):
    html = text_of(client_for(make_user("logisticien", "logistique")).get("/"))
    assert 'href="/stock/"' in html
    assert 'href="/comptabilite/balance/"' not in html
    assert 'href="/audit/"' not in html
    html = text_of(client_for(make_user("comptable", "comptabilite")).get("/"))
    assert 'href="/comptabilite/balance/"' in html


def test_home_shows_the_sections_of_each_role(flow):
    html = text_of(client_for(make_user("logisticien", "logistique")).get("/"))
    assert "Livraisons à préparer" in html and flow.draft_delivery.number in html
    assert "Devis envoyés en attente" not in html
    html = text_of(client_for(make_user("comptable", "comptabilite")).get("/"))
    assert "Factures échues non réglées" in html and "Encours clients" in html
    html = text_of(client_for(make_user("adv", "adv")).get("/"))
    assert "Commandes à confirmer" in html and flow.draft_order.number in html


# --- Action buttons follow the transition table and the role -------------------------------------


def test_action_buttons_follow_state_and_role(boss, flow):
    html = text_of(client_for(boss).get(f"/devis/{flow.draft_quote.pk}/"))
    assert f"/devis/{flow.draft_quote.pk}/envoyer/" in html
    assert f"/devis/{flow.draft_quote.pk}/accepter/" not in html  # draft → accepted is not a transition
    html = text_of(client_for(boss).get(f"/devis/{flow.quote.pk}/"))
    assert "/envoyer/" not in html and "/accepter/" not in html  # accepted: no more actions
    commercial = client_for(make_user("vendeur", "commercial"))
    html = text_of(commercial.get(f"/livraisons/{flow.draft_delivery.pk}/"))
    assert "/valider/" not in html  # a commercial may not validate a delivery
    html = text_of(client_for(boss).get(f"/livraisons/{flow.draft_delivery.pk}/"))
    assert f"/livraisons/{flow.draft_delivery.pk}/valider/" in html


def test_an_action_refused_by_the_service_shows_its_french_message(flow):
    commercial = client_for(make_user("vendeur", "commercial"))
    response = commercial.post(f"/livraisons/{flow.draft_delivery.pk}/valider/", follow=True)
    assert response.status_code == 200
    assert any("Votre rôle ne permet pas cette action" in m for m in messages_of(response))
    flow.draft_delivery.refresh_from_db()
    assert flow.draft_delivery.status == Delivery.Status.DRAFT


def test_an_illegal_transition_is_refused_with_a_message(boss, flow):
    response = client_for(boss).post(f"/devis/{flow.quote.pk}/envoyer/", follow=True)
    assert any("impossible de passer" in m for m in messages_of(response))


def test_actions_only_accept_post(boss, flow):
    assert client_for(boss).get(f"/devis/{flow.draft_quote.pk}/envoyer/").status_code == 405


# --- The whole cycle by form posts --------------------------------------------------------------


def test_the_whole_cycle_through_the_forms_ends_with_a_paid_invoice(boss, company):
    client = client_for(boss)

    response = client.post(
        "/clients/nouveau/",
        {
            "name": "Garage Dupont SARL",
            "siren": "552 032 534",
            "siret": "",
            "vat_number": "",
            "street": "3 rue Haute",
            "postal_code": "69002",
            "city": "Lyon",
            "country": "FR",
            "email": "compta@dupont.fr",
            "phone": "",
            "payment_days": "30",
        },
    )
    customer = Customer.objects.get(name="Garage Dupont SARL")
    assert response.status_code == 302 and response["Location"] == f"/clients/{customer.pk}/"
    assert customer.siren == "552032534"

    response = client.post(
        "/produits/nouveau/",
        {
            "sku": "CLE-12",
            "name": "Clé dynamométrique",
            "kind": "goods",
            "unit": "pièce",
            "sale_price": "89,90",
            "purchase_cost": "41,5",
            "vat_rate": "20.00",
            "low_stock_threshold": "2",
            "ean": "",
        },
    )
    product = Product.objects.get(sku="CLE-12")
    assert response.status_code == 302
    assert product.sale_price == Decimal("89.9000")

    response = client.post(
        "/stock/receptions/nouvelle/",
        {
            "supplier_name": "Facom",
            "date": "",
            "product": [product.pk, ""],
            "quantity": ["20", ""],
            "unit_cost": ["40", ""],
        },
    )
    assert response.status_code == 302
    assert StockLevel.objects.get(product=product).on_hand == Decimal("20")

    totals = client.post(
        "/lignes/totaux/",
        {
            "row_id": ["a1"],
            "product": [product.pk],
            "quantity": ["5"],
            "unit_price": [""],
            "discount_percent": ["10"],
            "discount_category": ["volume"],
        },
    )
    assert totals.status_code == 200
    # 5 × 89,90 × 0,9 = 404,55 HT; TVA 80,91; TTC 485,46
    assert "404,55" in text_of(totals) and "485,46" in text_of(totals)
    assert Quote.objects.count() == 0

    response = client.post(
        "/devis/nouveau/",
        {
            "customer": customer.pk,
            "date": "",
            "valid_until": "",
            "note": "Livraison sous 8 jours",
            "row_id": ["a1", "b2"],
            "product": [product.pk, ""],
            "quantity": ["5", ""],
            "unit_price": ["", ""],
            "discount_percent": ["10", ""],
            "discount_category": ["volume", ""],
        },
    )
    quote = Quote.objects.get(customer=customer)
    assert response.status_code == 302 and response["Location"] == f"/devis/{quote.pk}/"
    assert quote.total == Decimal("485.46")

    assert client.post(f"/devis/{quote.pk}/envoyer/").status_code == 302
    response = client.post(f"/devis/{quote.pk}/accepter/")
    order = Order.objects.get(quote=quote)
    assert response["Location"] == f"/commandes/{order.pk}/"

    client.post(f"/commandes/{order.pk}/confirmer/")
    order.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED

    line = order.lines.get()
    response = client.post(f"/commandes/{order.pk}/livrer/", {"mode": "partiel", f"qty_{line.pk}": "5"})
    delivery = Delivery.objects.get(order=order)
    assert response["Location"] == f"/livraisons/{delivery.pk}/"
    client.post(f"/livraisons/{delivery.pk}/valider/")
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.VALIDATED
    assert stock_view.level_of(product).on_hand == Decimal("15")

    response = client.post(f"/commandes/{order.pk}/facturer/")
    invoice = Invoice.objects.get(order=order)
    assert response["Location"] == f"/factures/{invoice.pk}/"
    client.post(f"/factures/{invoice.pk}/emettre/", {"date": datetime.date.today().isoformat()})
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.ISSUED and invoice.number

    form = client.get(f"/reglements/nouveau/?client={customer.pk}&facture={invoice.pk}")
    assert 'value="485,46"' in text_of(form)  # amount and allocation prefilled with the balance due
    response = client.post(
        "/reglements/nouveau/",
        {
            "client": customer.pk,
            "date": datetime.date.today().isoformat(),
            "method": "transfer",
            "reference": "VIR 123",
            "amount": "485,46",
            f"alloc_{invoice.pk}": "485,46",
        },
    )
    payment = Payment.objects.get(customer=customer)
    assert response["Location"] == f"/reglements/{payment.pk}/"
    assert payment_view.invoice_payment_state(invoice).status == payment_view.PAID

    html = text_of(client.get("/comptabilite/balance/"))
    assert "Équilibrée" in html
    html = text_of(client.get(f"/clients/{customer.pk}/releve/"))
    assert re.search(r'class="letter">[A-Z]+<', html)  # the invoice and its payment are lettered


# --- Bad input: a French message, nothing written ------------------------------------------------


def test_quantity_zero_is_refused_and_nothing_is_saved(boss, customer, product):
    response = client_for(boss).post(
        "/devis/nouveau/",
        {
            "customer": customer.pk,
            "row_id": ["x"],
            "product": [product.pk],
            "quantity": ["0"],
            "unit_price": [""],
            "discount_percent": [""],
        },
    )
    assert response.status_code == 200
    assert any("doit être strictement positive" in m for m in messages_of(response))
    assert Quote.objects.count() == 0
    # the typed row is kept so the user can correct it
    assert f'name="product" value="{product.pk}"' in text_of(response)
    assert f"{product.sku} — {product.name}" in text_of(response)


@pytest.mark.parametrize("quantity", ["abc", "NaN", "Infinity", "1e30", "-1", "2,5,1"])
def test_malformed_quantities_never_crash(boss, customer, product, quantity):
    client = client_for(boss)
    data = {
        "customer": customer.pk,
        "row_id": ["x"],
        "product": [product.pk],
        "quantity": [quantity],
        "unit_price": [""],
        "discount_percent": [""],
    }
    response = client.post("/devis/nouveau/", data)
    assert response.status_code == 200
    assert messages_of(response)
    assert Quote.objects.count() == 0
    totals = client.post("/lignes/totaux/", data)
    assert totals.status_code == 200 and 'role="alert"' in text_of(totals)


def test_unknown_product_in_a_line_is_explained(boss, customer):
    response = client_for(boss).post(
        "/commandes/nouvelle/",
        {
            "customer": customer.pk,
            "row_id": ["x"],
            "product": ["999999"],
            "quantity": ["1"],
            "unit_price": [""],
            "discount_percent": [""],
        },
    )
    assert response.status_code == 200
    assert any("n'existe pas" in m for m in messages_of(response))
    assert Order.objects.count() == 0


def test_invalid_siren_is_shown_on_the_field_and_nothing_is_saved(boss):
    response = client_for(boss).post(
        "/clients/nouveau/",
        {"name": "Société Test", "siren": "123456789", "country": "FR", "payment_days": "30"},
    )
    assert response.status_code == 200
    assert "Le SIREN « 123456789 » n&#x27;est pas valide" in text_of(response)
    assert response.context["form"].errors["siren"]
    assert not Customer.objects.filter(name="Société Test").exists()


def test_payment_terms_beyond_the_law_are_refused(boss):
    response = client_for(boss).post(
        "/clients/nouveau/", {"name": "Société Test", "country": "FR", "payment_days": "90"}
    )
    assert "L441-10" in text_of(response)
    assert not Customer.objects.filter(name="Société Test").exists()


def test_over_allocated_payment_is_refused(boss, flow):
    due = flow.invoice.total - Decimal("1000.00")
    response = client_for(boss).post(
        "/reglements/nouveau/",
        {
            "client": flow.customer.pk,
            "date": datetime.date.today().isoformat(),
            "method": "transfer",
            "amount": "10",
            f"alloc_{flow.invoice.pk}": str(due),
        },
    )
    assert response.status_code == 200
    assert any("alors que le règlement n'est que de" in m for m in messages_of(response))
    assert Payment.objects.count() == 1


@pytest.mark.parametrize("amount", ["NaN", "abc", "-5", "1e40"])
def test_malformed_payment_amounts_never_crash(boss, flow, amount):
    response = client_for(boss).post(
        "/reglements/nouveau/",
        {
            "client": flow.customer.pk,
            "date": datetime.date.today().isoformat(),
            "method": "transfer",
            "amount": amount,
            f"alloc_{flow.invoice.pk}": amount,
        },
    )
    assert response.status_code == 200
    assert Payment.objects.count() == 1


def test_invoice_dated_in_the_future_is_refused(boss, flow):
    order = create_order(flow.customer, [{"product": flow.service, "quantity": "1"}], by=boss)
    confirm_order(order, by=boss)
    invoice = create_invoice_from_order(order, by=boss)
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    response = client_for(boss).post(f"/factures/{invoice.pk}/emettre/", {"date": tomorrow}, follow=True)
    assert any("dans le futur" in m for m in messages_of(response))
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.DRAFT


def test_delivering_more_than_remains_is_refused(boss, flow):
    line = flow.draft_order.lines.get()
    confirm_order(flow.draft_order, by=boss)
    before = Delivery.objects.count()
    response = client_for(boss).post(
        f"/commandes/{flow.draft_order.pk}/livrer/", {"mode": "partiel", f"qty_{line.pk}": "99"}, follow=True
    )
    assert any("il reste" in m for m in messages_of(response))
    assert Delivery.objects.count() == before


# --- Security ------------------------------------------------------------------------------------


def test_csrf_is_enforced_on_posts(boss):
    client = Client(enforce_csrf_checks=True)
    client.force_login(boss)
    response = client.post("/clients/nouveau/", {"name": "Sans jeton", "country": "FR", "payment_days": "30"})
    assert response.status_code == 403
    assert not Customer.objects.filter(name="Sans jeton").exists()


def test_user_content_is_escaped(boss, company):
    customer = make_customer(boss, name="<script>alert(1)</script>")
    client = client_for(boss)
    for url in ("/clients/", f"/clients/{customer.pk}/", "/audit/"):
        html = text_of(client.get(url))
        assert "<script>alert(1)</script>" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url


# --- Bounded queries on lists -------------------------------------------------------------------


@pytest.fixture
def thirty_invoices(boss, company, customer, service_product):
    for i in range(30):
        order = create_order(customer, [{"product": service_product, "quantity": "1"}], by=boss)
        confirm_order(order, by=boss)
        invoice = issue_invoice(create_invoice_from_order(order, by=boss), by=boss)
        if i % 3 == 0:
            register_payment(
                customer,
                amount="100",
                method="cheque",
                allocations=[{"invoice": invoice, "amount": "100"}],
                by=boss,
            )
        make_customer(boss, siren="443061841")
        make_product(boss)


@pytest.mark.parametrize(
    "url",
    [
        "/factures/",
        "/factures/?etat=open",
        "/commandes/",
        "/devis/",
        "/livraisons/",
        "/reglements/",
        "/clients/",
        "/produits/",
        "/stock/",
        "/comptabilite/ecritures/",
        "/audit/",
        "/factures/?tri=-reste",
        "/clients/?tri=-solde",
        "/stock/?alertes=1&tri=nom",
        "/mouvements/",
        "/comptabilite/balance-agee/",
    ],
)
def test_list_pages_run_a_bounded_number_of_queries(
    boss, thirty_invoices, django_assert_max_num_queries, url
):
    client = client_for(boss)
    with django_assert_max_num_queries(15):
        response = client.get(url)
    assert response.status_code == 200


def test_home_page_query_count_does_not_grow_with_the_data(
    boss, thirty_invoices, django_assert_max_num_queries
):
    client = client_for(boss)
    # 28, and 3 for the direction's twelve-month trends (months, customers, their names).
    with django_assert_max_num_queries(31):
        assert client.get("/").status_code == 200


def test_invoice_list_filters_by_payment_state(boss, thirty_invoices):
    client = client_for(boss)
    partial = client.get("/factures/?etat=partial")
    assert len(partial.context["page_obj"].object_list) == 10
    assert client.get("/factures/?etat=paid").context["page_obj"].paginator.count == 0
    assert client.get("/factures/?etat=open").context["page_obj"].paginator.count == 20
    assert client.get("/factures/").context["page_obj"].paginator.num_pages == 2


def test_timeline_shows_french_audit_labels(boss, flow):
    html = text_of(client_for(boss).get(f"/factures/{flow.invoice.pk}/"))
    assert "Facture émise" in html and "invoice.issued" not in html
    assert AuditEvent.objects.filter(object_type="billing.invoice").exists()


def test_the_lines_of_a_draft_quote_can_be_replaced(boss, flow):
    response = client_for(boss).post(
        f"/devis/{flow.draft_quote.pk}/modifier/",
        {
            "customer": flow.customer.pk,
            "row_id": ["a", "b"],
            "product": [flow.product.pk, flow.service.pk],
            "quantity": ["4", "1"],
            "unit_price": ["100", ""],
            "discount_percent": ["", ""],
        },
    )
    assert response.status_code == 302
    flow.draft_quote.refresh_from_db()
    assert flow.draft_quote.total_untaxed == Decimal("850.00")  # 4 × 100 + 450


def test_a_sent_quote_can_no_longer_be_edited(boss, flow):
    response = client_for(boss).get(f"/devis/{flow.quote.pk}/modifier/", follow=True)
    assert any("n'est plus modifiable" in m for m in messages_of(response))
    response = client_for(boss).get(f"/commandes/{flow.order.pk}/modifier/", follow=True)
    assert any("n'est plus modifiable" in m for m in messages_of(response))


def test_contacts_and_delivery_addresses_are_added_from_the_customer_page(boss, flow):
    client = client_for(boss)
    client.post(
        f"/clients/{flow.customer.pk}/contacts/", {"contact-name": "Julie Martin", "contact-email": "j@m.fr"}
    )
    client.post(
        f"/clients/{flow.customer.pk}/adresses/",
        {
            "address-label": "Atelier",
            "address-street": "2 rue du Port",
            "address-postal_code": "44000",
            "address-city": "Nantes",
        },
    )
    html = text_of(client.get(f"/clients/{flow.customer.pk}/"))
    assert "Julie Martin" in html and "Atelier" in html


def test_a_customer_is_edited_through_the_form(boss, flow):
    client = client_for(boss)
    form = client.get(f"/clients/{flow.customer.pk}/modifier/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and v is not False}
    data |= {"phone": "04 78 00 00 00", "payment_days": "45", "payment_end_of_month": "on", "is_active": "on"}
    response = client.post(f"/clients/{flow.customer.pk}/modifier/", data)
    assert response.status_code == 302
    flow.customer.refresh_from_db()
    assert (flow.customer.phone, flow.customer.payment_days, flow.customer.payment_end_of_month) == (
        "04 78 00 00 00",
        45,
        True,
    )
    assert flow.customer.vat_regime == "france"


def test_an_eu_customer_without_vat_number_is_refused_on_the_vat_field(boss):
    response = client_for(boss).post(
        "/clients/nouveau/",
        {"name": "Holzbau GmbH", "country": "DE", "vat_regime": "eu", "payment_days": "30"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["vat_number"]
    assert not Customer.objects.filter(name="Holzbau GmbH").exists()


def test_a_customer_abroad_gets_its_electronic_invoicing_address_through_the_form(boss):
    client = client_for(boss)
    fields = {
        "name": "Outils Genève SA",
        "country": "CH",
        "payment_days": "30",
        "vat_number": "CHE-113.553.680 TVA",
    }
    response = client.post("/clients/nouveau/", fields | {"einvoice_address": "factures@geneve.ch"})
    assert response.status_code == 200
    assert response.context["form"].errors["einvoice_address"]
    response = client.post(
        "/clients/nouveau/", fields | {"einvoice_address": "CHE-113.553.680", "einvoice_scheme": "0183"}
    )
    assert response.status_code == 302
    customer = Customer.objects.get(name="Outils Genève SA")
    assert (customer.vat_number, customer.einvoice_address, customer.einvoice_scheme) == (
        "CHE113553680TVA",
        "CHE-113.553.680",
        "0183",
    )
    form = client.get(f"/clients/{customer.pk}/modifier/").context["form"]
    assert form.initial["einvoice_address"] == "CHE-113.553.680"


@pytest.mark.parametrize(
    "url",
    [
        "/factures/?q=%00abc",
        "/clients/?q=%00",
        "/audit/?type=%00",
        "/comptabilite/ecritures/?journal=%00&du=garbage",
        "/factures/?client=99999999999999999999999",
        "/reglements/nouveau/?client=abc",
        "/factures/?page=-3",
        "/comptabilite/balance/?du=2026-13-45",
        "/comptabilite/bilan/?du=2026-13-45&au=%00",
        "/comptabilite/compte-de-resultat/?au=1999-01-01",
    ],
)
def test_odd_query_parameters_never_crash(boss, flow, url):
    assert client_for(boss).get(url).status_code == 200


def test_huge_document_ids_are_not_found(boss, flow):
    assert client_for(boss).get("/factures/99999999999999999999999/").status_code == 404


def test_a_nul_character_in_a_reason_is_dropped(boss, flow):
    response = client_for(boss).post(
        f"/devis/{flow.draft_quote.pk}/annuler/", {"reason": "doublon\x00"}, follow=True
    )
    assert response.status_code == 200
    flow.draft_quote.refresh_from_db()
    assert flow.draft_quote.status == Quote.Status.CANCELLED


def test_an_issued_invoice_downloads_as_factur_x_cii_and_ubl(
    client, boss, company, customer, service_product
):
    from comptoir.billing.services import create_invoice_from_order, issue_invoice
    from comptoir.einvoice.validate import read_back
    from comptoir.sales.services import confirm_order, create_order

    order = confirm_order(
        create_order(customer, [{"product": service_product, "quantity": "1"}], by=boss), by=boss
    )
    invoice = issue_invoice(create_invoice_from_order(order, by=boss), by=boss)
    client.force_login(boss)
    pdf = client.get(f"/factures/{invoice.pk}/telecharger/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert read_back(pdf.content).xml
    for fmt in ("cii", "ubl"):
        response = client.get(f"/factures/{invoice.pk}/telecharger/{fmt}/")
        assert response.status_code == 200 and invoice.number.encode() in response.content
    assert client.get(f"/factures/{invoice.pk}/telecharger/docx/").status_code == 404
