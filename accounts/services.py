"""Writes on accounts."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from accounts.models import User


@transaction.atomic
def user_credentials_revoke(*, user: User) -> User:
    """End every session and every API token the user holds; return the user with the new version.

    Call it when a user's standing changes (role change, removal). A new password needs no call:
    sessions and tokens hash the password along with the version.
    """
    User.objects.filter(pk=user.pk).update(credentials_version=F("credentials_version") + 1)
    user.refresh_from_db(fields=["credentials_version"])
    return user
