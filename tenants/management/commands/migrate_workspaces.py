"""Apply pending tenant migrations to the template and every workspace schema (see tenants/workspace_migrations.py)."""

from django.core.management.base import BaseCommand, CommandError

from tenants.workspace_migrations import MigrateRefused, workspaces_migrate


class Command(BaseCommand):
    help = (
        "Migrate the template schema, then every workspace schema: plain-SQL migrations computed once and applied "
        "in one transaction per schema over a few connections, the others by the standard per-schema path. "
        "Schemas that fail are named and retried by the next run."
    )

    def add_arguments(self, parser):
        parser.add_argument("app_label", nargs="?", help="Migrate up to a migration of this app (with migration_name).")
        parser.add_argument("migration_name", nargs="?", help="The migration to stop at.")
        parser.add_argument("--workers", type=int, default=4, help="Connections applying SQL at once (default 4).")
        parser.add_argument("--skip-template", action="store_true", help="Leave the template schema as it is.")

    def handle(self, *args, **options):
        app_label, name = options["app_label"], options["migration_name"]
        if bool(app_label) != bool(name):
            raise CommandError("Give both app_label and migration_name, or neither.")
        if options["workers"] < 1:
            raise CommandError("--workers must be at least 1.")
        try:
            report = workspaces_migrate(
                target=(app_label, name) if app_label else None,
                workers=options["workers"],
                include_template=not options["skip_template"],
                progress=lambda line: self.stdout.write(line) if options["verbosity"] else None,
            )
        except MigrateRefused as exc:
            raise CommandError(str(exc)) from exc
        for schema, error in sorted(report.failed.items()):
            self.stderr.write(f"schema {schema} not migrated: {error}")
        self.stdout.write(report.summary())
        if report.failed:
            raise CommandError(
                f"{len(report.failed)} schema(s) not migrated: {', '.join(sorted(report.failed))}; "
                "every other schema is migrated. Fix the cause and run the command again."
            )
