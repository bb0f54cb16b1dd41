"""Two-factor sign-in: TOTP devices (RFC 6238 through pyotp) and single-use recovery codes.

A device is made unconfirmed (``totp_device_begin``), shown as a QR code, and confirmed with a first
code (``totp_device_confirm``), which also issues ten recovery codes, returned once and stored as
HMACs. ``two_factor_check`` accepts a current code (one step of clock drift either way) or an unused
recovery code; a code of a step already used is a replay and is refused, as is a used recovery code.
Counting failures towards the lockout is the caller's (``accounts.two_factor_flow``).
"""

from __future__ import annotations

import hmac
import secrets
import time

import pyotp
import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts.models import RecoveryCode, TOTPDevice, User
from unison.errors import ApplicationError

STEP_SECONDS = 30
DRIFT_STEPS = 1  # a code of the step before or after the current one is accepted too
RECOVERY_CODES = 10
RECOVERY_SALT = "accounts.RecoveryCode"
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


class TwoFactorInvalid(ApplicationError):
    """A wrong, expired, replayed or used code; ``reason`` says which, for the audit log."""

    code = "two_factor_invalid"
    status = 400

    def __init__(self, message: str, *, reason: str):
        super().__init__(message, field="code")
        self.reason = reason


def two_factor_enabled(user) -> bool:
    """Return whether the user has a confirmed authenticator."""
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed_at__isnull=False).exists()


def two_factor_required(user, organization=None) -> bool:
    """Return whether the user must pass a second factor: operators always, others by their workspace."""
    if organization is None:
        return bool(user.is_superuser)
    return bool(organization.require_two_factor)


def _normalised(code: str) -> str:
    return "".join(str(code or "").split()).replace("-", "").lower()


def recovery_code_hash(code: str, *, secret: str | None = None) -> str:
    return salted_hmac(RECOVERY_SALT, _normalised(code), secret=secret, algorithm="sha256").hexdigest()


def provisioning_uri(device: TOTPDevice) -> str:
    """Return the otpauth:// URI an authenticator app reads from the QR code."""
    issuer = "Unison console" if device.user.is_superuser else "Unison"
    return pyotp.TOTP(device.secret).provisioning_uri(name=device.user.email, issuer_name=issuer)


def qr_svg(uri: str) -> str:
    """Return the QR code of ``uri`` as an inline SVG element, made here (no image service)."""
    return segno.make(uri, error="m").svg_inline(scale=4, border=2, title="Two-factor set-up code")


@transaction.atomic
def totp_device_begin(*, user: User) -> TOTPDevice:
    """Return the user's unconfirmed device, making one with a new secret if there is none.

    Raise ApplicationError when two-factor sign-in is already on: turn it off first.
    """
    device = TOTPDevice.objects.select_for_update().filter(user=user).first()
    if device is not None and device.confirmed_at is not None:
        raise ApplicationError("Two-factor sign-in is already on for this account.", code="two_factor_enabled",
                               status=409)
    if device is None:
        device = TOTPDevice.objects.create(user=user, secret=pyotp.random_base32())
    return device


def _current_step() -> int:
    return int(time.time()) // STEP_SECONDS


def _matching_step(device: TOTPDevice, code: str) -> int | None:
    """Return the time step ``code`` is valid for (within the drift), or None."""
    totp, now = pyotp.TOTP(device.secret), _current_step()
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _totp_accept(device: TOTPDevice, code: str) -> None:
    step = _matching_step(device, code)
    if step is None:
        raise TwoFactorInvalid("That code is wrong or has expired. Enter the 6 digits your app shows now.",
                               reason="wrong_code")
    if step <= device.last_step:
        raise TwoFactorInvalid("That code has already been used. Wait for the next code from your app.",
                               reason="reused_code")
    device.last_step = step
    device.save(update_fields=["last_step"])


@transaction.atomic
def totp_device_confirm(*, user: User, code: str) -> list[str]:
    """Confirm the user's new device with its first code; return the new recovery codes (shown once)."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=True).first()
    if device is None:
        raise TwoFactorInvalid("Start the set-up again: this set-up code is no longer open.", reason="no_device")
    _totp_accept(device, _normalised(code))
    device.confirmed_at = timezone.now()
    device.save(update_fields=["confirmed_at"])
    return recovery_codes_issue(user=user)


@transaction.atomic
def recovery_codes_issue(*, user: User) -> list[str]:
    """Replace the user's recovery codes with ten new ones; return them (only their HMACs are kept)."""
    RecoveryCode.objects.filter(user=user).delete()
    codes = ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=recovery_code_hash(c)) for c in codes)
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def _recovery_accept(user: User, code: str) -> None:
    hashes = [recovery_code_hash(code)] + [recovery_code_hash(code, secret=s) for s in settings.SECRET_KEY_FALLBACKS]
    found = RecoveryCode.objects.select_for_update().filter(user=user, code_hash__in=hashes).first()
    if found is None:
        raise TwoFactorInvalid("That code is wrong. Enter the 6 digits from your app, or one of your recovery codes.",
                               reason="wrong_recovery_code")
    if found.used_at is not None:
        raise TwoFactorInvalid("That recovery code has already been used; each works once.",
                               reason="used_recovery_code")
    found.used_at = timezone.now()
    found.save(update_fields=["used_at"])


@transaction.atomic
def two_factor_check(*, user: User, code: str) -> str:
    """Accept a current TOTP code or an unused recovery code; return "totp" or "recovery_code".

    Raise TwoFactorInvalid (a clear message, and the reason) for anything else.
    """
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        raise TwoFactorInvalid("Two-factor sign-in is not set up for this account.", reason="no_device")
    code = _normalised(code)
    if not code:
        raise TwoFactorInvalid("Enter the 6-digit code from your authenticator app.", reason="missing_code")
    if code.isdigit() and len(code) == 6:
        _totp_accept(device, code)
        return "totp"
    _recovery_accept(user, code)
    return "recovery_code"


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


@transaction.atomic
def two_factor_disable(*, user: User) -> None:
    """Remove the user's authenticator and recovery codes."""
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()


def totp_now(secret: str) -> str:
    """Return the code an authenticator app shows now for ``secret`` (set-up help and tests)."""
    return pyotp.TOTP(secret).now()
