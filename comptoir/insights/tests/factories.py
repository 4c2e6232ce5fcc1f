"""Two sales to read margins from, built with the real services."""

from comptoir.core.testing import make_customer
from comptoir.returns.tests.factories import make_sale


def two_sales(boss, customer, product):
    """Ten drills sold to `customer` at 120 € (cost 70 €: 500 € of margin), and two to another customer at
    50 € (a 40 € loss). Returns the other customer."""
    make_sale(boss, customer, product)
    other = make_customer(boss, name="Bois & Fils", siren="732829320")
    make_sale(boss, other, product, quantity="2", stock=None, price="50")
    return other
