"""Celery tasks of the ground floor (Celery's autodiscovery imports `<app>.tasks`): the document pipeline's."""

from core.documents.tasks import documents_resend_stale, render_document

__all__ = ["documents_resend_stale", "render_document"]
