"""The disputes pages through Django's test client: who may see them, the story walked by posting forms,
buttons that follow the case's state, and French refusals on the forms."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from comptoir.billing.models import Invoice
from comptoir.core.permissions import Role
from comptoir.core.testing import colleague_of, make_user
from comptoir.returns import selectors
from comptoir.returns.models import ReturnCase
from comptoir.returns.services import (
    approve_case,
    close_case,
    open_case,
    refuse,
    reject_case,
    resolve_with_credit_note,
    submit_case,
)
from comptoir.returns.tests.factories import make_sale
from comptoir.web.charts import bar_chart
from comptoir.web.tests.clients import client_for, messages_of, text_of

pytestmark = pytest.mark.django_db

BOARD, KPIS = "/litiges/", "/litiges/indicateurs/"
ACTION_URL = re.compile(r'action="/litiges/\d+/([a-z-]+)/"')
# URL segment of each action button → the action code `available_actions` returns.
URL_ACTIONS = {
    "soumettre": "submit",
    "approuver": "approve",
    "rejeter": "reject",
    "recevoir": "receive",
    "resoudre": "resolve",
    "clore": "close",
    "lever-blocage": "lift_block",
}
# Forms of the case page that are not workflow decisions.
NOT_DECISIONS = {"pieces"}


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def team(db):
    return {
        role: make_user(f"web_{role}", role)
        for role in (Role.COMMERCIAL, Role.ADV, Role.LOGISTIQUE, Role.COMPTABILITE)
    }


@pytest.fixture
def sale(boss, company, customer, product):
    """10 drills at 120 € delivered and invoiced 1,440 € TTC (unpaid)."""
    return make_sale(boss, customer, product)


def buttons_of(response) -> set[str]:
    """The action codes of the buttons (forms) on a case page."""
    return {
        URL_ACTIONS[segment]
        for segment in ACTION_URL.findall(text_of(response))
        if segment not in NOT_DECISIONS
    }


def _case(by, sale, quantity="2", reason="damaged"):
    return open_case(
        sale.delivery,
        [{"delivery_line": sale.delivery_line, "quantity": quantity}],
        by=by,
        reason=reason,
        customer_statement="Carter fendu sur deux perceuses.",
    )


# --- Who sees what --------------------------------------------------------------------------------


def test_every_role_reads_the_board_the_case_and_the_kpis(boss, team, sale):
    case = _case(boss, sale)
    for user in (boss, *team.values()):
        client = client_for(user)
        for path in (BOARD, KPIS, f"/litiges/{case.pk}/"):
            response = client.get(path)
            assert response.status_code == 200, (user.username, path)
        assert 'href="/litiges/"' in text_of(client.get("/"))  # « Litiges » in the navigation


def test_without_a_role_the_pages_are_forbidden_and_anonymous_visitors_log_in(boss, sale):
    case = _case(boss, sale)
    nobody = client_for(make_user("personne"))
    for path in (BOARD, KPIS, f"/litiges/{case.pk}/", f"/livraisons/{sale.delivery.pk}/ecart/"):
        assert nobody.get(path).status_code == 403, path
        assert Client().get(path).status_code == 302, path
    assert "/litiges/" not in text_of(nobody.get("/"))
    response = nobody.post(f"/litiges/{case.pk}/approuver/")
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == "draft"


def test_only_those_who_declare_returns_see_the_declaration_form(boss, team, sale):
    delivery_page = f"/livraisons/{sale.delivery.pk}/"
    assert "Déclarer un écart" in text_of(client_for(team[Role.COMMERCIAL]).get(delivery_page))
    assert "Déclarer un écart" not in text_of(client_for(team[Role.LOGISTIQUE]).get(delivery_page))
    assert client_for(team[Role.COMMERCIAL]).get(f"/livraisons/{sale.delivery.pk}/ecart/").status_code == 200
    assert client_for(team[Role.LOGISTIQUE]).get(f"/livraisons/{sale.delivery.pk}/ecart/").status_code == 403
    assert (
        client_for(team[Role.COMPTABILITE]).get(f"/livraisons/{sale.delivery.pk}/ecart/").status_code == 403
    )


def test_an_unknown_case_is_a_404(boss):
    client = client_for(boss)
    assert client.get("/litiges/999999/").status_code == 404
    assert client.post("/litiges/999999/recevoir/", {}).status_code == 404
    assert client.post("/litiges/999999/approuver/", {}).status_code == 404


# --- The story, by posting forms ------------------------------------------------------------------


def test_a_damaged_delivery_is_walked_from_declaration_to_credit_note_through_the_pages(
    boss, team, customer, sale
):
    seller = client_for(team[Role.COMMERCIAL])
    adv = client_for(team[Role.ADV])
    warehouse = client_for(team[Role.LOGISTIQUE])
    accountant = client_for(team[Role.COMPTABILITE])
    line = sale.delivery_line

    # The salesperson declares two damaged drills from the delivery page
    form_page = seller.get(f"/livraisons/{sale.delivery.pk}/ecart/")
    assert "REF-88" in text_of(form_page)
    response = seller.post(
        f"/livraisons/{sale.delivery.pk}/ecart/",
        {
            "reason": "damaged",
            "customer_statement": "Deux perceuses arrivées avec le carter fendu.",
            f"qty_{line.pk}": "2",
            f"note_{line.pk}": "photos reçues",
        },
        follow=True,
    )
    case = ReturnCase.objects.get()
    assert response.redirect_chain[-1][0] == f"/litiges/{case.pk}/"
    assert any(case.number in m for m in messages_of(response))
    page = text_of(response)
    assert "Deux perceuses arrivées avec le carter fendu." in page and "240,00" in page
    assert buttons_of(response) == {"submit"}
    assert case.number in text_of(client_for(boss).get(f"/livraisons/{sale.delivery.pk}/"))

    # It is submitted, then ADV approves it with a reason
    response = seller.post(f"/litiges/{case.pk}/soumettre/", follow=True)
    assert buttons_of(response) == set()
    assert buttons_of(adv.get(f"/litiges/{case.pk}/")) == {"approve", "reject"}
    response = adv.post(f"/litiges/{case.pk}/approuver/", {"reason": "Photos probantes"}, follow=True)
    case.refresh_from_db()
    assert case.status == "approved" and case.decision_reason == "Photos probantes"
    assert "Photos probantes" in text_of(response)

    # The warehouse receives them back: inspected, one to stock, the page then offers nothing more to it
    assert buttons_of(warehouse.get(f"/litiges/{case.pk}/")) == {"receive"}
    return_line = case.lines.get()
    response = warehouse.post(
        f"/litiges/{case.pk}/recevoir/",
        {
            "date": "",
            f"qty_{return_line.pk}": "2",
            f"disposition_{return_line.pk}": "back_to_stock",
            f"inspection_{return_line.pk}": "Carters fendus, moteurs intacts",
        },
        follow=True,
    )
    case.refresh_from_db()
    assert case.status == "goods_received", messages_of(response)
    assert "Carters fendus, moteurs intacts" in text_of(response)
    assert buttons_of(response) == set()

    # Accounting credits them: an AV credit note is issued and shown on the case
    assert buttons_of(accountant.get(f"/litiges/{case.pk}/")) == {"resolve", "lift_block"}
    response = accountant.post(
        f"/litiges/{case.pk}/resoudre/", {"kind": "credit_note", "reason": ""}, follow=True
    )
    case.refresh_from_db()
    assert case.status == "resolved", messages_of(response)
    note = Invoice.objects.get(kind=Invoice.Kind.CREDIT_NOTE)
    assert note.number.startswith("AV-") and note.source_reference == case.number
    assert note.total_untaxed == Decimal("240.00")
    assert any(note.number in m for m in messages_of(response))
    assert note.number in text_of(response)

    # ADV closes it; it leaves the board and the timeline tells the whole story
    response = adv.post(f"/litiges/{case.pk}/clore/", follow=True)
    case.refresh_from_db()
    assert case.status == "closed" and buttons_of(response) == set()
    timeline = text_of(response)
    for label in (
        "Dossier de retour ouvert",
        "Retour soumis",
        "Retour accepté",
        "Retour résolu",
        "Retour clos",
    ):
        assert label in timeline
    assert case.number not in text_of(adv.get(BOARD))
    assert case.number in text_of(adv.get(BOARD, {"clos": "1"}))

    # The KPI page shows the credit note and what it cost, as tables and as charts
    kpis = text_of(seller.get(KPIS))
    assert "240,00" in kpis and customer.name in kpis
    assert kpis.count('role="img"') >= 3 and "<desc" in kpis


# --- Buttons follow the state -----------------------------------------------------------------------


def test_the_buttons_on_the_case_page_are_exactly_the_available_actions(boss, team, sale):
    draft = _case(boss, sale, "1")
    approved = approve_case(submit_case(_case(boss, sale, "1"), by=boss), by=colleague_of(boss))
    refused = approve_case(
        submit_case(_case(boss, sale, "1", reason="quality"), by=boss), by=colleague_of(boss)
    )
    refuse(refused, by=boss, reason="Aucun défaut")
    rejected = reject_case(submit_case(_case(boss, sale, "1"), by=boss), by=boss, reason="Hors délai")
    credited = approve_case(
        submit_case(_case(boss, sale, "1", reason="short_shipment"), by=boss), by=colleague_of(boss)
    )
    resolve_with_credit_note(credited, by=boss)
    closed = close_case(credited, by=boss)
    for case in (draft, approved, refused, rejected, closed):
        case.refresh_from_db()
        for user in (boss, *team.values()):
            response = client_for(user).get(f"/litiges/{case.pk}/")
            expected = selectors.available_actions(case, user)
            assert buttons_of(response) == set(expected), (case.status, user.username)
    # A refused case offers closing, never receiving goods or another credit note
    refused_page = client_for(boss).get(f"/litiges/{refused.pk}/")
    assert "receive" not in buttons_of(refused_page) and "close" in buttons_of(refused_page)
    assert [value for value, _ in refused_page.context["resolve_form"].fields["kind"].choices] == [
        "reinvoice"
    ]
    assert buttons_of(client_for(boss).get(f"/litiges/{closed.pk}/")) == set()


# --- French refusals on the forms -----------------------------------------------------------------


def test_declaring_more_than_delivered_or_nothing_is_refused_in_french(boss, team, sale):
    seller = client_for(team[Role.COMMERCIAL])
    url = f"/livraisons/{sale.delivery.pk}/ecart/"
    line = sale.delivery_line
    response = seller.post(url, {"reason": "damaged", f"qty_{line.pk}": "11"})
    assert response.status_code == 200
    assert "il ne reste que 10" in text_of(response)
    response = seller.post(url, {"reason": "damaged", f"qty_{line.pk}": ""})
    assert "Indiquez la quantité concernée sur au moins une ligne." in text_of(response)
    response = seller.post(url, {"reason": "", f"qty_{line.pk}": "abc"})
    page = text_of(response)
    assert "Saisissez un nombre." in page and "Ce champ est obligatoire." in page
    response = seller.post(url, {"reason": "lost_in_space", f"qty_{line.pk}": "1"})
    assert response.status_code == 200
    assert not ReturnCase.objects.exists()


def test_receiving_and_resolving_refusals_are_shown_on_the_case_page(boss, team, sale):
    case = approve_case(submit_case(_case(boss, sale, "2"), by=boss), by=colleague_of(boss))
    line = case.lines.get()
    warehouse = client_for(team[Role.LOGISTIQUE])
    response = warehouse.post(
        f"/litiges/{case.pk}/recevoir/", {f"qty_{line.pk}": "3", f"disposition_{line.pk}": "scrap"}
    )
    assert response.status_code == 200
    assert "vous recevez 3 alors que le dossier n'attend plus que 2" in text_of(response)
    response = warehouse.post(
        f"/litiges/{case.pk}/recevoir/", {f"qty_{line.pk}": "1", f"disposition_{line.pk}": "burn"}
    )
    assert "Sélectionnez un choix valide" in text_of(response)
    response = warehouse.post(f"/litiges/{case.pk}/recevoir/", {f"qty_{line.pk}": "1,23456"})
    assert response.status_code == 200 and "chiffres après la virgule" in text_of(response)

    accountant = client_for(team[Role.COMPTABILITE])
    # Nothing received yet: the credit note waits for the goods
    response = accountant.post(f"/litiges/{case.pk}/resoudre/", {"kind": "credit_note"})
    assert "Réceptionnez la marchandise avant d'émettre l'avoir" in text_of(response)
    response = accountant.post(f"/litiges/{case.pk}/resoudre/", {"kind": "refusal", "reason": ""})
    assert "Indiquez le motif de cette décision" in text_of(response)
    response = accountant.post(
        f"/litiges/{case.pk}/resoudre/", {"kind": "credit_note", "amount": "10", f"qty_{line.pk}": "1"}
    )
    assert "soit des quantités, soit un montant global" in text_of(response)
    response = accountant.post(f"/litiges/{case.pk}/resoudre/", {"kind": "gift"})
    assert response.status_code == 200 and "Sélectionnez un choix valide" in text_of(response)
    case.refresh_from_db()
    assert case.status == "approved" and not case.resolutions.exists()


def test_a_decision_refused_by_the_service_is_explained(boss, team, sale):
    case = submit_case(_case(boss, sale, "9"), by=boss)  # 1,080 € HT: above the ADV threshold
    adv = client_for(team[Role.ADV])
    assert buttons_of(adv.get(f"/litiges/{case.pk}/")) == set()
    response = adv.post(f"/litiges/{case.pk}/approuver/", follow=True)
    assert any("seule la direction peut le décider" in m for m in messages_of(response))
    response = client_for(boss).post(f"/litiges/{case.pk}/rejeter/", {"reason": ""}, follow=True)
    assert any("Indiquez le motif" in m for m in messages_of(response))
    seller = client_for(team[Role.COMMERCIAL])
    response = seller.post(f"/litiges/{case.pk}/approuver/", follow=True)
    # The action in words and who may do it, never the permission's code.
    assert any(
        "Rôles qui le peuvent : ADV (administration des ventes), Direction" in m
        for m in messages_of(response)
    )
    assert not any("return.approve" in m for m in messages_of(response))
    case.refresh_from_db()
    assert case.status == "submitted"


# --- Board and KPI pages --------------------------------------------------------------------------


def test_the_board_filters_and_highlights_overdue_cases(boss, team, sale, settings):
    late = _case(boss, sale, "1")
    ReturnCase.objects.filter(pk=late.pk).update(answer_due_at=late.opened_at.replace(year=2020))
    other = submit_case(_case(boss, sale, "2", reason="quality"), by=boss)
    client = client_for(team[Role.ADV])
    page = text_of(client.get(BOARD))
    assert page.index(late.number) < page.index(other.number)
    assert "sla-overdue" in page and "Réponse en retard" in page
    assert other.number not in text_of(client.get(BOARD, {"retard": "1"}))
    assert late.number not in text_of(client.get(BOARD, {"motif": "quality"}))
    assert late.number not in text_of(client.get(BOARD, {"etat": "submitted"}))
    assert other.number in text_of(client.get(BOARD, {"q": other.number}))
    assert late.number in text_of(client_for(boss).get(BOARD, {"miens": "1"}))
    assert client.get(BOARD, {"etat": "nonsense", "client": "x", "page": "zz"}).status_code == 200


def test_the_kpi_page_survives_any_period(boss, sale):
    client = client_for(boss)
    for params in ({}, {"du": "2026-13-45"}, {"du": "2030-01-01", "au": "2020-01-01"}, {"au": "1850-01-01"}):
        assert client.get(KPIS, params).status_code == 200, params
    page = text_of(client.get(KPIS))
    assert "Aucun dossier ouvert sur la période." in page


def test_bar_charts_scale_to_the_largest_value_and_put_losses_and_gains_on_each_side():
    chart = bar_chart([("Alice", Decimal("300")), ("Bob", Decimal("-100")), ("Chloé", Decimal("0"))])
    alice, bob, chloe = chart.bars
    assert chart.zero_x == Decimal(chart.label_width) + Decimal(chart.plot_width) / 4
    assert alice.width == Decimal(chart.plot_width) * 3 / 4 and alice.x == chart.zero_x
    assert bob.negative and bob.x + bob.width == chart.zero_x
    assert chloe.width == 0
    assert bar_chart([]).empty
    assert bar_chart([("a", 0)]).bars[0].width == 0


def test_the_board_costs_the_same_queries_for_two_cases_or_eight(boss, customer, product, sale):
    client = client_for(boss)

    def queries_for_board() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(BOARD).status_code == 200
        return len(captured)

    for _ in range(2):
        _case(boss, sale, "1")
    few = queries_for_board()
    for _ in range(6):
        _case(boss, make_sale(boss, customer, product, quantity="1", stock=None), "1", reason="quality")
    assert queries_for_board() == few


# --- The assistant on returns ---------------------------------------------------------------------


def test_the_case_page_shows_the_assistants_suggestion_and_priority(boss, sale):
    case = _case(boss, sale, reason="short_shipment")
    page = text_of(client_for(boss).get(f"/litiges/{case.pk}/"))
    assert "L'avis de l'assistant" in page
    assert "Valider ou refuser le dossier" in page and "Ensuite : livraison de remplacement" in page
    assert "Priorité :" in page and "montant en jeu" in page


def test_the_recurring_causes_page_says_what_grew(boss, sale):
    for _ in range(2):
        _case(boss, sale, quantity="1", reason="damaged")
    page = text_of(client_for(boss).get("/litiges/causes/"))
    assert "« Endommagé » : 2 dossier(s) sur les 90 derniers jours contre 0" in page
    assert "Dossiers ouverts par mois" in page


def test_the_board_lists_the_most_urgent_case_first_with_its_suggestion(boss, sale):
    small = _case(boss, sale, quantity="1", reason="short_shipment")
    large = _case(boss, sale, quantity="8", reason="short_shipment")
    page = text_of(client_for(boss).get("/litiges/"))
    assert page.index(large.number) < page.index(small.number)
    assert "Valider ou refuser le dossier" in page
    resorted = text_of(client_for(boss).get("/litiges/?tri=montant"))
    assert resorted.index(small.number) < resorted.index(large.number)


def test_the_board_shows_the_suggestion_as_a_chip_and_leaves_the_owner_to_the_case_page(boss, sale):
    case = _case(boss, sale, quantity="1", reason="short_shipment")
    client = client_for(boss)
    page = text_of(client.get(BOARD))
    # A short chip; the full suggestion and its reasons in its tooltip and for screen readers.
    chip = re.search(
        r'<span class="chip" title="([^"]*)">([^<]*)</span><span class="visually-hidden">([^<]*)<', page
    )
    assert chip and chip[2] == "À valider"
    assert chip[1].startswith(f"Valider ou refuser le dossier — Le dossier {case.number} est en brouillon")
    assert chip[3].startswith(f" — Valider ou refuser le dossier : Le dossier {case.number} est en brouillon")
    # Ten columns: the owner left the board; it stays on the case page and in the « Mes dossiers » filter.
    assert page.count('<th scope="col"') == 10 and "Responsable" not in page
    assert "Responsable" in text_of(client.get(f"/litiges/{case.pk}/"))
    assert case.number in text_of(client.get(BOARD, {"miens": "1"}))
    # An old link sorted by owner falls back to the default order instead of failing.
    assert case.number in text_of(client.get(BOARD, {"tri": "responsable"}))


# --- Attachments ----------------------------------------------------------------------------------


def test_photos_join_the_case_and_download_as_files_never_inline(boss, team, sale):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = _case(boss, sale)
    client = client_for(boss)
    photo = SimpleUploadedFile("carter-fendu.jpg", b"\xff\xd8\xff\xe0 jpeg", content_type="image/jpeg")
    response = client.post(f"/litiges/{case.pk}/pieces/", {"pieces": [photo]}, follow=True)
    assert "1 pièce(s) jointe(s) ajoutée(s)." in text_of(response)
    attachment = case.attachments.get()
    assert f"/litiges/{case.pk}/pieces/{attachment.pk}/" in text_of(response)

    download = client_for(team[Role.LOGISTIQUE]).get(f"/litiges/{case.pk}/pieces/{attachment.pk}/")
    assert download.status_code == 200
    assert (
        download["Content-Disposition"].startswith("attachment;")
        and download["X-Content-Type-Options"] == "nosniff"
    )
    assert b"".join(download.streaming_content) == b"\xff\xd8\xff\xe0 jpeg"
    # Another case's id does not open it.
    assert client.get(f"/litiges/{case.pk + 1}/pieces/{attachment.pk}/").status_code == 404


def test_a_web_page_is_not_accepted_as_an_attachment(boss, team, sale):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = _case(boss, sale)
    page = SimpleUploadedFile("photo.html", b"<script>alert(1)</script>", content_type="text/html")
    response = client_for(boss).post(f"/litiges/{case.pk}/pieces/", {"pieces": [page]}, follow=True)
    assert "n'est pas d'un type accepté" in text_of(response)
    assert not case.attachments.exists()
    # Logistics reads the case but does not add to it.
    jpg = SimpleUploadedFile("a.jpg", b"x", content_type="image/jpeg")
    denied = client_for(team[Role.LOGISTIQUE]).post(
        f"/litiges/{case.pk}/pieces/", {"pieces": [jpg]}, follow=True
    )
    assert "Votre rôle ne permet pas cette action : ouvrir et instruire un dossier de retour" in text_of(
        denied
    )


def test_the_declaration_form_takes_the_customers_photos(boss, sale):
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = SimpleUploadedFile("colis.png", b"\x89PNG data", content_type="image/png")
    client_for(boss).post(
        f"/livraisons/{sale.delivery.pk}/ecart/",
        {
            "reason": "damaged",
            "customer_statement": "Colis écrasé.",
            f"qty_{sale.delivery_line.pk}": "1",
            "pieces": [photo],
        },
    )
    from comptoir.returns.models import ReturnCase

    case = ReturnCase.objects.get()
    assert [a.name for a in case.attachments.all()] == ["colis.png"]


def test_the_case_page_shows_a_price_reduction_and_what_is_left_to_settle(boss, customer, product, company):
    sale = make_sale(boss, customer, product, price="5")  # 10 units at 5 €
    case = approve_case(
        submit_case(_case(boss, sale, quantity="10", reason="wrong_price"), by=boss), by=colleague_of(boss)
    )
    resolve_with_credit_note(
        case, [{"line": case.lines.get(), "quantity": "10", "unit_price": "0.50"}], by=boss
    )
    page = text_of(client_for(boss).get(f"/litiges/{case.pk}/")).replace("\xa0", " ").replace("\u202f", " ")
    assert "+ 5,00 € de réduction de prix" in page
    # Nothing was taken back: the 10 units are still open, worth the 45 € left on them.
    assert "soit 45,00 € HT" in page
