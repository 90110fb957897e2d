"""Two-factor sign-in: who needs a second factor, the session's second-factor state, and its devices.

django-otp does the cryptography: a `TOTPDevice` per person (an authenticator app) and a
`StaticDevice` holding ten single-use recovery codes. ECM adds:

- **who needs it** (`second_factor_required`): every staff role always; partner professionals when
  their agency's `partner_mfa_required` is on; anyone who has set one up; nobody when
  `ECM_MFA_REQUIRED` is off;
- **the session's state**, written once at sign-in (`second_factor_start`, on `user_logged_in`) and
  once at verification (`mark_second_factor_verified`), so `SecondFactorMiddleware` decides every
  later request from the session alone, without a database query;
- **a lockout on code guessing**: `ECM_MFA_LOCKOUT_FAILURES` wrong codes in a row (security or
  recovery codes together) lock the second step for `ECM_MFA_LOCKOUT`, on top of django-otp's
  1, 2, 4, 8 ... second waits. The counts live on the devices, in PostgreSQL, so signing in with
  the password again, another browser or another address does not clear them;
- **history**: setting up, resetting, new recovery codes and each use of a recovery code are
  events in the person's change history (`UserHistory`, labels in `MFA_EVENT_DESCRIPTIONS`), with
  who did it.
"""

from __future__ import annotations

import base64
import datetime as dt
import enum
import logging
import time
from dataclasses import dataclass
from typing import Any

import pghistory
import qrcode
import qrcode.image.svg
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.history import acting_as
from accounts.models import Membership, Role, User
from accounts.sessions import sessions_end_for

logger = logging.getLogger(__name__)

# The session's second-factor state: {"user": pk, "state": ..., "method": ..., "at": unix time}.
SESSION_KEY = "ecm_second_factor"
# Set when a person proved their current code to replace their authenticator (unix time).
SESSION_REENROL_KEY = "ecm_second_factor_reenrol"
# Recovery codes waiting to be shown, once, on the next page.
SESSION_NEW_CODES_KEY = "ecm_recovery_codes_to_show"

VERIFIED = "verified"
NOT_REQUIRED = "not_required"
PENDING = "pending"
PASSING_STATES = frozenset({VERIFIED, NOT_REQUIRED})

# How to prove the second factor; OIDC sign-in passes its own ("oidc") to mark_second_factor_verified.
METHOD_TOTP = "totp"
METHOD_RECOVERY_CODE = "recovery_code"

RECOVERY_CODE_COUNT = 10
REENROL_WINDOW_SECONDS = 10 * 60
TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"

MFA_EVENT_DESCRIPTIONS = {
    "mfa.set_up": "Set up two-factor sign-in with an authenticator app",
    "mfa.authenticator_replaced": "Replaced their authenticator app",
    "mfa.recovery_codes_issued": "New recovery codes made (the old ones stopped working)",
    "mfa.recovery_code_used": "Signed in with a recovery code",
    "mfa.reset": "Two-factor sign-in reset: sets it up again at next sign-in",
}


# ---- Who needs a second factor ------------------------------------------------------------------


def second_factor_required(user: Any) -> bool:
    """Does this person have to give a second factor at sign-in? (Reads memberships: sign-in time only.)"""
    if not settings.ECM_MFA_REQUIRED:
        return False
    memberships = list(
        Membership.objects.filter(user=user, is_active=True, agency__is_active=True).select_related("agency")
    )
    # A person in no active membership is not exempted: only partners of agencies that opted out are.
    partners_exempted = bool(memberships) and all(
        membership.role == Role.PARTNER and not membership.agency.partner_mfa_required for membership in memberships
    )
    return not partners_exempted or has_confirmed_device(user)


def has_confirmed_device(user: Any) -> bool:
    """Has the person set up an authenticator app (a confirmed TOTP device)?"""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def with_mfa_status(users: QuerySet[User]) -> QuerySet[User]:
    """Annotate `mfa_set_up` (a confirmed authenticator app) on a queryset of people: one subquery."""
    return users.annotate(mfa_set_up=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)))


# ---- The session's state (no database query) ---------------------------------------------------


def _state(request: HttpRequest) -> dict[str, Any]:
    state = request.session.get(SESSION_KEY)
    if isinstance(state, dict) and state.get("user") == request.user.pk:
        return state
    return {}


