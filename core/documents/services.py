"""What the apps' services call to ask for a document, ask for it again, or try a failed one again."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction

from core.documents.lifecycle import document_queue_again, is_stale
from core.documents.models import DocumentState, RenderedDocument
from core.documents.registry import D, document_kind
from core.documents.tasks import documents_send


def document_wanted(document: RenderedDocument) -> bool:
    """For a service asking (again) for a document row it holds locked: send its job?

    A ready document is kept (what it prints never changes): False. A failed one is queued afresh; a
    waiting one is sent again (its job does nothing if another run has it).
    """
    if document.status == DocumentState.READY:
        return False
    if document.status == DocumentState.FAILED:
        document_queue_again(document)
    return True


def documents_send_on_commit(kind: str, document_ids: Iterable[int]) -> None:
    """Send the rows' render jobs once the transaction that wrote them is committed, never before."""
    ids = list(document_ids)
    transaction.on_commit(lambda: documents_send(kind, ids))


def document_retry(kind: str, document: D, *, actor: Any, check: Callable[[D], None] | None = None) -> D:
    """Make a failed document again (or one whose job has waited far too long: its message may have been lost).

    `check` may refuse it for the kind's own reason (a ValidationError).
    """
    model = document_kind(kind).model
    with transaction.atomic(), pghistory.context(user=getattr(actor, "pk", None)):
        locked: D = model.objects.select_for_update(of=("self",)).get(pk=document.pk)
        if locked.status != DocumentState.FAILED and not is_stale(locked):
            raise ValidationError("This PDF is being made or is ready: there is nothing to try again.")
        if check is not None:
            check(locked)
        document_queue_again(locked)
        documents_send_on_commit(kind, [locked.pk])
    return locked
