"""Every write of retention: listing the cases due (the monthly job), keeping, legal holds, anonymising.

Anonymising keeps every row, date, kind, status, TRM stage and count, so aggregate reports are unchanged, and
removes what names or describes the child: their name, reference, school and area, the day of their birth (year
and month kept, see `_anonymised_birth_date`), every free text about them, the network's and invitees' names and
contact details, and the files of the case's PDFs and of any subject access pack. The same words are removed
from the records' change history (`<Model>History`), whose snapshots otherwise keep every earlier text.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pgtrigger
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Case as When_
from django.db.models import CharField, JSONField, Model, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone

from accounts.audit import access_event_record
from accounts.history import acting_as
from accounts.models import AccessAction, Membership, Role, User
from cases.models import (
    Case,
    CaseEvent,
    CaseHolderChange,
    CaseStatus,
    Child,
    Consultation,
    Contact,
    ContactCorrection,
    NetworkMember,
)
from data_rights.capabilities import RETENTION_RECORD_TYPE, may_handle_retention
from data_rights.models import (
    LegalHold,
    RetentionReview,
    RetentionStatus,
    SubjectAccessDocument,
    SubjectAccessRequest,
)
from data_rights.retention import cases_due
from formulation.models import FormulationReport, Invitation, Meeting, Recommendation, ReportComment, ReportDocument
from referrals.models import ConsentRecord, Referral
from reviews.models import ActionProgress, Notification, Review, ReviewDocument
from trm_stages.models import Goal, GoalRating, StageAssessment, ThriveGrouping

ANONYMISED_NAME = "Anonymised"


def _require_handler(actor: Any) -> None:
    if not may_handle_retention(actor):
        raise PermissionDenied("Only senior practitioners and service administrators review records for retention.")


def retention_reviews_list(*, today: dt.date | None = None) -> int:
    """The monthly job: write down the closed cases due for review (once each: the unique (case, due_on) and
    ON CONFLICT DO NOTHING make a second run add nothing) and notify every senior practitioner of how many are
    new. The notification names no child. Returns how many were added."""
    today = today or timezone.localdate()
    due = cases_due(today)
    with transaction.atomic():
        # ON CONFLICT DO NOTHING does not say which rows went in: count them (one beat runs the job).
        before = RetentionReview.objects.count()
        RetentionReview.objects.bulk_create(
            [RetentionReview(case_id=found.case_id, due_on=found.due_on) for found in due], ignore_conflicts=True
        )
        added = RetentionReview.objects.count() - before
        if added:
            seniors = (
                Membership.objects.filter(role=Role.SENIOR_PRACTITIONER, is_active=True, agency__is_active=True)
                .filter(user__is_active=True)
                .values_list("user_id", flat=True)
                .distinct()
            )
            link = reverse("data_rights:retention_list")
            Notification.objects.bulk_create(
                [
                    Notification(
                        recipient_id=user_id,
                        title=f"{added} record{'s' if added != 1 else ''} due for retention review",
                        body="Closed cases have reached their retention review date: keep, hold or anonymise them.",
                        link=link,
                    )
                    for user_id in seniors
                ]
            )
    return added


def _review_record(actor: User, review: RetentionReview, description: str) -> None:
    access_event_record(
        user=actor,
        action=AccessAction.VIEW,
        record_type=RETENTION_RECORD_TYPE,
        record_id=review.pk,
        case_id=review.case_id,
        description=description,
    )


@transaction.atomic
def retention_keep(*, review: RetentionReview, actor: User, reason: str, next_review_on: dt.date) -> RetentionReview:
    """Keep the record for now, with a reason; it is listed again on `next_review_on`."""
    _require_handler(actor)
    if next_review_on <= timezone.localdate():
        raise ValidationError({"next_review_on": "The next review date must be in the future"})
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the record is kept"})
    with acting_as(actor):
        changed = RetentionReview.objects.filter(pk=review.pk, status=RetentionStatus.DUE).update(
            status=RetentionStatus.KEPT,
            reason=reason.strip(),
            next_review_on=next_review_on,
            decided_by=actor,
            decided_at=timezone.now(),
        )
        if not changed:
            raise ValidationError("This review is already decided.")
        _review_record(actor, review, f"retention review: kept until {next_review_on.isoformat()}")
    review.refresh_from_db()
    return review


def active_hold(case: Case) -> LegalHold | None:
    return LegalHold.objects.filter(case=case, lifted_at__isnull=True).first()


@transaction.atomic
def legal_hold_place(*, review: RetentionReview, actor: User, reason: str) -> LegalHold:
    """Place a legal hold on the review's case: it cannot be anonymised until the hold is lifted."""
    _require_handler(actor)
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the record must be kept"})
    Case.objects.select_for_update().filter(pk=review.case_id).first()
    if active_hold(review.case) is not None:
        raise ValidationError("A legal hold is already in place.")
    with acting_as(actor):
        hold = LegalHold.objects.create(case_id=review.case_id, reason=reason.strip(), placed_by=actor)
        _review_record(actor, review, "retention review: legal hold placed")
    return hold


