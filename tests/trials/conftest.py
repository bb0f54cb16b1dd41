"""The trial tests use the console's operators (tests/platform_admin/conftest.py)."""

from tests.platform_admin.conftest import operator, operator_client, staff, staff_client  # noqa: F401
