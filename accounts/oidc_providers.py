"""Agencies' OpenID Connect identity providers, as configured in ECM_OIDC_PROVIDERS.

Plain Python with no model imports: config/settings/base.py calls `oidc_providers_parse` at
start-up so a wrong configuration stops the app with a clear message, and accounts/oidc.py reads
the same settings through it at run time (so test overrides are checked the same way).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured

REQUIRED_KEYS = (
    "agency",
    "label",
    "authorization_endpoint",
    "token_endpoint",
    "userinfo_endpoint",
    "jwks_endpoint",
    "client_id",
    "client_secret",
)
OPTIONAL_KEYS = ("sign_algo", "trust_provider_mfa", "issuer")
# Asymmetric algorithms only: the ID token is checked against the provider's published keys, never
# against the client secret (which the provider and ECM share, so it proves nothing about who signed).
SIGN_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512"})
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ENDPOINT = re.compile(r"^https?://[^\s/?#]+[^\s]*$")


@dataclass(frozen=True)
class OidcProvider:
    """One agency's identity provider: it may vouch only for that agency's people."""

    slug: str
    agency: str  # the agency's name exactly as ECM holds it
    label: str  # shown on the sign-in button: "Sign in with <label>"
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_endpoint: str
    client_id: str
    client_secret: str
    sign_algo: str = "RS256"
    # Accept the provider's own second factor (an `amr` of mfa, otp or hwk) instead of ECM's.
    trust_provider_mfa: bool = False
    # When set, the ID token's `iss` must equal it.
    issuer: str = ""


def oidc_providers_parse(raw: object, *, https_only: bool = False) -> dict[str, OidcProvider]:
    """Check ECM_OIDC_PROVIDERS (a JSON object keyed by slug) and return the providers it names.

    `https_only` (production) refuses plain-HTTP endpoints: the client secret and codes travel there.
    """
    if not raw:
        return {}
    if not isinstance(raw, Mapping):
        raise ImproperlyConfigured("ECM_OIDC_PROVIDERS must be a JSON object keyed by provider slug.")
    return {str(slug): _provider(str(slug), entry, https_only=https_only) for slug, entry in raw.items()}


def _provider(slug: str, entry: object, *, https_only: bool) -> OidcProvider:
    where = f"ECM_OIDC_PROVIDERS[{slug!r}]"
    if not SLUG.match(slug):
        raise ImproperlyConfigured(f"{where}: the slug must be lower-case letters, digits and hyphens.")
    if not isinstance(entry, Mapping):
        raise ImproperlyConfigured(f"{where} must be a JSON object.")
    missing = [key for key in REQUIRED_KEYS if not str(entry.get(key) or "").strip()]
    if missing:
        raise ImproperlyConfigured(f"{where} is missing required keys: {', '.join(missing)}.")
    unknown = sorted(set(entry) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))
    if unknown:
        raise ImproperlyConfigured(f"{where} has unknown keys: {', '.join(unknown)}.")
    values: dict[str, Any] = {key: str(entry[key]).strip() for key in REQUIRED_KEYS}
    for key in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_endpoint"):
        if not ENDPOINT.match(values[key]):
            raise ImproperlyConfigured(f"{where}: {key} must be an http(s) URL.")
        if https_only and not values[key].startswith("https://"):
            raise ImproperlyConfigured(f"{where}: {key} must be an https URL in production.")
    sign_algo = str(entry.get("sign_algo") or "RS256")
    if sign_algo not in SIGN_ALGORITHMS:
        raise ImproperlyConfigured(f"{where}: sign_algo must be one of {', '.join(sorted(SIGN_ALGORITHMS))}.")
    trust = entry.get("trust_provider_mfa", False)
    if not isinstance(trust, bool):
        raise ImproperlyConfigured(f"{where}: trust_provider_mfa must be true or false.")
    return OidcProvider(
        slug=slug,
        sign_algo=sign_algo,
        trust_provider_mfa=trust,
        issuer=str(entry.get("issuer") or "").strip(),
        **values,
    )
