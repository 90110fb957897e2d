"""Significant events (issue 16): marked when a contact is logged, on the contact's page, or on any line of the
chronology; by those who may change the case, while it is open; kept in the history with who did it; tagged in
the chronology and kept by its "significant only" filter."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from cases.models import CaseEvent, CaseEventKind, Contact, Visibility
from cases.services import case_close, case_event_add, contact_mark_significant
from tests.cases.helpers import contact_form
from tests.conftest import Cast
from tests.factories import log_contact

TAG = "Significant</strong>"


def chronology(cast: Cast, query: str = "") -> str:
    return f"/cases/{cast.case.pk}/chronology/{query}"


def contact_line(contact: Contact) -> CaseEvent:
    link = f"/cases/{contact.case_id}/contacts/{contact.pk}/"
    return CaseEvent.objects.get(
        case=contact.case, kind=CaseEventKind.CONTACT, link=link, occurred_at=contact.occurred_at
    )


def test_a_contact_logged_as_significant_is_tagged_and_kept_by_the_filter(cast: Cast, client: Client) -> None:
    client.force_login(cast.case_manager)
    form = client.get(f"/cases/{cast.case.pk}/contacts/add/").content.decode()
    assert 'name="significant"' in form and "This is a significant event" in form
    response = client.post(
        f"/cases/{cast.case.pk}/contacts/add/", contact_form(significant="on", with_whom="Kai alone")
    )
    assert response.status_code == 302
    client.post(f"/cases/{cast.case.pk}/contacts/add/", contact_form(with_whom="Kai and his sister"))
    marked = Contact.objects.get(with_whom="Kai alone")
    assert marked.significant and contact_line(marked).significant
    assert not Contact.objects.get(with_whom="Kai and his sister").significant
    contacts = client.get(f"/cases/{cast.case.pk}/contacts/").content.decode()
    assert contacts.count(TAG) == 1
    everything = client.get(chronology(cast)).content.decode()
    assert "with Kai alone" in everything and "with Kai and his sister" in everything and everything.count(TAG) == 1
    significant_only = client.get(chronology(cast, "?significant=on")).content.decode()
    assert "with Kai alone" in significant_only and "with Kai and his sister" not in significant_only
    assert significant_only.count(TAG) == 1


def test_marking_a_contact_on_its_page_is_kept_in_its_history(cast: Cast, client: Client) -> None:
    contact = log_contact(cast.case, cast.case_manager)
    page = f"/cases/{cast.case.pk}/contacts/{contact.pk}/"
    client.force_login(cast.psychologist)
    assert "Mark as significant" in client.get(page).content.decode()
    response = client.post(page + "significant/", {"significant": "yes"})
    assert response.status_code == 302 and response["Location"] == page
    contact.refresh_from_db()
    assert contact.significant and contact_line(contact).significant
    latest = contact.history.latest("pgh_id")  # type: ignore[attr-defined]
    assert latest.significant and latest.pgh_context.metadata["user"] == cast.psychologist.pk
    line_history = contact_line(contact).history.latest("pgh_id")  # type: ignore[attr-defined]
    assert line_history.pgh_context.metadata["user"] == cast.psychologist.pk
    body = client.get(page).content.decode()
    assert "The contact is marked as a significant event" in body and "Unmark as significant" in body
    client.force_login(cast.case_manager)
    client.post(page + "significant/", {"significant": "no"})
    contact.refresh_from_db()
    assert not contact.significant and not contact_line(contact).significant
    assert contact.history.latest("pgh_id").pgh_context.metadata["user"] == cast.case_manager.pk


def test_only_those_who_may_change_the_case_mark_contacts(cast: Cast, client: Client) -> None:
    contact = log_contact(cast.case, cast.case_manager)
    restricted = log_contact(cast.case, cast.case_manager, restricted=True)
    for who, expected in (("teacher", 403), ("banes_case_manager", 404), ("commissioner", 404)):
        client.force_login(cast.everyone()[who])
        response = client.post(f"/cases/{cast.case.pk}/contacts/{contact.pk}/significant/", {"significant": "yes"})
        assert response.status_code == expected, who
    client.force_login(cast.colleague)  # may change the case, but not read its restricted notes
    response = client.post(f"/cases/{cast.case.pk}/contacts/{restricted.pk}/significant/", {"significant": "yes"})
    assert response.status_code == 404
    response = client.post(f"/cases/{cast.case.pk}/contacts/{contact.pk}/significant/", {"significant": "maybe"})
    assert response.status_code == 400
    assert not Contact.objects.filter(significant=True).exists()
    assert client.get(f"/cases/{cast.case.pk}/contacts/{contact.pk}/significant/").status_code == 405


def test_a_closed_case_is_not_marked(cast: Cast, client: Client) -> None:
    contact = log_contact(cast.case, cast.case_manager)
    event = case_event_add(case=cast.case, kind=CaseEventKind.OTHER, summary="Moved school", actor=cast.case_manager)
    case_close(case=cast.case, actor=cast.case_manager, reason="other", outcome_summary="o", ending_plan="p")
    client.force_login(cast.case_manager)
    assert "Mark as significant" not in client.get(f"/cases/{cast.case.pk}/contacts/{contact.pk}/").content.decode()
    assert "as significant</button>" not in client.get(chronology(cast)).content.decode()
    response = client.post(
        f"/cases/{cast.case.pk}/contacts/{contact.pk}/significant/", {"significant": "yes"}, follow=True
    )
    assert "This case is closed. Reopen it to add or change anything." in response.content.decode()
    response = client.post(chronology(cast) + "significant/", {"mark": event.pk}, follow=True)
    assert "This case is closed" in response.content.decode()
    assert not Contact.objects.filter(significant=True).exists()
    assert not CaseEvent.objects.filter(significant=True).exists()


def test_any_line_is_marked_from_the_chronology_keeping_the_filters(cast: Cast, client: Client) -> None:
    event = case_event_add(
        case=cast.case,
        kind=CaseEventKind.OTHER,
        summary="Kai's grandmother died",
        actor=cast.case_manager,
        occurred_at=timezone.now() - dt.timedelta(days=3),
    )
    client.force_login(cast.case_manager)
    page = client.get(chronology(cast, "?q=grandmother")).content.decode()
    assert f'form="mark-significant" name="mark" value="{event.pk}"' in page
    assert '<input type="hidden" name="filters" value="q=grandmother">' in page
    response = client.post(chronology(cast) + "significant/", {"mark": event.pk, "filters": "q=grandmother&older=x"})
    assert response.status_code == 302
    assert response["Location"] == chronology(cast, f"?q=grandmother#event-{event.pk}")
    event.refresh_from_db()
    assert event.significant
    assert event.history.latest("pgh_id").pgh_context.metadata["user"] == cast.case_manager.pk  # type: ignore[attr-defined]
    page = client.get(chronology(cast, "?significant=on")).content.decode()
    assert "Kai&#x27;s grandmother died" in page and page.count(TAG) == 1
    assert f'name="unmark" value="{event.pk}"' in page
    client.post(chronology(cast) + "significant/", {"unmark": event.pk})
    event.refresh_from_db()
    assert not event.significant


def test_marking_a_contacts_line_marks_the_contact(cast: Cast, client: Client) -> None:
    contact = log_contact(cast.case, cast.case_manager)
    client.force_login(cast.case_manager)
    client.post(chronology(cast) + "significant/", {"mark": contact_line(contact).pk})
    contact.refresh_from_db()
    assert contact.significant
    contact_mark_significant(contact=contact, actor=cast.case_manager, significant=False)
    assert not contact_line(contact).significant


def test_lines_are_marked_only_by_those_who_may_change_the_case_and_see_the_line(cast: Cast, client: Client) -> None:
    restricted = case_event_add(
        case=cast.case,
        kind=CaseEventKind.OTHER,
        summary="Hidden",
        actor=cast.case_manager,
        visibility=Visibility.RESTRICTED,
    )
    shared = case_event_add(
        case=cast.case,
        kind=CaseEventKind.OTHER,
        summary="Shared",
        actor=cast.case_manager,
        visibility=Visibility.SUMMARY,
    )
    client.force_login(cast.teacher)
    assert "as significant</button>" not in client.get(chronology(cast)).content.decode()
    assert client.post(chronology(cast) + "significant/", {"mark": shared.pk}).status_code == 403
    client.force_login(cast.colleague)
    assert client.post(chronology(cast) + "significant/", {"mark": restricted.pk}).status_code == 404
    assert client.post(chronology(cast) + "significant/", {}).status_code == 400
    client.force_login(cast.banes_case_manager)
    assert client.post(chronology(cast) + "significant/", {"mark": shared.pk}).status_code == 404
    assert not CaseEvent.objects.filter(significant=True).exists()
