"""Create or migrate the template schema that new tenants are cloned from."""

from django.core.management.base import BaseCommand

from tenants.template import template_schema_ensure


class Command(BaseCommand):
    help = "Create or migrate the tenant template schema."

    def handle(self, *args, **options):
        name = template_schema_ensure(verbosity=max(0, options["verbosity"] - 1))
        self.stdout.write(self.style.SUCCESS(f"Template schema {name} is migrated."))
