"""Merging two records of the same child: everything moves to the surviving record, the merged one leads there,
the merge is kept to be explained later, and records of two services are refused (a transfer comes first)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from cases.models import Case, CaseEvent, CaseHolderChange, CaseMerge, CaseStatus, CaseTransfer, Child, TransferStatus
from cases.services import case_share_summary, child_rectify
from cases.services.merges import KEPT_RELATIONS, MERGED, SURVIVOR, case_merge, merge_differences
from data_rights.models import LegalHold, RetentionReview
from formulation.models import FormulationReport
from referrals.models import Referral
from reviews.models import Reminder, ReviewSchedule
from tests.authz.data_rights import sar_of
from tests.authz.generated import _case_world
from tests.conftest import Cast
from tests.factories import child, make_case, person, signed_off_report
from tests.referrals.helpers import draft_referral
from trm_stages.models import ThriveGrouping

KAIS_BIRTHDAY = dt.date(2010, 5, 17)
REASON = "Referred twice: the second referral spelt his name Kay Brenan."
# Relations the fixture below does not fill, each with why. A model added later that points at a case or a
# child and is missing from the fixture shows up in `test_every_relation_is_exercised_by_the_fixture`.
NOT_FILLED = {
    ("referrals.ConsentRecord", "case"): "consent over time lands beside merging: add one here",
    ("case_documents.CaseDocument", "case"): "documents land beside merging: add one here",
}


def twin_of_kai(cast: Cast, **fields: Any) -> Case:
    """A second Bristol record of the cast's Kai Brennan, made when he was referred again under another spelling."""
    record = child(
        given_name="Kay",
        family_name="Brenan",
        date_of_birth=KAIS_BIRTHDAY,
        reference="",
        school="Hillcrest School",
        **fields,
    )
    return make_case(owning_yjs=cast.bristol, case_holder=cast.colleague, child_record=record)


def keep_survivors(survivor: Case, merged: Case, **overrides: str) -> dict[str, str]:
    choices = {difference.key: SURVIVOR for difference in merge_differences(survivor=survivor, merged=merged)}
    return {**choices, **overrides}


def merge(cast: Cast, merged: Case, **overrides: str) -> CaseMerge:
    survivor = Case.objects.get(pk=cast.case.pk)
    return case_merge(
        survivor=survivor,
        merged=merged,
        actor=cast.senior_practitioner,
        reason=REASON,
        choices=keep_survivors(survivor, merged, **overrides),
    )


def relations(model: type[models.Model]) -> list[tuple[type[models.Model], str]]:
    """Every foreign key to `model`, found here independently of the service (history tables aside)."""
    found = []
    for field in model._meta.get_fields(include_hidden=True):
        if field.auto_created and not field.concrete and (field.one_to_many or field.one_to_one):
            related = field.related_model
            if isinstance(related, type) and not related.__name__.endswith("History"):
                found.append((related, field.remote_field.name))  # type: ignore[union-attr]
    return found


def pointing_at(record: models.Model) -> dict[tuple[str, str], int]:
    counts = {}
    for related, name in relations(type(record)):
        counts[(related._meta.label, name)] = related._base_manager.filter(**{name: record}).count()
    return counts


def fill_everything(cast: Cast, twin: Case) -> None:
    """One of everything that can hang off a case or a child, on the twin record."""
    _case_world(
        "twin",
        twin,
        holder=cast.colleague,
        psychologist=cast.psychologist,
        senior=cast.senior_practitioner,
        teacher=cast.teacher,
        school=cast.school,
        teacher_shared=True,
    )
    case_share_summary(case=twin, actor=cast.colleague, agency=cast.social_care)
    child_rectify(
        case=twin, actor=cast.colleague, statement="The school was typed wrongly.", school="Hillcrest Academy"
    )
    # The referral that opened the twin's case (made for a new child, then pointed at the twin).
    referral = draft_referral(cast)
    Referral.objects.filter(pk=referral.pk).update(child=twin.child, case=twin)
    ThriveGrouping.objects.create(
        case=twin,
        grouping="getting_help",
        applies_from=timezone.localdate(),
        reason="Needs help",
        recorded_by=cast.psychologist,
    )
    Reminder.objects.create(
        case=twin,
        kind="review_due",
        recipient=cast.colleague,
        subject_type="case",
        subject_id=twin.pk,
        due_on=timezone.localdate(),
    )
    ReviewSchedule.objects.create(case=twin, updated_by=cast.senior_practitioner)
    RetentionReview.objects.create(case=twin, due_on=timezone.localdate())
    LegalHold.objects.create(case=twin, reason="A claim is expected.", placed_by=cast.senior_practitioner)
    CaseTransfer.objects.create(
        case=twin,
        from_yjs=cast.bristol,
        to_yjs=cast.banes,
        reason="Moving to Bath",
        offered_by=cast.colleague,
        offered_at=timezone.now(),
        status=TransferStatus.DECLINED,
    )
    sar = sar_of(cast)
    type(sar).objects.filter(pk=sar.pk).update(child=twin.child)
    # An earlier merge into the twin, and the record it absorbed then.
    older = twin_of_kai(cast)
    Case.objects.filter(pk=older.pk).update(merged_into=twin, status=CaseStatus.CLOSED)
    Child.objects.filter(pk=older.child_id).update(merged_into=twin.child)
    CaseMerge.objects.create(
        survivor=twin,
        merged_case=older,
        survivor_child=twin.child,
        merged_child=older.child,
        reason="An older duplicate",
        merged_by=cast.senior_practitioner,
    )


