"""OpenID Connect sign-in on requests + PyJWT: discovery, authorization code with PKCE, and the ID token's checks.

State, nonce and the PKCE verifier live in the session between the redirect and the callback; the
ID token must carry a signature of a key in the provider's JWKS, our client id as audience, the
configured issuer, a future ``exp`` and the nonce we sent.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from urllib.parse import urlencode

import jwt
import requests

from sso.errors import ProviderUnreachable, SsoRefused

SESSION_KEY = "sso_oidc"
FLOW_SECONDS = 600
TIMEOUT = 5
ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "PS256"]
LEEWAY = 30  # seconds of clock difference allowed on exp / iat


def _get_json(url: str, what: str) -> dict:
    try:
        response = requests.get(url, timeout=TIMEOUT, headers={"Accept": "application/json"})
    except requests.RequestException as exc:
        raise ProviderUnreachable(
            f"Could not reach the identity provider's {what} at {url}: {type(exc).__name__}."
        ) from None
    if response.status_code != 200:
        raise ProviderUnreachable(f"The identity provider's {what} at {url} answered HTTP {response.status_code}.")
    try:
        body = response.json()
    except ValueError:
        raise ProviderUnreachable(f"The identity provider's {what} at {url} is not JSON.") from None
    if not isinstance(body, dict):
        raise ProviderUnreachable(f"The identity provider's {what} at {url} is not a JSON object.")
    return body


def discovery(issuer: str) -> dict:
    """Return the provider's OpenID configuration; refuse one that misses an endpoint or names another issuer."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    config = _get_json(url, "discovery document")
    missing = [k for k in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri") if not config.get(k)]
    if missing:
        raise ProviderUnreachable(f"The discovery document at {url} has no {', '.join(missing)}.")
    if config["issuer"].rstrip("/") != issuer.rstrip("/"):
        raise ProviderUnreachable(
            f"The discovery document names the issuer {config['issuer']}, not the configured {issuer}."
        )
    return config


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def authorization_url(request, provider, *, redirect_uri: str, next_url: str = "/") -> str:
    """Remember a new state, nonce and PKCE verifier in the session; return the provider's sign-in URL."""
    config = discovery(provider.issuer)
    flow = {
        "state": secrets.token_urlsafe(24),
        "nonce": secrets.token_urlsafe(24),
        "verifier": secrets.token_urlsafe(48),
        "at": time.time(),
        "next": next_url,
    }
    request.session[SESSION_KEY] = flow
    query = {
        "response_type": "code",
        "client_id": provider.client_id,
        "redirect_uri": redirect_uri,
        "scope": "openid email profile",
        "state": flow["state"],
        "nonce": flow["nonce"],
        "code_challenge": _challenge(flow["verifier"]),
        "code_challenge_method": "S256",
    }
    return f"{config['authorization_endpoint']}?{urlencode(query)}"


def flow_take(request, state: str) -> dict:
    """Return (and forget) the flow the callback's ``state`` belongs to; refuse a missing, old or other one."""
    flow = request.session.pop(SESSION_KEY, None)
    if not flow:
        raise SsoRefused(
            "This sign-in was not started here, or was already used. Start again with “Sign in with SSO”.",
            code="state_missing",
        )
    if not state or not secrets.compare_digest(str(flow.get("state")), state):
        raise SsoRefused(
            "The answer does not belong to the sign-in started in this browser (state mismatch). "
            "Start again with “Sign in with SSO”.",
            code="state_mismatch",
        )
    if time.time() - float(flow.get("at", 0)) > FLOW_SECONDS:
        raise SsoRefused("This sign-in took more than 10 minutes. Start again.", code="flow_expired")
    return flow


def claims_from_code(provider, *, client_secret: str, code: str, flow: dict, redirect_uri: str) -> dict:
    """Exchange the code for tokens and return the verified ID token's claims."""
    config = discovery(provider.issuer)
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": flow["verifier"],
        "client_id": provider.client_id,
    }
    try:
        response = requests.post(
            config["token_endpoint"], data=data, timeout=TIMEOUT, auth=(provider.client_id, client_secret)
        )
    except requests.RequestException as exc:
        raise ProviderUnreachable(f"Could not reach the token endpoint: {type(exc).__name__}.") from None
    if response.status_code != 200:
        raise SsoRefused(
            f"The identity provider refused the code (HTTP {response.status_code}); check the client id and secret.",
            code="token_refused",
        )
    try:
        id_token = response.json()["id_token"]
    except (ValueError, KeyError, TypeError):
        raise SsoRefused("The identity provider's token answer has no ID token.", code="token_refused") from None
    return id_token_verify(provider, id_token=id_token, nonce=flow["nonce"], jwks_uri=config["jwks_uri"])


def id_token_verify(provider, *, id_token: str, nonce: str, jwks_uri: str) -> dict:
    """Return the ID token's claims once its signature, issuer, audience, expiry and nonce are right."""
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.PyJWTError:
        raise SsoRefused("The ID token is not a signed JWT.", code="bad_token") from None
    if header.get("alg") not in ALGORITHMS:
        raise SsoRefused(
            f"The ID token is signed with {header.get('alg')!r}, which we do not accept.", code="bad_signature"
        )
    try:
        jwks = jwt.PyJWKSet.from_dict(_get_json(jwks_uri, "key set (JWKS)"))
    except jwt.PyJWTError:
        raise ProviderUnreachable(f"The key set at {jwks_uri} holds no usable key.") from None
    keys = [k for k in jwks.keys if header.get("kid") in (None, k.key_id)]
    if not keys:
        raise SsoRefused(
            "The ID token is signed with a key the provider's key set does not hold.", code="bad_signature"
        )
    try:
        claims = jwt.decode(
            id_token,
            keys[0],
            algorithms=[header["alg"]],
            audience=provider.client_id,
            issuer=provider.issuer,
            leeway=LEEWAY,
            options={"require": ["exp", "iat", "sub"]},
        )
    except jwt.InvalidSignatureError:
        raise SsoRefused("The ID token's signature does not match the provider's keys.", code="bad_signature") from None
    except jwt.ExpiredSignatureError:
        raise SsoRefused("The ID token has expired; sign in again.", code="expired") from None
    except jwt.InvalidAudienceError:
        raise SsoRefused(
            "The ID token was issued for another application (audience), not this client id.", code="wrong_audience"
        ) from None
    except jwt.InvalidIssuerError:
        raise SsoRefused(
            "The ID token was issued by another issuer than the one configured.", code="wrong_issuer"
        ) from None
    except jwt.PyJWTError as exc:
        raise SsoRefused(f"The ID token is not valid: {exc}.", code="bad_token") from None
    if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
        raise SsoRefused(
            "The ID token's nonce is not the one this sign-in sent (a replayed token?).", code="nonce_mismatch"
        )
    return claims


def jwks_count(jwks_uri: str) -> int:
    """Return how many usable keys the provider's key set holds; refuse an empty or unreadable one."""
    try:
        keys = jwt.PyJWKSet.from_dict(_get_json(jwks_uri, "key set (JWKS)")).keys
    except jwt.PyJWTError:
        raise ProviderUnreachable(f"The key set at {jwks_uri} holds no usable key.") from None
    return len(keys)
