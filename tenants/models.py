"""The tenant (an organisation), its host names and one-time login tokens."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django_tenants.models import DomainMixin, TenantMixin

from tenants.hosts import origin


class Industry(models.TextChoices):
    AUTOMOTIVE = "automotive", "Automotive"
    ELECTRONICS = "electronics", "Electronics"
    SWITCHGEAR = "switchgear", "Switchgear"
    MACHINERY = "machinery", "Machinery"
    METAL_FABRICATION = "metal_fabrication", "Metal fabrication"
    PLASTICS = "plastics", "Plastics"
    FOOD = "food", "Food & beverage"
    OTHER = "other", "Other"


class CompanySize(models.TextChoices):
    SMALL = "1-50", "1–50"
    MEDIUM = "51-200", "51–200"
    LARGE = "201-500", "201–500"
    ENTERPRISE = "500+", "500+"


class UseCase(models.TextChoices):
    PRODUCTION = "production", "Production"
    QUALITY = "quality", "Quality"
    INVENTORY = "inventory", "Inventory"
    ALL = "all", "All of it"


class CostingMethod(models.TextChoices):
    FIFO = "fifo", "FIFO"
    LIFO = "lifo", "LIFO"
    WEIGHTED_AVERAGE = "weighted_average", "Weighted average"


class Organization(TenantMixin):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=40, unique=True)
    industry = models.CharField(max_length=40, choices=Industry.choices, blank=True)
    company_size = models.CharField(max_length=10, choices=CompanySize.choices, blank=True)
    primary_use_case = models.CharField(max_length=20, choices=UseCase.choices, blank=True)
    costing_method = models.CharField(max_length=20, choices=CostingMethod.choices, blank=True)
    email = models.EmailField(help_text="Contact e-mail; also the Stripe customer's e-mail.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Set by the owner: every user needs two-factor sign-in (those without it enrol after their password).
    require_two_factor = models.BooleanField(default=False)
    # Deletion (deletion app): asked for by an owner, read-only until due, then purged and anonymised.
    deletion_requested_at = models.DateTimeField(null=True, blank=True)
    deletion_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    deletion_requested_by = models.CharField(max_length=254, blank=True, help_text="Who asked: an e-mail.")
    deleted_at = models.DateTimeField(null=True, blank=True, help_text="When the purge finished.")

    # Provisioning creates the schema itself, by cloning a template.
    auto_create_schema = False
    auto_drop_schema = True

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def deletion_pending(self) -> bool:
        """Return whether deletion was asked for and the purge has not finished."""
        return self.deletion_due_at is not None and self.deleted_at is None

    @property
    def host(self) -> str:
        """Return the organisation's host name, e.g. ``acme.localhost``."""
        return f"{self.slug}.{settings.UNISON_BASE_DOMAIN}"

    @property
    def url(self) -> str:
        """Return the absolute URL of the organisation's workspace."""
        return origin(self.host) + "/"


class Domain(DomainMixin):
    pass


class LoginToken(models.Model):
    """A single-use pass that carries a user from the public host into a tenant."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="login_tokens")
    user_id = models.BigIntegerField(help_text="The user's id inside the organisation's schema.")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # Set for operator impersonation: who, why and for how long the session lasts.
    impersonator = models.CharField(max_length=254, blank=True)
    # As long as the console's impersonation API allows; a TextField checks its length only with a validator.
    reason = models.TextField(max_length=2000, blank=True, validators=[MaxLengthValidator(2000)])
    session_seconds = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"login token {self.pk} for {self.organization_id}/{self.user_id}"
