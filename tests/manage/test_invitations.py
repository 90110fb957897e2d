"""Inviting a person: the form, the e-mail, the one-time expiring link, and setting their own password."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
import time_machine
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from accounts import services
from accounts.invitations import invitation_tokens
from accounts.models import Role, User
from accounts.selectors import person_history
from tests.conftest import Cast

STRONG_PASSWORD = "lantern-orchard-pebble-42"  # noqa: S105 - an invented test password

INVITATION = {
    "first_name": "Nia",
    "last_name": "Okoro",
    "email": "nia.okoro@bristol-yjs.invalid",
    "job_title": "Case manager",
    "role": Role.CASE_MANAGER,
}


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def invite(cast: Cast, client: Client | None = None, **changes: Any) -> Any:
    data = {**INVITATION, "agency": cast.bristol.pk, **changes}
    return (client or signed_in(cast.administrator)).post("/manage/people/invite/", data)


def link_in(message: Any) -> str:
    """The link's path (the e-mail carries it absolute, on ECM_BASE_URL)."""
    match = re.search(r"https?://\S+/accounts/invitation/\S+/", message.body)
    assert match, message.body
    return urlsplit(match.group(0)).path


def invited_by_email(cast: Cast, **changes: Any) -> tuple[User, str]:
    with_commit = changes.pop("django_capture_on_commit_callbacks")
    with with_commit(execute=True):
        invite(cast, **changes)
    return User.objects.get(email=changes.get("email", INVITATION["email"])), link_in(mail.outbox[-1])


