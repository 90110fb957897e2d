"""The agencies' identity providers offered on the sign-in page (accounts/includes/oidc_buttons.html)."""

from __future__ import annotations

from django import template
from django.urls import reverse

from accounts.oidc import oidc_providers

register = template.Library()


@register.simple_tag
def oidc_sign_in_options() -> list[dict[str, str]]:
    """One entry per configured provider: its button label and start URL; none when none is configured."""
    return [
        {"label": provider.label, "url": reverse("accounts:oidc_start", args=[provider.slug])}
        for provider in oidc_providers().values()
    ]
