"""API tokens: how the agencies' own systems sign in to the REST API (/api/v1/).

A token belongs to one person (a member of staff, or a person an administrator invited to stand for a
system, e.g. "Bristol YJS case system") and to one agency they are an active member of. It carries
scopes (read, write), an expiry (90 days unless the administrator says otherwise, one year at most) and
who created and revoked it. The whole token (`ecm_<key id>_<secret>`) is shown once, when it is
created; only the SHA-256 of it is kept: the secret is 256 random bits, so a fast hash is the right one
(nothing to stretch), and the key id finds the row without scanning.

A token works only while it is neither expired nor revoked, its person is active and their membership
of the token's agency is still active: a leaver's tokens stop with their sign-in (accounts/leavers.py).
What a token may see is exactly what its person's pages show: the API asks the access module.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.history import history_tracked

TOKEN_PREFIX = "ecm_"  # noqa: S105 - the recognisable start of every token, not a secret
KEY_ID_BYTES = 6  # 12 hex characters: finds the row, never enough to use it
SECRET_BYTES = 32  # 256 bits of randomness
DEFAULT_LIFETIME = dt.timedelta(days=90)
MAX_LIFETIME = dt.timedelta(days=366)
# Writing "last used" on every request is wasteful: once a minute is precise enough to spot an unused token.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class ApiScope(models.TextChoices):
    READ = "read", "Read"
    WRITE = "write", "Write"


@history_tracked(exclude=["secret_hash", "last_used_at"])
class ApiToken(models.Model):
    """A bearer token for one person of one agency. Only the hash of the token is stored."""

    name = models.CharField(max_length=100, help_text="What the token is for, e.g. the system that uses it")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="api_tokens")
    key_id = models.CharField(max_length=24, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = ArrayField(models.CharField(max_length=10, choices=ApiScope.choices), size=2)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens_created", db_index=False
    )
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_tokens_revoked",
        null=True,
        blank=True,
        db_index=False,
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(scopes__len__gte=1), name="api_token_has_a_scope"),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_by__isnull=False), name="api_token_revoked_by_someone"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({TOKEN_PREFIX}{self.key_id}…)"

    @property
    def prefix(self) -> str:
        """What people may write down or see in a list: enough to recognise the token, not to use it."""
        return f"{TOKEN_PREFIX}{self.key_id}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now: dt.datetime | None = None) -> bool:
        return self.expires_at <= (now or timezone.now())

    def status(self, now: dt.datetime | None = None) -> str:
        if self.is_revoked:
            return "Revoked"
        if self.is_expired(now):
            return "Expired"
        return "Active"

    def allows(self, scope: str) -> bool:
        return scope in self.scopes

    def clean(self) -> None:
        unknown = set(self.scopes or []) - set(ApiScope.values)
        if not self.scopes or unknown:
            raise ValidationError({"scopes": "Choose read, write or both"})
        if self.created_at and self.expires_at > self.created_at + MAX_LIFETIME:
            raise ValidationError({"expires_at": "A token lasts a year at most"})


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    """A token just created: `secret` is the whole token, shown once and never again."""

    token: ApiToken
    secret: str


@transaction.atomic
def api_token_create(
    *,
    user: Any,
    agency: Any,
    actor: Any,
    name: str,
    scopes: list[str],
    expires_on: dt.date | None = None,
    today: dt.date | None = None,
) -> IssuedToken:
    """Issue a token for a person of one agency; the caller checks the actor may manage the person.

    The person must be active with an active membership of the agency; the expiry is the end of
    `expires_on` (UK time), 90 days from today when left out, a year at most. History keeps who issued it.
    """
    from accounts.history import acting_as
    from accounts.models import Membership

    today = today or timezone.localdate()
    expires_on = expires_on or today + DEFAULT_LIFETIME
    errors: dict[str, str] = {}
    if expires_on <= today:
        errors["expires_on"] = "The expiry date must be in the future"
    elif expires_on > today + MAX_LIFETIME:
        errors["expires_on"] = "The expiry date must be within a year of today"
    if not user.is_active:
        errors["user"] = f"{user} has left: a token cannot be issued for them"
    elif not Membership.objects.filter(user=user, agency=agency, is_active=True, agency__is_active=True).exists():
        errors["agency"] = f"{user} is not an active member of {agency}"
    if errors:
        raise ValidationError(errors)
    end_of_day = dt.datetime.combine(expires_on, dt.time(23, 59, 59), tzinfo=timezone.get_current_timezone())
    key_id = secrets.token_hex(KEY_ID_BYTES)
    secret = f"{TOKEN_PREFIX}{key_id}_{secrets.token_urlsafe(SECRET_BYTES)}"
    token = ApiToken(
        name=name.strip(),
        user=user,
        agency=agency,
        key_id=key_id,
        secret_hash=_hash(secret),
        scopes=sorted(set(scopes)),
        created_by=actor,
        expires_at=end_of_day,
    )
    token.full_clean(exclude=["created_at"])
    with acting_as(actor):
        token.save()
    return IssuedToken(token=token, secret=secret)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: Any) -> ApiToken:
    """Revoke a token now; it stops working on the next request. Revoking twice changes nothing."""
    from accounts.history import acting_as

    with acting_as(actor):
        changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=actor
        )
    if not changed:
        raise ValidationError("This token was already revoked")
    token.refresh_from_db()
    return token


def api_token_authenticate(raw: str, *, now: dt.datetime | None = None) -> ApiToken | None:
    """The working token that `raw` is, with its person and agency (one query), or None.

    None for anything malformed, unknown, revoked, expired, or whose person left or is no longer an
    active member of the token's agency. Notes when it was last used (at most once a minute).
    """
    from accounts.models import Membership

    if not raw.startswith(TOKEN_PREFIX):
        return None
    key_id, _, rest = raw[len(TOKEN_PREFIX) :].partition("_")
    if not key_id or not rest or len(key_id) > 24:
        return None
    now = now or timezone.now()
    member = Membership.objects.filter(
        user=OuterRef("user_id"), agency=OuterRef("agency_id"), is_active=True, agency__is_active=True
    )
    token = (
        ApiToken.objects.select_related("user", "agency").annotate(member=Exists(member)).filter(key_id=key_id).first()
    )
    if token is None or not hmac.compare_digest(token.secret_hash, _hash(raw)):
        return None
    if token.is_revoked or token.is_expired(now) or not token.user.is_active or not token.member:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def api_tokens_for(people: QuerySet[Any]) -> QuerySet[ApiToken]:
    """The tokens of these people (already scoped by the caller), newest first, with who made and revoked them."""
    return ApiToken.objects.filter(user__in=people).select_related("user", "agency", "created_by", "revoked_by")
