"""Thin HTML views for referring a child (journey 1) and triaging referrals (journey 2)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.audit import LIST_MY_REFERRALS, list_view_record
from accounts.models import Agency, Role, User
from cases.access import Action
from cases.services import StaleState
from config.converters import record_id_or_404
from core.ratelimit import rate_limited
from referrals.forms import (
    SECTION_BY_SLUG,
    SECTION_OF_FIELD,
    SECTIONS,
    ConfirmNewChildForm,
    FindChildForm,
    NewChildForm,
    ReferralSectionForm,
    Section,
    TriageDecisionForm,
)
from referrals.models import ComplexNeed, Referral, ReferralStatus, TriageDecision
from referrals.selectors import (
    DuplicateCheck,
    children_visible_to,
    clinicians_covering,
    days_waiting,
    duplicate_check,
    get_referral_for,
    may_refer,
    referral_may,
    referrals_made_by,
    referring_services,
)
from referrals.services import (
    referral_missing,
    referral_refer_new_child,
    referral_save_draft,
    referral_start,
    referral_submit,
    referral_version,
)

PAGE_SIZE = 50


def person_of(request: HttpRequest) -> User:
    return cast(User, request.user)  # every view here is behind login_required or checks sign-in itself


def page_of(request: HttpRequest, items: Any) -> tuple[Page, str]:
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    query: QueryDict = request.GET.copy()
    query.pop("page", None)
    return page, (query.urlencode() + "&") if query else ""


def add_errors(form: Form, error: ValidationError) -> None:
    """Show a service's validation errors on the form, on the field they name when it has one."""
    for name, messages_for_field in error.message_dict.items():
        for message in messages_for_field:
            form.add_error(name if name in form.fields else None, message)


# Journey 1: refer a child.


@login_required
@require_GET
def my_referrals(request: HttpRequest) -> HttpResponse:
    """The referrer's own referrals: drafts to finish, and what became of the rest."""
    user = person_of(request)
    if not may_refer(user):
        raise PermissionDenied("Referrals are made by youth justice case managers.")
    page, querystring = page_of(request, referrals_made_by(user))
    page.object_list = list(page.object_list)  # fetched once, here: the log names the referrals the page shows
    list_view_record(
        user=user,
        list_name=LIST_MY_REFERRALS,
        case_ids=[referral.case_id for referral in page.object_list],
        referral_ids=[referral.pk for referral in page.object_list],
    )
    return render(
        request,
        "referrals/my_referrals.html",
        {"page_obj": page, "querystring_without_page": querystring, "ReferralStatus": ReferralStatus},
    )


def _referring_services(user: User) -> list[Agency]:
    services = list(referring_services(user))
    if not services:
        raise PermissionDenied("Referrals are made by youth justice case managers.")
    return services


@login_required
@require_http_methods(["GET", "POST"])
def referral_start_view(request: HttpRequest) -> HttpResponse:
    """Find the child (or make their one record) and start a draft referral.

    Steps, all on this URL so nothing is kept between requests but what the form carries:
    find → (possible matches) → the new child's details → draft. Matches the person may see are
    offered for reuse; matches elsewhere are only hinted at.
    """
    user = person_of(request)
    services = _referring_services(user)
    if request.method == "GET":
        return _render_start(request, "find", FindChildForm(services=services))
    if "use_child" in request.POST:
        return _start_for_known_child(request, user, services)
    step = request.POST.get("step", "find")
    if step == "change":
        return _render_start(request, "find", FindChildForm(request.POST, services=services))
    find_form = FindChildForm(request.POST, services=services)
    if not find_form.is_valid():
        return _render_start(request, "find", find_form)
    # Every step re-checks what the form carries, so every step counts against the person's limit.
    limited = rate_limited(request, "duplicate_check", per="person")
    if limited is not None:
        return limited
    found = _duplicate_check(user, find_form)
    if step == "find":
        if found.found:
            return _render_start(request, "matches", find_form, found=found, confirm_form=ConfirmNewChildForm())
        return _render_start(request, "details", NewChildForm(initial=find_form.cleaned_data, services=services))
    if step == "confirm":
        confirm_form = ConfirmNewChildForm(request.POST)
        if found.found and not confirm_form.is_valid():
            return _render_start(request, "matches", find_form, found=found, confirm_form=confirm_form)
        details = NewChildForm(initial={**find_form.cleaned_data, "confirm_new": True}, services=services)
        return _render_start(request, "details", details)
    details_form = NewChildForm(request.POST, services=services)
    if not details_form.is_valid():
        return _render_start(request, "details", details_form)
    if found.found and not details_form.cleaned_data["confirm_new"]:
        return _render_start(request, "matches", find_form, found=found, confirm_form=ConfirmNewChildForm())
    try:
        referral = referral_refer_new_child(
            referring_yjs=details_form.cleaned_data["referring_yjs"], actor=user, **details_form.child_fields()
        )
    except ValidationError as error:
        add_errors(details_form, error)
        return _render_start(request, "details", details_form)
    messages.success(request, f"A draft referral for {referral.child.full_name} has been started.")
    return redirect(referral)


