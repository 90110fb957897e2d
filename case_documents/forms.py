"""The upload and replace forms. The service checks everything again (case_documents/services.py)."""

from __future__ import annotations

from typing import Any

from django import forms

from case_documents.filetypes import ACCEPTED_WORDS
from case_documents.models import DocumentCategory
from case_documents.services import max_bytes
from core.forms import PastDateField, ServiceErrorsMixin


def _file_hint() -> str:
    return f"{ACCEPTED_WORDS[0].upper()}{ACCEPTED_WORDS[1:]}, smaller than {max_bytes() // (1024 * 1024)} MB"


class DocumentFileField(forms.FileField):
    """A file, of any name: its type is judged by its content in the service."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Upload a file")
        kwargs.setdefault(
            "error_messages",
            {"required": "Select a file", "empty": "The selected file is empty", "invalid": "Select a file"},
        )
        super().__init__(**kwargs)


class DocumentUploadForm(ServiceErrorsMixin, forms.Form):
    file = DocumentFileField()
    category = forms.ChoiceField(
        label="What kind of document is it?",
        choices=DocumentCategory.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of document", "invalid_choice": "Select the kind of document"},
    )
    document_date = PastDateField(
        label="Date of the document",
        help_text="The date written on it, for example 27 3 2026",
        min_year=1990,
        error_messages={"required": "Enter the date of the document"},
    )
    description = forms.CharField(
        label="Description",
        help_text="What it is and who wrote it, for example: Pre-sentence report, Bristol Youth Court",
        max_length=300,
        error_messages={
            "required": "Enter a description of the document",
            "max_length": "The description must be 300 characters or fewer",
        },
    )
    shared_with_network = forms.BooleanField(
        label="Share this document with the network",
        help_text="Partners who see the shared summary (a school, social care) can then open it. "
        "Leave unticked to keep it to the case team.",
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _file_hint()


class DocumentReplaceForm(ServiceErrorsMixin, forms.Form):
    file = DocumentFileField(label="Upload the new version")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _file_hint() + ". The earlier versions are kept."


class CategoryFilterForm(forms.Form):
    category = forms.ChoiceField(
        label="Kind of document", choices=[("", "All kinds"), *DocumentCategory.choices], required=False
    )
