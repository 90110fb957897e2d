"""Versions and what changed between two of them: word-level differences, section by section."""

from __future__ import annotations

from formulation.selectors import DiffPart, report_changes, word_diff
from formulation.services import report_save, report_sign_off, report_submit
from tests.conftest import Cast
from tests.formulation.report_support import KAIS_REPORT, add_recommendation, signed_off, started


def test_an_unchanged_text_is_one_part_the_same() -> None:
    assert word_diff("Kai trusts Ms Marsh.", "Kai trusts Ms Marsh.") == [DiffPart("same", "Kai trusts Ms Marsh.")]


def test_a_replaced_word_is_removed_then_added() -> None:
    assert word_diff("Kai trusts Ms Marsh.", "Kai trusts Mr Okafor.") == [
        DiffPart("same", "Kai trusts "),
        DiffPart("removed", "Ms Marsh."),
        DiffPart("same", " "),
        DiffPart("added", "Mr Okafor."),
    ]


def test_added_and_removed_words_keep_the_lines_of_the_new_text() -> None:
    old = "Kai plays football.\nHe likes school."
    new = "Kai plays football on Saturdays.\nHe likes school."
    assert word_diff(old, new) == [
        DiffPart("same", "Kai plays "),
        DiffPart("removed", "football."),
        DiffPart("same", "\n"),
        DiffPart("added", "football on Saturdays."),
        DiffPart("same", "\nHe likes school."),
    ]
    assert word_diff("", "All new.") == [DiffPart("added", "All new.")]
    assert word_diff("All gone.", "") == [DiffPart("removed", "All gone.")]


def test_what_changed_between_two_versions_section_by_section(cast: Cast) -> None:
    first = signed_off(cast)
    second = started(cast)
    second = report_save(
        report=second,
        actor=cast.psychologist,
        revision=second.revision,
        strengths=KAIS_REPORT["strengths"] + " He has started helping at the youth club.",
        trm_stage=3,
    )
    add_recommendation(second, cast, text="Bereavement work with the school counsellor.", suits_from_stage=2)
    [carried, _] = second.recommendations.order_by("pk")
    carried.delete()
    report_sign_off(
        report=report_submit(report=second, actor=cast.psychologist), actor=cast.senior_practitioner, confirmed=True
    )

    changes = report_changes(older=first, newer=second)

    assert [section.name for section in changes.changed_sections] == ["strengths", "trm_stage"]
    strengths = changes.changed_sections[0]
    assert strengths.heading == "Strengths"
    assert [part.text for part in strengths.parts if part.kind == "added"] == [
        "He has started helping at the youth club."
    ]
    stage = changes.changed_sections[1]
    assert [(part.kind, part.text) for part in stage.parts if part.kind != "same"] == [
        ("removed", "2: Trust and relationship building"),
        ("added", "3: Working through trauma"),
    ]
    assert [section.heading for section in changes.sections][-3:] == [
        "TRM stage",
        "Rationale for the TRM stage",
        "Child-friendly summary",
    ]
    assert "Strengths" not in changes.unchanged_headings and "The child's story" in changes.unchanged_headings
    assert [rec.text for rec in changes.added_recommendations] == ["Bereavement work with the school counsellor."]
    assert [rec.text for rec in changes.removed_recommendations] == [
        "A daily check-in with Ms Marsh at the start of the school day."
    ]
    assert changes.kept_recommendations == 0
