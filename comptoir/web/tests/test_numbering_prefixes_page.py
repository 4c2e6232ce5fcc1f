"""Paramètres › Numérotation: an administrator sets each series' prefix until its first number."""

import pytest

from comptoir.parties.models import Company
from comptoir.parties.series import DEFAULTS
from comptoir.sales.services import create_quote
from comptoir.web.tests.clients import client_for, text_of

pytestmark = pytest.mark.django_db
NUMBERING = "/parametres/numerotation/"


def _post(client, **changes):
    return client.post(NUMBERING, DEFAULTS | changes, follow=True)


def test_an_administrator_changes_a_prefix_before_its_series_starts(admin_user, company):
    client = client_for(admin_user)
    assert 'id="prefixes-form"' in text_of(client.get(NUMBERING))
    page = text_of(_post(client, quote_series="dv"))
    assert "Préfixes de numérotation enregistrés." in page
    assert Company.objects.get().quote_series == "DV"


def test_a_used_series_keeps_its_prefix_and_the_page_says_why(admin_user, boss, company, customer, product):
    quote = create_quote(customer, [{"product": product, "quantity": "1"}], by=boss)
    page = text_of(_post(client_for(admin_user), quote_series="DV"))
    assert f"le numéro {quote.number} a déjà été attribué" in page
    assert "sans rupture" in page
    assert Company.objects.get().quote_series == "DEV"


def test_a_reader_sees_the_prefixes_without_a_form(boss, company):
    page = text_of(client_for(boss).get(NUMBERING))
    assert 'id="prefixes-form"' not in page and "Préfixe des factures" in page
