"""Middleware that keeps bad input and a database outage from becoming raw 500 pages."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from config.errors import bad_request_response, is_database_unavailable, service_unavailable_response

NUL = "\x00"
NUL_MESSAGE = "The request contained a character that cannot be saved (a NUL byte). Nothing was saved."


def _holds_nul(request: HttpRequest) -> bool:
    if NUL in request.path or NUL in request.META.get("QUERY_STRING", "") or NUL in request.path_info:
        return True
    # Headers end up in the access log (user agent) and the session lookup (cookie).
    if any(NUL in value for key, value in request.META.items() if key.startswith("HTTP_") and isinstance(value, str)):
        return True
    if any(NUL in value for values in request.GET.lists() for value in values[1]):
        return True
    if request.method in ("POST", "PUT", "PATCH") and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        return any(NUL in value for _name, values in request.POST.lists() for value in values) or any(
            NUL in name for name in request.POST
        )
    return False


class BadInputMiddleware:
    """Refuse any request carrying a NUL byte with a 400: PostgreSQL cannot store one in text and
    would answer with an error (a 500) wherever the value reached a query."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _holds_nul(request):
            return bad_request_response(request, message=NUL_MESSAGE)
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """A view that loses the database (a restart, a failover) answers 503 "try again in a minute".

    The transaction the view was in is rolled back by PostgreSQL, so nothing is half-saved. Failures
    in middleware before the view (loading the session) reach `config.errors.server_error` instead.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_database_unavailable(exception):
            return service_unavailable_response(request)
        return None
