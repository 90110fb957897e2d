"""The formulation report pages: start, the editor (saves, conflicts, autosave), reading by role,
recommendations with the sequencing warning, comments, sign-off, what changed, the child-friendly
summary, the case page's section, and pinned query counts."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone

from accounts.models import AccessAction, AccessEvent, User
from cases.capabilities import case_capabilities
from cases.models import NetworkMember
from formulation.models import REPORT_SECTIONS, FormulationReport, Recommendation, ReportComment, ReportStatus
from formulation.selectors import report_section_context
from formulation.services import report_comment_add, report_sign_off, report_submit
from tests.conftest import Cast
from tests.formulation.report_support import (
    KAIS_REPORT,
    add_recommendation,
    in_review,
    intervention,
    record_stage,
    save,
    signed_off,
    started,
    written,
)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(report: FormulationReport, suffix: str = "") -> str:
    return f"/cases/{report.case_id}/formulation/{report.pk}/{suffix}"


def editor_form(report: FormulationReport, **changes: Any) -> dict[str, Any]:
    """What the editor posts: every field as saved, with `changes`, over the report's revision."""
    report.refresh_from_db()
    data: dict[str, Any] = {name: getattr(report, name) for name, _, _ in REPORT_SECTIONS}
    data.update(
        revision=str(report.revision),
        child_friendly_summary=report.child_friendly_summary,
        trm_stage=str(report.trm_stage or ""),
        action="save",
    )
    data.update(changes)
    return data


def recommendation_form(cast: Cast, **changes: Any) -> dict[str, Any]:
    due = timezone.localdate() + dt.timedelta(days=42)
    member = NetworkMember.objects.get(case=cast.case, user=cast.teacher)
    data: dict[str, Any] = {
        "text": "Twelve sessions of CBT with the CAMHS team.",
        "owner": f"member:{member.pk}",
        "due_on_day": str(due.day),
        "due_on_month": str(due.month),
        "due_on_year": str(due.year),
        "intervention_type": str(intervention("Cognitive behavioural").pk),
        "suits_from_stage": "",
        "justification": "",
    }
    data.update(changes)
    return data


# Starting


def test_the_psychologist_starts_the_report_and_lands_in_the_editor(cast: Cast) -> None:
    record_stage(cast, 2)
    client = client_for(cast.psychologist)
    page = client.get(f"/cases/{cast.case.pk}/formulation/start/").content.decode()
    assert "Start the formulation report" in page
    assert "the TRM stage is Kai's recorded stage, stage 2" in page
    response = client.post(f"/cases/{cast.case.pk}/formulation/start/")
    report = FormulationReport.objects.get(case=cast.case)
    assert response.status_code == 302 and response["Location"] == url(report, "edit/")
    page = client.get(f"/cases/{cast.case.pk}/formulation/start/").content.decode()
    assert "A version is being written" in page and "Start the report" not in page


# The editor


def test_the_editor_shows_every_section_with_its_guidance_and_the_five_ps_together(cast: Cast) -> None:
    report = started(cast)
    page = client_for(cast.psychologist).get(url(report, "edit/")).content.decode()
    for name, _, _ in REPORT_SECTIONS:
        assert f'id="id_{name}"' in page
    assert "Why the child was referred to ECM, in brief." in page
    assert '<h2 class="govuk-fieldset__heading">Formulation: the five Ps</h2>' in page
    assert "What triggered the current difficulties." in page  # the guidance, without "The five Ps:"
    assert "Stage 4: Insight" in page  # the stage radios name the stages
    assert 'data-autosave-url="' + url(report, "autosave/") + '"' in page
    assert f'data-autosave-saved-at="{report.revision}"' in page
    assert 'name="revision" value="1" data-autosave-version' in page
    response = client_for(cast.psychologist).post(url(report, "edit/"), {"childs_story": "No revision named."})
    assert "This page did not say which version it was opened on" in response.content.decode()
    assert "Child-friendly summary (optional)" in page


def test_saving_without_javascript_keeps_the_text_and_raises_the_revision(cast: Cast) -> None:
    report = started(cast)
    client = client_for(cast.psychologist)
    response = client.post(url(report, "edit/"), editor_form(report, childs_story="Kai moved\r\nfour times."))
    assert response.status_code == 302 and response["Location"] == url(report, "edit/")
    report.refresh_from_db()
    assert report.childs_story == "Kai moved\nfour times." and report.revision == 2
    response = client.post(url(report, "edit/"), editor_form(report, strengths="Funny.", action="done"))
    assert response["Location"] == url(report)


