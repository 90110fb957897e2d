"""What one person may do with a version of the TRM reference data.

One immutable object built here from the version's state (the current one, or an older one kept for the
record) and the access module. The view passes it to the template as `caps`; the template never repeats
the rule. The publish view checks the access rule again, so a stale page cannot get round it.
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import User
from cases import access
from trm_stages.models import TrmVersion


@dataclass(frozen=True)
class ReferenceCapabilities:
    """What one person may do with one version of the reference data, and the state its page shows."""

    is_current: bool  # the latest published version, the one new assessments are made against
    publish: bool  # edit it and publish a new version: a service administrator, from the current version only


def reference_capabilities(user: User, version: TrmVersion, *, current: TrmVersion) -> ReferenceCapabilities:
    """What `user` may do with `version`, given the `current` one (the caller has the list, so no query)."""
    is_current = version == current
    return ReferenceCapabilities(
        is_current=is_current,
        publish=is_current and access.may_publish_trm_reference(user),
    )
