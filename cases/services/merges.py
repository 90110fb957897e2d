"""Merging two records of the same child: one surviving case (and child), everything attached moved to it.

The move is generic: every relation that points at a case or a child (`_meta`, hidden ones included) is
repointed in one transaction, so a model added later moves without a change here. The history tables keep
what they recorded (they are the past), the access log is append-only and stays, and `CaseMerge` keeps the
merge itself. Unique constraints that two records together would break are decided here, once, by name
(`RESOLUTIONS`); a clash nobody has decided stops the merge rather than lose a row.

Only a covering senior practitioner may merge (`Action.MERGE_RECORDS`), and only two records of the same
youth justice service: records of two services need a transfer agreed between them first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pghistory.models
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import dateformat, timezone

from accounts.history import acting_as
from accounts.models import User
from cases import access
from cases.access import Action
from cases.models import (
    Case,
    CaseEventKind,
    CaseHolderChange,
    CaseMerge,
    CaseStatus,
    CaseTransfer,
    Child,
    ClosureReason,
    TransferStatus,
    Visibility,
)
from cases.services.records import CHILD_FIELDS, case_event_add

SURVIVOR, MERGED = "survivor", "merged"
# The case's own details a merge may take from either record; the rest (service, status, dates, closure)
# stay the surviving case's.
CASE_FIELDS = ("case_holder", "psychologist", "senior_practitioner", "kind", "contact_frequency_days", "trm_stage")
CASE_FIELD_LABELS = {
    "case_holder": "Case holder",
    "psychologist": "Psychologist",
    "senior_practitioner": "Senior practitioner",
    "kind": "Kind of case",
    "contact_frequency_days": "Days between contacts",
    "trm_stage": "TRM stage",
}
CHILD_FIELD_LABELS = {"given_name": "First name", "family_name": "Last name", "reference": "NHS or local reference"}

TRANSFER_FIRST = (
    "These records belong to two different youth justice services ({survivor} and {merged}). "
    "A transfer between the services must be agreed first; once both records are in one service, merge them."
)
BOTH_HAVE = "Both records have {what}. {how} before merging them."


@dataclass(frozen=True)
class Difference:
    """One detail the two records disagree on, as the compare page shows it."""

    record: str  # "child" or "case"
    field: str
    label: str
    survivor: str
    merged: str

    @property
    def key(self) -> str:
        return f"{self.record}__{self.field}"


def _shown(instance: models.Model, name: str) -> str:
    value = getattr(instance, name)
    if value in ("", None):
        return "Not recorded"
    if name == "date_of_birth":
        return dateformat.format(value, "j F Y")
    if isinstance(value, User):
        return value.get_full_name() or value.username
    display = getattr(instance, f"get_{name}_display", None)
    return str(display()) if display is not None else str(value)


def _raw(instance: models.Model, name: str) -> Any:
    field: Any = instance._meta.get_field(name)
    return getattr(instance, field.attname)


def _attname(instance: models.Model, name: str) -> str:
    field: Any = instance._meta.get_field(name)
    return str(field.attname)


def _child_label(name: str) -> str:
    field: Any = Child._meta.get_field(name)
    return CHILD_FIELD_LABELS.get(name) or str(field.verbose_name).capitalize()


def merge_differences(*, survivor: Case, merged: Case) -> list[Difference]:
    """The details of the child (when they are two records) and of the case that differ, in the page's order."""
    differences = []
    if survivor.child_id != merged.child_id:
        for name in CHILD_FIELDS:
            if _raw(survivor.child, name) != _raw(merged.child, name):
                label = _child_label(name)
                differences.append(
                    Difference("child", name, label, _shown(survivor.child, name), _shown(merged.child, name))
                )
    for name in CASE_FIELDS:
        if _raw(survivor, name) != _raw(merged, name):
            differences.append(
                Difference("case", name, CASE_FIELD_LABELS[name], _shown(survivor, name), _shown(merged, name))
            )
    return differences


# --- What points at a case or a child -------------------------------------------------------------------

