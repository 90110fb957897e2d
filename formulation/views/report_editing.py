"""The structured report editor, its autosave, and the version's recommendations.

Saves name the revision they were edited from (formulation.services.reports): a save that collides
shows both texts and overwrites nothing. Every page here asks for WRITE_REPORT on an open version.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cases.access import Action
from cases.selectors import case_people, network_agencies
from core.http import SignedInRequest, is_post
from formulation import selectors, services
from formulation.capabilities import ReportCapabilities
from formulation.forms import RecommendationForm, ReportForm
from formulation.models import FormulationReport, Recommendation
from formulation.views.report_helpers import edit_url, errors_to_messages, locked_redirect, open_version, report_url
from trm_stages.selectors import sequencing_for_case, sequencing_for_stages
from trm_stages.sequencing import hint_rules


@login_required
@require_http_methods(["GET", "POST"])
@open_version(Action.WRITE_REPORT)
def report_edit(request: SignedInRequest, report: FormulationReport, caps: ReportCapabilities) -> HttpResponse:
    """The structured editor. Saves name the revision they were edited from: a save that collides
    shows both texts (theirs saved, yours kept in the form) and overwrites nothing."""
    names = selectors.stage_names()
    form = ReportForm(
        request.POST if is_post(request) else None, initial=ReportForm.initial_for(report), stage_names=names
    )
    conflict: FormulationReport | None = None
    theirs: dict[str, Any] = {}
    if is_post(request) and form.is_valid():
        typed = form.report_fields()
        try:
            saved = services.report_save(
                report=report,
                actor=request.user,
                revision=form.cleaned_data["revision"],
                base=form.started_from(),
                **typed,
            )
        except services.ReportConflict as collision:
            conflict = collision.current
            theirs = {name: _display_value(conflict, name, names) for name in collision.fields}
            # The parts both changed keep what was typed, beside their text; the parts only they
            # changed show their text. The next save goes over the version just shown.
            data = request.POST.copy()
            for name, value in collision.merged.items():
                data[name] = _posted(value)
            for name, value in ReportForm.bases_for(conflict).items():
                data[name] = value
            data["revision"] = str(conflict.revision)
            form = ReportForm(data, stage_names=names)
            form.is_valid()
        except ValidationError as error:
            if NON_FIELD_ERRORS in error.message_dict:
                return locked_redirect(request, report)
            form.add_service_errors(error)
        else:
            saved_at = timezone.localtime(saved.updated_at).strftime("%H:%M")
            kept = _kept_from_others(form, saved, typed)
            messages.success(request, f"Draft saved at {saved_at}{kept}")
            if request.POST.get("action") == "done":
                return redirect(saved)
            return redirect(edit_url(saved))
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


def _posted(value: Any) -> str:
    """A report field's value as the editor's form posts it."""
    return "" if value is None else str(value)


def _merged_in(saved: FormulationReport, typed: dict[str, Any]) -> dict[str, str]:
    """The parts where the saved version holds someone else's newer text, not what was sent."""
    return {
        name: _posted(getattr(saved, name))
        for name, value in typed.items()
        if _posted(getattr(saved, name)).replace("\r\n", "\n") != _posted(value).replace("\r\n", "\n")
    }


def _kept_from_others(form: ReportForm, saved: FormulationReport, typed: dict[str, Any]) -> str:
    names = [f"“{_label(form, name)}”" for name in _merged_in(saved, typed)]
    if not names:
        return ""
    return f". Changes someone else saved meanwhile to {', '.join(names)} are kept"


def _display_value(report: FormulationReport, name: str, names: dict[int, str]) -> str:
    if name == "trm_stage":
        return f"Stage {report.trm_stage}: {names.get(report.trm_stage, '')}" if report.trm_stage else "No stage chosen"
    return str(getattr(report, name)) or "(left empty)"


