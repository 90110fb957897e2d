"""Change history for every model that holds case data.

Postgres triggers (django-pghistory) write a row on every insert, update and delete, bulk
updates and raw SQL included, so no code path can change case data without leaving a trace.
The request middleware and `acting_as` attach who made the change; `Events` gives the diff
with the before values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import pghistory

M = TypeVar("M", bound=type)


def history_tracked(**kwargs: Any) -> Callable[[M], M]:
    """Decorate a model so every insert, update and delete is kept, append-only, in `<Model>History`."""

    def decorate(model: M) -> M:
        track = pghistory.track(
            pghistory.InsertEvent(),
            pghistory.UpdateEvent(),
            pghistory.DeleteEvent(),
            append_only=True,
            # `model.history` lists the snapshots; `events` is left free for domain use.
            obj_field=pghistory.ObjForeignKey(related_name="history"),
            model_name=f"{model.__name__}History",
            **kwargs,
        )
        return track(model)

    return decorate


@contextmanager
def acting_as(actor: Any, **metadata: Any) -> Iterator[None]:
    """Attribute changes made inside the block to `actor` (for tasks and commands outside a request)."""
    with pghistory.context(user=getattr(actor, "pk", None), **metadata):
        yield
