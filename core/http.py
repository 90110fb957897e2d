"""The signed-in request every view takes, and the one question views ask of a request's method."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:  # a type only: core sits below accounts and never imports it at run time
    from accounts.models import User


class SignedInRequest(HttpRequest):
    """A request behind @login_required: the user is a signed-in person, never anonymous."""

    user: User


def is_post(request: HttpRequest) -> bool:
    return request.method == "POST"