# Relations that stay with the merged record on purpose: the merge's own audit row, and which service held the
# merged case when (its own history: the surviving case has its own, in the same service).
KEPT_RELATIONS = frozenset(
    {("cases.CaseMerge", "merged_case"), ("cases.CaseMerge", "merged_child"), ("cases.CaseHolding", "case")}
)


def relations_to(model: type[models.Model]) -> Iterator[models.ForeignKey[Any, Any]]:
    """Every foreign key (one-to-one included) that points at `model`, hidden ones too, except the history
    tables (`<Model>History`: they keep what they recorded) and the merge's own record of the merged side."""
    for field in model._meta.get_fields(include_hidden=True):
        if not field.auto_created or field.concrete:
            continue
        if field.many_to_many:
            raise TypeError(f"{field}: a many-to-many relation to {model.__name__} has no merge rule")
        related = field.related_model
        if isinstance(related, type) and issubclass(related, pghistory.models.Event):
            continue
        foreign_key: Any = field.remote_field
        if (foreign_key.model._meta.label, foreign_key.name) in KEPT_RELATIONS:
            continue
        yield foreign_key


@dataclass(frozen=True)
class Clash:
    """Rows of the merged side that would break a unique rule of their table once moved."""

    label: str  # the model's label
    rule: str  # the constraint's name, "unique_together" or "one_to_one"
    foreign_key: str
    rows: QuerySet[Any]


def _unique_rules(model: type[models.Model], foreign_key: str) -> Iterator[tuple[str, tuple[str, ...], Q]]:
    for constraint in model._meta.constraints:
        fields = tuple(getattr(constraint, "fields", ()) or ())
        if isinstance(constraint, models.UniqueConstraint) and foreign_key in fields:
            yield constraint.name, fields, constraint.condition or Q()
    for together in model._meta.unique_together:
        if foreign_key in together:
            yield "unique_together", tuple(together), Q()
    field: Any = model._meta.get_field(foreign_key)
    if field.unique:
        yield "one_to_one", (foreign_key,), Q()


def _clashes(foreign_key: models.ForeignKey[Any, Any], survivor: models.Model, merged: models.Model) -> Iterator[Clash]:
    model = foreign_key.model
    rows = model._base_manager.all()
    for rule, fields, condition in _unique_rules(model, foreign_key.name):
        merged_rows = rows.filter(condition, **{foreign_key.name: merged})
        survivor_rows = rows.filter(condition, **{foreign_key.name: survivor})
        others = [name for name in fields if name != foreign_key.name]
        if others:
            clashing = merged_rows.filter(Exists(survivor_rows.filter(**{name: OuterRef(name) for name in others})))
        else:
            clashing = merged_rows if survivor_rows.exists() else merged_rows.none()
        if clashing.exists():
            yield Clash(model._meta.label, rule, foreign_key.name, clashing)


# --- Decisions on clashes, by table and rule -------------------------------------------------------------


@dataclass
class Move:
    survivor: Case
    merged: Case
    actor: User
    notes: list[str]
    kept: set[tuple[str, int]]  # (label, pk) rows left with the merged record on purpose


def _drop_duplicate_grants(clash: Clash, move: Move) -> None:
    # The surviving case already grants the same permission to the same person or group.
    count = clash.rows.count()
    clash.rows.delete()
    move.notes.append(f"{count} sharing grant(s) already on the surviving record were not copied again.")


def _retire_duplicate_network_places(clash: Clash, move: Move) -> None:
    names = ", ".join(clash.rows.values_list("name", flat=True))
    clash.rows.update(removed_at=timezone.now())
    move.notes.append(f"Already in the surviving record's network, so their second place was ended: {names}.")


def _renumber_reports(clash: Clash, move: Move) -> None:
    # Versions of the merged case's reports follow the surviving case's, in their own order.
    reports = clash.rows.model._base_manager.filter(case=move.merged)
    last = reports.model._base_manager.filter(case=move.survivor).aggregate(last=Max("version"))["last"] or 0
    numbers = list(reports.order_by("version").values_list("pk", "version"))
    reports.update(version=F("version") + 100_000)  # out of the way of both cases' numbers first
    for position, (report_id, _version) in enumerate(numbers, start=1):
        reports.model._base_manager.filter(pk=report_id).update(version=last + position)
    move.notes.append(
        f"The merged record's formulation report versions {', '.join(str(v) for _, v in numbers)} "
        f"became versions {', '.join(str(last + p) for p in range(1, len(numbers) + 1))}."
    )