def _duplicate_check(user: User, form: FindChildForm) -> DuplicateCheck:
    return duplicate_check(
        user,
        given_name=form.cleaned_data["given_name"],
        family_name=form.cleaned_data["family_name"],
        date_of_birth=form.cleaned_data["date_of_birth"],
        reference=form.cleaned_data["reference"],
    )


def _start_for_known_child(request: HttpRequest, user: User, services: list[Agency]) -> HttpResponse:
    """Tell the story once: refer a child whose record the person may already see."""
    child_id = record_id_or_404(request.POST["use_child"], "child")
    child = get_object_or_404(children_visible_to(user), pk=child_id)
    service_ids = {service.pk: service for service in services}
    referring_yjs = service_ids.get(_int_or_none(request.POST.get("referring_yjs")) or 0, services[0])
    try:
        referral = referral_start(child=child, referring_yjs=referring_yjs, actor=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("referrals:start")
    messages.success(request, f"A draft referral for {child.full_name} has been started, using their ECM record.")
    return redirect(referral)


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


def _render_start(
    request: HttpRequest,
    step: str,
    form: FindChildForm,
    *,
    found: DuplicateCheck | None = None,
    confirm_form: ConfirmNewChildForm | None = None,
) -> HttpResponse:
    context: dict[str, Any] = {"step": step, "form": form, "found": found, "confirm_form": confirm_form}
    if found is not None and found.elsewhere and form.is_bound and form.is_valid():
        # Whom to contact: the ECM team covering the referrer's own service (nothing about the match).
        service = form.cleaned_data["referring_yjs"]
        context["ecm_contacts"] = [
            *clinicians_covering(service, Role.SENIOR_PRACTITIONER),
            *clinicians_covering(service, Role.PSYCHOLOGIST),
        ]
    return render(request, f"referrals/start_{step}.html", context)


@login_required
@require_GET
def referral_detail(request: HttpRequest, referral_id: int) -> HttpResponse:
    """The referral: a draft's task list for its service, else the whole referral and its decision."""
    user = person_of(request)
    referral = get_referral_for(user, referral_id, Action.VIEW_REFERRAL)
    if referral.status == ReferralStatus.DRAFT:
        return render(request, "referrals/draft.html", _draft_context(request, referral))
    return render(request, "referrals/detail.html", detail_context(request, referral))


def _section_statuses(referral: Referral, missing: dict[str, str]) -> list[dict[str, Any]]:
    unfinished = {SECTION_OF_FIELD[name].slug for name in missing if name in SECTION_OF_FIELD}
    rows = []
    for section in SECTIONS:
        started = section.slug in {"urgency"} or any(
            getattr(referral, name) not in ("", [], None, False, "not_asked") for name in section.fields
        )
        if section.slug == "consent" and referral.consent_override_by_id:
            started = True
        rows.append({"section": section, "started": started, "completed": started and section.slug not in unfinished})
    return rows


def _draft_context(request: HttpRequest, referral: Referral) -> dict[str, Any]:
    missing = referral_missing(referral)
    sections = _section_statuses(referral, missing)
    return {
        "referral": referral,
        "sections": sections,
        "completed_count": sum(1 for row in sections if row["completed"]),
        "missing": missing,
        "override_helpers": _override_helpers(request, referral),
        "saved_at": referral_version(referral),
    }


def _override_helpers(request: HttpRequest, referral: Referral) -> dict[str, Any] | None:
    """Who can record a consent override, and the link to give them, while consent is missing."""
    if referral.consent_complete:
        return None
    return {
        "senior_practitioners": list(clinicians_covering(referral.referring_yjs, Role.SENIOR_PRACTITIONER)),
        "link": request.build_absolute_uri(reverse("referrals:consent_override", args=[referral.pk])),
    }


def detail_context(request: HttpRequest, referral: Referral, form: TriageDecisionForm | None = None) -> dict[str, Any]:
    user = person_of(request)
    decidable = referral.status == ReferralStatus.SUBMITTED and referral_may(user, Action.TRIAGE_REFERRAL, referral)
    if decidable and form is None:
        form = TriageDecisionForm(referral=referral)
    return {
        "referral": referral,
        "form": form if decidable else None,
        "days_waiting": days_waiting(referral),
        "complex_need_labels": _complex_need_labels(referral),
        "saved_at": referral_version(referral),
        "TriageDecision": TriageDecision,
    }


def _complex_need_labels(referral: Referral) -> list[str]:
    return [ComplexNeed(value).label for value in referral.complex_needs if value in ComplexNeed.values]


@login_required
@require_http_methods(["GET", "POST"])
def referral_section(request: HttpRequest, referral_id: int, section: str) -> HttpResponse:
    """One section of a draft. "Save and continue" and "Save as draft" both save; nothing is required."""
    user = person_of(request)
    referral = get_referral_for(user, referral_id, Action.EDIT_REFERRAL)
    chosen = SECTION_BY_SLUG.get(section)
    if chosen is None:
        raise Http404("No such section")
    if referral.status != ReferralStatus.DRAFT:
        messages.info(request, "This referral has been submitted, so it can no longer be changed.")
        return redirect(referral)
    form = ReferralSectionForm(
        request.POST or None, initial=ReferralSectionForm.initial_from(referral, chosen), section=chosen
    )
    if request.method == "POST" and form.is_valid():
        try:
            referral_save_draft(referral=referral, actor=user, **form.draft_fields())
        except StaleState as error:
            messages.info(request, str(error))
            return redirect(referral)
        except ValidationError as error:
            add_errors(form, error)
        else:
            if request.POST.get("action") == "draft":
                messages.success(request, "Your draft has been saved. You can come back to it from My referrals.")
                return redirect(referral)
            return redirect(_next_after(referral, chosen))
    return render(
        request,
        "referrals/section.html",
        {
            "referral": referral,
            "section": chosen,
            "form": form,
            "saved_at": referral_version(referral),
            "position": SECTIONS.index(chosen) + 1,
            "section_count": len(SECTIONS),
        },
    )


def _next_after(referral: Referral, section: Section) -> str:
    index = SECTIONS.index(section)
    if index + 1 < len(SECTIONS):
        return reverse("referrals:section", args=[referral.pk, SECTIONS[index + 1].slug])
    return reverse("referrals:check", args=[referral.pk])


@require_POST
def referral_autosave(request: HttpRequest, referral_id: int) -> HttpResponse:
    """autosave.js posts a section here every few seconds while someone types. 204 when saved.

    Not behind login_required: a redirect to the sign-in page would look like success to a
    script, so a signed-out person gets a plain 401 and their browser keeps its copy.
    """
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    user = person_of(request)
    referral = get_referral_for(user, referral_id, Action.EDIT_REFERRAL, log=False)
    chosen = SECTION_BY_SLUG.get(request.POST.get("section", ""))
    if chosen is None:
        return HttpResponse("Say which section this is.", status=400, content_type="text/plain")
    form = ReferralSectionForm(request.POST, section=chosen)
    version = _int_or_none(request.POST.get("version"))
    if version is None:
        return HttpResponse("Say which version of the draft this was typed on.", status=400, content_type="text/plain")
    if not form.is_valid():
        return HttpResponse("Not saved: some answers need correcting.", status=400, content_type="text/plain")
    try:
        referral = referral_save_draft(referral=referral, actor=user, if_version=version, **form.draft_fields())
    except StaleState as error:
        return HttpResponse(str(error), status=409, content_type="text/plain")
    except ValidationError:
        return HttpResponse("Not saved: some answers need correcting.", status=400, content_type="text/plain")
    response = HttpResponse(status=204)
    response["X-ECM-Saved-At"] = str(referral_version(referral))
    return response


@login_required
@require_GET
def referral_check(request: HttpRequest, referral_id: int) -> HttpResponse:
    """Check your answers, then submit. What is missing shows as an error summary after a try."""
    referral = get_referral_for(person_of(request), referral_id, Action.EDIT_REFERRAL)
    if referral.status != ReferralStatus.DRAFT:
        messages.info(request, "This referral has already been submitted.")
        return redirect(referral)
    return _render_check(request, referral)


@login_required
@require_POST
def referral_submit_view(request: HttpRequest, referral_id: int) -> HttpResponse:
    """Send the draft for triage, or show the check page again with what is missing."""
    user = person_of(request)
    referral = get_referral_for(user, referral_id, Action.EDIT_REFERRAL)
    try:
        referral = referral_submit(referral=referral, actor=user)
    except ValidationError as error:
        return _render_check(request, referral, {name: " ".join(texts) for name, texts in error.message_dict.items()})
    except StaleState as error:
        messages.info(request, str(error))
        return redirect(referral)
    messages.success(
        request,
        f"Referral submitted. The ECM team covering {referral.referring_yjs.name} will triage it; "
        "we will e-mail you their decision.",
    )
    return redirect(referral)


def _render_check(request: HttpRequest, referral: Referral, errors: dict[str, str] | None = None) -> HttpResponse:
    error_links = [
        {"text": text, "href": _field_link(referral, name)}
        for name, text in (errors or {}).items()
        if name in SECTION_OF_FIELD
    ]
    return render(
        request,
        "referrals/check.html",
        {
            "referral": referral,
            "missing": referral_missing(referral),
            "links": {name: _field_link(referral, name) for name in SECTION_OF_FIELD},
            "sections": {
                section.slug: reverse("referrals:section", args=[referral.pk, section.slug]) for section in SECTIONS
            },
            "error_links": error_links,
            "complex_need_labels": _complex_need_labels(referral),
            "override_helpers": _override_helpers(request, referral),
            "saved_at": referral_version(referral),
        },
    )


def _field_link(referral: Referral, name: str) -> str:
    section = SECTION_OF_FIELD[name]
    anchor = f"id_{name}"
    return reverse("referrals:section", args=[referral.pk, section.slug]) + f"#{anchor}"
