# ruff: noqa: F811 — the browser fixtures are imported from test_browser.py and used as arguments.
"""Accessibility (issue 20, point 6): every page of the web app, on a company with a year of demo data,
scanned by axe-core at 1,440 px and at 390 px as the roles that use it, with no "serious" or "critical"
violation. The pages come from the URL configuration: a page added without being scanned here (or said to
be a file, a fragment or an action) fails the first test. Each role's home and main task are saved as
screenshots in test-artifacts/ at both widths.

axe-core is the copy inside the `axe-playwright-python` wheel (pinned in requirements.lock, MPL-2.0 for
axe-core, MIT for the wrapper), handed to the page through the DevTools protocol: nothing is downloaded
and the pages' Content-Security-Policy stays as strict as in production."""

import json
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.flows.test_browser import (  # noqa: F401 (fixtures)
    ARTIFACTS,
    CHROMIUM,
    _chart_of_accounts_back_after_the_flush,
    browser_page,
    seed_chart_of_accounts,
    shot,
)

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium absent (/usr/bin/chromium)"),
    pytest.mark.django_db(transaction=True),
]

WIDTHS = {1440: 900, 390: 844}
EXPECTED_STATUS = {"not_found": 404, "forbidden": 403}
FAILING_IMPACTS = {"serious", "critical"}

# URL names that are not pages a person reads: files, fragments answered to htmx or the pickers, and
# POST-only actions (found by their decorator, see _is_action). Each with why it is not scanned.
NOT_PAGES = {
    "logout": "POST: signs out",
    "set_language": "POST: changes the language",
    "first_run": "only before a company exists (test_browser_first_run walks it)",
    "first_run_step": "only before a company exists (test_browser_first_run walks it)",
    "receipt_row": "fragment: one more line of the receipt form (htmx)",
    "line_row": "fragment: one more line of the line editor (htmx)",
    "line_totals": "fragment: the totals of the line editor (htmx)",
    "pick": "JSON: the pickers' answers",
    "search": "fragment: the global search's results (htmx)",
    "customer_export": "file",
    "product_export": "file",
    "stock_levels_export": "file",
    "stock_moves_export": "file",
    "quote_export": "file",
    "quote_pdf": "file",
    "intake_export": "file",
    "intake_file": "file",
    "order_export": "file",
    "order_pdf": "file",
    "delivery_export": "file",
    "delivery_pdf": "file",
    "picking_list": "file",
    "picking_lists": "file",
    "return_attachment": "file",
    "invoice_export": "file",
    "invoice_download": "file",
    "payment_export": "file",
    "margins_export": "file",
    "customers_watch_export": "file",
    "lead_times_export": "file",
    "revenue_export": "file",
    "products_stock_export": "file",
    "trial_balance_export": "file",
    "general_ledger_export": "file",
    "journal_entries_export": "file",
    "aged_receivables_export": "file",
    "balance_sheet_export": "file",
    "income_statement_export": "file",
    "vat_return_export": "file",
    "vat_line_export": "file",
    "vat_des_file": "file",
    "vat_goods_file": "file",
    "vat_ereporting_file": "file",
    "fec_download": "file",
    "customer_letter_pdf": "file",
    "imports_job_progress": "fragment: the progress bar of a background import (htmx)",
    "imports_job": "only while a background import runs (test_browser_switching walks it)",
    "archive_download": "file",
    "settings_company_logo": "file: the company's logo",
    "imports_refused": "file",
    "imports_template": "file",
}


def _url_names():
    """(name, view) of every pattern of the web app and the sign-in pages (the API is not HTML)."""

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern).startswith("api/"):
                    continue
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern):
                yield pattern.name, pattern.callback

    return list(walk(get_resolver().url_patterns))


def _is_action(view) -> bool:
    """A POST-only action: its view is wrapped by `common.action` or `require_POST`."""
    import inspect

    source = inspect.getsource(inspect.unwrap(view))
    head = source.split("\ndef ", 1)[0] if not source.startswith("def ") else ""
    return "@action(" in head or "@require_POST" in head


