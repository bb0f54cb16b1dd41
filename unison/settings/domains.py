"""Custom domains: how their TXT records are looked up (a dotted path to a function, see domains.resolvers)."""

from __future__ import annotations

from unison.settings.env import env

DOMAINS_TXT_RESOLVER = env("DOMAINS_TXT_RESOLVER", default="domains.resolvers.dns_txt_records")
# A workspace claims at most this many hosts of its own.
DOMAINS_PER_WORKSPACE = 5