def _keep_with_merged_record(clash: Clash, move: Move) -> None:
    for pk in clash.rows.values_list("pk", flat=True):
        move.kept.add((clash.label, pk))
        move.notes.append(
            f"{clash.rows.model._meta.verbose_name.capitalize()} {pk} stays linked to the merged case "
            f"{move.merged.pk} (the surviving case already has one); the merged case's pages lead here."
        )


def _drop_review_schedule(clash: Clash, move: Move) -> None:
    schedule = clash.rows.first()
    clash.rows.delete()
    move.notes.append(f"The merged record's review schedule ({schedule}) was replaced by the surviving record's.")


def _refuse(what: str, how: str) -> Callable[[Clash, Move], None]:
    def refuse(clash: Clash, move: Move) -> None:
        raise ValidationError(BOTH_HAVE.format(what=what, how=how))

    return refuse


RESOLUTIONS: dict[tuple[str, str], Callable[[Clash, Move], None]] = {
    ("cases.CaseUserObjectPermission", "unique_together"): _drop_duplicate_grants,
    ("cases.CaseGroupObjectPermission", "unique_together"): _drop_duplicate_grants,
    ("cases.NetworkMember", "network_one_active_place_per_user"): _retire_duplicate_network_places,
    ("formulation.FormulationReport", "report_unique_version"): _renumber_reports,
    ("formulation.FormulationReport", "report_one_open_version"): _refuse(
        "a formulation report that is not signed off", "Sign off or withdraw one of them"
    ),
    ("reviews.Review", "review_one_open_per_case"): _refuse("a review under way", "Finish one of the reviews"),
    ("reviews.ReviewSchedule", "one_to_one"): _drop_review_schedule,
    ("referrals.Referral", "one_to_one"): _keep_with_merged_record,
    ("data_rights.LegalHold", "legal_hold_one_in_place"): _refuse("a legal hold in place", "Lift one of them"),
    ("data_rights.RetentionReview", "retention_review_once"): _refuse(
        "a retention review due on the same day", "Decide one of them"
    ),
}
# Refusals are decided before anything changes; the other decisions as each table is moved.
REFUSALS = frozenset(key for key, resolve in RESOLUTIONS.items() if resolve.__name__ == "refuse")


def _undecided(clash: Clash) -> ValidationError:
    name = clash.rows.model._meta.verbose_name_plural
    return ValidationError(
        f"Both records hold {name} that cannot be combined ({clash.rule}). Ask for help before merging them."
    )


def _check_clashes(pairs: list[tuple[type[models.Model], models.Model, models.Model]], move: Move) -> None:
    for model, survivor, merged in pairs:
        for foreign_key in relations_to(model):
            for clash in _clashes(foreign_key, survivor, merged):
                key = (clash.label, clash.rule)
                if key not in RESOLUTIONS:
                    raise _undecided(clash)
                if key in REFUSALS:
                    RESOLUTIONS[key](clash, move)


def _move_all(model: type[models.Model], survivor: models.Model, merged: models.Model, move: Move) -> dict[str, list]:
    moved: dict[str, list[int]] = {}
    for foreign_key in relations_to(model):
        for clash in _clashes(foreign_key, survivor, merged):
            RESOLUTIONS[(clash.label, clash.rule)](clash, move)
        label = foreign_key.model._meta.label
        rows = foreign_key.model._base_manager.filter(**{foreign_key.name: merged})
        kept = [pk for kept_label, pk in move.kept if kept_label == label]
        rows = rows.exclude(pk__in=kept)
        ids = sorted(rows.values_list("pk", flat=True))
        if not ids:
            continue
        try:
            with transaction.atomic():
                rows.update(**{foreign_key.name: survivor})
        except IntegrityError as error:
            raise ValidationError(
                f"The {foreign_key.model._meta.verbose_name_plural} of the two records cannot be combined. "
                "Ask for help before merging them."
            ) from error
        moved[f"{label}.{foreign_key.name}"] = ids
    return moved