def senior_covering_both(cast: Cast) -> Any:
    covers = (cast.bristol, cast.banes)
    return person("rhea", "Rhea", "Sallow", agency=cast.ecm_team, role=Role.SENIOR_PRACTITIONER, covers=covers)


@pytest.fixture
def twin(cast: Cast) -> Case:
    return twin_of_kai(cast)


def test_everything_attached_moves_and_nothing_is_left_behind(cast: Cast, twin: Case) -> None:
    signed_off_report(cast)  # Kai's version 1; the twin's versions 1 and 2 become 2 and 3
    fill_everything(cast, twin)
    twin.refresh_from_db()
    twin_child = twin.child
    before = {**pointing_at(twin), **pointing_at(twin_child)}
    twin_reports = list(FormulationReport.objects.filter(case=twin).order_by("version").values_list("pk", flat=True))
    # Whatever points at the merged side is filled here, kept on purpose, or listed as not filled with why: a model
    # added later that points at a case or a child fails here until the fixture gives it a row to move.
    assert {key for key, n in before.items() if not n} - set(NOT_FILLED) - KEPT_RELATIONS == set()

    record = merge(cast, twin)

    assert {key: n for key, n in pointing_at(twin).items() if n and key not in KEPT_RELATIONS} == {}
    assert {key: n for key, n in pointing_at(twin_child).items() if n and key not in KEPT_RELATIONS} == {}
    assert sum(before.values()) > 40
    versions = dict(FormulationReport.objects.filter(pk__in=twin_reports).values_list("pk", "version"))
    assert [versions[pk] for pk in twin_reports] == [2, 3]
    assert record.moved["formulation.Meeting.case"]
    assert any("sharing grant" in note for note in record.notes)
    assert any("network" in note for note in record.notes)


def test_the_chosen_details_are_kept_and_the_merge_is_kept_to_explain(cast: Cast, twin: Case) -> None:
    twin_child_id = twin.child_id
    record = merge(cast, twin, child__school=MERGED, case__case_holder=MERGED)
    kai = Case.objects.select_related("child").get(pk=cast.case.pk)
    assert (kai.child.given_name, kai.child.family_name, kai.child.school) == ("Kai", "Brennan", "Hillcrest School")
    assert kai.case_holder == cast.colleague
    change = CaseHolderChange.objects.filter(case=kai).first()
    assert change is not None and change.new_holder == cast.colleague and "merged" in change.reason
    twin.refresh_from_db()
    assert twin.merged_into_id == kai.pk and twin.status == CaseStatus.CLOSED
    assert Child.objects.get(pk=twin_child_id).merged_into_id == kai.child_id
    assert twin.child_id == kai.child_id  # the twin's case now belongs to the one child record
    assert record.merged_by == cast.senior_practitioner and record.reason == REASON
    chosen = {choice["field"]: choice["value"] for choice in record.choices}
    assert chosen["school"] == "Hillcrest School" and chosen["given_name"] == "Kai"
    event = CaseEvent.objects.get(case=kai, link=record.get_absolute_url())
    assert event.significant and REASON in event.summary


def test_every_differing_detail_needs_a_choice_and_the_merge_a_reason(cast: Cast, twin: Case) -> None:
    with pytest.raises(ValidationError) as refused:
        case_merge(survivor=cast.case, merged=twin, actor=cast.senior_practitioner, reason=" ", choices={})
    assert {"reason", "child__given_name", "child__school"} <= set(refused.value.message_dict)
    assert Case.objects.get(pk=twin.pk).merged_into_id is None


