"""What is left to credit on a line: its value, spread over the units not taken back. Pure: no Django.

A credit note line does one of two things to the line it credits (an invoice line, or a return case's line):
- it takes units back — goods returned, never delivered, or billed too many: the sale of those units is
  cancelled, and they leave the line with their share of its value;
- it reduces the price of units the customer keeps — a price error, a rebate, a réfaction on damaged goods
  (rabais, booked on 709): it uses value and takes no unit back.

The rule the books need is about amounts: per line, what is credited never exceeds what was invoiced less
what was already credited. Units taken back are capped by the units still there; a price reduction only by
the value of the units it reduces.

Which units did a price reduction reduce? A credit note does not name units, so the value left is spread
evenly over the units left: after 0,50 € off each of 10 units sold at 5 €, 45 € remain on 10 units and
taking 4 of them back credits at most 4 × 4,50 €; after 0,50 € off only 5 of the 10 units, the 47,50 € left
make 4,75 € a unit, whichever units come back. This is how an accountant reads a rabais on a line: it
lowered the price the line was sold at, so a later return cancels the sale of those units at the price
finally charged, not at the catalogue price. Two things follow: a line is never credited beyond what was
invoiced, and taking back every unit left credits what is left (to the rounding of a unit price to four
decimals), so nothing is stranded.
"""

from dataclasses import dataclass
from decimal import Decimal

from comptoir.core import money

ZERO = Decimal("0")


@dataclass(frozen=True)
class Room:
    """What a line may still be credited: `quantity` units not yet taken back, together worth `amount`."""

    quantity: Decimal
    amount: Decimal

    def worth(self, qty: Decimal) -> Decimal:
        """What `qty` of the units left are worth: their share of the amount left (all of it for the last)."""
        if self.quantity <= 0 or self.amount <= 0:
            return ZERO
        if qty >= self.quantity:
            return self.amount
        return money.amount(self.amount * qty / self.quantity)

    def take_back_price(self, qty: Decimal, price: Decimal, discount_percent: Decimal) -> Decimal:
        """The unit price `qty` units taken back are credited at: `price` (the invoiced one) while their line
        net fits their worth, else the highest price that fits (0 when nothing is left)."""
        worth = self.worth(qty)
        if money.line_net(qty, price, discount_percent) <= worth:
            return price
        return min(money.unit_price_within(worth, qty, discount_percent), price)

    def after(self, qty: Decimal, net: Decimal, *, takes_back: bool) -> "Room":
        """The room once `qty` units were credited `net`, taken back or only reduced in price."""
        return Room(self.quantity - qty if takes_back else self.quantity, self.amount - net)