# --- The merge -------------------------------------------------------------------------------------------


def may_merge(user: Any, case: Case) -> bool:
    """May the person merge records into (or out of) this case? Covering senior practitioners only."""
    return access.may(user, Action.MERGE_RECORDS, case)


def merge_refusal(*, survivor: Case, merged: Case) -> str:
    """Why these two cases cannot be merged at all, in the page's words; empty when they can."""
    if survivor.pk == merged.pk:
        return "Choose another record: a record cannot be merged with itself."
    if survivor.merged_into_id is not None or merged.merged_into_id is not None:
        return "One of these records has already been merged into another."
    if survivor.owning_yjs_id != merged.owning_yjs_id:
        return TRANSFER_FIRST.format(survivor=survivor.owning_yjs.name, merged=merged.owning_yjs.name)
    if CaseTransfer.objects.filter(case__in=(survivor, merged), status=TransferStatus.PENDING).exists():
        return "One of these records is offered to another service. Wait for the decision or withdraw the offer first."
    if survivor.is_closed and merged.is_open:
        return "The record you keep is closed and the other is open: keep the open record instead."
    return ""


@transaction.atomic
def case_merge(
    *, survivor: Case, merged: Case, actor: User, reason: str, choices: dict[str, str] | None = None
) -> CaseMerge:
    """Merge `merged` (and its child, when another record) into `survivor`: the chosen value of each differing
    detail, everything attached moved, the merged records kept and marked, the merge audited and shown in the
    surviving case's chronology. `choices` maps `Difference.key` to "survivor" or "merged"."""
    choices = choices or {}
    first, second = sorted((survivor.pk, merged.pk))
    locked = {case.pk: case for case in Case.objects.select_for_update().filter(pk__in=(first, second)).order_by("pk")}
    survivor = Case.objects.select_related("child", "owning_yjs").get(pk=locked[survivor.pk].pk)
    merged = Case.objects.select_related("child", "owning_yjs").get(pk=locked[merged.pk].pk)
    if not (may_merge(actor, survivor) and may_merge(actor, merged)):
        raise PermissionDenied("Only a senior practitioner covering the service may merge its records.")
    refusal = merge_refusal(survivor=survivor, merged=merged)
    if refusal:
        raise ValidationError(refusal)
    errors: dict[str, str] = {}
    reason = reason.strip()
    if not reason:
        errors["reason"] = "Enter why these are records of the same child"
    differences = merge_differences(survivor=survivor, merged=merged)
    for difference in differences:
        if choices.get(difference.key) not in (SURVIVOR, MERGED):
            errors[difference.key] = f"Choose which {difference.label.lower()} to keep"
    if errors:
        raise ValidationError(errors)

    move = Move(survivor=survivor, merged=merged, actor=actor, notes=[], kept=set())
    two_children = survivor.child_id != merged.child_id
    pairs: list[tuple[type[models.Model], models.Model, models.Model]] = [(Case, survivor, merged)]
    if two_children:
        pairs.insert(0, (Child, survivor.child, merged.child))
    _check_clashes(pairs, move)

    with acting_as(actor):
        survivor_child = Child.objects.select_for_update().get(pk=survivor.child_id)
        merged_child = Child.objects.get(pk=merged.child_id)
        audit = []
        previous_holder = survivor.case_holder
        for difference in differences:
            chosen = choices[difference.key]
            source: models.Model = {SURVIVOR: survivor, MERGED: merged}[chosen]
            target: models.Model = survivor
            if difference.record == "child":
                source = {SURVIVOR: survivor_child, MERGED: merged_child}[chosen]
                target = survivor_child
            attname = _attname(target, difference.field)
            setattr(target, attname, getattr(source, attname))
            audit.append(
                {
                    "record": difference.record,
                    "field": difference.field,
                    "label": difference.label,
                    "survivor": difference.survivor,
                    "merged": difference.merged,
                    "chosen": chosen,
                    "value": getattr(difference, chosen),
                }
            )
        moved: dict[str, list[int]] = {}
        if two_children:
            survivor_child.full_clean()
            survivor_child.save()
            moved.update(
                {f"child:{key}": ids for key, ids in _move_all(Child, survivor_child, merged_child, move).items()}
            )
            Child.objects.filter(pk=merged_child.pk).update(merged_into=survivor_child)
        survivor.child = survivor_child
        survivor.save()
        if survivor.case_holder_id != previous_holder.pk:
            CaseHolderChange.objects.create(
                case=survivor,
                previous_holder=previous_holder,
                new_holder=survivor.case_holder,
                reason=f"Records merged: the holder of case {merged.pk} kept",
                changed_by=actor,
            )
        moved.update(_move_all(Case, survivor, merged, move))
        now = timezone.now()
        Case.objects.filter(pk=merged.pk).update(
            merged_into=survivor,
            status=CaseStatus.CLOSED,
            closed_at=merged.closed_at or now,
            closed_by=merged.closed_by or actor,
            closure_reason=merged.closure_reason or ClosureReason.OTHER,
            outcome_summary=merged.outcome_summary or f"Merged into case {survivor.pk}.",
        )
        record = CaseMerge.objects.create(
            survivor=survivor,
            merged_case=merged,
            survivor_child=survivor_child,
            merged_child=merged_child,
            reason=reason,
            choices=audit,
            moved=moved,
            notes=move.notes,
            merged_by=actor,
            merged_at=now,
        )
        case_event_add(
            case=survivor,
            kind=CaseEventKind.OTHER,
            summary=f"Records merged: case {merged.pk} merged into this case. Why: {reason}"[:300],
            actor=actor,
            visibility=Visibility.FULL,
            link=reverse("cases:merge_detail", args=[survivor.pk, record.pk]),
            significant=True,
        )
    return record


