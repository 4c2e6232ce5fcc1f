"""The received orders of intake's tests are archived documents too: their customer and products."""

from comptoir.intake.tests.conftest import brasserie, catalogue  # noqa: F401 (fixtures)
