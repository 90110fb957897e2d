"""Demo near-duplicate (issue 17): Kai Brennan referred again by Priya Nandra as "Kay Brenan", born 24 March 2010
instead of 14 March (one digit slipped), so Bristol YJS holds two records of one child. "Brenan" finds both in
"Find a child"; Jordan Reeve (senior practitioner) merges them from Kai's details page. Made once."""

from __future__ import annotations

import datetime as dt

from accounts.models import Agency, User
from cases.models import Child
from cases.services import case_open, child_create

TWIN_REFERENCE = "LOC-100299"


def demo_near_duplicates(*, agencies: dict[str, Agency], people: dict[str, User]) -> None:
    """Called from devtools/demo/seed.py after the children's stories; running it again changes nothing."""
    if Child.objects.filter(reference=TWIN_REFERENCE).exists():
        return
    twin = child_create(
        actor=people["colleague"],
        given_name="Kay",
        family_name="Brenan",
        date_of_birth=dt.date(2010, 3, 24),
        reference=TWIN_REFERENCE,
        school="Hillcrest School",
        address_area="Eastfield",
    )
    case_open(
        child=twin, owning_yjs=agencies["Bristol YJS"], case_holder=people["colleague"], actor=people["colleague"]
    )
