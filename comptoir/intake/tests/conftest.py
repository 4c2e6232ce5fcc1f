"""Fixtures of intake: the customer who sends the sample orders and the products they name."""

from pathlib import Path

import pytest

from comptoir.core.testing import make_customer, make_product

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def brasserie(boss, company):
    """The buyer of every fixture: SIREN 552032534, VAT FR27552032534."""
    return make_customer(boss, name="Brasserie du Port SAS", siren="552032534", vat_number="FR27552032534")


@pytest.fixture
def catalogue(boss):
    """Products named by the fixtures: by EAN (screws, gloves, wrench), by our code (drill)."""
    return {
        "screws": make_product(
            boss, sku="VIS-M6-50", name="Vis inox M6x50 boîte de 100", ean="3012345678902", sale_price="12.50"
        ),
        "drill": make_product(boss, sku="PERC-18V", name="Perceuse sans fil 18 V", sale_price="149.00"),
        "gloves": make_product(
            boss, sku="GANT-T9", name="Gants de protection cuir T9", ean="3760000000024", sale_price="3.20"
        ),
        "wrench": make_product(
            boss, sku="CLE-DYN", name="Clé dynamométrique 1/2", ean="3760000000017", sale_price="31.25"
        ),
    }


@pytest.fixture(scope="session")
def dovecot():
    """A real IMAP server (dovecot), started once per session and worker; skipped when not installed."""
    from comptoir.intake.tests.imap import Dovecot, Unavailable

    try:
        server = Dovecot()
    except Unavailable as exc:
        pytest.skip(f"Tests IMAP ignorés : {exc}")
    yield server
    server.stop()


@pytest.fixture
def mailbox(dovecot, settings):
    """A fresh account on the IMAP server, and Comptoir set to poll it (plain IMAP on 127.0.0.1)."""
    account = dovecot.new_account()
    settings.COMPTOIR_INTAKE_IMAP = dovecot.config(account)
    return account
