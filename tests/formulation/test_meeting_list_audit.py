"""My meetings writes one access event naming the cases of the meetings it lists (issue 15)."""

from __future__ import annotations

from django.test import Client

from accounts.audit import LIST_RECORD_TYPE
from accounts.models import AccessEvent
from formulation.models import Meeting
from tests.conftest import Cast


def test_my_meetings_writes_one_event_naming_the_cases_shown(cast: Cast, meeting: Meeting, client: Client) -> None:
    for person in (cast.senior_practitioner, cast.teacher):
        client.force_login(person)
        before = AccessEvent.objects.filter(user=person).count()
        response = client.get("/meetings/")
        shown = {m.case_id for m in (*response.context["to_record"], *response.context["page_obj"].object_list)}
        events = list(AccessEvent.objects.filter(user=person).order_by("id"))[before:]
        assert shown == {meeting.case_id}, person
        assert [(e.record_type, e.description, e.case_ids) for e in events] == [
            (LIST_RECORD_TYPE, "my meetings", [meeting.case_id])
        ]
