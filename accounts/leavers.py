"""What happens when a person leaves: a registry the apps above `accounts` add their steps to.

Deactivating a person, or ending their last active membership, must take away everything
they were given: shares of case summaries (cases), future meeting invitations (formulation),
and anything later apps hand out. `accounts` cannot import those apps, so each registers a
step in its `AppConfig.ready()`:

    from accounts.leavers import register_leaver_step
    register_leaver_step("cases: revoke shares", revoke_shares_of_leaver)

`accounts.services.user_deactivate` runs every step inside its own transaction, so a person is
either gone everywhere or nowhere. A step takes the leaver and the actor (keyword-only) and
returns a short, child-free sentence for the history entry ("3 case shares revoked").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol


class LeaverStep(Protocol):
    def __call__(self, *, leaver: Any, actor: Any) -> str: ...


@dataclass(frozen=True)
class RegisteredStep:
    name: str
    run: LeaverStep


_steps: dict[str, RegisteredStep] = {}


def register_leaver_step(name: str, step: LeaverStep | Callable[..., str]) -> None:
    """Add a step run for every leaver. Registering the same name again replaces it (module reloads)."""
    _steps[name] = RegisteredStep(name=name, run=step)


def leaver_steps() -> list[RegisteredStep]:
    """The registered steps, in registration order (the order apps are installed)."""
    return list(_steps.values())


def run_leaver_steps(*, leaver: Any, actor: Any) -> list[str]:
    """Run every step for the leaver; the caller holds the transaction. Returns what each step did."""
    return [f"{step.name}: {step.run(leaver=leaver, actor=actor)}" for step in leaver_steps()]
