"""What a custom domain may be: a lowercase ASCII host name (IDNA for other scripts), not ours, not an IP."""

from __future__ import annotations

import ipaddress
import re

from django.conf import settings

from unison.errors import ApplicationError

MAX_LENGTH = 253
# Labels of letters, digits and inner hyphens, 1–63 characters; a last label of letters (or an IDNA one).
# The API's schema states the same pattern (domains.serializers), so a host it allows is never a 400.
HOST_PATTERN = r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$"


def host_is_ours(host: str) -> bool:
    """Return whether ``host`` is the base domain or one of its subdomains (a workspace's own host)."""
    base = settings.UNISON_BASE_DOMAIN
    return host == base or host.endswith(f".{base}")


def host_clean(value: str) -> str:
    """Return ``value`` as a stored host (lowercase, IDNA-encoded); refuse anything else, naming ``host``."""
    host = value.strip().lower()
    if "://" in host:
        raise ApplicationError(
            "Give the host name only, without http:// or https://, e.g. mes.yourcompany.com.", field="host"
        )
    if "/" in host or ":" in host:
        raise ApplicationError(
            "Give the host name only, without a port or a path, e.g. mes.yourcompany.com.", field="host"
        )
    host = host.removesuffix(".")
    if not host:
        raise ApplicationError("Give the host name, e.g. mes.yourcompany.com.", field="host")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise ApplicationError("This is not a valid international domain name.", field="host") from None
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        raise ApplicationError("An IP address cannot be a custom domain: give a host name.", field="host")
    if len(host) > MAX_LENGTH or not re.fullmatch(HOST_PATTERN, host):
        raise ApplicationError(
            "Use a host name such as mes.yourcompany.com: letters, digits and hyphens, in labels separated by dots.",
            field="host",
        )
    if host_is_ours(host):
        raise ApplicationError(
            f"Hosts under {settings.UNISON_BASE_DOMAIN} are Unison's own: give a host of your company's domain.",
            field="host",
            status=409,
            code="host_reserved",
        )
    return host