@require_POST
def report_autosave(request: HttpRequest, case_id: int, report_id: int) -> HttpResponse:
    """static/ecm/autosave.js posts the editor here every 20 seconds while someone types, and when they
    leave the page. It sends, per part, the text the box started from, and the save merges per part.
    204 when saved (X-ECM-Saved-At: the new revision); 200 with JSON {"revision", "fields"} when the
    saved version also holds someone else's newer text of parts this editor did not change (the
    script puts it in those boxes); 409 when someone else changed the same part or the version was
    signed off: the script then stops and says so.

    Not behind login_required: a redirect to the sign-in page would look like success to a script,
    so a signed-out person gets a plain 401 and their browser keeps its copy.
    """
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    report = selectors.report_to_act_on(
        user=request.user, case_id=case_id, report_id=report_id, action=Action.WRITE_REPORT, log=False
    )
    data = request.POST.copy()
    data["revision"] = data.get("version", "")
    form = ReportForm(data, stage_names=selectors.stage_names())
    if not form.is_valid():
        problem = (
            "Say which revision this was typed on." if form.has_error("revision") else "Not saved: check the form."
        )
        return HttpResponse(problem, status=400, content_type="text/plain")
    typed = form.report_fields()
    try:
        saved = services.report_save(
            report=report,
            actor=request.user,
            revision=form.cleaned_data["revision"],
            base=form.started_from(),
            **typed,
        )
    except services.ReportConflict:
        return HttpResponse(
            "Someone else has changed the same part of this report since you opened it.",
            status=409,
            content_type="text/plain",
        )
    except ValidationError as error:
        status = 409 if NON_FIELD_ERRORS in error.message_dict else 400
        return HttpResponse(" ".join(error.messages), status=status, content_type="text/plain")
    merged_in = _merged_in(saved, typed)
    # 200 with the parts someone else changed meanwhile (the editor shows them), else 204.
    response = (
        JsonResponse({"revision": saved.revision, "fields": merged_in}) if merged_in else HttpResponse(status=204)
    )
    response["X-ECM-Saved-At"] = str(saved.revision)
    return response


def _recommendation_form(
    request: HttpRequest, report: FormulationReport, *, recommendation: Recommendation | None = None
) -> RecommendationForm:
    candidates = case_people(report.case)
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
@open_version(Action.WRITE_REPORT)
def recommendation_add(request: SignedInRequest, report: FormulationReport, caps: ReportCapabilities) -> HttpResponse:
    """Add a recommendation; above the child's stage the author is warned and must justify it."""
    form = _recommendation_form(request, report)
    if is_post(request) and form.is_valid():
        try:
            services.recommendation_add(report=report, actor=request.user, **form.recommendation_fields())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Recommendation added")
            return redirect(report_url(report, "#recommendations"))
    return _render_recommendation_form(request, report, form)


@login_required
@require_http_methods(["GET", "POST"])
@open_version(Action.WRITE_REPORT)
def recommendation_change(
    request: SignedInRequest, report: FormulationReport, caps: ReportCapabilities, recommendation_id: int
) -> HttpResponse:
    """Change a recommendation while the version is open (the sequencing rule is judged again)."""
    recommendation = get_object_or_404(Recommendation, report=report, pk=recommendation_id)
    form = _recommendation_form(request, report, recommendation=recommendation)
    if is_post(request) and form.is_valid():
        try:
            services.recommendation_change(
                recommendation=recommendation, actor=request.user, **form.recommendation_fields()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Recommendation changed")
            return redirect(report_url(report, "#recommendations"))
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
        # For static/ecm/sequencing.js: the warning shows as soon as an intervention or stage is chosen.
        "sequencing_rules": hint_rules(
            sequencing_for_stages(case=report.case, stages=range(1, 7)),
            form.fields["intervention_type"].queryset.values_list("pk", "lowest_stage"),  # type: ignore[attr-defined]
        ),
    }
    return render(request, "formulation/report_recommendation_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@open_version(Action.WRITE_REPORT)
def recommendation_remove(
    request: SignedInRequest, report: FormulationReport, caps: ReportCapabilities, recommendation_id: int
) -> HttpResponse:
    """Take a recommendation out of the version, after a confirmation page."""
    recommendation = get_object_or_404(Recommendation, report=report, pk=recommendation_id)
    if is_post(request):
        try:
            services.recommendation_remove(recommendation=recommendation, actor=request.user)
        except ValidationError as error:
            errors_to_messages(request, error)
        else:
            messages.success(request, "Recommendation removed")
        return redirect(report_url(report, "#recommendations"))
    context = {"case": report.case, "report": report, "recommendation": recommendation}
    return render(request, "formulation/report_recommendation_remove.html", context)
