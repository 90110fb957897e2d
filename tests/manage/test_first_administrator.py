"""The first service administrator of a new deployment is invited from the command line, never given a password."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from accounts.models import Agency, AgencyKind, Membership, Role, User


@pytest.mark.django_db(transaction=True)
def test_the_first_administrator_is_invited_with_a_new_agency() -> None:
    out = StringIO()
    call_command(
        "create_service_admin",
        email="ffion.bevan@ecm.invalid",
        first_name="Ffion",
        last_name="Bevan",
        agency="Northvale ECM Team",
        print_link=True,
        stdout=out,
    )
    person = User.objects.get(email="ffion.bevan@ecm.invalid")
    assert not person.has_usable_password()
    membership = Membership.objects.get(user=person)
    assert membership.role == Role.ADMINISTRATOR
    assert membership.agency.kind == AgencyKind.ECM_TEAM
    assert [message.to for message in mail.outbox] == [["ffion.bevan@ecm.invalid"]]
    assert "/accounts/invitation/" in out.getvalue()
    assert "Created the agency Northvale ECM Team" in out.getvalue()


@pytest.mark.django_db
def test_a_taken_address_is_refused_and_nothing_is_created() -> None:
    call_command("create_service_admin", email="a@ecm.invalid", first_name="A", last_name="One", agency="Team A")
    with pytest.raises(CommandError, match="already has an ECM account"):
        call_command("create_service_admin", email="A@ecm.invalid", first_name="B", last_name="Two", agency="Team B")
    assert User.objects.filter(email__iexact="a@ecm.invalid").count() == 1
    assert not Agency.objects.filter(name="Team B").exists()
