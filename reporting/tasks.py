"""Celery tasks of reporting: beat makes the day's first dashboards before the working day (CELERY_BEAT_SCHEDULE).
(Summary PDFs are made by the document pipeline: reporting/documents.py.)

Safe to run twice or at once: a dashboard already kept is skipped, and two runs making the same one keep the
same figures."""

from __future__ import annotations

from celery import shared_task

from reporting.prepare import reports_prepare as prepare
from reviews.tasks import RETRY


@shared_task(name="reporting.tasks.reports_prepare", ignore_result=True, **RETRY)
def reports_prepare() -> dict[str, int | bool]:
    """Make the day's first dashboards not kept yet (every ten minutes early in the morning); what was done."""
    return prepare().as_dict()
