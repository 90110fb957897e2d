"""Forms of a transfer between services: the offer, and the receiving service's acceptance or refusal.
Forms never save: cases/services/transfers.py does."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from accounts.models import Agency, User
from core.forms import ServiceErrorsMixin


class TransferOfferForm(ServiceErrorsMixin, forms.Form):
    to_yjs = forms.ModelChoiceField(
        label="Which youth justice service should take the case?",
        queryset=Agency.objects.none(),
        empty_label="Choose a service",
        error_messages={
            "required": "Choose the youth justice service to offer the case to",
            "invalid_choice": "Choose a youth justice service from the list",
        },
    )
    reason = forms.CharField(
        label="Why should the case move?",
        help_text="For example, the child has moved to live in the other service's area. The other service reads this",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": "Enter why the case should move to the other service"},
    )
    note = forms.CharField(
        label="Note for the receiving service (optional)",
        help_text="Anything they should know before deciding, such as a date the child moves",
        widget=forms.Textarea,
        max_length=2000,
        required=False,
    )

    def __init__(self, *args: Any, services: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["to_yjs"]
        field.queryset = services


class TransferAcceptForm(ServiceErrorsMixin, forms.Form):
    prefix = "accept"
    new_holder = forms.ModelChoiceField(
        label="Who will hold the case?",
        help_text="A case manager of your service",
        queryset=User.objects.none(),
        empty_label="Choose a case manager",
        error_messages={"required": "Choose who will hold the case", "invalid_choice": "Choose a case manager"},
    )

    def __init__(self, *args: Any, case_managers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["new_holder"]
        field.queryset = case_managers
        field.label_from_instance = lambda person: person.get_full_name() or person.username


class TransferDeclineForm(ServiceErrorsMixin, forms.Form):
    prefix = "decline"
    decline_reason = forms.CharField(
        label="Why can your service not take the case?",
        help_text="The service that offered it reads this",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": "Enter why your service cannot take the case"},
    )
