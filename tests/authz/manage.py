"""Authorization rows for the administration area, /manage/ (see tests/authz/core.py for the Row type).

Both administrators reach the people pages; only the service administrator the agencies, coverage
and commissioning. Everyone else gets 403 at /manage/ and below. A person outside the agency
administrator's agency is invisible to them (404): the rows that open BANES's case manager show it,
the rows that open Bristol's colleague show the agency administrator allowed. The invitation link
needs no sign-in: whoever opens a valid one is sent on to the set-password page.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.invitations import invitation_tokens
from accounts.models import Agency, AgencyKind, Commissioning, Role, User
from accounts.services import agency_create, agency_deactivate, coverage_add, user_deactivate, user_invite
from reporting.services import commissioning_add
from tests.authz.core import ANON, Row
from tests.conftest import Cast

Expected = dict[str, int | tuple[int, ...]]

NOT_ADMINISTRATORS = (
    "case_manager",
    "colleague",
    "banes_case_manager",
    "psychologist",
    "senior_practitioner",
    "teacher",
    "social_worker",
    "commissioner",
)


def expect(administrator: int, agency_administrator: int) -> Expected:
    return {
        ANON: 302,
        **{who: 403 for who in NOT_ADMINISTRATORS},
        "administrator": administrator,
        "agency_administrator": agency_administrator,
    }


BOTH = expect(200, 200)
SERVICE_ONLY = expect(200, 403)
OUT_OF_AGENCY = expect(200, 404)  # a BANES person: Bristol's agency administrator must not know they exist

_invited = itertools.count(1)


def _invited_person(cast: Cast) -> User:
    """A fresh Bristol person with an invitation pending, for rows whose request changes them."""
    number = next(_invited)
    return user_invite(
        email=f"matrix.invitee{number}@bristol.invalid",
        first_name="Matrix",
        last_name=f"Invitee{number}",
        agency=cast.bristol,
        role=Role.CASE_MANAGER,
    )


def person_path(suffix: str, *, who: str) -> Callable[[Cast], str]:
    return lambda cast: f"/manage/people/{getattr(cast, who).pk}/{suffix}"


def membership_path(suffix: str, *, who: str) -> Callable[[Cast], str]:
    def path(cast: Cast) -> str:
        person = getattr(cast, who)
        return f"/manage/people/{person.pk}/memberships/{person.memberships.get().pk}/{suffix}"

    return path


def invitation_resend_path(cast: Cast) -> str:
    return f"/manage/people/{_invited_person(cast).pk}/invitation/"


def invitation_link_path(cast: Cast) -> str:
    invited = _invited_person(cast)
    uid = urlsafe_base64_encode(force_bytes(invited.pk))
    return f"/accounts/invitation/{uid}/{invitation_tokens.make_token(invited)}/"


def coverage_remove_path(cast: Cast) -> str:
    return f"/manage/coverage/{cast.psychologist.coverage.get().pk}/remove/"


def commissioning_remove_path(cast: Cast) -> str:
    line = Commissioning.objects.filter(commissioner_agency=cast.commissioning, yjs=cast.bristol).first()
    line = line or commissioning_add(commissioner_agency=cast.commissioning, yjs=cast.bristol)
    return f"/manage/commissioning/{line.pk}/remove/"


ROWS: dict[str, Row] = {
    "manage:home": Row(lambda cast: "/manage/", BOTH),
    "manage:people": Row(lambda cast: "/manage/people/", BOTH),
    "manage:invite": Row(lambda cast: "/manage/people/invite/", BOTH),
    "manage:person": Row(person_path("", who="banes_case_manager"), OUT_OF_AGENCY),
    "manage:membership_add": Row(person_path("memberships/add/", who="colleague"), BOTH),
    "manage:membership_role": Row(membership_path("role/", who="colleague"), BOTH),
    "manage:membership_end": Row(membership_path("end/", who="banes_case_manager"), OUT_OF_AGENCY),
    "manage:deactivate": Row(person_path("deactivate/", who="colleague"), BOTH),
    "manage:reactivate": Row(person_path("reactivate/", who="colleague"), BOTH),
    "manage:invitation_resend": Row(invitation_resend_path, expect(302, 302), method="post"),
    "manage:second_factor_reset": Row(person_path("second-factor/reset/", who="banes_case_manager"), OUT_OF_AGENCY),
    "manage:agencies": Row(lambda cast: "/manage/agencies/", SERVICE_ONLY),
    "manage:agency_add": Row(lambda cast: "/manage/agencies/add/", SERVICE_ONLY),
    "manage:agency": Row(lambda cast: f"/manage/agencies/{cast.banes.pk}/", SERVICE_ONLY),
    "manage:agency_deactivate": Row(lambda cast: f"/manage/agencies/{cast.banes.pk}/close/", SERVICE_ONLY),
    "manage:agency_reactivate": Row(lambda cast: f"/manage/agencies/{cast.banes.pk}/open/", SERVICE_ONLY),
    "manage:coverage": Row(lambda cast: "/manage/coverage/", SERVICE_ONLY),
    "manage:coverage_remove": Row(coverage_remove_path, SERVICE_ONLY),
    "reporting:commissioning": Row(lambda cast: "/manage/commissioning/", SERVICE_ONLY),
    "reporting:commissioning_remove": Row(commissioning_remove_path, SERVICE_ONLY),
    # Anyone holding a valid link is sent on to the set-password page (the token moves into the session).
    "accounts:invitation": Row(invitation_link_path, {}, default=302),
}

_fresh = itertools.count(1)


def _fresh_agency(*, active: bool = True) -> Agency:
    agency = agency_create(name=f"Matrix agency {next(_fresh)}", kind=AgencyKind.YOUTH_JUSTICE)
    if not active:
        agency_deactivate(agency=agency)
    return agency


def _left_person(cast: Cast) -> User:
    person = _invited_person(cast)
    user_deactivate(user=person)
    return person


def _fresh_coverage_path(cast: Cast) -> str:
    return f"/manage/coverage/{coverage_add(clinician=cast.psychologist, yjs=_fresh_agency()).pk}/remove/"


def _fresh_commissioning_path(cast: Cast) -> str:
    line = commissioning_add(commissioner_agency=cast.commissioning, yjs=_fresh_agency())
    return f"/manage/commissioning/{line.pk}/remove/"


def _fresh_membership_path(cast: Cast) -> str:
    person = _invited_person(cast)
    return f"/manage/people/{person.pk}/memberships/{person.memberships.get().pk}/end/"


# The POSTs of every page with a form or a confirmation, with an empty body (tests/manage/
# test_post_access.py runs them). A confirmation's button posts nothing else, so those act: each
# request gets a fresh target, and the administrators' answer is the redirect after the change.
# A form posted empty answers 200 with its errors.
POST_ROWS: dict[str, Row] = {
    "manage:invite": Row(lambda cast: "/manage/people/invite/", BOTH, method="post"),
    "manage:membership_add": Row(person_path("memberships/add/", who="colleague"), BOTH, method="post"),
    "manage:membership_role": Row(membership_path("role/", who="colleague"), BOTH, method="post"),
    "manage:membership_end": Row(_fresh_membership_path, expect(302, 302), method="post"),
    "manage:deactivate": Row(
        lambda cast: f"/manage/people/{_invited_person(cast).pk}/deactivate/", expect(302, 302), method="post"
    ),
    "manage:reactivate": Row(
        lambda cast: f"/manage/people/{_left_person(cast).pk}/reactivate/", expect(302, 302), method="post"
    ),
    "manage:second_factor_reset": Row(
        lambda cast: f"/manage/people/{_invited_person(cast).pk}/second-factor/reset/", expect(302, 302), method="post"
    ),
    "manage:agency_add": Row(lambda cast: "/manage/agencies/add/", SERVICE_ONLY, method="post"),
    "manage:agency": Row(lambda cast: f"/manage/agencies/{cast.banes.pk}/", SERVICE_ONLY, method="post"),
    "manage:agency_deactivate": Row(
        lambda cast: f"/manage/agencies/{_fresh_agency().pk}/close/", expect(302, 403), method="post"
    ),
    "manage:agency_reactivate": Row(
        lambda cast: f"/manage/agencies/{_fresh_agency(active=False).pk}/open/", expect(302, 403), method="post"
    ),
    "manage:coverage": Row(lambda cast: "/manage/coverage/", SERVICE_ONLY, method="post"),
    "manage:coverage_remove": Row(_fresh_coverage_path, expect(302, 403), method="post"),
    "reporting:commissioning": Row(lambda cast: "/manage/commissioning/", SERVICE_ONLY, method="post"),
    "reporting:commissioning_remove": Row(_fresh_commissioning_path, expect(302, 403), method="post"),
}
