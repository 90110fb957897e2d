"""Referrals through the API: start a draft, fill it in, submit it, read it — on the pages' rules and services.

- `GET /api/v1/referrals/`: the referrals the caller may see (drafts only to the referring service;
  covering clinicians once submitted), newest first by cursor; filter by status.
- `POST /api/v1/referrals/`: start a draft for a child the caller already sees (`child`), or for a new
  child (`new_child`), from one of the caller's services (`referring_yjs`, optional when they have one):
  `referral_start` / `referral_refer_new_child`, with the page's duplicate check (a possible match must be
  confirmed with `confirm_new_child`, as on the page).
- `GET /api/v1/referrals/<id>/`: one referral (404 invisible), with its ETag.
- `PATCH /api/v1/referrals/<id>/`: save draft fields (`referral_save_draft`), with If-Match.
- `POST /api/v1/referrals/<id>/submit/`: submit a complete draft (`referral_submit`: the same missing-field
  messages as the check page, as a 400), with If-Match.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers

from accounts.models import Agency
from cases.access import Action
from cases.models import Ethnicity, Gender, LegalStatus, LookedAfter
from cases.services import StaleState
from core.api.views import ApiActionView, ApiCreateView, ApiListView, ApiUpdateView
from core.dates import age_on
from core.forms import OLDEST_AGE
from referrals.models import ComplexNeed, ConsentAnswer, Referral, ReferralStatus, TriageDecision, Urgency
from referrals.selectors import (
    children_visible_to,
    duplicate_check,
    get_referral_for,
    referring_services,
    visible_referrals,
)
from referrals.services import (
    DRAFT_FIELDS,
    referral_refer_new_child,
    referral_save_draft,
    referral_start,
    referral_submit,
)

LIST_REFERRALS_API = "referral list API"


class ReferralSerializer(serializers.ModelSerializer):
    child = serializers.IntegerField(source="child_id", read_only=True)
    child_name = serializers.CharField(source="child.full_name", read_only=True)
    referring_yjs = serializers.CharField(source="referring_yjs.name", read_only=True)
    referrer = serializers.CharField(source="referrer.get_full_name", read_only=True)
    case = serializers.IntegerField(source="case_id", read_only=True, allow_null=True)
    complex_needs = serializers.ListField(child=serializers.ChoiceField(choices=ComplexNeed.choices), read_only=True)
    decision = serializers.ChoiceField(
        choices=TriageDecision.choices, allow_blank=True, read_only=True, help_text="Empty until triage"
    )

    class Meta:
        model = Referral
        fields = [
            "id",
            "status",
            "child",
            "child_name",
            "referring_yjs",
            "referrer",
            *DRAFT_FIELDS,
            "created_at",
            "updated_at",
            "submitted_at",
            "decision",
            "decided_at",
            "case",
        ]
        read_only_fields = fields


REFERRAL_EXAMPLE = OpenApiExample(
    "A draft referral",
    value={
        "id": 88,
        "status": "draft",
        "child": 3120,
        "child_name": "Rowan Fielding",
        "referring_yjs": "Bristol YJS",
        "referrer": "Sam Okafor",
        "reasons": "Escalating harm to others since March.",
        "complex_needs": ["behaviour", "exploitation"],
        "current_risks": "",
        "agencies_involved": "",
        "tried_before": "",
        "urgency": "soon",
        "child_consent": "not_asked",
        "carer_consent": "not_asked",
        "consent_covers_sharing": False,
        "consent_given_by": "",
        "consent_date": None,
        "created_at": "2026-11-02T09:00:00Z",
        "updated_at": "2026-11-02T09:05:00Z",
        "submitted_at": None,
        "decision": "",
        "decided_at": None,
        "case": None,
    },
    response_only=True,
)


class ReferralDraftInput(serializers.Serializer):
    """The draft's fields, each optional (nothing is required until the referral is submitted)."""

    reasons = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    complex_needs = serializers.ListField(
        child=serializers.ChoiceField(choices=ComplexNeed.choices), required=False, max_length=len(ComplexNeed.choices)
    )
    current_risks = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    agencies_involved = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    tried_before = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    child_consent = serializers.ChoiceField(choices=ConsentAnswer.choices, required=False)
    carer_consent = serializers.ChoiceField(choices=ConsentAnswer.choices, required=False)
    consent_covers_sharing = serializers.BooleanField(required=False)
    consent_given_by = serializers.CharField(required=False, allow_blank=True, max_length=200)
    consent_date = serializers.DateField(required=False, allow_null=True)

    def validate_consent_date(self, value: dt.date | None) -> dt.date | None:
        if value is not None and value > timezone.localdate():
            raise serializers.ValidationError("When consent was given must be today or in the past")
        if value is not None and value.year < 1990:
            raise serializers.ValidationError("When consent was given must be a real date")
        return value

    def validate_complex_needs(self, value: list[str]) -> list[str]:
        return sorted(set(value))


class NewChildInput(serializers.Serializer):
    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    date_of_birth = serializers.DateField()
    reference = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    gender = serializers.ChoiceField(choices=Gender.choices, required=False)
    ethnicity = serializers.ChoiceField(choices=Ethnicity.choices, required=False)
    looked_after = serializers.ChoiceField(choices=LookedAfter.choices, required=False)
    legal_status = serializers.ChoiceField(choices=LegalStatus.choices, required=False)
    address_area = serializers.CharField(max_length=100, required=False, allow_blank=True)
    school = serializers.CharField(max_length=200, required=False, allow_blank=True)

    def validate_date_of_birth(self, value: dt.date) -> dt.date:
        # The bounds of the page's DateOfBirthField (core.forms).
        today = timezone.localdate()
        if value > today:
            raise serializers.ValidationError("Date of birth must be today or in the past")
        if value.year < 1900 or age_on(value, today) > OLDEST_AGE:
            raise serializers.ValidationError(
                f"Date of birth must be for a child or young person aged {OLDEST_AGE} or under"
            )
        return value


