"""Contacts and consultations through the API, on the same rules as their pages (cases/views/contacts.py,
cases/views/consultations.py).

Reading needs the full record ("view"); a restricted contact is not found (404) by anyone who may not read
restricted notes, in the list and one by one. Logging a contact and adding a correction beneath one need
"change" and go through the same services as the pages (`contact_log`, `contact_correct`), so the
chronology and the history say so. A correction names the version of the contact it corrects: `If-Match`
with the contact's `ETag` (428 without it, 412 when the contact changed since).

Every case is fetched through the access module before anything else, so a caller who may not do this
gets 404 or 403 whatever they sent, and the read (or refusal) is in the access log like the page's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, cast

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from cases import access, selectors, services
from cases.access import Action
from cases.models import Case, Consultation, Contact, ContactCorrection, ContactKind
from core.api.pagination import by_id_or
from core.api.views import ApiActionView, ApiCreateView, ApiDetailView, ApiListView

# A contact is never dated before this (a slip such as the year 0202 would otherwise be kept).
EARLIEST_CONTACT = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)


# --- Serializers ---------------------------------------------------------------------------------------


class ContactCorrectionSerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.get_full_name", read_only=True)

    class Meta:
        model = ContactCorrection
        fields = ["id", "text", "reason", "recorded_by", "recorded_at"]
        read_only_fields = fields


class ContactSerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.get_full_name", read_only=True)
    corrections = ContactCorrectionSerializer(many=True, read_only=True, help_text="Oldest first")

    class Meta:
        model = Contact
        fields = [
            "id",
            "occurred_at",
            "kind",
            "with_whom",
            "duration_minutes",
            "note",
            "restricted",
            "significant",
            "recorded_by",
            "recorded_at",
            "corrections",
        ]
        read_only_fields = fields


class ContactInputSerializer(serializers.Serializer):
    """One contact to log, as the page's form takes it."""

    occurred_at = serializers.DateTimeField(help_text="When the contact happened: not in the future")
    kind = serializers.ChoiceField(choices=ContactKind.choices)
    with_whom = serializers.CharField(max_length=200, help_text="For example, Kai and his mother")
    duration_minutes = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=24 * 60)
    note = serializers.CharField(max_length=20000)
    restricted = serializers.BooleanField(
        default=False, help_text="A restricted note: only the case holder and the ECM clinicians will see it"
    )
    significant = serializers.BooleanField(default=False, help_text="A significant event, tagged in the chronology")

    def validate_occurred_at(self, value: dt.datetime) -> dt.datetime:
        if value < EARLIEST_CONTACT:
            raise serializers.ValidationError("The date of a contact must be in 1990 or later")
        if value > timezone.now() + dt.timedelta(minutes=5):
            raise serializers.ValidationError("The date and time of a contact must not be in the future")
        return value


class ContactCorrectionInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=20000, help_text="The correction or addition; the original note stays")
    reason = serializers.CharField(max_length=2000, help_text="Why the note needed correcting")


class ConsultationSerializer(serializers.ModelSerializer):
    psychologist = serializers.CharField(source="psychologist.get_full_name", read_only=True)

    class Meta:
        model = Consultation
        fields = [
            "id",
            "held_on",
            "attendees",
            "question",
            "advice",
            "follow_up",
            "minutes_spent",
            "psychologist",
            "recorded_at",
        ]
        read_only_fields = fields


# --- Contacts ------------------------------------------------------------------------------------------

CONTACT_EXAMPLE = OpenApiExample(
    "A home visit",
    value={
        "occurred_at": "2026-11-30T16:00:00Z",
        "kind": "home_visit",
        "with_whom": "Kai and his mother",
        "duration_minutes": 45,
        "note": "Kai showed me his new bike.",
        "restricted": False,
        "significant": False,
    },
    request_only=True,
)
CORRECTION_EXAMPLE = OpenApiExample(
    "A correction",
    value={"text": "Kai is 14, not 15.", "reason": "The age was misheard on the call."},
    request_only=True,
)


def _person(view: Any) -> User:
    """The signed-in person (a token's, or the session's): IsAuthenticated let nobody else in."""
    return cast(User, view.request.user)


def _case(view: Any, action: Action) -> Case:
    case: Case = access.get_case_for(view.request.user, view.kwargs["case_id"], action)
    return case


