"""The in-app notification list and the e-mail preferences page: personal, so no case access is involved."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from core.pagination import paginate
from reviews.forms import EmailPreferenceForm
from reviews.notifications import (
    email_preference_of,
    email_preference_set,
    get_notification_for,
    notification_mark_read,
    notifications_for,
    notifications_mark_all_read,
    unread_count,
)


def _person(request: HttpRequest) -> User:
    return cast(User, request.user)  # every view here is behind login_required


def _back_to_list(request: HttpRequest) -> str:
    """The list again, on the page the button was pressed on."""
    url = reverse("reviews:notifications")
    page = request.POST.get("page", "")
    return f"{url}?page={page}" if page.isdigit() and page != "1" else url


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    context = {**paginate(request, notifications_for(person)), "unread": unread_count(person)}
    return render(request, "reviews/notification_list.html", context)


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    person = _person(request)
    notification = get_notification_for(person, notification_id)
    notification_mark_read(notification=notification, actor=person)
    return redirect(_back_to_list(request))


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    marked = notifications_mark_all_read(actor=_person(request))
    if marked:
        messages.success(request, "All your notifications are marked as read.")
    return redirect(_back_to_list(request))


@login_required
@require_http_methods(["GET", "POST"])
def email_preferences(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    preference = email_preference_of(person)
    # Bound on every POST: an empty one (nothing ticked) means "no e-mails".
    data = request.POST if request.method == "POST" else None
    form = EmailPreferenceForm(data, initial=EmailPreferenceForm.initial_for(preference))
    if request.method == "POST" and form.is_valid():
        chosen = set(form.cleaned_data["emails"])
        email_preference_set(
            person=person,
            send_email="send_email" in chosen,
            weekly_digest="weekly_digest" in chosen,
            actor=person,
        )
        messages.success(request, "Your e-mail preferences have been saved.")
        return redirect("reviews:email_preferences")
    return render(request, "reviews/email_preferences.html", {"form": form, "preference": preference})