@pytest.fixture
def demo(settings):
    """A year and a month of the demo company (the real services, deterministic), plus what the story
    leaves out: a received order form, a draft quote and a prepared delivery note. Written before the
    browser starts."""
    from django.contrib.auth import get_user_model

    from comptoir.accounting.models import Account
    from comptoir.billing.models import Invoice
    from comptoir.catalog.models import Product
    from comptoir.demo.generator import DEMO_PASSWORD, seed_demo
    from comptoir.intake import services as intake
    from comptoir.intake.tests.conftest import FIXTURES
    from comptoir.parties.models import Customer
    from comptoir.payments.models import Payment
    from comptoir.returns.models import ReturnCase
    from comptoir.sales.models import Order, Quote
    from comptoir.sales.services import create_quote
    from comptoir.stock import selectors as stock_view
    from comptoir.stock.models import Delivery, Receipt
    from comptoir.stock.services import create_delivery

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    seed_chart_of_accounts()
    seed_demo(months=13, customers=8, products=12, seed=42)
    users = {user.username: user for user in get_user_model().objects.all()}
    adv = users["adv"]
    document, _ = intake.receive(
        (FIXTURES / "order-form.csv").read_bytes(), name="bon-de-commande.csv", channel="upload", by=adv
    )
    customer = Customer.objects.order_by("pk").first()
    goods = Product.objects.filter(kind=Product.Kind.GOODS).order_by("pk")
    draft_quote = create_quote(customer, [{"product": goods[0], "quantity": "3"}], by=adv)
    prepared = create_delivery(stock_view.orders_to_ship()[0].order, by=adv)
    from comptoir.aftersales.models import Ticket, TimeEntry
    from comptoir.crm.models import Lead, Opportunity
    from comptoir.payments.letters import make_letter
    from comptoir.pricing.models import PriceList

    letter = make_letter(customer, kind="statement", by=users["demo"])
    invoices = Invoice.objects.order_by("-pk")
    from comptoir.parties.suppliers import create_supplier

    supplier = create_supplier(
        by=users["demo"], name="Visserie Dupont SAS", iban="FR7630006000011234567890189"
    )
    return SimpleNamespace(
        password=DEMO_PASSWORD,
        users=users,
        customer=customer,
        goods=goods[0],
        service=Product.objects.filter(kind=Product.Kind.SERVICE).order_by("pk").first(),
        draft_quote=draft_quote,
        sent_quote=Quote.objects.filter(status=Quote.Status.SENT).order_by("pk").first(),
        accepted_quote=Quote.objects.filter(status=Quote.Status.ACCEPTED).order_by("-pk").first(),
        draft_order=Order.objects.filter(status=Order.Status.DRAFT).first(),
        order=Order.objects.filter(status=Order.Status.CONFIRMED, invoices__isnull=False)
        .order_by("-pk")
        .first(),
        scheduled_order=Order.objects.filter(milestones__isnull=False).order_by("pk").first(),
        prepared=prepared,
        shipped=Delivery.objects.filter(status=Delivery.Status.VALIDATED).order_by("-pk").first(),
        planned_receipt=Receipt.objects.filter(status=Receipt.Status.DRAFT).first(),
        receipt=Receipt.objects.filter(status=Receipt.Status.VALIDATED).order_by("-pk").first(),
        draft_invoice=invoices.filter(status=Invoice.Status.DRAFT).first(),
        invoice=invoices.filter(status=Invoice.Status.ISSUED, kind=Invoice.Kind.INVOICE).first(),
        credit_note=invoices.filter(kind=Invoice.Kind.CREDIT_NOTE).first(),
        deposit=invoices.filter(kind=Invoice.Kind.DEPOSIT).first(),
        payment=Payment.objects.order_by("-pk").first(),
        open_case=ReturnCase.objects.filter(status=ReturnCase.Status.SUBMITTED).first(),
        closed_case=ReturnCase.objects.filter(status=ReturnCase.Status.CLOSED).first(),
        intake=document,
        account=Account.objects.get(code="411"),
        letter=letter,
        ticket=Ticket.objects.order_by("pk").first(),
        time_entry=TimeEntry.objects.order_by("pk").first(),
        price_list=PriceList.objects.order_by("pk").first(),
        supplier=supplier,
        revised_quote=Quote.objects.filter(status=Quote.Status.SENT).order_by("pk").first(),
        lead=Lead.objects.filter(status=Lead.Status.QUALIFIED).order_by("pk").first(),
        opportunity=Opportunity.objects.filter(quotes__isnull=False, stage="proposal").order_by("pk").first(),
    )