def _contact_of(user: Any, case: Case, contact_id: int) -> Contact:
    """One contact of this case the person may read (a restricted one is not found by those who may not)."""
    contact: Contact = get_object_or_404(selectors.contacts_for(user=user, case=case), pk=contact_id)
    return contact


@extend_schema_view(
    get=extend_schema(summary="The case's contacts, newest recorded first", tags=["contacts"]),
    post=extend_schema(summary="Log a contact", tags=["contacts"], examples=[CONTACT_EXAMPLE]),
)
class ContactListApi(ApiListView, ApiCreateView):
    """The case's contacts (GET: the full record's readers; restricted ones only for the case holder and the
    ECM clinicians), or log one (POST: whoever may change the case, while it is open)."""

    serializer_class = ContactSerializer
    input_serializer_class = ContactInputSerializer
    list_name = "contacts API"
    audit_case_field = None  # the case's view is logged when it is fetched (`get_case_for`), as on the page
    # ?ordering=: newest recorded first by default (the id), or by when the contact happened (the case's index).
    ordering_choices: ClassVar[dict[str, tuple[str, ...]]] = by_id_or("occurred_at")

    def get_queryset(self) -> QuerySet[Contact]:
        if getattr(self, "swagger_fake_view", False):
            return Contact.objects.none()
        return selectors.contacts_for(user=self.request.user, case=_case(self, Action.VIEW))

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.case = _case(self, Action.CHANGE)  # 404 / 403 before the body is looked at
        return super().post(request, *args, **kwargs)

    def perform_create(self, data: dict[str, Any]) -> Contact:
        contact = services.contact_log(case=self.case, actor=_person(self), **data)
        # Answered as written, even a restricted note its writer may not read again (a colleague of the holder):
        # they have just sent it. Read back afterwards, it is not found for them, as on the pages.
        written: Contact = (
            Contact.objects.select_related("recorded_by").prefetch_related("corrections").get(pk=contact.pk)
        )
        return written


@extend_schema_view(get=extend_schema(summary="One contact with its corrections", tags=["contacts"]))
class ContactDetailApi(ApiDetailView):
    """One contact and the corrections added beneath it; its `ETag` is what a correction sends in `If-Match`."""

    serializer_class = ContactSerializer

    def get_object(self) -> Contact:
        return _contact_of(self.request.user, _case(self, Action.VIEW), self.kwargs["contact_id"])


@extend_schema_view(
    post=extend_schema(
        summary="Add a correction beneath a contact",
        tags=["contacts"],
        examples=[CORRECTION_EXAMPLE],
    )
)
class ContactCorrectionApi(ApiActionView):
    """Add a correction or addition beneath a contact, with why; the original note is never rewritten.
    Answers with the contact and its new `ETag`."""

    serializer_class = ContactSerializer
    input_serializer_class = ContactCorrectionInputSerializer

    def get_object_for_update(self) -> Contact:
        self.case = _case(self, Action.CHANGE)
        return _contact_of(self.request.user, self.case, self.kwargs["contact_id"])

    def perform_update(self, record: Contact, data: dict[str, Any]) -> Contact:
        record.case = self.case
        services.contact_correct(contact=record, actor=_person(self), **data)
        return _contact_of(self.request.user, self.case, record.pk)


# --- Consultations -------------------------------------------------------------------------------------


@extend_schema_view(get=extend_schema(summary="The case's consultations", tags=["consultations"]))
class ConsultationListApi(ApiListView):
    """The case's consultations, newest recorded first, for everyone who reads the full record."""

    serializer_class = ConsultationSerializer
    list_name = "consultations API"
    audit_case_field = None

    def get_queryset(self) -> QuerySet[Consultation]:
        if getattr(self, "swagger_fake_view", False):
            return Consultation.objects.none()
        return selectors.consultations_for(case=_case(self, Action.VIEW))


@extend_schema_view(get=extend_schema(summary="One consultation", tags=["consultations"]))
class ConsultationDetailApi(ApiDetailView):
    """One consultation in full."""

    serializer_class = ConsultationSerializer

    def get_object(self) -> Consultation:
        consultations = selectors.consultations_for(case=_case(self, Action.VIEW))
        consultation: Consultation = get_object_or_404(consultations, pk=self.kwargs["consultation_id"])
        return consultation
