"""Project-wide pages that draw on several apps: the home page (each role's work) and the health check."""

from __future__ import annotations

import time
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.audit import LIST_HOME, list_view_record
from accounts.models import CLINICIAN_ROLES, AccessEvent, Coverage, Role, User
from accounts.selectors import active_memberships, agencies_administered_by
from accounts.tasks import HEARTBEAT_CACHE_KEY
from cases.rows import case_rows
from cases.selectors import case_list, open_case_count
from config.workboard import workboard_for
from formulation.selectors import my_meetings
from referrals.selectors import referrals_made_by
from reporting.suppression import suppress_small


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Each role's work at a glance."""
    user = cast(User, request.user)  # login_required: never anonymous here
    roles = {membership.role for membership in active_memberships(user)}
    context: dict[str, Any] = {
        "roles": roles,
        "Role": Role,
        # None means "this role's section is not shown"; an empty list means "shown, nothing there yet".
        "held_cases": None,
        "my_referrals": None,
        "covered_services": None,
        "covered_cases": None,
        "shared_cases": None,
        "open_cases_display": None,
        "recent_events": None,
        "next_meetings": None,
        "managed_agencies": None,
        # Case managers and clinicians: what needs doing, soonest first (config/workboard.py).
        "workboard": workboard_for(user, roles),
    }
    if roles & (CLINICIAN_ROLES | {Role.CASE_MANAGER, Role.PARTNER}):
        context["next_meetings"] = list(my_meetings(user=user)[:5])
    if Role.CASE_MANAGER in roles:
        context["held_cases"] = list(case_list(user=user, held_by_me=True)[:10])
        context["my_referrals"] = list(referrals_made_by(user)[:5])
    if roles & CLINICIAN_ROLES:
        context["covered_services"] = [c.yjs for c in Coverage.objects.filter(clinician=user).select_related("yjs")]
        context["covered_cases"] = list(case_list(user=user)[:10])
    if Role.PARTNER in roles:
        context["shared_cases"] = list(case_list(user=user)[:10])
    if Role.COMMISSIONER in roles:
        context["open_cases_display"] = suppress_small(open_case_count())
    if Role.AGENCY_ADMINISTRATOR in roles and Role.ADMINISTRATOR not in roles:
        context["managed_agencies"] = list(agencies_administered_by(user))
    if Role.ADMINISTRATOR in roles:
        context["recent_events"] = list(AccessEvent.objects.select_related("user")[:10])
    # Each list of cases as the rows its table shows (cases/rows.py).
    context["case_rows"] = {
        key: case_rows(context[key]) for key in ("held_cases", "covered_cases", "shared_cases") if context[key]
    }
    _log_children_shown(user, context)
    return render(request, "home.html", context)


def _log_children_shown(user: User, context: dict[str, Any]) -> None:
    """One access event naming every case (and referral) the home page lists by the child's name, the
    workboard's included."""
    cases = [case.pk for key in ("held_cases", "covered_cases", "shared_cases") for case in context[key] or ()]
    cases += [meeting.case_id for meeting in context["next_meetings"] or ()]
    referrals = context["my_referrals"] or ()
    cases += [referral.case_id for referral in referrals]
    referral_ids = [r.pk for r in referrals]
    workboard = context["workboard"]
    if workboard is not None:
        cases += workboard.case_ids
        referral_ids += workboard.referral_ids
    list_view_record(
        user=user,
        list_name=LIST_HOME,
        case_ids=list(dict.fromkeys(cases)),
        referral_ids=list(dict.fromkeys(referral_ids)),
    )


# A heartbeat older than this means beat (or every worker) has stopped: beat sends one every 30 s.
HEARTBEAT_STALE_SECONDS = 120


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_redis() -> str:
    # A real round trip, whatever the cache's "Redis is down, skip it" memory says (config/cache.py);
    # the socket timeouts in CACHES bound it to a fraction of a second.
    ping = getattr(cache, "ping", None)
    if ping is not None:
        return "ok" if ping() else "failing"
    cache.set("ecm:health", "ok", 10)
    return "ok" if cache.get("ecm:health") == "ok" else "failing"


def _check_worker() -> str:
    from config.celery_app import app

    # limit=1: the first worker's reply is enough; without it the check always waits the whole timeout.
    replies = app.control.ping(timeout=settings.HEALTH_WORKER_PING_SECONDS, limit=1)
    return "ok" if replies else "no worker answered"


def _check_beat() -> str:
    last = cache.get(HEARTBEAT_CACHE_KEY)
    if last is None:
        return "no heartbeat yet"
    age = time.time() - float(last)
    return "ok" if age < HEARTBEAT_STALE_SECONDS else f"last heartbeat {int(age)} s ago"


# Answered when Redis is down: the worker and beat are reached through it, so they cannot be checked.
NOT_CHECKED_WITHOUT_REDIS = "not checked: redis is down"


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Report web, database, Redis, worker and beat: 200 when all are ok, else 503 naming what failed.

    Always JSON, within about a second: each check is bounded by short timeouts, and the worker and
    beat checks (which go through Redis) are skipped when Redis is down. Names nobody; reads no session.
    """
    checks: dict[str, Any] = {"web": "ok"}
    for name, check in (
        ("database", _check_database),
        ("redis", _check_redis),
        ("worker", _check_worker),
        ("beat", _check_beat),
    ):
        if name in ("worker", "beat") and checks["redis"] != "ok":
            checks[name] = NOT_CHECKED_WITHOUT_REDIS
            continue
        try:
            checks[name] = check()
        except Exception as error:  # noqa: BLE001 - a health check reports every failure, it never raises
            checks[name] = f"failing: {type(error).__name__}"
    failing = sorted(name for name, value in checks.items() if value != "ok" and value != NOT_CHECKED_WITHOUT_REDIS)
    healthy = not failing and all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "failing": failing, "checks": checks},
        status=200 if healthy else 503,
    )
