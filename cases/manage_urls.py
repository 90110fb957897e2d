"""The administration area, /manage/ (included from config/urls.py). Commissioning's pages are in reporting."""

from django.urls import path

import config.converters  # noqa: F401 - registers <id:...>, the path converter for record ids
from cases.views import leavers, manage_api_tokens, manage_people, manage_service

app_name = "manage"

urlpatterns = [
    path("", manage_people.manage_home, name="home"),
    path("people/", manage_people.people, name="people"),
    path("people/invite/", manage_people.invite, name="invite"),
    path("people/<id:person_id>/", manage_people.person_detail, name="person"),
    path("people/<id:person_id>/memberships/add/", manage_people.membership_add, name="membership_add"),
    path(
        "people/<id:person_id>/memberships/<id:membership_id>/role/",
        manage_people.membership_role,
        name="membership_role",
    ),
    path(
        "people/<id:person_id>/memberships/<id:membership_id>/end/",
        manage_people.membership_end,
        name="membership_end",
    ),
    path("people/<id:person_id>/deactivate/", manage_people.deactivate, name="deactivate"),
    path("people/<id:person_id>/reactivate/", manage_people.reactivate, name="reactivate"),
    path("people/<id:person_id>/invitation/", manage_people.invitation_resend, name="invitation_resend"),
    path("people/<id:person_id>/second-factor/reset/", manage_people.second_factor_reset, name="second_factor_reset"),
    path("agencies/", manage_service.agencies, name="agencies"),
    path("agencies/add/", manage_service.agency_add, name="agency_add"),
    path("agencies/<id:agency_id>/", manage_service.agency_detail, name="agency"),
    path("agencies/<id:agency_id>/close/", manage_service.agency_deactivate, name="agency_deactivate"),
    path("agencies/<id:agency_id>/open/", manage_service.agency_reactivate, name="agency_reactivate"),
    path("coverage/", manage_service.coverage, name="coverage"),
    path("coverage/<id:coverage_id>/remove/", manage_service.coverage_remove, name="coverage_remove"),
    # A leaver's or mover's work handed on in bulk (cases/views/leavers.py).
    path("people/<id:person_id>/work/", leavers.person_work, name="person_work"),
    # Tokens for the REST API (issue 19): cases/views/manage_api_tokens.py.
    path("api-tokens/", manage_api_tokens.api_tokens, name="api_tokens"),
    path("api-tokens/new/", manage_api_tokens.api_token_create_view, name="api_token_create"),
    path("api-tokens/<id:token_id>/revoke/", manage_api_tokens.api_token_revoke_view, name="api_token_revoke"),
]
