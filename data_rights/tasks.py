"""Celery tasks of data rights: beat lists the records due for retention review monthly (CELERY_BEAT_SCHEDULE).

Safe to run twice: each due case is written once (unique case and due date, ON CONFLICT DO NOTHING)."""

from __future__ import annotations

from celery import shared_task

from data_rights.retention_services import retention_reviews_list as list_due
from reviews.tasks import RETRY


@shared_task(name="data_rights.tasks.retention_reviews_list", ignore_result=True, **RETRY)
def retention_reviews_list() -> int:
    """Write down the closed cases due for retention review and notify senior practitioners; how many were new."""
    return list_due()
