"""Ending a person's sessions: for leavers and for a reset second factor (no other module imported)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import SESSION_KEY
from django.utils import timezone


def sessions_end_for(*, user: Any) -> int:
    """Delete every stored session of the person, so no open browser stays signed in.

    Sessions live in PostgreSQL only (`SESSION_ENGINE` is `db`, so Redis holds no copy). They are
    not indexed by person, so this reads them; it runs for leavers only. An inactive person is
    also refused by the authentication backend on their next request, whatever is stored.
    """
    from django.contrib.sessions.models import Session  # the sessions app's model, loaded once apps are ready

    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk):
            session.delete()
            ended += 1
    return ended
