"""Formulation report pages: versions, start and re-formulate, the structured editor with autosave and
conflicts, review comments, sign-off, the child-friendly summary, what changed, and recommendations.

Reading goes through formulation/report_selectors.py (the case through the access module first; a
version not yet signed off needs "read_report_drafts"); pages that act ask for "write_report" or
"review_report". The rules (locking, who signs off, sequencing) live in formulation/reports.py.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import access
from cases.models import CaseStatus
from cases.selectors import network_agencies
from cases.views.common import SignedInRequest, is_post, paginate
from formulation import report_selectors as selectors
from formulation import reports
from formulation.models import FormulationReport, Recommendation, ReportComment, ReportStatus
from formulation.report_forms import CommentForm, CompareForm, RecommendationForm, ReportForm, SignOffForm
from trm_stages.selectors import sequencing_for_case

VERSIONS_PER_PAGE = 25


def _report_url(report: FormulationReport, anchor: str = "") -> str:
    return reverse("formulation:report_detail", args=[report.case_id, report.pk]) + anchor


def _edit_url(report: FormulationReport, anchor: str = "") -> str:
    return reverse("formulation:report_edit", args=[report.case_id, report.pk]) + anchor


def _locked_redirect(request: HttpRequest, report: FormulationReport) -> HttpResponse:
    messages.info(request, reports.LOCKED_MESSAGE)
    return redirect(report)


def _errors_to_messages(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


# --- Versions ---------------------------------------------------------------------------------------


@login_required
@require_GET
def report_list(request: SignedInRequest, case_id: int) -> HttpResponse:
    """Every version of the case's report this person may read, newest first."""
    case = access.get_case_for(request.user, case_id, "view")
    being_written = selectors.open_report(case)
    context = {
        "case": case,
        "may_read_drafts": access.may(request.user, "read_report_drafts", case),
        "may_start": case.status == CaseStatus.OPEN
        and being_written is None
        and access.may(request.user, "write_report", case),
        "has_signed_off": selectors.latest_signed_off(case) is not None,
        **paginate(request, selectors.reports_for(user=request.user, case=case), VERSIONS_PER_PAGE),
    }
    return render(request, "formulation/report_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def report_start(request: SignedInRequest, case_id: int) -> HttpResponse:
    """The psychologist starts version 1, or (after a sign-off) the next version from the last."""
    case = access.get_case_for(request.user, case_id, "write_report")
    form = forms.Form(request.POST if is_post(request) else None)
    if is_post(request) and form.is_valid():
        try:
            report = reports.report_start(case=case, actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            started = "Re-formulation started" if report.version > 1 else "Formulation report started"
            messages.success(request, f"{started}: version {report.version} is a draft that saves as you type")
            return redirect(_edit_url(report))
    last = selectors.latest_signed_off(case)
    context = {
        "case": case,
        "form": form,
        "being_written": selectors.open_report(case),
        "last": last,
        "carried": selectors.open_actions(case).filter(report=last).count() if last else 0,
        "meeting": reports.held_formulation_meeting(case),
        "recorded": selectors.recorded_stage(case),
        "referral_reasons": bool(reports.referral_reasons(case)),
    }
    return render(request, "formulation/report_start.html", context)


# --- One version ------------------------------------------------------------------------------------


def _sign_off_links(report: FormulationReport, problems: dict[str, str]) -> list[dict[str, str]]:
    """Each sign-off problem as an error-summary link to where it is fixed."""
    links = []
    for key, text in problems.items():
        if key.startswith("recommendation-"):
            href = reverse("formulation:recommendation_change", args=[report.case_id, report.pk, int(key[15:])])
        elif key == "recommendations":
            href = reverse("formulation:recommendation_add", args=[report.case_id, report.pk])
        else:
            href = _edit_url(report, f"#id_{key}")
        links.append({"href": href, "text": text})
    return links


@login_required
@require_GET
def report_detail(request: SignedInRequest, case_id: int, report_id: int) -> HttpResponse:
    """One version: its sections with the reviewers' comments, its recommendations, and what can be done next."""
    report = selectors.report_for(user=request.user, case_id=case_id, report_id=report_id)
    case = report.case
    user = request.user
    is_open = not report.is_locked
    may_write = is_open and access.may(user, "write_report", case)
    may_review = report.status == ReportStatus.IN_REVIEW and access.may(user, "review_report", case)
    layout = selectors.report_layout(report)
    recommendations = selectors.recommendations_for(report)
    problems = (
        reports.report_sign_off_problems(
            report,
            recommendations=[item.recommendation for item in recommendations],
            judged={item.recommendation.suits_from_stage: item.result for item in recommendations},
        )
        if is_open and (may_write or may_review)
        else {}
    )
    newest = FormulationReport.objects.filter(case=case).order_by("-version").values_list("version", flat=True).first()
    context = {
        "case": case,
        "report": report,
        "layout": layout,
        "recommendations": recommendations,
        "standing_mismatches": [item for item in recommendations if item.standing_warning],
        "stage_names": selectors.stage_names(),
        "recorded": selectors.recorded_stage(case),
        "may_write": may_write,
        "may_submit": may_write and report.status == ReportStatus.DRAFT,
        "may_comment": may_review,
        "may_sign_off": may_review and reports.may_sign_off(user, report),
        "is_author": report.author_id == user.pk,
        "may_reformulate": report.is_locked
        and report.version == newest
        and case.status == CaseStatus.OPEN
        and access.may(user, "write_report", case),
        "may_record_stage": case.status == CaseStatus.OPEN and access.may(user, "record_stage_assessment", case),
        "problems": problems,
        "problem_links": _sign_off_links(report, problems),
    }
    return render(request, "formulation/report_detail.html", context)


@login_required
@require_GET
def report_child_summary(request: SignedInRequest, case_id: int, report_id: int) -> HttpResponse:
    """The child-friendly summary on a page of its own, to read (or print) with the child and family."""
    report = selectors.report_for(user=request.user, case_id=case_id, report_id=report_id)
    context = {
        "case": report.case,
        "report": report,
        "may_write": not report.is_locked and access.may(request.user, "write_report", report.case),
    }
    return render(request, "formulation/report_child_summary.html", context)


# --- The editor -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request: SignedInRequest, case_id: int, report_id: int) -> HttpResponse:
    """The structured editor. Saves name the revision they were edited from: a save that collides
    shows both texts (theirs saved, yours kept in the form) and overwrites nothing."""
    report = selectors.report_to_act_on(user=request.user, case_id=case_id, report_id=report_id, action="write_report")
    if report.is_locked:
        return _locked_redirect(request, report)
    names = selectors.stage_names()
    form = ReportForm(
        request.POST if is_post(request) else None, initial=ReportForm.initial_for(report), stage_names=names
    )
    conflict: FormulationReport | None = None
    theirs: dict[str, Any] = {}
    if is_post(request) and form.is_valid():
        typed = form.report_fields()
        try:
            saved = reports.report_save(
                report=report, actor=request.user, revision=form.cleaned_data["revision"], **typed
            )
        except reports.ReportConflict as collision:
            conflict = collision.current
            theirs = {
                name: _display_value(conflict, name, names)
                for name in reports.conflicting_fields(saved=conflict, typed=typed)
            }
            # What was typed stays in the form; the next save goes over the version just shown.
            data = request.POST.copy()
            data["revision"] = str(conflict.revision)
            form = ReportForm(data, stage_names=names)
            form.is_valid()
        except ValidationError as error:
            if NON_FIELD_ERRORS in error.message_dict:
                return _locked_redirect(request, report)
            form.add_service_errors(error)
        else:
            saved_at = timezone.localtime(saved.updated_at).strftime("%H:%M")
            messages.success(request, f"Draft saved at {saved_at}")
            if request.POST.get("action") == "done":
                return redirect(saved)
            return redirect(_edit_url(saved))
    context = {
        "case": report.case,
        "report": report,
        "form": form,
        "layout": form.layout(theirs),
        "conflict": conflict,
        "conflict_links": [{"href": f"#id_{name}", "text": f"Compare “{_label(form, name)}”"} for name in theirs],
        "recorded": selectors.recorded_stage(report.case),
        "recommendation_count": report.recommendations.count(),
        "revision": form["revision"].value(),
    }
    return render(request, "formulation/report_edit.html", context)


def _label(form: ReportForm, name: str) -> str:
    return str(form.fields[name].label)


def _display_value(report: FormulationReport, name: str, names: dict[int, str]) -> str:
    if name == "trm_stage":
        return f"Stage {report.trm_stage}: {names.get(report.trm_stage, '')}" if report.trm_stage else "No stage chosen"
    return str(getattr(report, name)) or "(left empty)"


@require_POST
def report_autosave(request: HttpRequest, case_id: int, report_id: int) -> HttpResponse:
    """static/ecm/autosave.js posts the editor here every 20 seconds while someone types, and when they
    leave the page. 204 when saved (X-ECM-Saved-At: the new revision), 409 when someone else saved
    first or the version was signed off: the script then stops and says so.

    Not behind login_required: a redirect to the sign-in page would look like success to a script,
    so a signed-out person gets a plain 401 and their browser keeps its copy.
    """
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    report = selectors.report_to_act_on(
        user=request.user, case_id=case_id, report_id=report_id, action="write_report", log=False
    )
    data = request.POST.copy()
    data["revision"] = data.get("version", "")
    form = ReportForm(data, stage_names=selectors.stage_names())
    if not form.is_valid():
        problem = (
            "Say which revision this was typed on." if form.has_error("revision") else "Not saved: check the form."
        )
        return HttpResponse(problem, status=400, content_type="text/plain")
    try:
        saved = reports.report_save(
            report=report,
            actor=request.user,
            revision=form.cleaned_data["revision"],
            **form.report_fields(),
        )
    except reports.ReportConflict:
        return HttpResponse(
            "Someone else has saved this report since you opened it.", status=409, content_type="text/plain"
        )
    except ValidationError as error:
        status = 409 if NON_FIELD_ERRORS in error.message_dict else 400
        return HttpResponse(" ".join(error.messages), status=status, content_type="text/plain")
    response = HttpResponse(status=204)
    response["X-ECM-Saved-At"] = str(saved.revision)
    return response


# --- Review -----------------------------------------------------------------------------------------


@login_required
@require_POST
def report_submit(request: SignedInRequest, case_id: int, report_id: int) -> HttpResponse:
    """The author sends the draft for review."""
    report = selectors.report_to_act_on(user=request.user, case_id=case_id, report_id=report_id, action="write_report")
    try:
        report = reports.report_submit(report=report, actor=request.user)
    except ValidationError as error:
        _errors_to_messages(request, error)
    else:
        messages.success(
            request,
            f"Version {report.version} sent for review: a senior practitioner or another psychologist "
            "can now comment on it and sign it off",
        )
    return redirect(_report_url(report))


@login_required
@require_http_methods(["GET", "POST"])
def report_comment(request: SignedInRequest, case_id: int, report_id: int) -> HttpResponse:
    """A reviewer comments on a section or the whole report; the author answers the same way."""
    report = selectors.report_to_act_on(user=request.user, case_id=case_id, report_id=report_id, action="review_report")
    if report.is_locked:
        return _locked_redirect(request, report)
    if report.status != ReportStatus.IN_REVIEW:
        messages.info(request, "Comments are made while the report is in review.")
        return redirect(report)
    answering = report.author_id == request.user.pk
    initial = {"section": request.GET.get("section", "")}
    form = CommentForm(request.POST if is_post(request) else None, initial=initial, answering=answering)
    if is_post(request) and form.is_valid():
        section = form.cleaned_data["section"]
        try:
            reports.report_comment_add(
                report=report, actor=request.user, text=form.cleaned_data["text"], section=section
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Your answer has been added" if answering else "Your comment has been added")
            return redirect(_report_url(report, f"#comments-{section or 'whole'}"))
    context = {"case": report.case, "report": report, "form": form, "answering": answering}
    return render(request, "formulation/report_comment.html", context)


@login_required
@require_POST
def report_comment_resolve(request: SignedInRequest, case_id: int, report_id: int, comment_id: int) -> HttpResponse:
    """The author (or the comment's author) marks a comment as dealt with."""
    report = selectors.report_to_act_on(user=request.user, case_id=case_id, report_id=report_id, action="review_report")
    comment = get_object_or_404(ReportComment, report=report, pk=comment_id)
    try:
        reports.report_comment_resolve(comment=comment, actor=request.user)
    except ValidationError as error:
        _errors_to_messages(request, error)
    else:
        messages.success(request, "Comment marked as resolved")
    return redirect(_report_url(report, f"#comments-{comment.section or 'whole'}"))


@login_required
@require_http_methods(["GET", "POST"])
def report_sign_off(request: SignedInRequest, case_id: int, report_id: int) -> HttpResponse:
    """A reviewer who is not the author checks the report is complete and signs it off."""
    report = selectors.report_to_act_on(user=request.user, case_id=case_id, report_id=report_id, action="review_report")
    if report.is_locked:
        messages.info(request, f"Version {report.version} has already been signed off.")
        return redirect(report)
    if report.author_id == request.user.pk:
        raise PermissionDenied("You wrote this report: a senior practitioner or another psychologist signs it off.")
    if report.status != ReportStatus.IN_REVIEW:
        messages.info(request, "The report is signed off once its author has submitted it for review.")
        return redirect(report)
    form = SignOffForm(request.POST if is_post(request) else None, initial={"revision": report.revision})
    if is_post(request) and form.is_valid():
        try:
            report = reports.report_sign_off(report=report, actor=request.user, revision=form.cleaned_data["revision"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"Version {report.version} signed off: it is locked, its recommendations are now actions "
                "and its PDFs are being made",
            )
            return redirect(report)
    problems = reports.report_sign_off_problems(report)
    layout = selectors.report_layout(report)
    context = {
        "case": report.case,
        "report": report,
        "form": form,
        "problems": problems,
        "error_links": _sign_off_links(report, problems),
        "unresolved": layout.unresolved,
        "recommendation_count": report.recommendations.count(),
    }
    return render(request, "formulation/report_sign_off.html", context)


# --- What changed -----------------------------------------------------------------------------------


@login_required
@require_GET
def report_changes(request: SignedInRequest, case_id: int) -> HttpResponse:
    """What changed between two versions, section by section, word by word."""
    case = access.get_case_for(request.user, case_id, "view")
    readable = {report.version: report for report in selectors.reports_for(user=request.user, case=case)}
    versions = sorted(readable)
    form = CompareForm(request.GET if "older" in request.GET else None, versions=versions)
    changes = None
    if len(versions) >= 2:
        if form.is_bound and form.is_valid():
            older, newer = sorted([form.cleaned_data["older"], form.cleaned_data["newer"]])
            if older == newer:
                form.add_error("newer", "Choose two different versions to compare")
        else:
            newer = versions[-1]
            older = versions[-2]
            form = CompareForm(initial={"older": older, "newer": newer}, versions=versions)
        if not form.errors:
            changes = selectors.compare_versions(user=request.user, older=readable[older], newer=readable[newer])
    context = {"case": case, "form": form, "changes": changes, "versions": versions}
    return render(request, "formulation/report_changes.html", context)


# --- Recommendations --------------------------------------------------------------------------------


def _recommendation_form(
    request: HttpRequest, report: FormulationReport, *, recommendation: Recommendation | None = None
) -> RecommendationForm:
    candidates = selectors.owner_candidates(case=report.case)
    initial = RecommendationForm.initial_for(recommendation, candidates) if recommendation else {}
    return RecommendationForm(
        request.POST if is_post(request) else None,
        initial=initial,
        candidates=candidates,
        agencies=network_agencies(),
        interventions=selectors.intervention_types(),
        stage_names=selectors.stage_names(),
        editing=recommendation is not None,
    )


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_add(request: SignedInRequest, case_id: int, report_id: int) -> HttpResponse:
    """Add a recommendation; above the child's stage the author is warned and must justify it."""
    report = selectors.report_to_act_on(user=request.user, case_id=case_id, report_id=report_id, action="write_report")
    if report.is_locked:
        return _locked_redirect(request, report)
    form = _recommendation_form(request, report)
    if is_post(request) and form.is_valid():
        try:
            reports.recommendation_add(report=report, actor=request.user, **form.recommendation_fields())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Recommendation added")
            return redirect(_report_url(report, "#recommendations"))
    return _render_recommendation_form(request, report, form)


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_change(
    request: SignedInRequest, case_id: int, report_id: int, recommendation_id: int
) -> HttpResponse:
    """Change a recommendation while the version is open (the sequencing rule is judged again)."""
    report = selectors.report_to_act_on(user=request.user, case_id=case_id, report_id=report_id, action="write_report")
    recommendation = get_object_or_404(Recommendation, report=report, pk=recommendation_id)
    if report.is_locked:
        return _locked_redirect(request, report)
    form = _recommendation_form(request, report, recommendation=recommendation)
    if is_post(request) and form.is_valid():
        try:
            reports.recommendation_change(
                recommendation=recommendation, actor=request.user, **form.recommendation_fields()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Recommendation changed")
            return redirect(_report_url(report, "#recommendations"))
    return _render_recommendation_form(request, report, form, recommendation=recommendation)


def _render_recommendation_form(
    request: HttpRequest,
    report: FormulationReport,
    form: RecommendationForm,
    *,
    recommendation: Recommendation | None = None,
) -> HttpResponse:
    standing = ""
    if recommendation is not None:
        result = sequencing_for_case(case=report.case, suits_from_stage=recommendation.suits_from_stage)
        standing = "" if result.suits else result.warning
    context = {
        "case": report.case,
        "report": report,
        "form": form,
        "recommendation": recommendation,
        "standing_warning": standing,
        "recorded": selectors.recorded_stage(report.case),
    }
    return render(request, "formulation/report_recommendation_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_remove(
    request: SignedInRequest, case_id: int, report_id: int, recommendation_id: int
) -> HttpResponse:
    """Take a recommendation out of the version, after a confirmation page."""
    report = selectors.report_to_act_on(user=request.user, case_id=case_id, report_id=report_id, action="write_report")
    recommendation = get_object_or_404(Recommendation, report=report, pk=recommendation_id)
    if report.is_locked:
        return _locked_redirect(request, report)
    if is_post(request):
        try:
            reports.recommendation_remove(recommendation=recommendation, actor=request.user)
        except ValidationError as error:
            _errors_to_messages(request, error)
        else:
            messages.success(request, "Recommendation removed")
        return redirect(_report_url(report, "#recommendations"))
    context = {"case": report.case, "report": report, "recommendation": recommendation}
    return render(request, "formulation/report_recommendation_remove.html", context)
