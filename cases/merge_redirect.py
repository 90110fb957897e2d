"""A merged record's addresses lead to the surviving record.

The access module raises `RecordMerged` when it fetches a case that was merged into another, once it has
established that the person may see the merged case (a person who may not gets the same 404 as ever, so
the redirect tells nobody anything new). This middleware turns it into a redirect to the same page of the
surviving case: `/cases/12/contacts/` becomes `/cases/40/contacts/`, with the query string kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

CASE_PATH = re.compile(r"^(?P<before>.*?/cases/)(?P<case_id>\d+)(?P<after>/.*)$")


class RecordMerged(Exception):
    """The case asked for was merged into `survivor_id`."""

    def __init__(self, case_id: int, survivor_id: int) -> None:
        super().__init__(f"Case {case_id} was merged into case {survivor_id}")
        self.case_id = case_id
        self.survivor_id = survivor_id


def survivor_path(path: str, exception: RecordMerged) -> str:
    """The same page of the surviving case, or its overview when the path is not a case's own."""
    found = CASE_PATH.match(path)
    if found is None or int(found["case_id"]) != exception.case_id:
        return reverse("cases:detail", args=[exception.survivor_id])
    return f"{found['before']}{exception.survivor_id}{found['after']}"


class MergedRecordRedirectMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, RecordMerged):
            return None
        target = survivor_path(request.path, exception)
        query = request.META.get("QUERY_STRING", "")
        return HttpResponseRedirect(f"{target}?{query}" if query else target)
