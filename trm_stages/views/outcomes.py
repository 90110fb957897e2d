"""Pages for the THRIVE grouping and the Goal-Based Outcomes of a case.

Reading needs the "view" action (the full record); every change needs "change".
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from cases import access
from cases.access import Action
from cases.capabilities import case_capabilities
from cases.models import Case
from core.http import SignedInRequest, is_post
from core.pagination import paginate
from trm_stages import selectors, services
from trm_stages.forms.outcomes import GoalCloseForm, GoalForm, GoalRatingForm, ThriveGroupingForm
from trm_stages.models import MAX_OPEN_GOALS, THRIVE_CREDIT, Goal, GoalStatus

GROUPINGS_PER_PAGE = 25


def _goal_of(case: Case, goal_id: int) -> Goal:
    """One goal of this case (a goal of another case is a 404, like a goal that does not exist)."""
    return get_object_or_404(Goal.objects.filter(case=case), pk=goal_id)


@login_required
@require_GET
def thrive(request: SignedInRequest, case_id: int) -> HttpResponse:
    """The child's THRIVE grouping now, and every grouping before it."""
    case = access.get_case_for(request.user, case_id, Action.VIEW)
    context = {
        "case": case,
        "current": selectors.current_thrive_grouping(case=case),
        "caps": case_capabilities(request.user, case),
        "credit": THRIVE_CREDIT,
        "thrive_groupings": selectors.thrive_groupings(),
        **paginate(request, selectors.thrive_history(case=case), GROUPINGS_PER_PAGE),
    }
    return render(request, "trm_stages/thrive_history.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def thrive_set(request: SignedInRequest, case_id: int) -> HttpResponse:
    """Put the child in a THRIVE grouping from a date, with a reason."""
    case = access.get_case_for(request.user, case_id, Action.CHANGE)
    form = ThriveGroupingForm(
        request.POST if is_post(request) else None, initial={"applies_from": timezone.localdate()}
    )
    if is_post(request) and form.is_valid():
        try:
            thrive_grouping = services.thrive_grouping_set(case=case, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"THRIVE grouping set to {thrive_grouping.get_grouping_display().lower()}")
            return redirect("trm_stages:thrive", case.pk)
    context = {
        "case": case,
        "form": form,
        "current": selectors.current_thrive_grouping(case=case),
        "credit": THRIVE_CREDIT,
    }
    return render(request, "trm_stages/thrive_form.html", context)


@login_required
@require_GET
def goals(request: SignedInRequest, case_id: int) -> HttpResponse:
    """The child's goals: the open ones with their ratings and the chart, then the achieved and stopped ones."""
    case = access.get_case_for(request.user, case_id, Action.VIEW)
    every_goal = selectors.goals_for(case=case)
    open_goals = [goal for goal in every_goal if goal.is_open]
    closed_goals = [goal for goal in every_goal if not goal.is_open]
    context = {
        "case": case,
        "open_goals": [selectors.summarise(goal) for goal in open_goals],
        "closed_goals": [selectors.summarise(goal) for goal in reversed(closed_goals)],
        "chart": selectors.goal_chart_for(open_goals, title="Ratings of the open goals over time"),
        "caps": case_capabilities(request.user, case),
        "room_for_goal": len(open_goals) < MAX_OPEN_GOALS,
        "max_open_goals": MAX_OPEN_GOALS,
    }
    return render(request, "trm_stages/goals.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def goal_add(request: SignedInRequest, case_id: int) -> HttpResponse:
    """Set a goal with the child and its start rating."""
    case = access.get_case_for(request.user, case_id, Action.CHANGE)
    form = GoalForm(request.POST if is_post(request) else None, initial={"set_on": timezone.localdate()})
    if is_post(request) and form.is_valid():
        try:
            services.goal_set(case=case, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Goal set with its start rating")
            return redirect("trm_stages:goals", case.pk)
    open_goal_count = Goal.objects.filter(case=case, status=GoalStatus.OPEN).count()
    context = {
        "case": case,
        "form": form,
        "room_for_a_goal": open_goal_count < MAX_OPEN_GOALS,
        "max_open_goals": MAX_OPEN_GOALS,
    }
    return render(request, "trm_stages/goal_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def goal_rate(request: SignedInRequest, case_id: int, goal_id: int) -> HttpResponse:
    """Rate an open goal again, at a review or at another time."""
    case = access.get_case_for(request.user, case_id, Action.CHANGE)
    goal = _goal_of(case, goal_id)
    form = GoalRatingForm(request.POST if is_post(request) else None, initial={"rated_on": timezone.localdate()})
    if is_post(request) and form.is_valid():
        try:
            rating = services.goal_rate(goal=goal, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Rating of {rating.score} out of 10 saved")
            return redirect("trm_stages:goals", case.pk)
    ratings = list(goal.ratings.select_related("recorded_by").order_by("rated_on", "recorded_at", "pk"))
    return render(request, "trm_stages/goal_rate.html", {"case": case, "goal": goal, "ratings": ratings, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def goal_close(request: SignedInRequest, case_id: int, goal_id: int) -> HttpResponse:
    """Mark an open goal achieved or stopped, which makes room for a new one."""
    case = access.get_case_for(request.user, case_id, Action.CHANGE)
    goal = _goal_of(case, goal_id)
    form = GoalCloseForm(request.POST if is_post(request) else None, initial={"closed_on": timezone.localdate()})
    if is_post(request) and form.is_valid():
        try:
            closed = services.goal_close(goal=goal, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Goal marked {closed.get_status_display().lower()}")
            return redirect("trm_stages:goals", case.pk)
    return render(request, "trm_stages/goal_close.html", {"case": case, "goal": goal, "form": form})