def session_passes(request: HttpRequest) -> bool:
    """Has this signed-in session given its second factor (or needs none)? Reads the session only."""
    return _state(request).get("state") in PASSING_STATES


def session_verified_method(request: HttpRequest) -> str:
    """How the session proved its second factor ("totp", "recovery_code", "oidc"...), or ""."""
    state = _state(request)
    return str(state.get("method", "")) if state.get("state") == VERIFIED else ""


def session_state(*, user_pk: Any, state: str, method: str = "") -> dict[str, Any]:
    """What the session holds about its second factor (the middleware compares `user` with the session's person)."""
    return {"user": user_pk, "state": state, "method": method, "at": time.time()}


def _set_state(request: HttpRequest, state: str, method: str = "", *, user_pk: Any = None) -> None:
    pk = request.user.pk if user_pk is None else user_pk
    request.session[SESSION_KEY] = session_state(user_pk=pk, state=state, method=method)


def second_factor_start(*, request: HttpRequest | None, user: Any, **_: object) -> None:
    """At every sign-in (`user_logged_in`): the session passes only if no second factor is needed."""
    if request is None or not hasattr(request, "session"):
        return
    request.session.pop(SESSION_REENROL_KEY, None)
    request.session.pop(SESSION_NEW_CODES_KEY, None)
    _set_state(request, PENDING if second_factor_required(user) else NOT_REQUIRED, user_pk=user.pk)


def mark_not_required(request: HttpRequest) -> None:
    _set_state(request, NOT_REQUIRED)


def mark_second_factor_verified(request: HttpRequest, method: str) -> None:
    """Record that this session gave its second factor (`method`: "totp", "recovery_code", "oidc").

    Call it after `django.contrib.auth.login` for the same person; the session key changes, so a
    session id seen before the second step is worthless after it.
    """
    request.session.cycle_key()
    _set_state(request, VERIFIED, method)


# ---- Devices ---------------------------------------------------------------------------------------


def confirmed_totp_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def unconfirmed_totp_device(user: Any) -> TOTPDevice:
    """The authenticator being set up: the same key until it is confirmed, so a reload shows the same QR code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def base32_key(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode("ascii")


def grouped_key(device: TOTPDevice) -> str:
    """The key in groups of four, as a person types it into an authenticator app."""
    key = base32_key(device)
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The set-up QR code as an SVG data URI for an <img>: no script, no inline style (the CSP allows data: images)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathFillImage, border=4)
    svg = image.to_string(encoding="unicode")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


# ---- Verifying codes, with the lockout -------------------------------------------------------------


class Outcome(enum.Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    WAIT = "wait"  # django-otp's short wait after a wrong code
    LOCKED = "locked"  # too many wrong codes: the second step is locked for a while
    NO_DEVICE = "no_device"


@dataclass(frozen=True)
class Verification:
    outcome: Outcome
    until: dt.datetime | None = None
    codes_left: int | None = None

    @property
    def accepted(self) -> bool:
        return self.outcome is Outcome.ACCEPTED


def _devices_for_verify(user: Any) -> tuple[TOTPDevice | None, StaticDevice | None]:
    totp = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("-pk").first()
    static = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("-pk").first()
    return totp, static


def _locked_until(*devices: Any) -> dt.datetime | None:
    present = [device for device in devices if device is not None]
    failures = sum(device.throttling_failure_count for device in present)
    stamps = [device.throttling_failure_timestamp for device in present if device.throttling_failure_timestamp]
    if failures < settings.ECM_MFA_LOCKOUT_FAILURES or not stamps:
        return None
    until: dt.datetime = max(stamps) + settings.ECM_MFA_LOCKOUT
    return until if until > timezone.now() else None


def second_step_locked_until(user: Any) -> dt.datetime | None:
    """When the person's second step unlocks, if too many wrong codes locked it."""
    return _locked_until(
        TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first(),
        StaticDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first(),
    )


def _verify(device: Any, other: Any, token: str) -> Verification:
    locked = _locked_until(device, other)
    if locked:
        return Verification(Outcome.LOCKED, until=locked)
    allowed, detail = device.verify_is_allowed()
    if not allowed:
        return Verification(Outcome.WAIT, until=(detail or {}).get("locked_until"))
    if device.verify_token(token):
        if other is not None and other.throttling_failure_count:
            other.throttle_reset()
        return Verification(Outcome.ACCEPTED)
    locked = _locked_until(device, other)
    if locked:
        logger.warning("second step locked for person %s after repeated wrong codes", device.user_id)
        return Verification(Outcome.LOCKED, until=locked)
    logger.info("wrong second-factor code for person %s", device.user_id)
    return Verification(Outcome.WRONG)


