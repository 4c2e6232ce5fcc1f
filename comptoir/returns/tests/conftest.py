import pytest

from comptoir.returns.tests.factories import make_sale, team


@pytest.fixture(autouse=True)
def _media_in_tmp_and_fast_passwords(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Test users are created by the dozen; a deliberately slow password hash only slows the suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(db):
    return team()


@pytest.fixture
def sale(boss, company, customer, product):
    """10 drills at 120 € sold, delivered and invoiced (1,200 € HT, 1,440 € TTC); 50 received at 70 €."""
    return make_sale(boss, customer, product)