def merges_of(case: Case) -> QuerySet[CaseMerge]:
    """The merges into this case, newest first."""
    return CaseMerge.objects.filter(survivor=case).select_related("merged_by", "merged_child", "survivor_child")


def what_moves(case: Case) -> list[tuple[str, int]]:
    """What is attached to this case (and its child), by kind, as the compare page lists it before a merge."""
    counts = []
    for model, record in ((Case, case), (Child, case.child)):
        for foreign_key in relations_to(model):
            if model is Child and foreign_key.model is Case:
                continue  # the child's cases are listed as cases, not as what moves
            total = foreign_key.model._base_manager.filter(**{foreign_key.name: record}).count()
            if total:
                counts.append((str(foreign_key.model._meta.verbose_name_plural), total))
    return sorted(counts)


def side_by_side(*, survivor: Case, merged: Case) -> list[tuple[str, str, str, bool]]:
    """Every detail of the two records: (label, this record's, the other's, differs)."""
    rows = []
    for name in CHILD_FIELDS:
        label = _child_label(name)
        mine, theirs = _shown(survivor.child, name), _shown(merged.child, name)
        rows.append((label, mine, theirs, mine != theirs))
    rows.append(("Youth justice service", survivor.owning_yjs.name, merged.owning_yjs.name, False))
    rows.append(("Status", survivor.get_status_display(), merged.get_status_display(), False))
    opened = (dateformat.format(timezone.localtime(c.opened_at), "j F Y") for c in (survivor, merged))
    rows.append(("Opened", *opened, False))  # type: ignore[arg-type]
    for name in CASE_FIELDS:
        mine, theirs = _shown(survivor, name), _shown(merged, name)
        rows.append((CASE_FIELD_LABELS[name], mine, theirs, mine != theirs))
    return rows


def moved_by_kind(record: CaseMerge) -> list[tuple[str, list[int]]]:
    """What a merge moved, by kind of record in plain words, with the ids (for explaining it later)."""
    from django.apps import apps

    rows = []
    for key, ids in sorted(record.moved.items()):
        label = key.removeprefix("child:").rsplit(".", 1)[0]
        try:
            name = str(apps.get_model(label)._meta.verbose_name_plural)
        except LookupError:
            name = label
        if key.startswith("child:"):
            name = f"{name} of the child's other record"
        rows.append((name.capitalize(), ids))
    return rows
