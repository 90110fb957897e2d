"""Authorization rows for leavers and movers: a person's work handed on in bulk, and the network picker's
choose step (the search itself is the network's add page, in tests/authz/cases.py)."""

from __future__ import annotations

from tests.authz.cases import FULL_RECORD_ONLY
from tests.authz.core import ANON, Row

ROWS: dict[str, Row] = {
    # Sam's work: his administrators (the service administrator, Bristol's agency administrator) and the
    # senior practitioner covering Bristol; everyone else is refused at the role layer (403).
    "manage:person_work": Row(
        lambda cast: f"/manage/people/{cast.case_manager.pk}/work/",
        {ANON: 302, "administrator": 200, "agency_administrator": 200, "senior_practitioner": 200},
        default=403,
    ),
    # Choosing Rob (social care, not in the network) from the search: whoever may change the network.
    "cases:network_add_person": Row(
        lambda cast: f"/cases/{cast.case.pk}/network/add/{cast.social_worker.pk}/", FULL_RECORD_ONLY
    ),
}

# Their POSTs are checked person by person in tests/cases/test_leavers.py and test_network_picker.py.
