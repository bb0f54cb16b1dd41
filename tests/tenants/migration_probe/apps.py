from django.apps import AppConfig


class MigrationProbeConfig(AppConfig):
    """A tenant app of the tests and of bench/scale.py: migrations to apply across workspaces."""

    name = "tests.tenants.migration_probe"
    label = "migration_probe"
    default_auto_field = "django.db.models.BigAutoField"
