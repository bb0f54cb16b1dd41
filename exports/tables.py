"""What an export holds: every table of the workspace's schema, and the workspace's rows in the public schema.

Tenant tables are found from the models of ``TENANT_APPS`` (a new model is exported without a change
here); the few left out, and why, are in ``EXCLUDED_TABLES`` and ``EXCLUDED_COLUMNS`` and are named in
the manifest. Public rows are read through the apps that own them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import models

from billing.selectors import invoice_summary, invoices_for
from subscriptions.models import Subscription, SubscriptionAddOn, SubscriptionEvent, UsageSnapshot
from tenants.models import Domain, Organization

WORKSPACE, ACCOUNT = "workspace", "account"  # the tenant schema's tables; the public schema's rows
EXCLUDED_TABLES = {
    "django_session": "session keys sign people in; an export carries none",
    "axes_accessattempt": "sign-in lockout counters (addresses, user agents), kept for security",
    "axes_accessfailurelog": "failed sign-ins (addresses, user agents), kept for security",
    "axes_accesslog": "sign-in log (addresses, user agents), kept for security",
}
EXCLUDED_COLUMNS = {
    ("accounts_user", "password"): "password hashes never leave the workspace",
    ("apikeys_apikey", "hashed_key"): "an API key's hash is a credential: it never leaves the workspace",
    ("subscriptions_subscription", "hold_reason"): "an operator's note",
    ("subscriptions_subscription", "comp_reason"): "an operator's note",
}
CHUNK = 2000


@dataclass(frozen=True)
class Table:
    """One file pair of the export: its name, its section, its columns and a way to read its rows."""

    name: str
    section: str
    columns: tuple[str, ...]
    rows: Callable[[], Iterable[tuple]]

    @property
    def path(self) -> str:
        return f"{self.section}/{self.name}"


def _model_table(model: type[models.Model], queryset: models.QuerySet, section: str) -> Table:
    table = model._meta.db_table
    fields = [f for f in model._meta.concrete_fields if (table, f.column) not in EXCLUDED_COLUMNS]
    attnames = [f.attname for f in fields]
    ordered = queryset.order_by("pk")
    return Table(name=table, section=section, columns=tuple(f.column for f in fields),
                 rows=lambda: ordered.values_list(*attnames).iterator(chunk_size=CHUNK))


def tenant_models() -> list[type[models.Model]]:
    """Return every concrete model whose table lives in a tenant schema (many-to-many tables too), by table."""
    found: dict[str, type[models.Model]] = {}
    for config in apps.get_app_configs():
        if config.name not in settings.TENANT_APPS:
            continue
        for model in config.get_models(include_auto_created=True):
            if model._meta.managed and not model._meta.proxy:
                found.setdefault(model._meta.db_table, model)
    return [found[name] for name in sorted(found)]


def workspace_tables() -> list[Table]:
    """Return the tables of the current tenant schema that an export holds."""
    return [_model_table(model, model._base_manager.all(), WORKSPACE)
            for model in tenant_models() if model._meta.db_table not in EXCLUDED_TABLES]


def _invoices(organization: Organization) -> Table:
    columns = ("id", "number", "amount_cents", "currency", "status", "period_start", "period_end", "pdf_url",
               "hosted_url", "created")

    def rows():
        for invoice in invoices_for(organization).order_by("created", "djstripe_id").iterator(chunk_size=CHUNK):
            summary = invoice_summary(invoice)
            yield tuple(summary[column] for column in columns)

    return Table(name="billing_invoices", section=ACCOUNT, columns=columns, rows=rows)


def account_tables(organization: Organization) -> list[Table]:
    """Return the organisation's rows in the public schema: itself, its hosts, subscription, history, invoices."""
    mine = {"subscription__organization": organization}
    return [
        _model_table(Organization, Organization.objects.filter(pk=organization.pk), ACCOUNT),
        _model_table(Domain, Domain.objects.filter(tenant=organization), ACCOUNT),
        _model_table(Subscription, Subscription.objects.filter(organization=organization), ACCOUNT),
        _model_table(SubscriptionAddOn, SubscriptionAddOn.objects.filter(**mine), ACCOUNT),
        _model_table(SubscriptionEvent, SubscriptionEvent.objects.filter(**mine), ACCOUNT),
        _model_table(UsageSnapshot, UsageSnapshot.objects.filter(organization=organization), ACCOUNT),
        _invoices(organization),
    ]


def export_tables(organization: Organization) -> list[Table]:
    """Return every table an export of the organisation holds, the workspace's first."""
    return workspace_tables() + account_tables(organization)


def excluded() -> dict:
    """Return what an export leaves out and why, for the manifest."""
    return {"tables": dict(EXCLUDED_TABLES),
            "columns": {f"{table}.{column}": reason for (table, column), reason in EXCLUDED_COLUMNS.items()}}
