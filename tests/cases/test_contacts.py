"""Contacts: one short form, newest first, restricted notes for the case holder and ECM clinicians only,
and corrections that never rewrite the original."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from cases.models import CaseEvent, Contact, ContactCorrection, Visibility
from cases.services import contact_correct
from tests.cases.helpers import contact_form
from tests.conftest import Cast
from tests.factories import log_contact


def contacts_url(cast: Cast) -> str:
    return f"/cases/{cast.case.pk}/contacts/"


def test_a_case_manager_logs_a_contact_in_one_short_form(cast: Cast, client: Client) -> None:
    client.force_login(cast.case_manager)
    form = client.get(contacts_url(cast) + "add/").content.decode()
    assert f'value="{timezone.localdate().day}"' in form  # today's date offered
    response = client.post(contacts_url(cast) + "add/", contact_form())
    assert response.status_code == 302 and response["Location"] == contacts_url(cast)
    contact = Contact.objects.get(case=cast.case)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    assert timezone.localtime(contact.occurred_at).replace(tzinfo=None) == dt.datetime.combine(
        yesterday, dt.time(14, 30)
    )
    assert (contact.kind, contact.duration_minutes, contact.recorded_by) == ("home_visit", 45, cast.case_manager)
    line = CaseEvent.objects.get(case=cast.case, kind="contact")
    assert line.visibility == Visibility.FULL
    assert line.link == f"{contacts_url(cast)}{contact.pk}/"
    body = client.get(contacts_url(cast)).content.decode()
    assert "Contact logged" in body
    assert "Home visit with Kai and his mother" in body and "showed me his new bike" in body


def test_invalid_input_is_explained_and_kept(cast: Cast, client: Client) -> None:
    client.force_login(cast.case_manager)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(
        contacts_url(cast) + "add/",
        contact_form(
            occurred_on_day=str(tomorrow.day),
            occurred_on_month=str(tomorrow.month),
            occurred_on_year=str(tomorrow.year),
            kind=None,
            duration_minutes="forty",
            note="Kept as typed",
        ),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Log a contact" in body
    assert "The date and time of the contact must be in the past" in body
    assert 'href="#id_occurred_on"' in body and 'id="id_occurred_on"' in body
    assert "Choose the type of contact" in body and 'href="#id_kind"' in body
    assert "Enter the duration as a number of minutes" in body
    assert "Kept as typed</textarea>" in body and 'value="Kai and his mother"' in body
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        ({"occurred_on_day": "", "occurred_on_month": "", "occurred_on_year": ""}, "Enter the date of the contact"),
        ({"occurred_on_month": ""}, "Date of the contact must include a month"),
        ({"occurred_on_day": "31", "occurred_on_month": "2"}, "Date of the contact must be a real date"),
        ({"occurred_time": "25:99"}, "Enter the time like 14:30"),
    ],
)
def test_dates_and_times_are_checked_the_gov_uk_way(
    cast: Cast, client: Client, parts: dict[str, str], message: str
) -> None:
    client.force_login(cast.case_manager)
    body = client.post(contacts_url(cast) + "add/", contact_form(**parts)).content.decode()
    assert message in body


def test_restricted_notes_show_only_to_the_case_holder_and_the_ecm_clinicians(cast: Cast, client: Client) -> None:
    log_contact(cast.case, cast.case_manager, note="An ordinary visit.")
    restricted = log_contact(cast.case, cast.case_manager, restricted=True, note="A safeguarding disclosure.")
    for who in ("case_manager", "psychologist", "senior_practitioner"):
        client.force_login(cast.everyone()[who])
        body = client.get(contacts_url(cast)).content.decode()
        assert "A safeguarding disclosure." in body and "An ordinary visit." in body, who
        assert client.get(f"{contacts_url(cast)}{restricted.pk}/").status_code == 200
    client.force_login(cast.colleague)
    body = client.get(contacts_url(cast)).content.decode()
    assert "An ordinary visit." in body
    assert "safeguarding" not in body and "Restricted</strong>" not in body and "1 contact." in body
    assert client.get(f"{contacts_url(cast)}{restricted.pk}/").status_code == 404
    assert client.post(f"{contacts_url(cast)}{restricted.pk}/correct/", {"text": "x"}).status_code == 404
    assert not ContactCorrection.objects.exists()


def test_a_restricted_contact_is_written_to_the_chronology_as_restricted(cast: Cast, client: Client) -> None:
    client.force_login(cast.case_manager)
    client.post(contacts_url(cast) + "add/", contact_form(restricted="on"))
    assert Contact.objects.get().restricted
    assert CaseEvent.objects.get(kind="contact").visibility == Visibility.RESTRICTED


def test_a_correction_keeps_the_original_note_and_shows_who_and_when(cast: Cast, client: Client) -> None:
    contact = log_contact(cast.case, cast.case_manager, note="Kai's sister is 12.")
    client.force_login(cast.colleague)
    url = f"{contacts_url(cast)}{contact.pk}/correct/"
    assert "Kai&#x27;s sister is 12." in client.get(url).content.decode()
    response = client.post(url, {"text": "Correction: Kai's sister is 14.", "reason": "Her age was misheard"})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.note == "Kai's sister is 12."  # never rewritten
    body = client.get(f"{contacts_url(cast)}{contact.pk}/").content.decode()
    assert body.index("sister is 12.") < body.index("sister is 14.")
    assert "Correction</strong> by Priya Nandra" in body
    assert "<strong>Why:</strong> Her age was misheard" in body
    assert ContactCorrection.objects.get().reason == "Her age was misheard"
    # When, in UK time, to the minute (read with the contact as a row: its time comes back as text).
    local = timezone.localtime(ContactCorrection.objects.get().recorded_at)
    assert f'on <time datetime="{local.isoformat()}">{local.day} {local:%b %Y, %H:%M}</time>' in body
    # The history table holds every write; the contact itself was only ever inserted.
    assert [event.pgh_label for event in contact.history.all()] == ["insert"]  # type: ignore[attr-defined]
    assert ContactCorrection.objects.get().history.count() == 1  # type: ignore[attr-defined]


def test_an_empty_correction_is_refused(cast: Cast, client: Client) -> None:
    contact = log_contact(cast.case, cast.case_manager)
    client.force_login(cast.case_manager)
    body = client.post(f"{contacts_url(cast)}{contact.pk}/correct/", {"text": " "}).content.decode()
    assert "Enter the correction or addition" in body
    assert not ContactCorrection.objects.exists()


def test_a_correction_needs_the_reason_it_was_needed(cast: Cast, client: Client) -> None:
    contact = log_contact(cast.case, cast.case_manager)
    client.force_login(cast.case_manager)
    body = client.post(f"{contacts_url(cast)}{contact.pk}/correct/", {"text": "The visit was at 3pm"}).content.decode()
    assert "govuk-error-summary" in body and 'href="#id_reason"' in body
    assert "Enter why the note needed correcting" in body and "The visit was at 3pm" in body
    assert not ContactCorrection.objects.exists()


def test_the_partner_may_not_log_a_contact_and_another_yjs_cannot_see_the_case(cast: Cast, client: Client) -> None:
    client.force_login(cast.teacher)
    assert client.post(contacts_url(cast) + "add/", contact_form()).status_code == 403
    assert client.get(contacts_url(cast)).status_code == 403
    client.force_login(cast.banes_case_manager)
    assert client.post(contacts_url(cast) + "add/", contact_form()).status_code == 404
    assert client.get(contacts_url(cast)).status_code == 404
    assert not Contact.objects.exists()


def test_contacts_are_newest_first_and_paginated(cast: Cast, client: Client) -> None:
    for days_ago in range(30, 0, -1):
        log_contact(cast.case, cast.case_manager, days_ago=days_ago, with_whom=f"Person {days_ago:02d}")
    client.force_login(cast.case_manager)
    first = client.get(contacts_url(cast)).content.decode()
    assert first.index("with Person 01") < first.index("with Person 02")
    assert "with Person 26" not in first and "Page 1 of 2" in first
    assert "with Person 26" in client.get(contacts_url(cast) + "?page=2").content.decode()


def test_contact_list_query_count_is_pinned(cast: Cast, client: Client, django_assert_max_num_queries) -> None:
    for number in range(60):
        contact = log_contact(cast.case, cast.case_manager, restricted=number % 4 == 0, days_ago=number + 1)
        contact_correct(contact=contact, actor=cast.colleague, text=f"Addition {number}", reason="Misheard")
    client.force_login(cast.psychologist)
    # The session, the person, their standing (permissions, memberships), the case, the access event, the count
    # (the case's tallies) and the contacts with their corrections and authors: the same for 25 rows as for one.
    with django_assert_max_num_queries(7):
        body = client.get(contacts_url(cast)).content.decode()
    assert body.count("Correction</strong> by Priya Nandra") == 25


def test_the_list_shows_each_correction_under_its_own_contact(cast: Cast, client: Client) -> None:
    """The corrections are read by the case in one query (cases.selectors.present_contacts), then placed under
    their contacts; those of a restricted contact are never shown to someone who may not read it."""
    older = log_contact(cast.case, cast.case_manager, days_ago=3, note="Met Kai at the library.")
    newer = log_contact(cast.case, cast.case_manager, days_ago=1, note="Phoned Kai's mother.")
    hidden = log_contact(cast.case, cast.case_manager, days_ago=2, restricted=True, note="A private matter.")
    contact_correct(contact=older, actor=cast.case_manager, text="It was the youth centre.", reason="Wrong place")
    contact_correct(contact=hidden, actor=cast.case_manager, text="Secret correction.", reason="Typo")
    client.force_login(cast.colleague)  # a colleague in the service: not the holder, no restricted notes
    body = client.get(contacts_url(cast)).content.decode()
    assert body.index("Phoned Kai") < body.index("Met Kai at the library.") < body.index("It was the youth centre.")
    assert body.count("Correction</strong>") == 1
    assert "Secret correction." not in body and "A private matter." not in body
    assert f'id="contact-{newer.pk}"' in body and f'id="contact-{hidden.pk}"' not in body
