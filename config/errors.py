"""Error pages that must answer whatever else is wrong: rendered without a request, so without the
context processors, the session or the database (base.html then shows no one signed in).

`/api/` answers JSON `{"detail": ...}` instead, like DRF's own errors.
"""

from __future__ import annotations

import sys

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import get_template
from django.views import defaults

RETRY_AFTER_SECONDS = 30
TOO_LONG = "The text was too long to save. Nothing was saved."
NOT_UNDERSTOOD = "The request could not be understood. Nothing was saved."
DATABASE_UNAVAILABLE = "Sorry, there is a problem with the service. Try again in a minute."
# PostgreSQL's "connection exception" class, and the server shutting down or starting up.
_CONNECTION_SQLSTATES = ("08", "57P01", "57P02", "57P03")


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request_response(request: HttpRequest, *, message: str, too_long: bool = False) -> HttpResponse:
    """400 with a message: the GOV.UK page, or JSON for the API."""
    if _wants_json(request):
        return JsonResponse({"detail": message}, status=400)
    html = get_template("400.html").render({"message": message, "too_long": too_long})
    return HttpResponse(html, status=400)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: an oversized post says so and sends the person back to their typed text."""
    too_long = isinstance(exception, RequestDataTooBig | TooManyFieldsSent)
    return bad_request_response(request, message=TOO_LONG if too_long else NOT_UNDERSTOOD, too_long=too_long)


def is_database_unavailable(error: BaseException | None) -> bool:
    """Is this the database being unreachable (restarting, down, connection lost), rather than a bug?"""
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    sqlstate = getattr(error.__cause__, "sqlstate", None)
    # No SQLSTATE: the client could not reach the server or lost it mid-query.
    return sqlstate is None or sqlstate.startswith(_CONNECTION_SQLSTATES)


def service_unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 "try again in a minute", with Retry-After; touches neither the database nor the session."""
    response: HttpResponse
    if request.path == "/health/":
        # Health answers its own JSON even when the database fails before the view runs (a session cookie).
        checks = {"web": "ok", "database": "failing: unavailable"}
        response = JsonResponse({"status": "degraded", "failing": ["database"], "checks": checks}, status=503)
    elif _wants_json(request):
        response = JsonResponse({"detail": DATABASE_UNAVAILABLE}, status=503)
    else:
        response = HttpResponse(get_template("503.html").render({}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database outage met in a middleware (the session, the signed-in person) is a 503 too.

    Django calls this inside its `except` block, so the exception being handled is the one that
    ended the request.
    """
    if is_database_unavailable(sys.exc_info()[1]):
        return service_unavailable_response(request)
    return defaults.server_error(request)
