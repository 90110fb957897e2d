"""Authorization rows for the API foundation (issue 19): children, referrals, notifications, the docs, and the
administration area's API token pages (see tests/authz/core.py for the Row type and the cast).

Signed out, the API answers 401 (a bearer challenge); the token pages send to sign in like the rest of /manage/.
A referral draft is its referring service's own: Bristol's case managers see it, everyone else gets 404
(covering clinicians see a referral once it is submitted). A notification is its recipient's alone. A change
sent without If-Match answers 428 once the access module has let the person through, and saves nothing.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from accounts.api_tokens import api_token_create
from reviews.models import Notification
from tests.authz.core import ANON, FULL_RECORD, INVISIBLE, Row
from tests.authz.manage import BOTH, OUT_OF_AGENCY
from tests.conftest import Cast
from tests.referrals.helpers import draft_referral

Expected = dict[str, int | tuple[int, ...]]

SIGNED_OUT = 401
_numbers = itertools.count(1)


def _draft_path(suffix: str = "") -> Callable[[Cast], str]:
    return lambda cast: f"/api/v1/referrals/{draft_referral(cast).pk}/{suffix}"


def _notification_path(suffix: str = "") -> Callable[[Cast], str]:
    def path(cast: Cast) -> str:
        notification = Notification.objects.create(recipient=cast.case_manager, title="A review is due")
        return f"/api/v1/notifications/{notification.pk}/{suffix}"

    return path


def _token_path(who: str) -> Callable[[Cast], str]:
    def path(cast: Cast) -> str:
        person = getattr(cast, who)
        issued = api_token_create(
            user=person,
            agency=person.memberships.get().agency,
            actor=cast.administrator,
            name=f"Matrix system {next(_numbers)}",
            scopes=["read"],
        )
        return f"/manage/api-tokens/{issued.token.pk}/revoke/"

    return path


BRISTOLS_DRAFT: Expected = {ANON: SIGNED_OUT, "case_manager": 200, "colleague": 200}
ONLY_THE_RECIPIENT: Expected = {ANON: SIGNED_OUT, "case_manager": 200}

ROWS: dict[str, Row] = {
    "api-docs": Row(lambda cast: "/api/docs/", {ANON: SIGNED_OUT}, default=200),
    "api-child-search": Row(lambda cast: "/api/v1/children/?q=Kai", {ANON: SIGNED_OUT}, default=200),
    "api-child-detail": Row(
        lambda cast: f"/api/v1/children/{cast.case.child_id}/",
        {ANON: SIGNED_OUT, **FULL_RECORD, "teacher": 200, **INVISIBLE},
    ),
    "api-referral-list": Row(lambda cast: "/api/v1/referrals/", {ANON: SIGNED_OUT}, default=200),
    "api-referral-detail": Row(_draft_path(), BRISTOLS_DRAFT, default=404),
    # POST without If-Match: 428 for those who may submit it; nothing is submitted.
    "api-referral-submit": Row(
        _draft_path("submit/"), {ANON: SIGNED_OUT, "case_manager": 428, "colleague": 428}, method="post", default=404
    ),
    "api-notification-list": Row(lambda cast: "/api/v1/notifications/", {ANON: SIGNED_OUT}, default=200),
    "api-notification-detail": Row(_notification_path(), ONLY_THE_RECIPIENT, default=404),
    "api-notification-read": Row(_notification_path("read/"), ONLY_THE_RECIPIENT, method="post", default=404),
    "manage:api_tokens": Row(lambda cast: "/manage/api-tokens/", BOTH),
    "manage:api_token_create": Row(lambda cast: "/manage/api-tokens/new/", BOTH),
    # Bristol's colleague's token: both administrators (BANES's: tests/api/test_token_pages.py, OUT_OF_AGENCY).
    "manage:api_token_revoke": Row(_token_path("colleague"), BOTH),
}
OUT_OF_AGENCY_REVOKE = Row(_token_path("banes_case_manager"), OUT_OF_AGENCY)
