"""Signing in with an agency's identity provider: the button on the sign-in page, the fake provider
on loopback (tests/fake_oidc.py), and back to ECM. Every page is screenshotted and checked with axe."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings
from playwright.sync_api import Page, expect

from tests.browser.support import look, visit
from tests.conftest import Cast
from tests.fake_oidc import FakeOidcProvider, FakePerson

LABEL = "Fernbrook Academy staff account"


@pytest.fixture
def provider(cast: Cast) -> Iterator[FakeOidcProvider]:
    """Fernbrook Academy's provider, trusted for its own second factor (so the journey reaches home)."""
    with FakeOidcProvider() as fake:
        entry = fake.settings_entry(agency=cast.school.name, label=LABEL, trust_provider_mfa=True)
        with override_settings(ECM_OIDC_PROVIDERS={"fernbrook": entry}):
            yield fake


def test_a_teacher_signs_in_with_her_school_account(
    page: Page, live_server: Any, cast: Cast, provider: FakeOidcProvider
) -> None:
    provider.person = FakePerson(email=cast.teacher.email, amr=["pwd", "mfa"])
    visit(page, live_server, "/accounts/sign-in/", "sign-in with an identity provider offered")

    page.get_by_role("button", name=f"Sign in with {LABEL}").click()

    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("banner")).to_contain_text("Helen Marsh")
    expect(page.get_by_role("link", name="Kai Brennan")).to_be_visible()
    look(page, "teacher signed in with her school account")


def test_someone_without_an_ecm_account_is_told_to_ask_for_an_invitation(
    page: Page, live_server: Any, cast: Cast, provider: FakeOidcProvider
) -> None:
    provider.person = FakePerson(email="no.account@fernbrook.example")
    visit(page, live_server, "/accounts/sign-in/", "sign-in with an identity provider offered")

    page.get_by_role("button", name=f"Sign in with {LABEL}").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("No ECM account for this address")
    expect(page.get_by_role("main")).to_contain_text("Ask your agency administrator to invite you.")
    look(page, "identity provider sign-in refused - no account")
    page.get_by_role("link", name="Go to the sign-in page").click()
    expect(page).to_have_url(live_server.url + "/accounts/sign-in/")