def test_a_save_that_collides_shows_both_texts_and_overwrites_nothing(cast: Cast) -> None:
    report = started(cast)
    opened = editor_form(report)  # the psychologist opens the editor...
    save(report, cast.senior_practitioner, childs_story="Jordan's version of Kai's story.")  # ...someone saves first

    response = client_for(cast.psychologist).post(
        url(report, "edit/"), {**opened, "childs_story": "Alex's version of Kai's story."}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Jordan Reeve saved this report at" in page and "Nothing has been overwritten" in page
    assert "Jordan&#x27;s version of Kai&#x27;s story." in page  # theirs, shown
    assert ">Alex&#x27;s version of Kai&#x27;s story.</textarea>" in page  # yours, kept in the box
    assert 'href="#id_childs_story">Compare “The child&#x27;s story”' in page
    assert 'name="revision" value="2"' in page  # the next save goes over the version just shown
    assert "data-autosave=" not in page  # nothing saves over theirs until the person decides
    report.refresh_from_db()
    assert report.childs_story == "Jordan's version of Kai's story." and report.revision == 2


def test_the_autosave_endpoint_answers_204_409_and_refuses_others(cast: Cast) -> None:
    report = started(cast)
    autosave = url(report, "autosave/")
    client = client_for(cast.psychologist)

    response = client.post(autosave, {**editor_form(report, strengths="Typed so far"), "version": "1"})
    assert response.status_code == 204 and response["X-ECM-Saved-At"] == "2"
    report.refresh_from_db()
    assert report.strengths == "Typed so far"

    # Someone else saves; this tab still types over revision 2.
    save(report, cast.senior_practitioner, strengths="Saved elsewhere")
    response = client.post(autosave, {**editor_form(report, strengths="Still typing"), "version": "2"})
    assert response.status_code == 409
    report.refresh_from_db()
    assert report.strengths == "Saved elsewhere"

    assert client.post(autosave, editor_form(report)).status_code == 400  # no version named
    assert Client().post(autosave, {"version": "3"}).status_code == 401
    assert client_for(cast.senior_practitioner).post(autosave, {"version": "3"}).status_code == 403
    assert client_for(cast.case_manager).post(autosave, {"version": "3"}).status_code == 403
    assert client_for(cast.banes_case_manager).post(autosave, {"version": "3"}).status_code == 404
    # A write in the background, not a read: it does not fill the access log.
    assert not AccessEvent.objects.filter(user=cast.psychologist, action=AccessAction.VIEW).exists()


def test_autosave_on_a_signed_off_version_answers_409(cast: Cast) -> None:
    report = signed_off(cast)
    response = client_for(cast.psychologist).post(
        url(report, "autosave/"), {**editor_form(report, strengths="Late"), "version": str(report.revision)}
    )
    assert response.status_code == 409
    assert "signed off" in response.content.decode()


def test_a_signed_off_version_cannot_be_edited_through_the_pages(cast: Cast) -> None:
    report = signed_off(cast)
    client = client_for(cast.psychologist)
    response = client.get(url(report, "edit/"), follow=True)
    assert "it is locked and can no longer be changed" in response.content.decode()
    response = client.post(url(report, "edit/"), editor_form(report, strengths="Too late"))
    assert response.status_code == 302
    response = client.post(url(report, "recommendations/add/"), recommendation_form(cast, justification="x"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.strengths == KAIS_REPORT["strengths"] and report.recommendations.count() == 1


# Reading


def test_the_case_manager_reads_signed_off_versions_only(cast: Cast) -> None:
    first = signed_off(cast)
    second = started(cast)
    client = client_for(cast.case_manager)
    page = client.get(url(first)).content.decode()
    assert "Formulation report, version 1" in page and KAIS_REPORT["childs_story"] in page
    assert "Signed off" in page and "Jordan Reeve" in page
    assert "Edit the report" not in page and "Start a re-formulation" not in page
    assert client.get(url(second)).status_code == 403
    assert client.get(url(second, "for-the-child/")).status_code == 403
    versions = client.get(f"/cases/{cast.case.pk}/formulation/").content.decode()
    assert "Version 1" in versions and "Version 2" not in versions
    assert client_for(cast.teacher).get(url(first)).status_code == 403
    assert client_for(cast.banes_case_manager).get(url(first)).status_code == 404
    logged = AccessEvent.objects.filter(user=cast.case_manager, record_type="formulation_report")
    assert list(logged.order_by("pk").values_list("action", "record_id")) == [
        (AccessAction.VIEW, str(first.pk)),
        (AccessAction.DENIED, str(second.pk)),
        (AccessAction.DENIED, str(second.pk)),
    ]


def test_the_report_page_offers_the_next_step_to_each_person(cast: Cast) -> None:
    report = written(cast)
    author = client_for(cast.psychologist).get(url(report)).content.decode()
    assert "Edit the report" in author and "Send for review" in author and "Sign off this version" not in author
    client_for(cast.psychologist).post(url(report, "submit/"))
    reviewer = client_for(cast.senior_practitioner).get(url(report)).content.decode()
    assert "Sign off this version" in reviewer and "Edit the report" not in reviewer
    assert 'Comment<span class="govuk-visually-hidden"> on “The child&#x27;s story”' in reviewer
    assert client_for(cast.psychologist).get(url(report, "sign-off/")).status_code == 403


def test_the_report_page_lists_what_stops_sign_off_and_the_standing_mismatches(cast: Cast) -> None:
    report = written(cast, strengths="")
    add_recommendation(report, cast, text="Anger management group.", suits_from_stage=4, justification="Asked for.")
    page = client_for(cast.psychologist).get(url(report)).content.decode()
    assert "Before this version can be signed off:" in page
    assert f'href="{url(report, "edit/")}#id_strengths">Write the section “Strengths”' in page
    assert "1 recommendation suits a stage above Kai's current stage" in page
    assert "has not crossed the cognitive readiness threshold" in page


# Recommendations


def test_cbt_for_kai_at_stage_two_asks_for_a_justification_then_saves(cast: Cast) -> None:
    report = written(cast)
    client = client_for(cast.psychologist)
    page = client.get(url(report, "recommendations/add/")).content.decode()
    assert "Kai is at <strong>stage 2: Trust and relationship building</strong>" in page
    assert "Cognitive behavioural therapy (CBT) (from stage 4)" in page

    response = client.post(url(report, "recommendations/add/"), recommendation_form(cast))
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "the child is at stage 2 and has not crossed the cognitive readiness threshold" in page
    assert "Give a justification to recommend it now." in page

    response = client.post(
        url(report, "recommendations/add/"),
        recommendation_form(cast, justification="Ordered by the court; it starts with relationship building."),
    )
    assert response.status_code == 302 and response["Location"] == url(report) + "#recommendations"
    cbt = report.recommendations.get(intervention_type__isnull=False)
    assert cbt.suits_from_stage == 4 and cbt.owner == cast.teacher and cbt.owner_agency == cast.school
    assert "cognitive readiness" in cbt.sequencing_warning


def test_a_recommendation_form_explains_each_problem(cast: Cast) -> None:
    report = written(cast)
    response = client_for(cast.psychologist).post(
        url(report, "recommendations/add/"),
        recommendation_form(
            cast,
            text="",
            owner="other",
            due_on_day="1",
            due_on_month="1",
            due_on_year="2020",
            suits_from_stage="2",
        ),
    )
    page = response.content.decode()
    assert "Enter the recommendation" in page
    assert "Enter the name of the person who will do it" in page
    assert "Choose their agency, or enter its name" in page
    assert "The due date must be today or in the future" in page
    assert "Cognitive behavioural therapy (CBT) suits children from stage 4: choose stage 4" in page


def test_a_recommendation_is_changed_and_removed_through_the_pages(cast: Cast) -> None:
    report = written(cast)
    [recommendation] = report.recommendations.all()
    client = client_for(cast.psychologist)
    page = client.get(url(report, f"recommendations/{recommendation.pk}/")).content.decode()
    assert "A daily check-in with Ms Marsh" in page
    assert re.search(r'<option value="member:\d+" selected>Helen Marsh \(Designated teacher, Fernbrook Academy\)', page)
    due = recommendation.due_on
    response = client.post(
        url(report, f"recommendations/{recommendation.pk}/"),
        {
            "text": "A daily check-in, and a walk round the field on Fridays.",
            "owner": "other",
            "owner_name": "Dr Imogen Vale",
            "owner_agency_name": "Avon Vale Surgery",
            "due_on_day": str(due.day),
            "due_on_month": str(due.month),
            "due_on_year": str(due.year),
            "suits_from_stage": "2",
        },
    )
    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.owner is None and recommendation.owner_name == "Dr Imogen Vale"
    assert (
        "Remove this recommendation?"
        in client.get(url(report, f"recommendations/{recommendation.pk}/remove/")).content.decode()
    )
    client.post(url(report, f"recommendations/{recommendation.pk}/remove/"))
    assert not Recommendation.objects.filter(pk=recommendation.pk).exists()


# Review


def test_a_reviewer_comments_and_the_author_answers_and_resolves(cast: Cast) -> None:
    report = in_review(cast)
    reviewer = client_for(cast.senior_practitioner)
    page = reviewer.get(url(report, "comment/") + "?section=childs_story").content.decode()
    assert '<option value="childs_story" selected>The child&#x27;s story</option>' in page
    response = reviewer.post(url(report, "comment/"), {"section": "childs_story", "text": "Say more about spring."})
    assert response["Location"] == url(report) + "#comments-childs_story"
    assert "Enter your comment" in reviewer.post(url(report, "comment/"), {"section": ""}).content.decode()

    author = client_for(cast.psychologist)
    assert "Answer a review comment" in author.get(url(report, "comment/")).content.decode()
    author.post(url(report, "comment/"), {"section": "childs_story", "text": "Added a paragraph."})
    comment = ReportComment.objects.get(author=cast.senior_practitioner)
    author.post(url(report, f"comments/{comment.pk}/resolve/"))
    comment.refresh_from_db()
    assert comment.resolved_at is not None
    page = author.get(url(report)).content.decode()
    assert "Say more about spring." in page and "Added a paragraph." in page and "Resolved" in page


def test_the_senior_practitioner_signs_off_and_the_version_locks(cast: Cast) -> None:
    report = in_review(cast)
    reviewer = client_for(cast.senior_practitioner)
    page = reviewer.get(url(report, "sign-off/")).content.decode()
    assert "Sign off version 1" in page and "There is a problem" not in page
    response = reviewer.post(url(report, "sign-off/"), {"revision": str(report.revision), "confirmed": "on"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SIGNED_OFF and report.signed_off_by == cast.senior_practitioner
    page = client_for(cast.case_manager).get(url(report)).content.decode()
    assert "This version is signed off and locked" in page
    assert f"{timezone.localtime(report.signed_off_at):%-d %B %Y} by Jordan Reeve" in page


def test_the_sign_off_page_lists_what_is_missing_and_offers_no_button(cast: Cast) -> None:
    report = report_submit(report=started(cast), actor=cast.psychologist)
    page = client_for(cast.senior_practitioner).get(url(report, "sign-off/")).content.decode()
    assert "There is a problem" in page and "Add at least one recommendation" in page
    assert "Choose the child&#x27;s TRM stage" in page
    assert '<button type="submit" class="govuk-button" data-module="govuk-button">Sign off' not in page


def test_a_reviewer_does_not_sign_off_text_changed_since_they_opened_the_page(cast: Cast) -> None:
    report = in_review(cast)
    read = report.revision
    save(report, cast.psychologist, strengths="Changed meanwhile.")
    response = client_for(cast.senior_practitioner).post(url(report, "sign-off/"), {"revision": str(read)})
    assert response.status_code == 200
    assert "The report has been changed since you opened this page" in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.IN_REVIEW


# What changed, and the child's page


def test_what_changed_marks_added_and_removed_words_for_everyone(cast: Cast) -> None:
    signed_off(cast)
    second = started(cast)
    save(second, cast.psychologist, strengths="Kai is funny, loyal to his friends and a keen goalkeeper.")
    report_sign_off(
        report=report_submit(report=second, actor=cast.psychologist), actor=cast.senior_practitioner, confirmed=True
    )

    page = client_for(cast.case_manager).get(f"/cases/{cast.case.pk}/formulation/changes/").content.decode()

    assert 'From <a class="govuk-link"' in page and "1 part changed." in page
    assert (
        '<del><span class="govuk-visually-hidden">[removed: </span>good with younger children.'
        '<span class="govuk-visually-hidden">]</span></del>'
    ) in page
    assert '<ins><span class="govuk-visually-hidden">[added: </span>a keen goalkeeper.' in page
    same = client_for(cast.case_manager).get(f"/cases/{cast.case.pk}/formulation/changes/?older=2&newer=2")
    assert "Choose two different versions to compare" in same.content.decode()


def test_what_changed_with_one_readable_version_says_so(cast: Cast) -> None:
    signed_off(cast)
    started(cast)  # version 2, a draft the case manager cannot read
    page = client_for(cast.case_manager).get(f"/cases/{cast.case.pk}/formulation/changes/").content.decode()
    assert "only one version of the report you can read" in page


def test_the_child_friendly_summary_has_a_page_of_its_own(cast: Cast) -> None:
    report = signed_off(cast)
    page = client_for(cast.case_manager).get(url(report, "for-the-child/")).content.decode()
    assert '<h1 class="govuk-heading-xl">For Kai</h1>' in page
    assert "We will help you feel safe." in page
    assert KAIS_REPORT["childs_story"] not in page


# The case page's section


def test_the_case_page_section_shows_the_status_open_actions_and_mismatches(cast: Cast) -> None:
    report = signed_off(cast)
    add_recommendation(started(cast), cast)
    record_stage(cast, 1, note="Kai's placement ended and he has stopped trusting adults.")

    manager = report_section_context(cast.case_manager, cast.case, case_capabilities(cast.case_manager, cast.case))
    assert manager is not None
    assert manager["signed_off"] == report and manager["being_written"].version == 2
    assert manager["open_action_count"] == 1 and not manager["caps"].start and not manager["caps"].read_drafts
    html = render_to_string("formulation/includes/case_report.html", {"case": cast.case, **manager})
    assert re.search(r"<dd class=\"govuk-summary-list__value\">Version 2\s+<strong", html)  # named, not linked
    assert "1 open action suits a stage above Kai's current stage" in html

    clinician = report_section_context(cast.psychologist, cast.case, case_capabilities(cast.psychologist, cast.case))
    assert clinician is not None and clinician["caps"].read_drafts
    teacher = report_section_context(cast.teacher, cast.case, case_capabilities(cast.teacher, cast.case))
    assert teacher is None


# Query counts


def test_the_report_page_costs_the_same_with_fifty_recommendations_and_comments(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    report = in_review(cast)
    due = timezone.localdate() + dt.timedelta(days=30)
    Recommendation.objects.bulk_create(
        Recommendation(
            report=report,
            case=cast.case,
            position=n,
            text=f"Recommendation number {n}",
            suits_from_stage=1 + n % 6,
            justification="Agreed by the network." if n % 2 else "",
            owner=cast.teacher,
            owner_name="Helen Marsh",
            owner_agency=cast.school,
            due_on=due,
        )
        for n in range(2, 51)
    )
    for n in range(50):
        report_comment_add(
            report=report, actor=cast.senior_practitioner, text=f"Comment number {n}", section="strengths"
        )
    client = client_for(cast.senior_practitioner)
    # Sign-in, case, permissions, report, access log, comments, recommendations, newest version,
    # stage names, memberships, notifications: 14; the sequencing rule is judged once per distinct
    # stage (three queries each: six stages here), never per recommendation.
    with django_assert_max_num_queries(32):
        response = client.get(url(report))
    page = response.content.decode()
    assert len(re.findall(r"Recommendation number \d+</dd>", page)) == 49 and page.count("Comment number ") == 50


def test_the_version_list_costs_the_same_with_thirty_versions(cast: Cast, django_assert_max_num_queries: Any) -> None:
    now = timezone.now()
    FormulationReport.objects.bulk_create(
        FormulationReport(
            case=cast.case,
            version=n,
            author=cast.psychologist,
            updated_by=cast.psychologist,
            status=ReportStatus.SIGNED_OFF if n < 30 else ReportStatus.DRAFT,
            signed_off_at=now if n < 30 else None,
            signed_off_by=cast.senior_practitioner if n < 30 else None,
        )
        for n in range(1, 31)
    )
    client = client_for(cast.psychologist)
    with django_assert_max_num_queries(12):
        response = client.get(f"/cases/{cast.case.pk}/formulation/")
    assert response.content.decode().count("What changed<span") == 25  # a page of 25: versions 30 down to 6
