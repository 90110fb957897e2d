"""The kinds of document the pipeline makes, registered by the apps above (core imports none of them).

An app registers its kind from its AppConfig.ready(), as the case page's sections are registered
(cases/sections.py). The render job is sent the kind's name and the row's id; the resend sweep
walks every registered kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from core.documents.models import RenderedDocument

D = TypeVar("D", bound=RenderedDocument)


@dataclass(frozen=True)
class DocumentKindSpec(Generic[D]):
    """What one kind of document supplies; the lifecycle, the job, the sweep and the page block are shared."""

    # What the job is sent ("<app>.<document>"): keep it once messages name it.
    name: str
    model: type[D]
    # The print template for a row (extending pdf/base.html, with its <title>).
    template: Callable[[D], str]
    # What the template gets. Raises DocumentNotRenderable when the document can never be made.
    context: Callable[[D], dict[str, Any]]
    # The stored file's and the download's name: a case number and kind, never a child's name.
    filename: Callable[[D], str]
    # Who may download a row (the person, the row): asked of the access module, cases.access.
    may_download: Callable[[Any, D], bool]
    # What the render reads alongside each row (select_related).
    related: tuple[str, ...] = ()


class UnknownDocumentKind(LookupError):
    """No app registered a document kind of this name."""


_KINDS: dict[str, DocumentKindSpec[Any]] = {}


def register_document_kind(kind: DocumentKindSpec[Any]) -> None:
    """Add (or replace, on a reload) a kind of document."""
    _KINDS[kind.name] = kind


def document_kind(name: str) -> DocumentKindSpec[Any]:
    """The registered kind of this name, or UnknownDocumentKind."""
    try:
        return _KINDS[name]
    except KeyError:
        raise UnknownDocumentKind(f"No document kind {name!r} is registered") from None


def document_kinds() -> list[DocumentKindSpec[Any]]:
    """Every registered kind, by name."""
    return [_KINDS[name] for name in sorted(_KINDS)]
