"""Header and navigation for every page: who is signed in, for which agency, and what their roles offer.

Each app adds its own entries from its AppConfig.ready() (`register`), so nothing here, and
nothing in `accounts`, names another app's pages. The entries are shown in `order`, each once:
two entries for the same page (a case manager who is also a psychologist has "My caseload" and
"ECM cases", both the case list) keep the first.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse

from accounts.selectors import active_memberships

RolesTest = Callable[[frozenset[str]], bool]


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    order: int  # smaller first
    shown_to: RolesTest  # given the person's active roles


def any_of(*roles: Iterable[str] | str) -> RolesTest:
    """Shown to a person holding at least one of these roles (each a role or a set of roles)."""
    wanted = frozenset(role for group in roles for role in ([group] if isinstance(group, str) else group))
    return lambda held: bool(held & wanted)


def everyone(held: frozenset[str]) -> bool:
    return True


_ENTRIES: dict[str, NavEntry] = {}


def register(entry: NavEntry) -> None:
    """Add (or replace, on a reload) an entry of the navigation, keyed by its label."""
    _ENTRIES[entry.label] = entry
    _links_for.cache_clear()


@functools.lru_cache(maxsize=256)
def _links_for(roles: frozenset[str], prefix: str, urlconf: str | None) -> tuple[tuple[str, str], ...]:
    """The labels and addresses a person holding these roles is offered, in order (the same for everyone
    with the same roles, so worked out once per process: every page shows them). The addresses depend on
    where the app is served (`prefix`) and its URLconf, so those are in the key."""
    seen: set[str] = set()
    links = []
    for entry in sorted(_ENTRIES.values(), key=lambda entry: (entry.order, entry.label)):
        if not entry.shown_to(roles):
            continue
        url = reverse(entry.url_name)
        if url in seen:
            continue
        seen.add(url)
        links.append((entry.label, url))
    return tuple(links)


register(NavEntry("Home", "home", 0, everyone))


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The context processor: the person's memberships for the header, and their navigation entries."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "current_memberships": []}
    memberships = active_memberships(user)
    roles = frozenset(str(membership.role) for membership in memberships)
    links = _links_for(roles, get_script_prefix(), get_urlconf())
    nav = [{"label": label, "url": url, "active": request.path == url} for label, url in links]
    return {"nav_items": nav, "current_memberships": memberships}
