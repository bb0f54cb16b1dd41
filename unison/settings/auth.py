"""Sign-in limits (django-axes) and the client address every limit and throttle keys on."""

from __future__ import annotations

from unison.settings.env import env

# How many reverse proxies in front of the app each append the address they saw to X-Forwarded-For.
# 0, the default, trusts none: throttles and lockouts key on the socket's address (REMOTE_ADDR), so
# a client that makes up the header gains nothing. Behind one proxy (e.g. nginx) set 1. DRF's throttles
# read it as REST_FRAMEWORK["NUM_PROXIES"]; axes through accounts.lockout.lockout_address (the same rule).
NUM_PROXIES = env.int("NUM_PROXIES", default=0)

# Failed sign-ins (page and token API) within AXES_COOLOFF_TIME, counted per workspace: axes' tables
# are in each tenant schema. Any of the three reaching its limit locks for AXES_COOLOFF_TIME
# (OWASP ASVS V2.2.1): enough for a real user to mistype a few times, while guessing one account
# from many addresses, or many accounts from one address, stops after a handful of tries.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)  # one account from one address
SIGN_IN_ACCOUNT_FAILURE_LIMIT = 10  # one account, from any number of addresses
SIGN_IN_ADDRESS_FAILURE_LIMIT = 10  # one address, against any number of accounts (known or not)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], ["username"], ["ip_address"]]
AXES_HANDLER = "accounts.lockout.LockoutHandler"  # a limit per key, where axes has one for all
AXES_COOLOFF_TIME = 0.25  # hours
AXES_RESET_ON_SUCCESS = True  # a sign-in forgets that account's failures from that address
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.lockout.lockout_username"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.lockout_address"