@transaction.atomic
def legal_hold_lift(*, review: RetentionReview, actor: User, reason: str) -> LegalHold:
    """Lift the legal hold on the review's case, with a reason."""
    _require_handler(actor)
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the hold is lifted"})
    hold = LegalHold.objects.select_for_update().filter(case_id=review.case_id, lifted_at__isnull=True).first()
    if hold is None:
        raise ValidationError("There is no legal hold in place.")
    with acting_as(actor):
        hold.lift_reason = reason.strip()
        hold.lifted_by = actor
        hold.lifted_at = timezone.now()
        hold.save(update_fields=["lift_reason", "lifted_by", "lifted_at"])
        _review_record(actor, review, "retention review: legal hold lifted")
    return hold


def anonymise_refusal(case: Case) -> str | None:
    """Why the case's child cannot be anonymised now, or None. Every case of the child goes together (they share
    the child's details), so each must be closed and free of legal holds."""
    cases = Case.objects.filter(child_id=case.child_id)
    if cases.exclude(status=CaseStatus.CLOSED).exists():
        return "This record cannot be anonymised: the child has an open case."
    if LegalHold.objects.filter(case__child_id=case.child_id, lifted_at__isnull=True).exists():
        return "This record cannot be anonymised: a legal hold is in place."
    return None


def _marker(today: dt.date) -> str:
    return f"[removed on anonymisation, {today.isoformat()}]"


def _scrub(records: QuerySet[Any], values: dict[str, Any]) -> None:
    """Write `values` over the records and over every snapshot of them in their `<Model>History` table.

    The history is append-only (a trigger refuses updates): it is set aside for this one statement, so the
    snapshots keep who changed what and when, without the words that were removed."""
    records.update(**values)
    model = records.model
    try:
        history = apps.get_model(model._meta.app_label, f"{model.__name__}History")
    except LookupError:
        return
    kept = {field.name for field in history._meta.concrete_fields}
    in_history = {name: value for name, value in values.items() if name in kept}
    if not in_history:
        return
    with pgtrigger.ignore(f"{history._meta.app_label}.{history.__name__}:append_only"):
        history.objects.filter(pgh_obj_id__in=records.values("pk")).update(**in_history)


def _nowhere() -> Concat:
    """An e-mail address per row that reaches nobody (the .invalid domain is reserved for that)."""
    return Concat(Value("removed-"), Cast("pk", CharField()), Value("@anonymised.invalid"))


def _names_removed(column: str, marker: str) -> RawSQL:
    """A JSON list of people (`[{"name": …, …}, …]`) with each name replaced by the marker, in order."""
    return RawSQL(  # noqa: S611 - the column is one of ours, the marker a parameter
        f"(SELECT coalesce(jsonb_agg(person || jsonb_build_object('name', %s::text) ORDER BY n), '[]'::jsonb)"  # noqa: S608
        f" FROM jsonb_array_elements({column}) WITH ORDINALITY AS people(person, n))",
        [marker],
        output_field=JSONField(),
    )


def _blank(records: QuerySet[Any], fields: list[str], marker: str) -> None:
    """Replace each non-empty text with the marker (empty ones stay empty, so "has notes" counts are unchanged)."""
    _scrub(records, {name: When_(When(**{name: ""}, then=Value("")), default=Value(marker)) for name in fields})


def _anonymised_birth_date(child: Child, opened_on: list[dt.date]) -> dt.date:
    """The year and month of birth, on the earliest day that keeps the child's age in years at every case's
    opening (what the reports' age bands count): the 1st, unless a case opened in the birth month before the
    birthday."""
    born = child.date_of_birth
    day = 1
    for opened in opened_on:
        if opened.month == born.month and opened.day < born.day:
            day = max(day, opened.day + 1)
    return born.replace(day=day)


def _text_fields(model: type[Model], *, leave: tuple[str, ...] = ()) -> list[str]:
    """A model's free-text fields: text and character fields without choices."""
    from django.db import models

    return [
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField)
        and not field.choices
        and not isinstance(field, models.EmailField)
        and field.name not in leave
    ]


