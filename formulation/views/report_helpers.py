"""What the formulation report pages share: their addresses, the one guard for a locked version, and
sign-off links."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from cases.access import Action
from core.http import SignedInRequest
from formulation import selectors, services
from formulation.capabilities import ReportCapabilities, report_capabilities
from formulation.models import FormulationReport

# A view that changes one open version: given the version and what the person may do with it.
OpenVersionView = Callable[..., HttpResponse]


def report_url(report: FormulationReport, anchor: str = "") -> str:
    return reverse("formulation:report_detail", args=[report.case_id, report.pk]) + anchor


def edit_url(report: FormulationReport, anchor: str = "") -> str:
    return reverse("formulation:report_edit", args=[report.case_id, report.pk]) + anchor


def locked_redirect(
    request: HttpRequest, report: FormulationReport, message: str = services.LOCKED_MESSAGE
) -> HttpResponse:
    messages.info(request, message)
    return redirect(report)


def signed_off_message(report: FormulationReport) -> str:
    return services.LOCKED_MESSAGE


def open_version(
    action: Action, *, locked_message: Callable[[FormulationReport], str] = signed_off_message
) -> Callable[[OpenVersionView], Callable[..., HttpResponse]]:
    """The one guard of the pages that change a version: fetch it for `action` (404 / 403 from the access
    module), build its capabilities, and send a signed-off (locked) version back to its page with
    `locked_message` instead of running the view. The view is called as `view(request, report, caps, **rest)`.
    """

    def decorator(view: OpenVersionView) -> Callable[..., HttpResponse]:
        @wraps(view)
        def guarded(request: SignedInRequest, case_id: int, report_id: int, **rest: Any) -> HttpResponse:
            report = selectors.report_to_act_on(user=request.user, case_id=case_id, report_id=report_id, action=action)
            caps: ReportCapabilities = report_capabilities(request.user, report)
            if caps.locked:
                return locked_redirect(request, report, locked_message(report))
            return view(request, report, caps, **rest)

        return guarded

    return decorator


def errors_to_messages(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


def sign_off_links(report: FormulationReport, problems: dict[str, str]) -> list[dict[str, str]]:
    """Each sign-off problem as an error-summary link to where it is fixed."""
    links = []
    for key, text in problems.items():
        if key.startswith("recommendation-"):
            href = reverse("formulation:recommendation_change", args=[report.case_id, report.pk, int(key[15:])])
        elif key == "recommendations":
            href = reverse("formulation:recommendation_add", args=[report.case_id, report.pk])
        else:
            href = edit_url(report, f"#id_{key}")
        links.append({"href": href, "text": text})
    return links
