"""Long texts with no draft on the server are kept in the browser (static/ecm/autosave.js):
their forms name the person, so a copy is never put back for someone else."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import Cast

KEPT_IN_THE_BROWSER = [
    "cases/contact_form.html",
    "cases/consultation_form.html",
    "formulation/meeting_record.html",
    "reviews/review_attendance.html",
    "reviews/review_walkthrough.html",
    "reviews/review_goals.html",
    "reviews/review_outcome.html",
    "reviews/review_action_form.html",
    "reviews/action_progress.html",
]


def test_the_contact_form_is_kept_in_the_browser_for_its_person(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.case_manager)
    page = client.get(f"/cases/{cast.case.pk}/contacts/add/").content.decode()
    assert f'<form method="post" novalidate data-autosave-local="{cast.case_manager.pk}">' in page
    assert '<script type="module" src="/static/ecm/autosave.js"></script>' in page


@pytest.mark.parametrize("template", KEPT_IN_THE_BROWSER)
def test_every_long_text_form_is_kept_in_the_browser(template: str) -> None:
    source = (Path(settings.BASE_DIR) / "templates" / template).read_text(encoding="utf-8")
    assert 'data-autosave-local="{{ request.user.pk }}"' in source
    assert "{% static 'ecm/autosave.js' %}" in source
