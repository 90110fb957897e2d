"""The access triad for every POST of the reviews app: your own (allowed), someone else's (404), signed out."""

from __future__ import annotations

import pytest
from django.test import Client

from reviews.models import Notification
from tests.authz.core import PEOPLE, mismatches_for
from tests.authz.reviews import POST_ROWS
from tests.conftest import Cast


@pytest.mark.parametrize("url_name", sorted(POST_ROWS))
def test_every_notification_form_refuses_a_post_from_those_who_may_not_act(cast: Cast, url_name: str) -> None:
    row = POST_ROWS[url_name]
    mismatches = mismatches_for(cast, row, method="post", anon_signs_in=True)
    assert not mismatches, f"POST {url_name}: " + "; ".join(mismatches)


def test_only_the_owner_can_mark_her_notification_read(cast: Cast) -> None:
    """The psychologist's notification stays unread through everyone else's POSTs, then hers marks it."""
    notification = Notification.objects.create(recipient=cast.psychologist, title="Hers")
    for who in PEOPLE:
        if who == "psychologist":
            continue
        client = Client()
        client.force_login(cast.everyone()[who])
        client.post(f"/notifications/{notification.pk}/read/")
        client.post("/notifications/read-all/")
    Client().post(f"/notifications/{notification.pk}/read/")
    notification.refresh_from_db()
    assert notification.read_at is None
    owner = Client()
    owner.force_login(cast.psychologist)
    assert owner.post(f"/notifications/{notification.pk}/read/").status_code == 302
    notification.refresh_from_db()
    assert notification.read_at is not None
