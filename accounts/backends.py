"""Sign-in: Django's model backend, refusing demo people where demo logins are off, and reading a
person's permissions (their own and their groups') with the request's other facts about the person
(accounts.facts, core.person_facts) instead of two queries of their own."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from accounts.facts import permissions_of


class EcmModelBackend(ModelBackend):
    def user_can_authenticate(self, user: Any) -> bool:
        if getattr(user, "is_demo", False) and not settings.DEMO_LOGINS_ALLOWED:
            return False
        return super().user_can_authenticate(user)

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        """As Django's, kept on the person object for the request, read with the person's other facts."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = permissions_of(user_obj)
        return user_obj._perm_cache
