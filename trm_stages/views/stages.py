"""Pages of the child's TRM stage (history, recording, one assessment) and of the model's reference data."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from cases import access
from cases.access import Action
from cases.capabilities import case_capabilities
from core.http import SignedInRequest, is_post
from trm_stages import selectors, services
from trm_stages.capabilities import reference_capabilities
from trm_stages.forms.stages import (
    InterventionFormSet,
    PublishNoteForm,
    ReferenceStageForm,
    ReferenceThresholdForm,
    StageAssessmentForm,
)
from trm_stages.models import InterventionType, StageAssessment, TrmVersion


@login_required
@require_GET
def stage_history(request: SignedInRequest, case_id: int) -> HttpResponse:
    """The child's stage now, since when, the chart and every assessment."""
    case = access.get_case_for(request.user, case_id, Action.VIEW)
    context = {
        "case": case,
        "journey": selectors.stage_journey(case=case),
        "caps": case_capabilities(request.user, case),
    }
    return render(request, "trm_stages/stage_history.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_add(request: SignedInRequest, case_id: int) -> HttpResponse:
    """The psychologist records the child's stage, with the evidence; a move back asks why."""
    case = access.get_case_for(request.user, case_id, Action.RECORD_STAGE_ASSESSMENT)
    version = selectors.current_version()
    form = StageAssessmentForm(
        request.POST if is_post(request) else None,
        initial={"assessed_on": timezone.localdate()},
        stages=selectors.stages(version),
        thresholds=selectors.thresholds(version),
    )
    latest = selectors.latest_assessment(case)
    if is_post(request) and form.is_valid():
        data = form.cleaned_data
        try:
            services.stage_assessment_record(
                case=case,
                actor=request.user,
                assessed_on=data["assessed_on"],
                source=data["source"],
                **form.assessment(),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Stage {data['stage']} recorded")
            return redirect("trm_stages:stage_history", case.pk)
    context = {"case": case, "form": form, "latest": latest, "version": version}
    return render(request, "trm_stages/assessment_form.html", context)


@login_required
@require_GET
def assessment_detail(request: SignedInRequest, case_id: int, assessment_id: int) -> HttpResponse:
    """One assessment, with the stage text of the reference version it was made against."""
    case = access.get_case_for(request.user, case_id, Action.VIEW)
    assessment = get_object_or_404(
        StageAssessment.objects.filter(case=case)
        .select_related("stage__version", "assessor")
        .prefetch_related("thresholds_crossed"),
        pk=assessment_id,
    )
    return render(request, "trm_stages/assessment_detail.html", {"case": case, "assessment": assessment})


@login_required
@require_GET
def reference(request: SignedInRequest) -> HttpResponse:
    """The model's stages, thresholds and intervention catalogue, for everyone signed in (no case data)."""
    versions = list(TrmVersion.objects.select_related("published_by").order_by("-number"))
    wanted = request.GET.get("version")
    if wanted:
        version = next((v for v in versions if str(v.number) == wanted), None)
        if version is None:
            raise Http404("No such version of the reference data")
    else:
        version = versions[0]
    context = {
        "version": version,
        "caps": reference_capabilities(request.user, version, current=versions[0]),
        "versions": versions,
        "stages": selectors.stages(version),
        "thresholds": selectors.thresholds(version),
        "interventions": list(InterventionType.objects.filter(version=version).order_by("lowest_stage", "name")),
    }
    return render(request, "trm_stages/reference.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def reference_publish(request: SignedInRequest) -> HttpResponse:
    """An administrator edits the reference data and publishes it as a new version."""
    if not access.may_publish_trm_reference(request.user):
        raise PermissionDenied("Only service administrators publish the TRM reference data")
    version = selectors.current_version()
    stages = selectors.stages(version)
    thresholds = selectors.thresholds(version)
    data = request.POST if is_post(request) else None
    stage_forms = [
        ReferenceStageForm(
            data,
            prefix=f"stage-{stage.number}",
            initial={
                "name": stage.name,
                "needs": stage.needs,
                "description": stage.description,
                "indicators": "\n".join(stage.indicators),
            },
        )
        for stage in stages
    ]
    threshold_forms = [
        ReferenceThresholdForm(
            data,
            prefix=f"threshold-{threshold.below_stage}",
            initial={"name": threshold.name, "description": threshold.description},
        )
        for threshold in thresholds
    ]
    interventions = InterventionFormSet(
        data,
        prefix="intervention",
        initial=[
            {"name": item.name, "lowest_stage": item.lowest_stage, "description": item.description}
            for item in InterventionType.objects.filter(version=version).order_by("lowest_stage", "name")
        ],
    )
    note_form = PublishNoteForm(data)
    all_forms: list[Any] = [*stage_forms, *threshold_forms, interventions, note_form]
    if is_post(request) and all(form.is_valid() for form in all_forms):
        try:
            published = services.trm_version_publish(
                actor=request.user,
                note=note_form.cleaned_data["note"],
                stages=[
                    {"number": stage.number, **form.cleaned_data}
                    for stage, form in zip(stages, stage_forms, strict=True)
                ],
                thresholds=[
                    {"below_stage": threshold.below_stage, **form.cleaned_data}
                    for threshold, form in zip(thresholds, threshold_forms, strict=True)
                ],
                interventions=[
                    {key: row[key] for key in ("name", "lowest_stage", "description")}
                    for row in interventions.cleaned_data
                    if row.get("name") and not row.get("remove")
                ],
            )
        except ValidationError as error:
            for message in error.messages:
                note_form.add_error(None, message)
        else:
            messages.success(request, f"Version {published.number} of the TRM reference data is published")
            return redirect("trm_stages:reference")
    context = {
        "version": version,
        "stage_forms": list(zip(stages, stage_forms, strict=True)),
        "threshold_forms": list(zip(thresholds, threshold_forms, strict=True)),
        "interventions": interventions,
        "note_form": note_form,
        "error_links": _error_links([*stage_forms, *threshold_forms, *interventions.forms, note_form])
        if is_post(request)
        else [],
    }
    return render(request, "trm_stages/reference_publish.html", context)


def _error_links(forms: list[Any]) -> list[dict[str, str]]:
    """Every error of several forms on one page, for the one error summary at its top."""
    links: list[dict[str, str]] = []
    for form in forms:
        links.extend({"href": "#publish", "text": str(error)} for error in form.non_field_errors())
        for field in form:
            links.extend({"href": f"#{field.auto_id}", "text": str(error)} for error in field.errors)
    return links
