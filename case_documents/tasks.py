"""The virus check's Celery jobs: `scan_version` (one version, sent once its row is committed) and the sweep
`versions_resend_stale` (beat, every minute) that sends again the jobs whose message or worker was lost.

Both are idempotent: a version already checked, or held by another worker, is left alone. A check that could
not be done (clamd down) is tried again after 30, 60, 120... seconds, then left to the sweep: the version stays
"Waiting for a virus check" and is never downloadable meanwhile. Celery finds these by autodiscovery.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from celery import shared_task

from case_documents import services
from case_documents.scanning import ScannerUnavailable
from core.jobs import enqueue_each

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    name="case_documents.scan_version",
    max_retries=services.MAX_SCAN_ATTEMPTS,
    soft_time_limit=120,
    time_limit=150,
    ignore_result=True,
)
def scan_version(self: Any, version_id: int) -> str:
    """Check one version for viruses; what happened, for the logs."""
    try:
        version = services.version_scan(version_id)
    except ScannerUnavailable as error:
        logger.warning("Document version %s: the virus check could not be done (%s)", version_id, error)
        if self.request.retries >= self.max_retries:
            return "left for the sweep"
        raise self.retry(exc=error, countdown=30 * 2**self.request.retries) from error
    if version is None:
        return "nothing to do"
    return str(version.scan_status)


@shared_task(name="case_documents.versions_resend_stale", ignore_result=True)
def versions_resend_stale() -> int:
    """The sweep: send again the checks whose message or worker was lost; how many were sent."""
    return scan_send(services.versions_take_stale())


def scan_send(version_ids: Iterable[int]) -> int:
    """Send the checks (after the commit that wrote the rows); with the broker down the rows wait for the sweep."""
    return enqueue_each(scan_version, list(version_ids))