def pages(d) -> dict[str, list[tuple[str, str]]]:
    """The pages to scan, by the role that opens them: (URL name, path). Direction sees every page but
    the administrator's; every role's home is scanned as that role (each shows its own cards), and so is
    its main task."""
    return {
        "direction": [
            ("home", "/"),
            ("customer_list", "/clients/"),
            ("customer_create", "/clients/nouveau/"),
            ("customer_detail", f"/clients/{d.customer.pk}/"),
            ("customer_edit", f"/clients/{d.customer.pk}/modifier/"),
            ("supplier_list", "/fournisseurs/"),
            ("supplier_create", "/fournisseurs/nouveau/"),
            ("supplier_edit", f"/fournisseurs/{d.supplier.pk}/modifier/"),
            ("opening_supplier_invoices", "/factures-fournisseurs-reprises/"),
            ("customer_statement", f"/clients/{d.customer.pk}/releve/"),
            ("product_list", "/produits/"),
            ("product_create", "/produits/nouveau/"),
            ("product_detail", f"/produits/{d.goods.pk}/"),
            ("product_detail", f"/produits/{d.service.pk}/"),
            ("product_edit", f"/produits/{d.goods.pk}/modifier/"),
            ("stock", "/stock/"),
            ("receipt_list", "/stock/receptions/"),
            ("receipt_create", "/stock/receptions/nouvelle/"),
            ("receipt_detail", f"/stock/receptions/{d.planned_receipt.pk}/"),
            ("receipt_detail", f"/stock/receptions/{d.receipt.pk}/"),
            ("stock_moves", "/mouvements/"),
            ("quote_list", "/devis/"),
            ("quote_create", "/devis/nouveau/"),
            ("quote_detail", f"/devis/{d.draft_quote.pk}/"),
            ("quote_detail", f"/devis/{d.sent_quote.pk}/"),
            ("quote_edit", f"/devis/{d.draft_quote.pk}/modifier/"),
            ("document_email", f"/factures/{d.invoice.pk}/e-mail/"),
            ("intake_queue", "/commandes-recues/"),
            ("intake_detail", f"/commandes-recues/{d.intake.pk}/"),
            ("order_list", "/commandes/"),
            ("order_create", "/commandes/nouvelle/"),
            ("order_detail", f"/commandes/{d.draft_order.pk}/"),
            ("order_detail", f"/commandes/{d.order.pk}/"),
            ("order_detail", f"/commandes/{d.scheduled_order.pk}/"),
            ("order_edit", f"/commandes/{d.draft_order.pk}/modifier/"),
            ("order_schedule", f"/commandes/{d.draft_order.pk}/echeancier/"),
            ("delivery_list", "/livraisons/"),
            ("to_ship", "/livraisons/a-expedier/"),
            ("delivery_detail", f"/livraisons/{d.prepared.pk}/"),
            ("delivery_detail", f"/livraisons/{d.shipped.pk}/"),
            ("delivery_edit", f"/livraisons/{d.prepared.pk}/modifier/"),
            ("return_declare", f"/livraisons/{d.shipped.pk}/ecart/"),
            ("return_board", "/litiges/"),
            ("return_kpis", "/litiges/indicateurs/"),
            ("return_detail", f"/litiges/{d.open_case.pk}/"),
            ("return_detail", f"/litiges/{d.closed_case.pk}/"),
            ("invoice_list", "/factures/"),
            ("invoice_detail", f"/factures/{d.draft_invoice.pk}/"),
            ("invoice_detail", f"/factures/{d.invoice.pk}/"),
            ("invoice_detail", f"/factures/{d.credit_note.pk}/"),
            ("invoice_detail", f"/factures/{d.deposit.pk}/"),
            ("payment_list", "/reglements/"),
            ("payment_create", "/reglements/nouveau/"),
            ("payment_detail", f"/reglements/{d.payment.pk}/"),
            ("margins", "/marges/"),
            ("margins", "/marges/?par=mois"),
            ("customers_watch", "/marges/clients-a-surveiller/"),
            ("lead_times", "/marges/delais/"),
            ("revenue", "/marges/chiffre-affaires/?par=canal"),
            ("products_stock", "/marges/produits-stock/"),
            ("trial_balance", "/comptabilite/balance/"),
            ("general_ledger", "/comptabilite/grand-livre/411/"),
            ("journal_entries", "/comptabilite/ecritures/"),
            ("aged_receivables", "/comptabilite/balance-agee/"),
            ("balance_sheet", "/comptabilite/bilan/"),
            ("income_statement", "/comptabilite/compte-de-resultat/"),
            ("vat_summary", "/comptabilite/tva/"),
            ("vat_line", "/comptabilite/tva/ligne/A1/"),
            ("fec_export", "/comptabilite/fec/"),
            ("proposal_inbox", "/assistant/propositions/"),
            ("agent", "/assistant/agent/"),
            ("recurring_causes", "/litiges/causes/"),
            ("audit_list", "/audit/"),
            ("archive_list", "/archives/"),
            ("account", "/compte/"),
            ("settings_index", "/parametres/"),
            ("settings_company", "/parametres/societe/"),
            ("settings_lockouts", "/parametres/connexions/"),
            ("jobs", "/parametres/taches/"),
            ("settings_roles", "/parametres/roles/"),
            ("settings_vat", "/parametres/tva/"),
            ("settings_numbering", "/parametres/numerotation/"),
            ("settings_payment_terms", "/parametres/conditions-de-paiement/"),
            ("settings_rules", "/parametres/regles/"),
            ("imports", "/parametres/import/"),
            ("settings_fiscal_years", "/parametres/exercices/"),
            ("customer_letter", f"/courriers/{d.letter.pk}/"),
            ("mass_letters", "/relances/"),
            ("quote_versions", f"/devis/{d.revised_quote.pk}/versions/"),
            ("order_amend", f"/commandes/{d.order.pk}/avenant/"),
            ("discount_approvals", "/remises-a-approuver/"),
            ("price_lists", "/prix/"),
            ("price_list_detail", f"/prix/{d.price_list.pk}/"),
            ("discount_thresholds", "/parametres/seuils-de-remise/"),
            ("time_list", "/temps/"),
            ("time_record", "/temps/saisir/"),
            ("time_edit", f"/temps/{d.time_entry.pk}/corriger/"),
            ("ticket_list", "/sav/"),
            ("ticket_create", "/sav/nouveau/"),
            ("ticket_detail", f"/sav/{d.ticket.pk}/"),
            ("pipeline", "/pipeline/"),
            ("lead_list", "/pistes/"),
            ("lead_create", "/pistes/nouvelle/"),
            ("lead_detail", f"/pistes/{d.lead.pk}/"),
            ("opportunity_create", "/opportunites/nouvelle/"),
            ("opportunity_detail", f"/opportunites/{d.opportunity.pk}/"),
            ("my_activities", "/activites/"),
            ("not_found", "/factures/999999/"),
        ],
        "demo": [
            ("home", "/"),
            ("settings_users", "/parametres/utilisateurs/"),
            ("settings_user_create", "/parametres/utilisateurs/nouveau/"),
            ("settings_user_detail", f"/parametres/utilisateurs/{d.users['adv'].pk}/"),
        ],
        "commercial": [
            ("home", "/"),
            ("quote_create", "/devis/nouveau/"),
            ("my_activities", "/activites/"),
            ("forbidden", "/comptabilite/balance/"),
        ],
        "adv": [("home", "/"), ("order_detail", f"/commandes/{d.draft_order.pk}/")],
        "logistique": [("home", "/"), ("to_ship", "/livraisons/a-expedier/")],
        "compta": [("home", "/"), ("invoice_detail", f"/factures/{d.draft_invoice.pk}/")],
    }