def totp_verify(*, user: Any, token: str) -> Verification:
    """Check a 6-digit code from the person's authenticator app (each code works once)."""
    with transaction.atomic():
        totp, static = _devices_for_verify(user)
        if totp is None:
            return Verification(Outcome.NO_DEVICE)
        return _verify(totp, static, token)


def normalise_recovery_code(code: str) -> str:
    return "".join(character for character in code.lower() if character.isalnum())


def recovery_code_use(*, user: Any, code: str) -> Verification:
    """Check one of the person's recovery codes; a right one is used up, and kept in their history."""
    with transaction.atomic():
        totp, static = _devices_for_verify(user)
        if static is None:
            return Verification(Outcome.NO_DEVICE)
        result = _verify(static, totp, normalise_recovery_code(code))
        if result.accepted:
            _record(user=user, actor=user, label="mfa.recovery_code_used")
            return Verification(Outcome.ACCEPTED, codes_left=static.token_set.count())
        return result


# ---- Writes: setting up, new recovery codes, resets --------------------------------------------------


def totp_set_up_confirm(*, user: Any, device: TOTPDevice, token: str) -> Verification:
    """Confirm the authenticator being set up with its first code. Any older authenticator stops working."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
        allowed, detail = device.verify_is_allowed()
        if not allowed:
            return Verification(Outcome.WAIT, until=(detail or {}).get("locked_until"))
        if not device.verify_token(token):
            return Verification(Outcome.WRONG)
        replacing = TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk)
        label = "mfa.authenticator_replaced" if replacing.exists() else "mfa.set_up"
        replacing.delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        _record(user=user, actor=user, label=label)
    return Verification(Outcome.ACCEPTED)


@transaction.atomic
def recovery_codes_issue(*, user: Any, actor: Any) -> list[str]:
    """Make ten new single-use recovery codes; the old ones stop working. Returns them, to show once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    _record(user=user, actor=actor, label="mfa.recovery_codes_issued")
    return codes


@transaction.atomic
def mfa_reset_for(*, user: User, actor: Any) -> None:
    """An administrator resets a person's second factor: their authenticator and recovery codes are
    deleted, so they set it up again at their next sign-in; their open sessions end (unless it is
    the administrator's own). Kept in the person's history, naming the administrator."""

    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    _record(user=user, actor=actor, label="mfa.reset")
    if actor is None or actor.pk != user.pk:
        sessions_end_for(user=user)


def reenrol_allowed(request: HttpRequest) -> bool:
    started = request.session.get(SESSION_REENROL_KEY)
    return isinstance(started, int | float) and time.time() - started < REENROL_WINDOW_SECONDS


def reenrol_start(request: HttpRequest) -> None:
    request.session[SESSION_REENROL_KEY] = time.time()


def reenrol_end(request: HttpRequest) -> None:
    request.session.pop(SESSION_REENROL_KEY, None)


# ---- History ------------------------------------------------------------------------------------------


def _record(*, user: Any, actor: Any, label: str) -> None:
    """An event in the person's change history (`UserHistory`), attributed to `actor`."""
    event_model = apps.get_model("accounts", "UserHistory")
    if not _label_registered(label):
        # Manual events share the User's existing history table: no new table, no migration.
        pghistory.ManualEvent(label).pghistory_setup(event_model)
    with acting_as(actor, mfa=label):
        pghistory.create_event(User.objects.get(pk=user.pk), label=label)


def _label_registered(label: str) -> bool:
    from pghistory.core import _registered_trackers

    return (User, label) in _registered_trackers


def mfa_history(user: Any) -> QuerySet[Any]:
    """The person's second-factor events, newest first (`pgh_label` is a key of MFA_EVENT_DESCRIPTIONS)."""
    event_model = apps.get_model("accounts", "UserHistory")
    return event_model.objects.filter(pgh_obj=user, pgh_label__in=list(MFA_EVENT_DESCRIPTIONS)).order_by(
        "-pgh_created_at", "-pgh_id"
    )
