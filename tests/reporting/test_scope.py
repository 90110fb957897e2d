"""Who sees which services' figures (cases.access.reportable_agencies), and the period a report covers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AgencyKind, Membership
from accounts.services import membership_end
from cases import access
from reporting.scope import ReportScope, default_period, report_scope
from reporting.services import commissioning_add
from tests.conftest import Cast
from tests.factories import agency

pytestmark = pytest.mark.django_db


def names(user: object) -> list[str]:
    return sorted(agency.name for agency in access.reportable_agencies(user))


def test_each_role_sees_the_services_the_design_gives_it(cast: Cast) -> None:
    north_somerset = agency("North Somerset YJS", AgencyKind.YOUTH_JUSTICE)
    commissioning_add(commissioner_agency=cast.commissioning, yjs=cast.bristol)
    commissioning_add(commissioner_agency=cast.commissioning, yjs=north_somerset)
    assert names(cast.commissioner) == ["Bristol YJS", "North Somerset YJS"]  # all they commission, not BANES
    assert names(cast.case_manager) == ["Bristol YJS"]  # their own service
    assert names(cast.colleague) == ["Bristol YJS"]
    assert names(cast.banes_case_manager) == ["BANES YJS"]
    assert names(cast.psychologist) == ["Bristol YJS"]  # the services they cover
    assert names(cast.senior_practitioner) == ["Bristol YJS"]
    for nobody in (cast.teacher, cast.social_worker, cast.administrator):
        assert names(nobody) == []
        assert not access.may_read_aggregate_reports(nobody)


def test_a_clinician_sees_every_service_they_cover(cast: Cast) -> None:
    from accounts.services import coverage_add

    coverage_add(clinician=cast.psychologist, yjs=cast.banes)
    assert names(cast.psychologist) == ["BANES YJS", "Bristol YJS"]


def test_a_commissioner_whose_body_commissions_nothing_sees_no_service(cast: Cast) -> None:
    assert access.may_read_aggregate_reports(cast.commissioner)
    assert names(cast.commissioner) == []


def test_people_who_leave_their_role_or_services_that_close_drop_out(cast: Cast) -> None:
    commissioning_add(commissioner_agency=cast.commissioning, yjs=cast.bristol)
    membership_end(membership=Membership.objects.get(user=cast.case_manager, agency=cast.bristol))
    assert names(cast.case_manager) == []
    cast.bristol.is_active = False
    cast.bristol.save(update_fields=["is_active"])
    assert names(cast.commissioner) == []


def test_only_a_commissioning_body_commissions_and_only_a_youth_justice_service_is_commissioned(cast: Cast) -> None:
    with pytest.raises(ValidationError) as not_a_commissioner:
        commissioning_add(commissioner_agency=cast.school, yjs=cast.bristol)
    assert "commissioner_agency" in not_a_commissioner.value.error_dict
    with pytest.raises(ValidationError) as not_a_service:
        commissioning_add(commissioner_agency=cast.commissioning, yjs=cast.social_care)
    assert "yjs" in not_a_service.value.error_dict


def test_a_person_can_narrow_the_services_but_never_widen_them(cast: Cast) -> None:
    scope = report_scope(cast.case_manager, agency_ids=[cast.banes.pk, cast.bristol.pk])
    assert [agency.name for agency in scope.agencies] == ["Bristol YJS"]
    nothing_allowed = report_scope(cast.case_manager, agency_ids=[cast.banes.pk])
    assert nothing_allowed.agencies == ()


@pytest.mark.parametrize(
    ("today", "start"),
    [(dt.date(2026, 11, 23), dt.date(2025, 12, 1)), (dt.date(2026, 3, 5), dt.date(2025, 4, 1))],
)
def test_the_default_period_is_this_month_and_the_eleven_before(today: dt.date, start: dt.date) -> None:
    assert default_period(today) == (start, today)


def test_a_long_period_is_shown_by_year() -> None:
    year = ReportScope(dt.date(2025, 1, 1), dt.date(2025, 12, 31), (), dt.date(2026, 1, 1))
    assert year.by_month and len(year.buckets) == 12
    decade = ReportScope(dt.date(2016, 1, 1), dt.date(2025, 12, 31), (), dt.date(2026, 1, 1))
    assert not decade.by_month
    assert [bucket.year for bucket in decade.buckets] == list(range(2016, 2026))
    assert decade.bucket_label(decade.buckets[0]) == "2016"