# Each role's home and main task, saved at both widths: (role, URL name) → the screenshot's name.
SCREENSHOTS = {
    ("direction", "home"): "accueil",
    ("direction", "margins"): "marges",
    ("demo", "home"): "accueil",
    ("demo", "settings_users"): "utilisateurs",
    ("commercial", "home"): "accueil",
    ("commercial", "quote_create"): "nouveau-devis",
    ("adv", "home"): "accueil",
    ("adv", "order_detail"): "commande-a-confirmer",
    ("logistique", "home"): "accueil",
    ("logistique", "to_ship"): "a-expedier",
    ("compta", "home"): "accueil",
    ("compta", "invoice_detail"): "facture-a-emettre",
}


def test_every_page_of_the_url_configuration_is_scanned_or_said_not_to_be_a_page(demo):
    scanned = {name for role_pages in pages(demo).values() for name, _path in role_pages} | {"login"}
    missing = sorted(
        name
        for name, view in _url_names()
        if name not in scanned and name not in NOT_PAGES and not _is_action(view)
    )
    assert missing == [], f"pages neither scanned nor listed in NOT_PAGES: {missing}"


# Rows past the twentieth of a table repeat its template (the ledger, the entries and the audit log show a
# hundred a page): they are left out of the scan, which they would only slow down.
AXE_RUN = """async () => {
  // After a change of width, let resize listeners (comptoir.js) run first, as a real screen would.
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  const context = {include: [document], exclude: [['tbody > tr:nth-child(n+21)']]};
  const results = await axe.run(context, {resultTypes: ['violations']});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 4).map(n => n.target.join(' ') + ' — ' + n.failureSummary.replace(/\\s+/g, ' ')),
  }));
}"""


