"""Formulation report pages for reading: the versions, starting (or re-formulating), one version,
the child-friendly summary, and what changed between versions.

Reading goes through formulation.selectors (the case through the access module first; a version not
yet signed off needs READ_REPORT_DRAFTS). The rules (locking, who signs off, sequencing) live in
formulation.services and formulation.capabilities.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from cases import access
from cases.access import Action
from core.http import SignedInRequest, is_post
from core.pagination import paginate
from formulation import selectors, services
from formulation.capabilities import case_report_capabilities, report_capabilities
from formulation.forms import CompareForm
from formulation.views.report_helpers import edit_url, sign_off_links

VERSIONS_PER_PAGE = 25


@login_required
@require_GET
def report_list(request: SignedInRequest, case_id: int) -> HttpResponse:
    """Every version of the case's report this person may read, newest first."""
    case = access.get_case_for(request.user, case_id, Action.VIEW)
    context = {
        "case": case,
        "caps": case_report_capabilities(request.user, case, being_written=selectors.open_report(case)),
        "has_signed_off": selectors.latest_signed_off(case) is not None,
        **paginate(request, selectors.reports_for(user=request.user, case=case), VERSIONS_PER_PAGE),
    }
    return render(request, "formulation/report_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def report_start(request: SignedInRequest, case_id: int) -> HttpResponse:
    """The psychologist starts version 1, or (after a sign-off) the next version from the last."""
    case = access.get_case_for(request.user, case_id, Action.WRITE_REPORT)
    form = forms.Form(request.POST if is_post(request) else None)
    if is_post(request) and form.is_valid():
        try:
            report = services.report_start(case=case, actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            started = "Re-formulation started" if report.version > 1 else "Formulation report started"
            messages.success(request, f"{started}: version {report.version} is a draft that saves as you type")
            return redirect(edit_url(report))
    last = selectors.latest_signed_off(case)
    context = {
        "case": case,
        "form": form,
        "being_written": selectors.open_report(case),
        "last": last,
        "carried": selectors.open_actions(case).filter(report=last).count() if last else 0,
        "meeting": selectors.held_formulation_meeting(case),
        "recorded": selectors.recorded_stage(case),
        "referral_reasons": bool(selectors.referral_reasons(case)),
    }
    return render(request, "formulation/report_start.html", context)


@login_required
@require_GET
def report_detail(request: SignedInRequest, case_id: int, report_id: int) -> HttpResponse:
    """One version: its sections with the reviewers' comments, its recommendations, and what can be done next."""
    report = selectors.report_for(user=request.user, case_id=case_id, report_id=report_id)
    case = report.case
    caps = report_capabilities(request.user, report)
    layout = selectors.report_layout(report)
    recommendations = selectors.recommendations_for(report)
    problems = (
        selectors.report_sign_off_problems(
            report,
            recommendations=[item.recommendation for item in recommendations],
            judged={item.recommendation.suits_from_stage: item.result for item in recommendations},
        )
        if caps.sees_sign_off_problems
        else {}
    )
    context = {
        "case": case,
        "report": report,
        "caps": caps,
        "layout": layout,
        "recommendations": recommendations,
        "standing_mismatches": [item for item in recommendations if item.standing_warning],
        "stage_names": selectors.stage_names(),
        "recorded": selectors.recorded_stage(case),
        "problems": problems,
        "problem_links": sign_off_links(report, problems),
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
        "caps": report_capabilities(request.user, report),
    }
    return render(request, "formulation/report_child_summary.html", context)


@login_required
@require_GET
def report_changes(request: SignedInRequest, case_id: int) -> HttpResponse:
    """What changed between two versions, section by section, word by word."""
    case = access.get_case_for(request.user, case_id, Action.VIEW)
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
