"""Authorization rows for merging two records of the same child (issue 17): finding the other record and the
side-by-side compare (covering senior practitioners only), and a merge as it was done (the full record)."""

from __future__ import annotations

from cases.models import Case, CaseMerge, CaseStatus
from tests.authz.cases import FULL_RECORD_ONLY
from tests.authz.core import ANON, FULL_RECORD, INVISIBLE, Row, case_path
from tests.conftest import Cast
from tests.factories import child, make_case

SENIOR_ONLY: dict[str, int | tuple[int, ...]] = {
    ANON: 302,
    **dict.fromkeys(FULL_RECORD, 403),
    "senior_practitioner": 200,
    "teacher": 403,
    **INVISIBLE,
}


def _twin(cast: Cast) -> Case:
    """A second Bristol record of Kai, spelt differently (made once per test)."""
    existing = Case.objects.filter(child__family_name="Brenan", owning_yjs=cast.bristol).first()
    return existing or make_case(
        owning_yjs=cast.bristol,
        case_holder=cast.colleague,
        child_record=child(given_name="Kay", family_name="Brenan", date_of_birth=cast.case.child.date_of_birth),
    )


def _compare(cast: Cast) -> str:
    return f"/cases/{cast.case.pk}/merge/{_twin(cast).pk}/"


def _earlier_merge(cast: Cast) -> str:
    """An earlier record merged into Kai's case (made directly: the merge service has its own tests)."""
    merge = CaseMerge.objects.filter(survivor=cast.case).first()
    if merge is None:
        earlier = make_case(owning_yjs=cast.bristol, case_holder=cast.case_manager)
        Case.objects.filter(pk=earlier.pk).update(merged_into=cast.case, status=CaseStatus.CLOSED)
        merge = CaseMerge.objects.create(
            survivor=cast.case,
            merged_case=earlier,
            survivor_child=cast.case.child,
            merged_child=earlier.child,
            reason="Referred twice.",
            merged_by=cast.senior_practitioner,
        )
    return merge.get_absolute_url()


ROWS: dict[str, Row] = {
    "cases:merge_start": Row(case_path("/cases/{case}/merge/"), SENIOR_ONLY),
    "cases:merge_compare": Row(_compare, SENIOR_ONLY),
    "cases:merge_detail": Row(_earlier_merge, FULL_RECORD_ONLY),
}
