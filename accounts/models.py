"""Users. The table exists in every schema: operators in public, each tenant's users in its own."""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac

SESSION_SALT = "accounts.User.session"
TOKEN_SALT = "accounts.User.token"


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MEMBER = "member", "Member"


class ConsoleRole(models.TextChoices):
    """What an operator may do in the console (platform_admin.permissions maps each to its areas)."""

    SUPPORT = "support", "Support: read and impersonate"
    FINANCE = "finance", "Finance: subscriptions and metrics"
    OWNER = "owner", "Owner: everything"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, email: str) -> User:
        """Return the user with this e-mail; addresses are stored lowercase, so any case signs in."""
        return self.get(email=email.strip().lower())

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.update(is_staff=True, is_superuser=True)
        fields.setdefault("console_role", ConsoleRole.OWNER)  # the first operator (createsuperuser) runs the console
        return self.create_user(email, password, **fields)


class User(AbstractUser):
    username = None
    first_name = None
    last_name = None
    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    # Raised by accounts.services.user_credentials_revoke (role change, removal): every session
    # and token made before then stops working, as a new password does.
    credentials_version = models.PositiveIntegerField(default=0, editable=False)
    # Operators only (public schema): blank means no console access, even for a superuser.
    console_role = models.CharField(max_length=10, choices=ConsoleRole.choices, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name or self.email).split(" ")[0]

    def credentials_hash(self, *, salt: str = TOKEN_SALT, secret: str | None = None) -> str:
        """Return an HMAC of the password and the credentials version; it changes when either does."""
        value = f"{self.password}:{self.credentials_version}"
        return salted_hmac(salt, value, secret=secret, algorithm="sha256").hexdigest()

    def get_session_auth_hash(self) -> str:
        """Return the hash Django keeps in each session: a session made before a revocation is signed out."""
        return self.credentials_hash(salt=SESSION_SALT)

    def get_session_auth_fallback_hash(self) -> Iterator[str]:
        for secret in settings.SECRET_KEY_FALLBACKS:
            yield self.credentials_hash(salt=SESSION_SALT, secret=secret)

    @property
    def is_owner(self) -> bool:
        """Return whether the user owns the workspace (custom domains, two-factor rule, trial requests)."""
        return self.role == Role.OWNER

    @property
    def can_configure(self) -> bool:
        """Return whether the user may change settings (owners and admins)."""
        return self.role in (Role.OWNER, Role.ADMIN)


class TOTPDevice(models.Model):
    """A user's authenticator app (RFC 6238, 30 s steps); usable once confirmed with a first code."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    secret = models.CharField(max_length=64)  # base32, as the authenticator app holds it
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The newest time step a code was accepted for: a code of that step or an earlier one is a replay.
    last_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)


class RecoveryCode(models.Model):
    """One single-use recovery code, kept only as an HMAC (accounts.two_factor.recovery_code_hash)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64, db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)
