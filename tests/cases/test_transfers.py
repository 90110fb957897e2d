"""Transfers between youth justice services (issue 17): offer, accept, decline, withdraw, one pending offer,
and the former service's read-only access for ECM_TRANSFER_READ_DAYS (cases/access/former.py)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from accounts.models import AccessEvent, AgencyKind, Role
from cases import access
from cases.access import Action, Relation
from cases.models import (
    Case,
    CaseEvent,
    CaseHolderChange,
    CaseHolding,
    CaseTransfer,
    Contact,
    ContactKind,
    TransferStatus,
)
from cases.services import StaleState, contact_log
from cases.services.transfers import (
    TRANSFER_DECIDED,
    TRANSFER_OFFERED,
    transfer_accept,
    transfer_decline,
    transfer_offer,
    transfer_withdraw,
)
from reviews.models import Reminder
from tests.cast import Cast
from tests.clock import UK
from tests.factories import agency, person

pytestmark = pytest.mark.django_db


def _offer(cast: Cast, **fields: object) -> CaseTransfer:
    return transfer_offer(
        case=cast.case,
        actor=cast.case_manager,
        to_yjs=fields.get("to_yjs", cast.banes),  # type: ignore[arg-type]
        reason="Kai moved to live with his aunt in Bath.",
        note="He starts at a new school on Monday.",
    )


def test_an_accepted_offer_moves_the_case_holder_history_and_chronology_together(cast: Cast) -> None:
    transfer = _offer(cast)
    assert Reminder.objects.filter(kind=TRANSFER_OFFERED, recipient=cast.banes_case_manager).exists()
    assert not Reminder.objects.filter(kind=TRANSFER_OFFERED, recipient=cast.colleague).exists()

    transfer_accept(transfer=transfer, actor=cast.banes_case_manager, new_holder=cast.banes_case_manager)

    case = Case.objects.get(pk=cast.case.pk)
    assert (case.owning_yjs, case.case_holder) == (cast.banes, cast.banes_case_manager)
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.ACCEPTED and transfer.decided_by == cast.banes_case_manager
    change = CaseHolderChange.objects.filter(case=case).first()
    assert change is not None
    assert (change.previous_holder, change.new_holder) == (cast.case_manager, cast.banes_case_manager)
    assert "Transferred from Bristol YJS to BANES YJS" in change.reason
    spells = list(CaseHolding.objects.filter(case=case).order_by("pk").values_list("agency_id", "ended_at", "transfer"))
    assert [(agency_id, ended is None, made_by) for agency_id, ended, made_by in spells] == [
        (cast.bristol.pk, False, None),
        (cast.banes.pk, True, transfer.pk),
    ]
    moved = CaseEvent.objects.get(case=case, summary__startswith="Case moved from Bristol YJS to BANES YJS")
    assert moved.significant and moved.visibility == "view_summary"
    assert Reminder.objects.filter(kind=TRANSFER_DECIDED, recipient=cast.case_manager).exists()
    # The change history keeps who did it.
    assert transfer.history.filter(status=TransferStatus.ACCEPTED).exists()  # type: ignore[attr-defined]


def test_a_case_has_one_offer_waiting_at_most(cast: Cast) -> None:
    _offer(cast)
    north_somerset = agency("North Somerset YJS", AgencyKind.YOUTH_JUSTICE)
    with pytest.raises(ValidationError, match="already offered to BANES YJS"):
        _offer(cast, to_yjs=north_somerset)
    assert CaseTransfer.objects.filter(case=cast.case, status=TransferStatus.PENDING).count() == 1


def test_an_offer_needs_another_youth_justice_service_and_a_reason(cast: Cast) -> None:
    with pytest.raises(ValidationError) as refused:
        transfer_offer(case=cast.case, actor=cast.case_manager, to_yjs=cast.bristol, reason=" ")
    assert set(refused.value.message_dict) == {"to_yjs", "reason"}
    with pytest.raises(ValidationError, match="youth justice service"):
        transfer_offer(case=cast.case, actor=cast.case_manager, to_yjs=cast.school, reason="Moved")
    with pytest.raises(ValidationError, match="may not transfer"):
        transfer_offer(case=cast.case, actor=cast.banes_case_manager, to_yjs=cast.banes, reason="Moved")


def test_declining_needs_a_reason_and_leaves_the_case_where_it_was(cast: Cast) -> None:
    transfer = _offer(cast)
    with pytest.raises(ValidationError, match="Enter why"):
        transfer_decline(transfer=transfer, actor=cast.banes_case_manager, reason="")
    transfer_decline(transfer=transfer, actor=cast.banes_case_manager, reason="Kai's aunt lives in Bristol after all.")
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.DECLINED
    assert transfer.decline_reason == "Kai's aunt lives in Bristol after all."
    assert Case.objects.get(pk=cast.case.pk).owning_yjs == cast.bristol
    assert CaseHolding.objects.filter(case=cast.case, ended_at__isnull=True).get().agency == cast.bristol
    # Decided once: a second decision finds it decided.
    with pytest.raises(StaleState):
        transfer_accept(transfer=transfer, actor=cast.banes_case_manager, new_holder=cast.banes_case_manager)
    # Declined, the case can be offered again.
    assert _offer(cast).is_pending


def test_the_offering_service_withdraws_a_pending_offer(cast: Cast) -> None:
    transfer = _offer(cast)
    transfer_withdraw(transfer=transfer, actor=cast.colleague)
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.WITHDRAWN
    assert CaseEvent.objects.filter(case=cast.case, summary__contains="withdrawn by Priya Nandra").exists()
    with pytest.raises(StaleState):
        transfer_decline(transfer=transfer, actor=cast.banes_case_manager, reason="Too late")


def test_only_the_receiving_service_decides_and_chooses_its_own_case_manager(cast: Cast) -> None:
    transfer = _offer(cast)
    for outsider in (cast.case_manager, cast.senior_practitioner, cast.teacher):
        with pytest.raises(ValidationError, match="may not decide"):
            transfer_accept(transfer=transfer, actor=outsider, new_holder=cast.banes_case_manager)
    with pytest.raises(ValidationError, match="Choose a case manager of BANES YJS"):
        transfer_accept(transfer=transfer, actor=cast.banes_case_manager, new_holder=cast.colleague)
    # A senior practitioner covering the receiving service decides too.
    banes_senior = person(
        "sp-banes", "Robin", "Hale", agency=cast.ecm_team, role=Role.SENIOR_PRACTITIONER, covers=(cast.banes,)
    )
    assert access.may_decide_transfer(banes_senior, transfer)
    assert not access.may_decide_transfer(cast.senior_practitioner, transfer)


def test_the_former_service_reads_what_it_wrote_then_nothing_after_the_period(cast: Cast, client: Client) -> None:
    # The case opened today (the cast); its work happens in the days after it, at UK noon.
    moved_at = dt.datetime.combine(timezone.localdate() + dt.timedelta(days=20), dt.time(12), tzinfo=UK)
    until = timezone.localdate(moved_at) + dt.timedelta(days=90)
    with time_machine.travel(moved_at - dt.timedelta(days=10), tick=False):
        contact_log(
            case=cast.case,
            actor=cast.case_manager,
            occurred_at=timezone.now() - dt.timedelta(hours=2),
            kind=ContactKind.HOME_VISIT,
            with_whom="Kai and his mother",
            note="Packing for the move to Bath.",
        )
        contact_log(
            case=cast.case,
            actor=cast.case_manager,
            occurred_at=timezone.now() - dt.timedelta(hours=1),
            kind=ContactKind.PHONE,
            with_whom="Kai",
            note="A restricted disclosure before the move.",
            restricted=True,
        )
    with time_machine.travel(moved_at, tick=False):
        transfer = _offer(cast)
        transfer_accept(transfer=transfer, actor=cast.banes_case_manager, new_holder=cast.banes_case_manager)
    with time_machine.travel(moved_at + dt.timedelta(days=3), tick=False):
        contact_log(
            case=cast.case,
            actor=cast.banes_case_manager,
            occurred_at=timezone.now(),
            kind=ContactKind.FACE_TO_FACE,
            with_whom="Kai",
            note="First meeting in Bath.",
        )
    case = Case.objects.get(pk=cast.case.pk)

    with time_machine.travel(moved_at + dt.timedelta(days=89), tick=False):
        assert access.relations_to(cast.colleague, Case.objects.get(pk=case.pk)) == {Relation.FORMER}
        for action, allowed in (
            (Action.VIEW_SUMMARY, True),
            (Action.READ_FORMER_RECORDS, True),
            (Action.VIEW, False),
            (Action.CHANGE, False),
            (Action.VIEW_RESTRICTED, False),
        ):
            assert access.may(cast.colleague, action, Case.objects.get(pk=case.pk)) is allowed, action
        client.force_login(cast.colleague)
        page = client.get(f"/cases/{case.pk}/recorded-by-your-service/")
        assert page.status_code == 200
        body = page.content.decode()
        assert "Packing for the move to Bath." in body
        assert "restricted disclosure" not in body  # the holder's and the clinicians' alone
        assert "First meeting in Bath." not in body  # written by the new service
        assert f"{until.day} {until:%B %Y}" in body  # read until: 90 days after the move
        # The shared summary says the case moved and links to what they recorded.
        summary = client.get(f"/cases/{case.pk}/").content.decode()
        assert "This case moved from your service" in summary
        # No writes: the full record's pages and forms are refused, and nothing is written.
        for url in (f"/cases/{case.pk}/contacts/", f"/cases/{case.pk}/contacts/add/", f"/cases/{case.pk}/transfer/"):
            assert client.get(url).status_code == 403, url
        contacts_before = Contact.objects.filter(case=case).count()
        refused = client.post(
            f"/cases/{case.pk}/contacts/add/",
            {"occurred_on_day": "1", "occurred_on_month": "12", "occurred_on_year": "2026", "note": "Hi"},
        )
        assert refused.status_code == 403
        assert Contact.objects.filter(case=case).count() == contacts_before
        # The new service reads the whole record.
        assert access.may(cast.banes_case_manager, Action.VIEW, case)
        # "Who can see this case" names the former service's case managers, and why.
        viewers = {viewer.person.username: viewer for viewer in access.who_can_see(case)}
        assert viewers["priya"].relations == {Relation.FORMER} and not viewers["priya"].full_record
        assert "moved away from" in viewers["priya"].reasons[0]

    with time_machine.travel(moved_at + dt.timedelta(days=91), tick=False):
        assert access.relations_to(cast.colleague, Case.objects.get(pk=case.pk)) == frozenset()
        assert "priya" not in {viewer.person.username for viewer in access.who_can_see(case)}
        client.force_login(cast.colleague)
        assert client.get(f"/cases/{case.pk}/").status_code == 404
        assert client.get(f"/cases/{case.pk}/recorded-by-your-service/").status_code == 404
        assert AccessEvent.objects.filter(user=cast.colleague, case_id=case.pk, action="denied").exists()


def test_clinicians_covering_only_the_old_service_lose_the_case(cast: Cast) -> None:
    transfer = _offer(cast)
    transfer_accept(transfer=transfer, actor=cast.banes_case_manager, new_holder=cast.banes_case_manager)
    case = Case.objects.get(pk=cast.case.pk)
    assert access.relations_to(cast.psychologist, case) == frozenset()
    assert not access.visible_cases(cast.psychologist).filter(pk=case.pk).exists()
    assert access.visible_cases(cast.case_manager).filter(pk=case.pk).exists()  # former, for now


def test_the_demo_has_one_offer_waiting_for_banes() -> None:
    from devtools.demo.seed import seed_demo  # noqa: PLC0415 - development tools, only this test

    seed_demo()
    seed_demo()  # idempotent: still one offer
    offer = CaseTransfer.objects.select_related("to_yjs", "case__child").get()
    assert offer.is_pending and offer.to_yjs.name == "BANES YJS" and offer.case.child.given_name == "Jay"


def test_the_hand_offs_arrive_once_and_never_name_the_child(cast: Cast) -> None:
    from reviews.models import Notification  # noqa: PLC0415 - the delivery belongs to reviews
    from reviews.reminders import reminders_deliver  # noqa: PLC0415

    transfer = _offer(cast)
    reminders_deliver()
    reminders_deliver()  # once only
    (offered,) = Notification.objects.filter(recipient=cast.banes_case_manager)
    assert offered.title == "A case was offered to your service"
    assert offered.link == f"/cases/transfers/{transfer.pk}/"
    transfer_accept(transfer=transfer, actor=cast.banes_case_manager, new_holder=cast.banes_case_manager)
    reminders_deliver()
    (decided,) = Notification.objects.filter(recipient=cast.case_manager)
    assert decided.title == "Your offer of a case was accepted"
    for notice in (offered, decided):
        assert "Kai" not in notice.body + notice.title and "Brennan" not in notice.body + notice.title
