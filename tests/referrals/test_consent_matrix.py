"""A withdrawal of consent to share, across every URL (issue 17): the generated matrix's world and oracle
(tests/authz/generated.py, tests/test_generated_authorization_matrix.py), with consent to share the "shared"
case's summary withdrawn. For the two partners it was shared with, that case is now as if never shared: every
page, API, PDF, list and notice answers as the oracle says for someone who does not see it, and none shows
the child's name. Then a lawful basis restores the shared answers."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import User
from referrals.consent import consent_withdraw, sharing_lawful_basis_record
from tests import test_generated_authorization_matrix as oracle
from tests.authz.generated import Asker, UnknownArgument, World, build_world, targets_for, url_patterns
from tests.conftest import Cast

PARTNERS = ("teacher", "social_worker")
# The pages about no one case that could show a case a partner sees: the lists, the search, the home page...
LISTS = {oracle.Page.OWN_ACCOUNT, oracle.Page.OWN_NOTIFICATION}


def _ask_about_the_shared_case(world: World, names: tuple[str, ...] = ()) -> tuple[int, list[str]]:
    """Every URL of the "shared" case, and every list, as the two partners: the oracle's verdict, and no page
    showing the name of a child whose case they may not see. (URLs the main matrix cannot judge yet are its
    business: tests/test_generated_authorization_matrix.py.)"""
    asker, markers = Asker(world), oracle.Markers.of(world)
    checks, wrong = 0, []
    for pattern in url_patterns():
        kind = oracle.classify(pattern)
        if names and pattern.name not in names:
            continue
        if kind is None or (not isinstance(kind, oracle.Need) and kind not in LISTS):
            continue
        try:
            targets = targets_for(pattern, world)
        except UnknownArgument:
            continue
        for target in targets:
            if isinstance(kind, oracle.Need) and (target.case != "shared" or target.crossed_from):
                continue
            for who in PARTNERS:
                outcome = oracle.expected(who, pattern, target)
                for method in pattern.methods:
                    answer = asker.ask(who, method, target, watch_writes=outcome in oracle.DENIALS)
                    checks += 1
                    if not oracle._verdict(outcome, answer):
                        wrong.append(oracle._describe(answer, pattern, outcome))
                    if outcome in oracle.DENIALS and answer.wrote:
                        wrong.append(f"{oracle._describe(answer, pattern, outcome)}: wrote to {answer.wrote}")
                    wrong += [f"{oracle._describe(answer, pattern, None)}: {leak}" for leak in markers.leaks(answer)]
    return checks, wrong


@pytest.mark.timeout(600)
def test_a_withdrawal_ends_the_partners_view_on_every_url_and_a_lawful_basis_restores_it(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = build_world(cast)
    shared = world.cases["shared"].case
    consent_withdraw(
        case=shared,
        actor=shared.case_holder,
        given_by="child",
        method="verbal",
        purposes=["share_summary"],
        on=timezone.localdate() - dt.timedelta(days=1),
    )
    withdrawn = dataclasses.replace(oracle.CASES["shared"], shared_with=frozenset())
    with monkeypatch.context() as patched:
        patched.setitem(oracle.CASES, "shared", withdrawn)
        checks, wrong = _ask_about_the_shared_case(world)
    assert checks > 100
    assert not wrong, "\n".join(wrong[:60])

    senior = User.objects.get(username="gen-senior")  # covers North Somerset (tests/authz/generated.py)
    sharing_lawful_basis_record(
        case=shared,
        actor=senior,
        basis="safeguarding_child",
        explanation="The child is at risk of exploitation; the school must keep watch.",
    )
    checks, wrong = _ask_about_the_shared_case(
        world, ("cases:detail", "cases:network", "cases:list", "api-case-detail")
    )
    assert checks and not wrong, "\n".join(wrong[:60])
