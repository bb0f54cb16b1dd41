"""UI fixtures: the shop floor's ready-made organisation states."""

from tests.shopfloor.conftest import in_tenant, onboarded, records  # noqa: F401