def _files_delete(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _rectifications_blank(child: Child, marker: str) -> None:
    """Corrections of the child's details keep the values before and after: those go, the rows stay."""
    try:
        rectification = apps.get_model("cases", "Rectification")
    except LookupError:  # not in every version of cases
        return
    _scrub(rectification.objects.filter(child_id=child.pk), {"changes": [], "statement": marker})


@transaction.atomic
def case_anonymise(*, review: RetentionReview, actor: User) -> RetentionReview:
    """Anonymise the review's child and every one of their (closed) cases in one transaction, audited."""
    _require_handler(actor)
    case = Case.objects.select_for_update().get(pk=review.case_id)
    Child.objects.select_for_update().filter(pk=case.child_id).first()
    refusal = anonymise_refusal(case)
    if refusal:
        raise ValidationError(refusal)
    today = timezone.localdate()
    marker = _marker(today)
    child = Child.objects.get(pk=case.child_id)
    cases = Case.objects.filter(child_id=child.pk)
    tz = timezone.get_current_timezone()
    opened = [timezone.localtime(at, tz).date() for at in cases.values_list("opened_at", flat=True)]
    files: list[str] = []
    with acting_as(actor):
        _scrub(
            Child.objects.filter(pk=child.pk),
            {
                "given_name": ANONYMISED_NAME,
                "family_name": "",
                "reference": "",
                "address_area": "",
                "school": "",
                "date_of_birth": _anonymised_birth_date(child, opened),
            },
        )
        _blank(cases, ["outcome_summary", "ending_plan"], marker)
        _blank(Referral.objects.filter(child_id=child.pk), _text_fields(Referral), marker)
        in_cases = {"case__child_id": child.pk}
        _blank(CaseHolderChange.objects.filter(**in_cases), ["reason"], marker)
        _blank(Contact.objects.filter(**in_cases), ["note", "with_whom"], marker)
        _blank(
            ContactCorrection.objects.filter(contact__case__child_id=child.pk), _text_fields(ContactCorrection), marker
        )
        _blank(Consultation.objects.filter(**in_cases), ["attendees", "question", "advice", "follow_up"], marker)
        _blank(ConsentRecord.objects.filter(**in_cases), ["given_by_name", "explanation"], marker)
        _blank(CaseEvent.objects.filter(**in_cases), ["summary"], marker)
        _scrub(NetworkMember.objects.filter(**in_cases), {"name": marker, "email": "", "phone": ""})
        _blank(Meeting.objects.filter(**in_cases), ["location", "notes", "cancel_reason"], marker)
        # An invitee's address is unique within a meeting: each becomes its own address that reaches nobody.
        _scrub(Invitation.objects.filter(meeting__case__child_id=child.pk), {"name": marker, "email": _nowhere()})
        _blank(FormulationReport.objects.filter(**in_cases), _text_fields(FormulationReport), marker)
        _blank(ReportComment.objects.filter(report__case__child_id=child.pk), ["text"], marker)
        _blank(Recommendation.objects.filter(**in_cases), ["text", "justification"], marker)
        _blank(StageAssessment.objects.filter(**in_cases), ["evidence", "move_back_note"], marker)
        _blank(ThriveGrouping.objects.filter(**in_cases), ["reason"], marker)
        _blank(Goal.objects.filter(**in_cases), ["text", "set_by"], marker)
        _blank(GoalRating.objects.filter(goal__case__child_id=child.pk), ["note"], marker)
        _blank(Review.objects.filter(**in_cases), ["childs_views"], marker)
        # A signed-off review keeps who came (name, role, agency, attendance): the names go, the rest stays.
        _scrub(Review.objects.filter(**in_cases), {"attendance_record": _names_removed("attendance_record", marker)})
        _blank(ActionProgress.objects.filter(action__case__child_id=child.pk), ["note"], marker)
        for documents in (
            ReportDocument.objects.filter(report__case__child_id=child.pk),
            ReviewDocument.objects.filter(review__case__child_id=child.pk),
        ):
            files += [name for name in documents.exclude(file="").values_list("file", flat=True) if name]
            _scrub(documents, {"file": ""})
        # A subject access request's pack is a copy of the record: it goes too (its SHA-256 stays, as what was sent).
        requests = SubjectAccessRequest.objects.filter(child_id=child.pk)
        files += [
            name
            for name in SubjectAccessDocument.objects.filter(request__child_id=child.pk).values_list("file", flat=True)
            if name
        ]
        _scrub(SubjectAccessDocument.objects.filter(request__child_id=child.pk), {"file": ""})
        _scrub(requests, {"pack_json": ""})
        _blank(requests, ["requester_name", "notes"], marker)
        _rectifications_blank(child, marker)
        RetentionReview.objects.filter(pk=review.pk).update(
            status=RetentionStatus.ANONYMISED, decided_by=actor, decided_at=timezone.now()
        )
        for each in cases.values_list("pk", flat=True):
            access_event_record(
                user=actor,
                action=AccessAction.VIEW,
                record_type=RETENTION_RECORD_TYPE,
                record_id=review.pk,
                case_id=each,
                description=f"retention review: child {child.pk} and case {each} anonymised",
            )
    # The files go once the anonymisation is committed (a rolled-back one keeps them).
    transaction.on_commit(lambda: _files_delete(files))
    review.refresh_from_db()
    return review