def test_inviting_creates_a_person_without_a_password_and_e_mails_them_a_link(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(cast, client=signed_in(cast.agency_administrator))
    nia = User.objects.get(email=INVITATION["email"])
    assert response.status_code == 302 and response["Location"] == f"/manage/people/{nia.pk}/"
    assert nia.username == "nia.okoro" and nia.job_title == "Case manager"
    assert not nia.has_usable_password() and nia.is_active
    assert list(nia.memberships.values_list("agency__name", "role", "is_active")) == [
        ("Bristol YJS", Role.CASE_MANAGER, True)
    ]
    [message] = mail.outbox
    assert message.to == [INVITATION["email"]]
    assert "Ola Brandt has invited you" in message.body
    assert "case manager in Bristol YJS" in message.body
    assert "Your username is: nia.okoro" in message.body
    assert "within 7 days" in message.body
    # The e-mail never names a child.
    assert "Kai" not in message.body and "Brennan" not in message.body
    history = {change.what: change.actor for change in person_history(nia)}
    assert history["Account created"] == "Ola Brandt"
    assert history["Became a case manager in Bristol YJS"] == "Ola Brandt"


def test_usernames_are_made_unique(cast: Cast) -> None:
    first = services.user_invite(
        email="sam@elsewhere.invalid", first_name="Sam", last_name="Other", agency=cast.bristol, role=Role.PARTNER
    )
    second = services.user_invite(
        email="Sam@third.invalid", first_name="Sam", last_name="Third", agency=cast.bristol, role=Role.PARTNER
    )
    assert (first.username, second.username) == ("sam2", "sam3")  # "sam" is the cast's case manager


def test_a_duplicate_e_mail_gets_a_clear_error_and_the_form_keeps_what_was_typed(cast: Cast) -> None:
    response = invite(cast, email="PRIYA@test.ecm.invalid")
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "Someone with this e-mail address already has an ECM account" in page
    assert 'value="Nia"' in page and 'value="PRIYA@test.ecm.invalid"' in page
    assert not User.objects.filter(first_name="Nia").exists()
    assert mail.outbox == []


def test_a_role_that_does_not_fit_the_agency_creates_nobody(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(cast, role=Role.PSYCHOLOGIST)
    page = response.content.decode()
    assert "A clinical psychologist cannot belong to a Youth justice service." in page
    assert '<a href="#id_role">' in page
    assert not User.objects.filter(email=INVITATION["email"]).exists()
    assert mail.outbox == []


def test_the_agency_administrator_is_not_offered_the_service_administrator_role(cast: Cast) -> None:
    client = signed_in(cast.agency_administrator)
    form = client.get("/manage/people/invite/").context["form"]
    assert Role.ADMINISTRATOR not in dict(form.fields["role"].choices)
    assert list(form.fields["agency"].queryset) == [cast.bristol]
    response = invite(cast, client=client, role=Role.ADMINISTRATOR)
    assert "Choose one of the roles listed" in response.content.decode()
    assert not User.objects.filter(email=INVITATION["email"]).exists()


def test_the_service_administrator_may_invite_a_service_administrator(cast: Cast) -> None:
    response = invite(cast, agency=cast.ecm_team.pk, role=Role.ADMINISTRATOR)
    assert response.status_code == 302
    assert User.objects.get(email=INVITATION["email"]).memberships.get().role == Role.ADMINISTRATOR


def test_empty_form_lists_every_missing_answer(cast: Cast) -> None:
    page = signed_in(cast.administrator).post("/manage/people/invite/", {}).content.decode()
    for message in ("Enter a first name", "Enter a last name", "Enter an e-mail address", "Choose an agency"):
        assert message in page, message


def test_the_link_leads_to_setting_a_password_then_to_sign_in(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    nia, link = invited_by_email(cast, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    browser = Client()
    opened = browser.get(link)
    # The token leaves the address at once (it would leak in the Referer header otherwise).
    assert opened.status_code == 302 and opened["Location"].endswith("/set-password/")
    form_page = browser.get(opened["Location"])
    assert "Set your password" in form_page.content.decode() and "nia.okoro" in form_page.content.decode()
    done = browser.post(opened["Location"], {"new_password1": STRONG_PASSWORD, "new_password2": STRONG_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/accounts/sign-in/"
    nia.refresh_from_db()
    assert nia.check_password(STRONG_PASSWORD)
    # Used once: the same link no longer works.
    again = Client().get(link)
    assert again.status_code == 200 and "This invitation link does not work" in again.content.decode()


def test_a_weak_or_mismatched_password_is_refused(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    nia, link = invited_by_email(cast, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    browser = Client()
    set_password = browser.get(link)["Location"]
    mismatched = browser.post(set_password, {"new_password1": STRONG_PASSWORD, "new_password2": "something-else-1"})
    assert "The two passwords do not match" in mismatched.content.decode()
    short = browser.post(set_password, {"new_password1": "okoro", "new_password2": "okoro"})
    assert "govuk-error-summary" in short.content.decode()
    nia.refresh_from_db()
    assert not nia.has_usable_password()


def test_the_link_expires_after_seven_days(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    nia, link = invited_by_email(cast, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    token = link.rstrip("/").rsplit("/", 1)[1]
    with time_machine.travel(timezone.now() + dt.timedelta(days=6, hours=23)):
        assert invitation_tokens.check_token(nia, token)
    with time_machine.travel(timezone.now() + dt.timedelta(days=7, hours=1)):
        assert not invitation_tokens.check_token(nia, token)
        assert "does not work" in Client().get(link).content.decode()


def test_sending_again_makes_the_earlier_link_stop_working(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    nia, first_link = invited_by_email(cast, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(cast.administrator).post(f"/manage/people/{nia.pk}/invitation/")
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    second_link = link_in(mail.outbox[-1])
    assert second_link != first_link
    assert Client().get(first_link).status_code == 200  # the "does not work" page
    assert Client().get(second_link).status_code == 302  # on to set-password


def test_the_person_page_offers_to_send_the_invitation_again_until_they_set_a_password(cast: Cast) -> None:
    nia = services.user_invite(
        email="nia@bristol.invalid", first_name="Nia", last_name="Okoro", agency=cast.bristol, role=Role.PARTNER
    )
    page = signed_in(cast.administrator).get(f"/manage/people/{nia.pk}/").content.decode()
    assert "Send the invitation again" in page and "Invited, has not set a password yet" in page
    services.invitation_accept(user=nia, password=STRONG_PASSWORD)
    page = signed_in(cast.administrator).get(f"/manage/people/{nia.pk}/").content.decode()
    assert "Send the invitation again" not in page


def test_no_invitation_is_sent_to_someone_who_has_a_password(cast: Cast) -> None:
    response = signed_in(cast.administrator).post(f"/manage/people/{cast.colleague.pk}/invitation/", follow=True)
    assert "has already set a password" in response.content.decode()
    assert mail.outbox == []


def test_deactivating_withdraws_the_invitation(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    nia, link = invited_by_email(cast, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    services.user_deactivate(user=nia, actor=cast.administrator)
    assert "does not work" in Client().get(link).content.decode()
    with pytest.raises(ValidationError, match="Reactivate them"):
        services.invitation_send(user=nia, actor=cast.administrator)


def test_a_password_reset_token_is_not_an_invitation(cast: Cast) -> None:
    nia = services.user_invite(
        email="nia@bristol.invalid", first_name="Nia", last_name="Okoro", agency=cast.bristol, role=Role.PARTNER
    )
    reset_token = default_token_generator.make_token(nia)
    assert not invitation_tokens.check_token(nia, reset_token)
    assert invitation_tokens.check_token(nia, invitation_tokens.make_token(nia))
    assert not invitation_tokens.check_token(nia, "nonsense")


def test_an_agency_administrator_cannot_invite_into_another_agency_through_the_service(cast: Cast) -> None:
    with pytest.raises(ValidationError, match="agency you administer"):
        services.user_invite(
            email="x@banes.invalid",
            first_name="X",
            last_name="Y",
            agency=cast.banes,
            role=Role.CASE_MANAGER,
            actor=cast.agency_administrator,
        )
    assert not User.objects.filter(email="x@banes.invalid").exists()
