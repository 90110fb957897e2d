"""Review of a formulation report: the author submits, reviewers comment (the author answers),
comments are resolved, and a reviewer who is not the author signs the version off.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from cases.access import Action
from cases.services import CLOSED_MESSAGE
from core.http import SignedInRequest, is_post
from formulation import selectors, services
from formulation.capabilities import ReportCapabilities
from formulation.forms import CommentForm, SendBackForm, SignOffForm
from formulation.models import FormulationReport, ReportComment
from formulation.views.report_helpers import errors_to_messages, open_version, report_url, sign_off_links


@login_required
@require_POST
def report_submit(request: SignedInRequest, case_id: int, report_id: int) -> HttpResponse:
    """The author sends the draft for review."""
    report = selectors.report_to_act_on(
        user=request.user, case_id=case_id, report_id=report_id, action=Action.WRITE_REPORT
    )
    try:
        report = services.report_submit(report=report, actor=request.user)
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(
            request,
            f"Version {report.version} sent for review: a senior practitioner or another psychologist "
            "can now comment on it and sign it off",
        )
    return redirect(report_url(report))


@login_required
@require_http_methods(["GET", "POST"])
@open_version(Action.REVIEW_REPORT)
def report_comment(request: SignedInRequest, report: FormulationReport, caps: ReportCapabilities) -> HttpResponse:
    """A reviewer comments on a section or the whole report; the author answers the same way."""
    if not caps.comment:
        messages.info(request, "Comments are made while the report is in review.")
        return redirect(report)
    answering = caps.is_author
    initial = {"section": request.GET.get("section", "")}
    form = CommentForm(request.POST if is_post(request) else None, initial=initial, answering=answering)
    if is_post(request) and form.is_valid():
        section = form.cleaned_data["section"]
        try:
            services.report_comment_add(
                report=report, actor=request.user, text=form.cleaned_data["text"], section=section
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Your answer has been added" if answering else "Your comment has been added")
            return redirect(report_url(report, f"#comments-{section or 'whole'}"))
    context = {"case": report.case, "report": report, "form": form, "answering": answering}
    return render(request, "formulation/report_comment.html", context)


@login_required
@require_POST
def report_comment_resolve(request: SignedInRequest, case_id: int, report_id: int, comment_id: int) -> HttpResponse:
    """The author (or the comment's author) marks a comment as dealt with."""
    report = selectors.report_to_act_on(
        user=request.user, case_id=case_id, report_id=report_id, action=Action.REVIEW_REPORT
    )
    comment = get_object_or_404(ReportComment, report=report, pk=comment_id)
    try:
        services.report_comment_resolve(comment=comment, actor=request.user)
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(request, "Comment marked as resolved")
    return redirect(report_url(report, f"#comments-{comment.section or 'whole'}"))


def _already_signed_off(report: FormulationReport) -> str:
    return f"Version {report.version} has already been signed off."


@login_required
@require_http_methods(["GET", "POST"])
@open_version(Action.REVIEW_REPORT, locked_message=_already_signed_off)
def report_sign_off(request: SignedInRequest, report: FormulationReport, caps: ReportCapabilities) -> HttpResponse:
    """A reviewer who is not the author checks the report is complete and signs it off (confirming it when
    comments are not resolved or no formulation meeting was held), or sends it back to the author."""
    if caps.is_author:
        raise PermissionDenied("You wrote this report: a senior practitioner or another psychologist signs it off.")
    if not report.case.is_open:  # closed means read-only: reopen the case to sign off or send back
        messages.info(request, CLOSED_MESSAGE)
        return redirect(report)
    if not caps.sign_off:
        messages.info(request, "The report is signed off once its author has submitted it for review.")
        return redirect(report)
    sending_back = is_post(request) and "send_back" in request.POST
    form = SignOffForm(
        request.POST if is_post(request) and not sending_back else None, initial={"revision": report.revision}
    )
    send_back = SendBackForm(request.POST if sending_back else None)
    if send_back.is_bound and send_back.is_valid():
        try:
            report = services.report_send_back(
                report=report, actor=request.user, reason=send_back.cleaned_data["reason"]
            )
        except ValidationError as error:
            send_back.add_service_errors(error)
        else:
            messages.success(
                request,
                f"Version {report.version} sent back to {report.author.get_full_name()}: it is a draft again, "
                "with your reason as a comment",
            )
            return redirect(report)
    if form.is_bound and form.is_valid():
        try:
            report = services.report_sign_off(
                report=report,
                actor=request.user,
                revision=form.cleaned_data["revision"],
                confirmed=form.cleaned_data["confirmed"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"Version {report.version} signed off: it is locked, its recommendations are now actions "
                "and its PDFs are being made",
            )
            return redirect(report)
    problems = selectors.report_sign_off_problems(report)
    layout = selectors.report_layout(report)
    context = {
        "case": report.case,
        "report": report,
        "form": form,
        "send_back": send_back,
        "problems": problems,
        "warnings": selectors.report_sign_off_warnings(report),
        "error_links": sign_off_links(report, problems),
        "unresolved": layout.unresolved,
        "recommendation_count": report.recommendations.count(),
    }
    return render(request, "formulation/report_sign_off.html", context)