class ReferralStartInput(ReferralDraftInput):
    child = serializers.IntegerField(
        required=False, min_value=1, help_text="A child whose record you already see (or give new_child)"
    )
    new_child = NewChildInput(required=False, help_text="A child ECM does not know yet (or give child)")
    confirm_new_child = serializers.BooleanField(
        required=False, default=False, help_text="Make a new record even though a possible match exists"
    )
    referring_yjs = serializers.IntegerField(
        required=False, min_value=1, help_text="Your youth justice service (optional when you refer from one only)"
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if ("child" in data) == ("new_child" in data):
            raise serializers.ValidationError({"child": ["Give either child (a record you see) or new_child"]})
        return data


class ReferralFilters(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=ReferralStatus.choices, required=False, help_text="Only referrals in this state"
    )


def _draft_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in data.items() if name in DRAFT_FIELDS}


def _service_for(user: Any, requested: int | None) -> Agency:
    services = list(referring_services(user).order_by("name"))
    if not services:
        raise DjangoValidationError(
            {"referring_yjs": "Only a case manager of a youth justice service can refer a child"}
        )
    if requested is None:
        if len(services) > 1:
            raise DjangoValidationError({"referring_yjs": "Choose the service you are referring from"})
        return services[0]
    for service in services:
        if service.pk == requested:
            return service
    raise DjangoValidationError({"referring_yjs": "Choose one of the services you refer from"})


@extend_schema_view(
    get=extend_schema(summary="Referrals I may see", examples=[REFERRAL_EXAMPLE]),
    post=extend_schema(summary="Start a draft referral", examples=[REFERRAL_EXAMPLE]),
)
class ReferralListApi(ApiListView, ApiCreateView):
    serializer_class = ReferralSerializer
    input_serializer_class = ReferralStartInput
    filter_serializer_class = ReferralFilters
    list_name = LIST_REFERRALS_API
    audit_case_field = "case_id"
    audit_referral_field = "pk"

    def get_queryset(self) -> QuerySet[Referral]:
        referrals = visible_referrals(self.request.user).select_related("child", "referring_yjs", "referrer")
        if status := self.filters.get("status"):
            referrals = referrals.filter(status=status)
        return referrals

    def perform_create(self, data: dict[str, Any]) -> Referral:
        user = self.person
        service = _service_for(user, data.get("referring_yjs"))
        if "child" in data:
            child = children_visible_to(user).filter(pk=data["child"]).first()
            if child is None:
                raise DjangoValidationError({"child": "There is no child with this id among the records you see"})
            referral = referral_start(child=child, referring_yjs=service, actor=user)
        else:
            details = data["new_child"]
            found = duplicate_check(
                user,
                given_name=details["given_name"],
                family_name=details["family_name"],
                date_of_birth=details["date_of_birth"],
                reference=details.get("reference", ""),
            )
            if found.found and not data["confirm_new_child"]:
                known = ", ".join(str(child.pk) for child in found.known)
                raise DjangoValidationError(
                    {
                        "confirm_new_child": (
                            f"This child may already have a record you can use (child {known})"
                            if known
                            else "This child may already be known to ECM in another service: ask the ECM team "
                            "covering your service, or confirm this is a different child"
                        )
                    }
                )
            referral = referral_refer_new_child(referring_yjs=service, actor=user, **details)
        fields = _draft_fields(data)
        if fields:
            referral = referral_save_draft(referral=referral, actor=user, **fields)
        # Read back through the access module, which logs it: the answer shows the referral, as the page after it.
        return get_referral_for(user, referral.pk, Action.VIEW_REFERRAL)


@extend_schema_view(
    get=extend_schema(summary="One referral", examples=[REFERRAL_EXAMPLE]),
    patch=extend_schema(summary="Save a draft's fields"),
)
class ReferralDetailApi(ApiUpdateView):
    serializer_class = ReferralSerializer
    input_serializer_class = ReferralDraftInput

    def get_object(self) -> Referral:
        return get_referral_for(self.request.user, self.kwargs["referral_id"], Action.VIEW_REFERRAL)

    def get_object_for_update(self) -> Referral:
        return get_referral_for(self.request.user, self.kwargs["referral_id"], Action.EDIT_REFERRAL)

    def perform_update(self, record: Referral, data: dict[str, Any]) -> Referral:
        try:
            referral_save_draft(referral=record, actor=self.person, **_draft_fields(data))
        except StaleState as error:
            raise DjangoValidationError(str(error)) from error
        record.refresh_from_db()
        return record


@extend_schema_view(post=extend_schema(summary="Submit a draft for triage", request=None))
class ReferralSubmitApi(ApiActionView):
    serializer_class = ReferralSerializer

    def get_object(self) -> Referral:
        return get_referral_for(self.request.user, self.kwargs["referral_id"], Action.EDIT_REFERRAL)

    def perform_update(self, record: Referral, data: dict[str, Any]) -> Referral:
        try:
            referral_submit(referral=record, actor=self.person)
        except StaleState as error:
            raise DjangoValidationError(str(error)) from error
        record.refresh_from_db()
        return record
