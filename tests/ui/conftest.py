"""UI fixtures: the shop floor's ready-made organisation states, and a workspace to look at."""

import pytest
from django_tenants.utils import schema_context

from tests.shopfloor.conftest import in_tenant, onboarded, records  # noqa: F401


@pytest.fixture
def workspace(make_organization):
    """A Professional workspace with a plant, sample data and set-up done; return it and its owner."""
    from shopfloor import services
    from tests.conftest import tenant_user

    organization = make_organization(name="Leeds Fabrication")
    owner = tenant_user(organization, role="owner")
    with schema_context(organization.schema_name):
        for step in ("organization", "done"):
            services.onboarding_step_complete(step=step)
        services.plant_create(organization=organization, name="Leeds Works", code="LDS", time_zone="Europe/London")
        services.sample_data_load(organization=organization)
    return organization, owner
