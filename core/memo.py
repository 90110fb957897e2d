"""Answers worth computing once per request (who the person is to the access module, their
permissions), and no longer: a change made in one request is seen by the next.

`RequestMemoMiddleware` opens a memo for each request; `memoised(key, compute)` returns the
answer already computed in this request or computes and keeps it. Outside a request (a Celery
task, a management command, a unit test calling a function directly) nothing is kept and every
call computes afresh, so code that changes data and asks again always sees the change.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse

T = TypeVar("T")

_memo: ContextVar[dict[Hashable, Any] | None] = ContextVar("ecm_request_memo", default=None)


@contextmanager
def request_memo() -> Iterator[None]:
    """Keep answers for the duration of the block (one request)."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def in_request() -> bool:
    """Whether answers are being kept (inside a request)."""
    return _memo.get() is not None


def memoised(key: Hashable, compute: Callable[[], T]) -> T:
    """The answer for `key` computed earlier in this request, or `compute()` (kept if in a request)."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def forget(prefix: Hashable) -> None:
    """Drop this request's answers whose key starts with `prefix` (after a change that alters them)."""
    memo = _memo.get()
    if memo is not None:
        for key in [key for key in memo if isinstance(key, tuple) and key and key[0] == prefix]:
            del memo[key]


class RequestMemoMiddleware:
    """One memo per request (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with request_memo():
            return self.get_response(request)
