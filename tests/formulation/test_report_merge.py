"""Two people editing one formulation report: the save merges per part (issue 16, "no lost words").

A part only one side changed is never overwritten by the other's stale copy; a part both changed
shows both texts and nothing is saved. The editor sends, per part, the text its box started from.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from formulation.models import REPORT_SECTIONS, FormulationReport
from formulation.services import ReportConflict, report_save
from formulation.services.reports import merge_sections
from tests.conftest import Cast
from tests.formulation.report_support import save, second_psychologist, started

EDITOR_FIELDS = [*(name for name, _, _ in REPORT_SECTIONS), "trm_stage", "child_friendly_summary"]


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def opened(report: FormulationReport) -> dict[str, Any]:
    """What the editor page holds when opened now: every part, its base, and the revision."""
    report.refresh_from_db()
    data: dict[str, Any] = {}
    for name in EDITOR_FIELDS:
        value = getattr(report, name)
        data[name] = data[f"base_{name}"] = "" if value is None else str(value)
    data["revision"] = str(report.revision)
    data["action"] = "save"
    return data


def edit_url(report: FormulationReport, suffix: str = "edit/") -> str:
    return f"/cases/{report.case_id}/formulation/{report.pk}/{suffix}"


# The merge itself


def test_a_part_nobody_changed_stays() -> None:
    merge = merge_sections(base={"strengths": "Old"}, mine={"strengths": "Old"}, theirs={"strengths": "Old"})
    assert merge.fields == {"strengths": "Old"} and merge.conflicts == []


def test_a_part_only_one_side_changed_takes_that_sides_text() -> None:
    base = {"strengths": "Old", "childs_voice": "Old voice"}
    mine = {"strengths": "Mine", "childs_voice": "Old voice"}
    theirs = {"strengths": "Old", "childs_voice": "Theirs"}
    merge = merge_sections(base=base, mine=mine, theirs=theirs)
    assert merge.fields == {"strengths": "Mine", "childs_voice": "Theirs"} and merge.conflicts == []


def test_a_part_both_changed_is_a_conflict_unless_they_wrote_the_same() -> None:
    base = {"strengths": "Old", "childs_voice": "Old voice", "trm_stage": 2}
    mine = {"strengths": "Mine", "childs_voice": "Same\r\nnew", "trm_stage": 3}
    theirs = {"strengths": "Theirs", "childs_voice": "Same\nnew", "trm_stage": 4}
    merge = merge_sections(base=base, mine=mine, theirs=theirs)
    assert merge.conflicts == ["strengths", "trm_stage"]  # in the editor's order
    assert merge.fields["strengths"] == "Mine" and merge.fields["childs_voice"] == "Same\r\nnew"


def test_a_part_without_a_known_base_is_a_conflict_when_the_two_differ() -> None:
    merge = merge_sections(
        base={}, mine={"strengths": "Mine", "childs_voice": "x"}, theirs={"strengths": "Theirs", "childs_voice": "x"}
    )
    assert merge.conflicts == ["strengths"]


# The service


def test_a_second_round_never_saves_a_stale_copy_of_a_part_over_the_other_persons_edit(cast: Cast) -> None:
    report = started(cast)
    colleague = second_psychologist(cast)
    a_page = opened(report)  # A and B open the editor on the same revision
    b_page = opened(report)
    base = {name: a_page[f"base_{name}"] for name in EDITOR_FIELDS if name != "trm_stage"}
    typed = {name: a_page[name] for name in EDITOR_FIELDS if name != "trm_stage"}

    # Round 1: A changes the child's story and saves.
    a_typed = {**typed, "childs_story": "A: Kai moved four times."}
    first = report_save(report=report, actor=cast.psychologist, revision=1, base=base, **a_typed)
    # B changes the strengths (B's page still holds A's old story) and saves: merged, no conflict.
    b_typed = {**{name: b_page[name] for name in base}, "strengths": "B: Kai is loyal."}
    second = report_save(report=report, actor=colleague, revision=1, base=base, **b_typed)
    assert second.childs_story == "A: Kai moved four times." and second.strengths == "B: Kai is loyal."
    # Round 2: A saves again from the page A opened: A's stale strengths do not go over B's.
    a_typed["childs_story"] = "A: Kai moved four times, twice in one year."
    a_base = {**base, "childs_story": "A: Kai moved four times."}
    third = report_save(report=report, actor=cast.psychologist, revision=first.revision, base=a_base, **a_typed)
    assert third.strengths == "B: Kai is loyal."
    assert third.childs_story == "A: Kai moved four times, twice in one year."
    assert third.revision == 4


def test_a_save_without_bases_merges_against_the_revision_it_was_edited_from(cast: Cast) -> None:
    report = started(cast)
    save(report, cast.psychologist, strengths="Saved first.")  # revision 2
    # A page still on revision 1 changes only the child's voice; its strengths are revision 1's.
    saved = report_save(
        report=report,
        actor=cast.psychologist,
        revision=1,
        strengths="",  # as it was at revision 1
        childs_voice="Kai says he wants to stay.",
    )
    assert saved.strengths == "Saved first." and saved.childs_voice == "Kai says he wants to stay."


def test_both_changing_one_part_saves_nothing_and_says_which(cast: Cast) -> None:
    report = started(cast)
    colleague = second_psychologist(cast)
    base = {"strengths": report.strengths, "childs_voice": report.childs_voice}
    save(report, colleague, strengths="B's strengths.")
    with pytest.raises(ReportConflict) as collision:
        report_save(
            report=report,
            actor=cast.psychologist,
            revision=1,
            base=base,
            strengths="A's strengths.",
            childs_voice="A's voice.",
        )
    assert collision.value.fields == ["strengths"]
    assert collision.value.merged == {"strengths": "A's strengths.", "childs_voice": "A's voice."}
    assert collision.value.current.strengths == "B's strengths."
    report.refresh_from_db()
    assert report.childs_voice == "" and report.revision == 2  # nothing half-saved


# The pages


def test_the_editor_names_each_parts_base(cast: Cast) -> None:
    report = started(cast)
    page = client_for(cast.psychologist).get(edit_url(report)).content.decode()
    assert 'name="base_strengths"' in page and 'data-autosave-base="strengths"' in page
    assert "data-autosave-merge" in page


def test_two_rounds_through_the_editor_keep_the_other_persons_part(cast: Cast) -> None:
    report = started(cast)
    colleague = second_psychologist(cast)
    a_page, b_page = opened(report), opened(report)
    a, b = client_for(cast.psychologist), client_for(colleague)

    assert a.post(edit_url(report), {**a_page, "childs_story": "A's story."}).status_code == 302
    response = b.post(edit_url(report), {**b_page, "strengths": "B's strengths."})
    assert response.status_code == 302  # merged: B never touched the story
    page = b.get(edit_url(report)).content.decode()
    assert "Changes someone else saved meanwhile to “The child&#x27;s story” are kept" in page
    # A saves again from A's page, still holding the old strengths.
    response = a.post(
        edit_url(report), {**a_page, "childs_story": "A's story, longer.", "base_childs_story": "A's story."}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.strengths == "B's strengths." and report.childs_story == "A's story, longer."


def test_a_part_both_changed_shows_both_and_the_others_part_is_shown_merged(cast: Cast) -> None:
    report = started(cast)
    colleague = second_psychologist(cast)
    a_page, b_page = opened(report), opened(report)
    client_for(colleague).post(
        edit_url(report), {**b_page, "strengths": "B's strengths.", "childs_voice": "B's voice."}
    )

    response = client_for(cast.psychologist).post(edit_url(report), {**a_page, "strengths": "A's strengths."})

    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="#id_strengths">Compare “Strengths”' in page
    assert "Compare “The child" not in page  # only the part both changed is compared
    assert ">A&#x27;s strengths.</textarea>" in page  # A's text kept in the box...
    assert "B&#x27;s strengths." in page  # ...beside B's
    assert ">B&#x27;s voice.</textarea>" in page  # B's part, only B changed: B's text in the box
    assert 'name="base_childs_voice" value="B&#x27;s voice."' in page
    assert 'name="revision" value="2"' in page
    report.refresh_from_db()
    assert report.strengths == "B's strengths." and report.revision == 2


def test_autosave_merges_and_sends_back_the_parts_someone_else_changed(cast: Cast) -> None:
    report = started(cast)
    colleague = second_psychologist(cast)
    a_page = opened(report)
    save(report, colleague, strengths="B's strengths.")
    response = client_for(cast.psychologist).post(
        edit_url(report, "autosave/"), {**a_page, "childs_voice": "A's voice.", "version": "1"}
    )
    assert response.status_code == 200 and response["X-ECM-Saved-At"] == "3"
    assert json.loads(response.content) == {"revision": 3, "fields": {"strengths": "B's strengths."}}
    report.refresh_from_db()
    assert report.strengths == "B's strengths." and report.childs_voice == "A's voice."
    # Both change the same part: 409, nothing saved.
    save(report, colleague, childs_voice="B's voice.")
    response = client_for(cast.psychologist).post(
        edit_url(report, "autosave/"),
        {**opened(report), "childs_voice": "A's other voice.", "base_childs_voice": "A's voice.", "version": "3"},
    )
    assert response.status_code == 409
    report.refresh_from_db()
    assert report.childs_voice == "B's voice."