def _scan(page) -> list[dict]:
    return page.evaluate(AXE_RUN)


def _sign_in(page, base, username, password):
    page.context.clear_cookies()
    page.goto(f"{base}/connexion/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/")


def test_no_page_has_a_serious_or_critical_accessibility_violation(demo, live_server, browser_page):
    from axe_playwright_python.base import AXE_SCRIPT

    page, base = browser_page, live_server.url
    page.context.add_init_script(script=AXE_SCRIPT)
    found, report, shots, started = [], [], set(), time.perf_counter()

    # The sign-in page, before anyone signs in.
    page.goto(f"{base}/connexion/")
    for width, height in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        found += [(width, "/connexion/", v) for v in _scan(page)]
    for role, role_pages in pages(demo).items():
        _sign_in(page, base, role, demo.password)
        for name, path in role_pages:
            page.set_viewport_size({"width": 1440, "height": 900})
            response = page.goto(f"{base}{path}")
            assert response.status == EXPECTED_STATUS.get(name, 200), (role, path, response.status)
            for width, height in WIDTHS.items():
                page.set_viewport_size({"width": width, "height": height})
                violations = _scan(page)
                found += [(width, f"{role} {path}", v) for v in violations]
                report.append({"role": role, "page": path, "width": width, "violations": violations})
                if (role, name) in SCREENSHOTS and (role, name, width) not in shots:
                    shots.add((role, name, width))
                    shot(page, f"role-{role}-{SCREENSHOTS[role, name]}-{width}")
    elapsed = time.perf_counter() - started
    (ARTIFACTS / "axe-report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))
    serious = [
        f"{width} px {where}: {v['id']} ({v['impact']}) {v['help']}\n    " + "\n    ".join(v["nodes"])
        for width, where, v in found
        if v["impact"] in FAILING_IMPACTS
    ]
    print(f"axe: {len(report)} scans in {elapsed:.1f} s")
    assert serious == [], f"{len(serious)} serious or critical violations:\n" + "\n".join(serious)