def test_records_of_two_services_are_refused_until_a_transfer(cast: Cast) -> None:
    both = person(
        "rhea", "Rhea", "Sallow", agency=cast.ecm_team, role=Role.SENIOR_PRACTITIONER, covers=(cast.bristol, cast.banes)
    )
    in_banes = make_case(
        owning_yjs=cast.banes,
        case_holder=cast.banes_case_manager,
        child_record=child(given_name="Kai", family_name="Brenan", date_of_birth=KAIS_BIRTHDAY),
    )
    with pytest.raises(ValidationError, match="transfer between the services must be agreed first"):
        case_merge(survivor=cast.case, merged=in_banes, actor=both, reason=REASON, choices={})
    assert not CaseMerge.objects.exists()


@pytest.mark.parametrize("who", ["case_manager", "colleague", "psychologist", "teacher", "administrator"])
def test_only_a_covering_senior_practitioner_merges(cast: Cast, twin: Case, who: str) -> None:
    with pytest.raises(PermissionDenied):
        case_merge(survivor=cast.case, merged=twin, actor=cast.everyone()[who], reason=REASON, choices={})


def test_two_reports_in_progress_are_refused_and_nothing_changes(cast: Cast, twin: Case) -> None:
    for case in (cast.case, twin):
        FormulationReport.objects.create(case=case, version=1, author=cast.psychologist, updated_by=cast.psychologist)
    with pytest.raises(ValidationError, match="formulation report that is not signed off"):
        merge(cast, twin)
    assert (
        Case.objects.get(pk=twin.pk).merged_into_id is None and Child.objects.get(pk=twin.child_id).given_name == "Kay"
    )


# The pages.


def test_the_senior_practitioner_compares_chooses_and_merges(cast: Cast, twin: Case, client: Client) -> None:
    client.force_login(cast.senior_practitioner)
    start = client.get(f"/cases/{cast.case.pk}/merge/").content.decode()
    assert f"/cases/{cast.case.pk}/merge/{twin.pk}/" in start and "Kay Brenan" in start  # offered as a near-duplicate
    url = f"/cases/{cast.case.pk}/merge/{twin.pk}/"
    page = client.get(url).content.decode()
    assert "Hillcrest School" in page and "Differs" in page
    # Without a reason: the error summary, and every choice made is still chosen.
    answers = {**keep_survivors(cast.case, twin), "child__school": MERGED}
    again = client.post(url, answers).content.decode()
    assert "There is a problem" in again and "Enter why these are records of the same child" in again
    assert 'value="merged" checked' in again
    response = client.post(url, {**answers, "reason": REASON})
    record = CaseMerge.objects.get()
    assert response.status_code == 302 and response["Location"] == record.get_absolute_url()
    detail = client.get(record.get_absolute_url()).content.decode()
    assert REASON in detail and "Hillcrest School" in detail and "Jordan Reeve" in detail
    # The merged record's pages lead to the same page of the survivor, the query string kept.
    moved = client.get(f"/cases/{twin.pk}/chronology/?q=merged")
    assert moved.status_code == 302 and moved["Location"] == f"/cases/{cast.case.pk}/chronology/?q=merged"
    details = client.get(f"/cases/{cast.case.pk}/details/").content.decode()
    assert record.get_absolute_url() in details


def test_others_are_refused_the_merge_pages(cast: Cast, twin: Case, client: Client) -> None:
    url = f"/cases/{cast.case.pk}/merge/{twin.pk}/"
    for who, status in (("case_manager", 403), ("psychologist", 403), ("teacher", 403), ("banes_case_manager", 404)):
        client.force_login(cast.everyone()[who])
        assert client.get(f"/cases/{cast.case.pk}/merge/").status_code == status, who
        assert client.post(url, {"reason": REASON}).status_code == status, who
    assert not CaseMerge.objects.exists()
    # The merged record redirects only those who could see it: to anyone else it is the same 404 as ever.
    merge(cast, twin)
    client.force_login(cast.banes_case_manager)
    assert client.get(f"/cases/{twin.pk}/").status_code == 404
    client.force_login(cast.case_manager)
    assert client.get(f"/cases/{twin.pk}/").status_code == 302


def test_the_page_explains_why_two_services_cannot_merge(cast: Cast, client: Client) -> None:
    both = person(
        "rhea", "Rhea", "Sallow", agency=cast.ecm_team, role=Role.SENIOR_PRACTITIONER, covers=(cast.bristol, cast.banes)
    )
    in_banes = make_case(owning_yjs=cast.banes, case_holder=cast.banes_case_manager)
    client.force_login(both)
    url = f"/cases/{cast.case.pk}/merge/{in_banes.pk}/"
    page = client.get(url).content.decode()
    assert "A transfer between the services must be agreed first" in page and "Merge the records" not in page
    assert client.post(url, {"reason": REASON}).status_code == 200
    assert not CaseMerge.objects.exists()
