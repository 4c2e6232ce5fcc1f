import pytest

from comptoir.core.errors import DomainError, PermissionDenied
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.parties.models import Customer
from comptoir.parties.services import configure_company, create_customer, update_customer

pytestmark = pytest.mark.django_db


def test_customer_identifiers_are_normalised(boss):
    customer = create_customer(
        by=boss,
        name="Atelier Bernard",
        siren="542 107 651",
        siret="542 107 651 00003",
        vat_number="fr 13 542107651",
        contacts=[{"name": "Julie Bernard", "email": "julie@bernard.fr"}],
        delivery_addresses=[
            {"label": "Dépôt", "street": "3 rue du Port", "postal_code": "44000", "city": "Nantes"}
        ],
    )
    assert (customer.siren, customer.siret, customer.vat_number) == (
        "542107651",
        "54210765100003",
        "FR13542107651",
    )
    assert customer.code == "C00001"
    assert customer.contacts.get().name == "Julie Bernard"
    assert customer.delivery_addresses.get().city == "Nantes"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"siren": "123456789"}, "invalid_siren"),
        ({"siret": "54210765100051"}, "invalid_siret"),
        ({"siren": "542107651", "siret": "73282932000074"}, "siret_siren_mismatch"),
        ({"vat_number": "FR00123456789"}, "invalid_vat_number"),
        ({"siren": "542107651", "vat_number": "FR44732829320"}, "vat_siren_mismatch"),
        ({"payment_days": 75}, "payment_terms_too_long"),
        ({"payment_days": 50, "payment_end_of_month": True}, "payment_terms_too_long"),
    ],
)
def test_bad_customer_identifiers_are_refused_and_nothing_is_written(boss, fields, code):
    with pytest.raises(DomainError) as exc:
        create_customer(by=boss, name="Client douteux", **fields)
    assert exc.value.code == code
    assert not Customer.objects.exists()


def test_a_foreign_eu_vat_number_is_accepted(boss):
    customer = create_customer(by=boss, name="Werkzeug GmbH", country="DE", vat_number="DE136695976")
    assert customer.vat_number == "DE136695976" and customer.siren == ""


def test_updating_a_customer_revalidates_it(boss):
    customer = create_customer(by=boss, name="Atelier Bernard", siren="542107651")
    with pytest.raises(DomainError):
        update_customer(customer, by=boss, siren="111111111")
    customer.refresh_from_db()
    assert customer.siren == "542107651"
    assert update_customer(customer, by=boss, city="Tours").city == "Tours"


def test_warehouse_staff_cannot_create_customers():
    with pytest.raises(PermissionDenied):
        create_customer(by=make_user("karim", Role.LOGISTIQUE), name="X")


def test_company_requires_a_valid_siren_and_iban(admin_user):
    with pytest.raises(DomainError) as exc:
        configure_company(by=admin_user, legal_name="Durand SAS", siren="732829321")
    assert exc.value.code == "invalid_siren"
    with pytest.raises(DomainError) as exc:
        configure_company(
            by=admin_user, legal_name="Durand SAS", siren="732829320", iban="FR7630006000011234567890180"
        )
    assert exc.value.code == "invalid_iban"
    company = configure_company(
        by=admin_user, legal_name="Durand SAS", siren="732829320", share_capital="10000"
    )
    assert company.siren == "732829320"


@pytest.mark.parametrize(
    ("country", "typed", "stored"),
    [
        ("GB", "GB 980 7806 84", "GB980780684"),
        ("NO", "NO 995 525 828 MVA", "NO995525828MVA"),
        ("CH", "CHE-113.553.680 MWST", "CHE113553680MWST"),
        ("US", "12-3456789", "123456789"),
        ("CA", "123456789RT0001", "123456789RT0001"),
    ],
)
def test_a_customer_outside_the_eu_keeps_its_own_countrys_vat_number(boss, country, typed, stored):
    customer = create_customer(by=boss, name="Overseas Ltd", country=country, vat_number=typed)
    assert (customer.vat_number, customer.vat_regime) == (stored, "export")


@pytest.mark.parametrize(
    ("country", "typed"),
    [
        ("GB", "GB 980 7806 85"),  # checked by python-stdnum: wrong check digits
        ("NO", "NO 995 525 829 MVA"),
        ("CH", "CHE-113.553.681 MWST"),
        ("US", "DE000000000"),  # an EU number is still checked as one
        ("US", "12"),
        ("FR", "123456789"),  # a customer in France or the EU has an EU number
        ("DE", "US123456789"),
    ],
)
def test_a_bad_foreign_vat_number_is_refused(boss, country, typed):
    with pytest.raises(DomainError) as exc:
        create_customer(by=boss, name="Overseas Ltd", siren="", country=country, vat_number=typed)
    assert exc.value.code == "invalid_vat_number"


def test_the_eu_regime_needs_an_eu_vat_number(boss):
    with pytest.raises(DomainError) as exc:
        create_customer(by=boss, name="Spanners Ltd", country="GB", vat_number="GB980780684", vat_regime="eu")
    assert exc.value.code == "eu_customer_needs_vat_number"


def test_the_electronic_invoicing_address_is_checked_and_gets_its_scheme(boss):
    customer = create_customer(
        by=boss,
        name="Outils Genève SA",
        country="CH",
        einvoice_address=" CHE-123.456.789 ",
        einvoice_scheme="0183",
    )
    assert (customer.einvoice_address, customer.einvoice_scheme) == ("CHE-123.456.789", "0183")
    french = create_customer(by=boss, name="Martin", siren="542107651", einvoice_address="542107651_00003")
    assert french.einvoice_scheme == "0225"
    for fields, code in (
        ({"einvoice_address": "factures@martin.fr"}, "invalid_einvoice_address"),
        ({"einvoice_address": "542107651", "einvoice_scheme": "EM"}, "invalid_einvoice_scheme"),
    ):
        with pytest.raises(DomainError) as exc:
            update_customer(french, by=boss, **fields)
        assert exc.value.code == code
    assert update_customer(french, by=boss, einvoice_address="").einvoice_scheme == ""
