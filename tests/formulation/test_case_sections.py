"""The formulation parts of the case's pages for the network: the signed-off summary, nothing more."""

from __future__ import annotations

from django.test import Client

from accounts.models import User
from tests.conftest import Cast
from tests.factories import kais_report


def page_for(user: User, cast: Cast, sub_page: str = "") -> str:
    """The case's overview (the network's shared summary), or one of its sub-pages ("plan/")."""
    client = Client()
    client.force_login(user)
    return client.get(f"/cases/{cast.case.pk}/{sub_page}").content.decode()


def test_the_network_is_told_the_report_is_not_signed_off_yet(cast: Cast) -> None:
    page = page_for(cast.teacher, cast)
    assert "The formulation report has not been signed off yet." in page
    assert "Start the formulation report" not in page


def test_the_network_gets_the_summary_link_and_the_full_record_the_report_section(cast: Cast) -> None:
    report = kais_report(cast)
    documents = f"/cases/{cast.case.pk}/formulation/{report.pk}/documents/"
    teacher = page_for(cast.teacher, cast)
    assert documents in teacher and "Download the summary of the formulation report" in teacher
    assert "Open actions" not in teacher  # the full record's section is not shown to the network
    manager = page_for(cast.case_manager, cast, "plan/")
    assert (
        'id="formulation-report-heading"' in manager
        and "Open actions" in manager
        and "Download the summary of the formulation report" not in manager
    )


def test_my_actions_is_in_the_navigation_of_everyone_who_may_own_an_action(cast: Cast) -> None:
    for person in (cast.case_manager, cast.psychologist, cast.teacher):
        assert 'href="/actions/"' in page_for(person, cast)
    client = Client()
    client.force_login(cast.commissioner)
    assert 'href="/actions/"' not in client.get("/").content.decode()
