"""Floor B for each measured page, and the same rows through a Django admin changelist.

Floor B is the minimal Django page for the same job: one indexed query (the person's scope is
worked out once, before the timing, so the floor filters by plain ids) and a plain template
rendering the same rows and columns, served through the same middleware by the bench URLconf
(devtools/bench/urls.py). The admin changelist shows the same rows, columns and page size with
Django's own list machinery (its counts, its template), for comparison.

The pages and their models are fixed here (the URLconf is made at import); the rows are filled
in by the measurements (`floor_set`), once the bench data is known.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import URLPattern, URLResolver, path

from accounts.models import AccessEvent
from cases.models import Case, CaseEvent, Contact
from formulation.models import Recommendation
from referrals.models import Referral
from reviews.models import Review


@dataclass(frozen=True)
class Floor:
    """The rows of one page: an unordered queryset, its order and the columns shown."""

    rows: Callable[[], QuerySet[Any]]
    ordering: Sequence[str]
    columns: Sequence[tuple[str, str]]  # (heading, field path)
    as_json: bool = False


# Which model each page's rows are, for the admin sites made at import.
PAGE_MODELS: dict[str, type[Model]] = {
    "caseload-open": Case,
    "caseload-open-wide": Case,
    "caseload-all-wide": Case,
    "caseload-all-fifty": Case,
    "api-cases-wide": Case,
    "triage-queue": Referral,
    "case-big": Case,
    "case-small": Case,
    "chronology-big": CaseEvent,
    "chronology-small": CaseEvent,
    "contacts-big": Contact,
    "contacts-small": Contact,
    "review": Review,
    "access-log": AccessEvent,
    "find-a-child": Case,
    "my-actions": Recommendation,
}
# Rows a page shows when not 50 (core.pagination.PAGE_SIZE).
PAGE_SIZES = {"contacts-big": 25, "contacts-small": 25, "case-big": 1, "case-small": 1, "review": 1}
FLOORS: dict[str, Floor] = {}


def floor_set(name: str, floor: Floor) -> None:
    if name not in PAGE_MODELS:
        raise KeyError(f"No page named {name} in PAGE_MODELS")
    FLOORS[name] = floor


def floor_view(request: HttpRequest, name: str) -> HttpResponse:
    """One indexed query, a plain template (or JSON for the API's floor)."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    floor = FLOORS[name]
    fields = [field for _, field in floor.columns]
    rows = list(floor.rows().order_by(*floor.ordering).values_list(*fields)[: PAGE_SIZES.get(name, 50)])
    if floor.as_json:
        return JsonResponse({"results": [dict(zip(fields, row, strict=True)) for row in rows]})
    headings = [heading for heading, _ in floor.columns]
    return render(request, "devtools/bench_floor.html", {"name": name, "headings": headings, "rows": rows})


class BenchAdminSite(admin.AdminSite):
    """An admin site any signed-in person reaches (the bench's people are not staff)."""

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_authenticated)


class BenchModelAdmin(admin.ModelAdmin):
    """The page's rows, columns and page size, read-only."""

    page_name = ""
    show_full_result_count = True

    def _floor(self) -> Floor:
        return FLOORS[self.page_name]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return self._floor().rows()

    def get_ordering(self, request: HttpRequest) -> list[str]:
        return list(self._floor().ordering)

    def get_list_display(self, request: HttpRequest) -> Any:
        return [field for _, field in self._floor().columns]

    def get_list_display_links(self, request: HttpRequest, list_display: Sequence[Any]) -> Any:
        return [self.get_list_display(request)[0]]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def has_module_permission(self, request: HttpRequest) -> bool:
        return True

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _admin_site(name: str, model: type[Model]) -> BenchAdminSite:
    site = BenchAdminSite(name=f"bench-admin-{name}")
    site.register(
        model,
        type(
            f"BenchAdmin_{name.replace('-', '_')}",
            (BenchModelAdmin,),
            {"page_name": name, "list_per_page": PAGE_SIZES.get(name, 50)},
        ),
    )
    return site


ADMIN_SITES = {name: _admin_site(name, model) for name, model in PAGE_MODELS.items()}


def admin_changelist_url(name: str) -> str:
    meta = PAGE_MODELS[name]._meta
    return f"/__bench__/admin/{name}/{meta.app_label}/{meta.model_name}/"


def floor_url(name: str) -> str:
    return f"/__bench__/floor/{name}/"


def bench_urlpatterns() -> list[URLPattern | URLResolver]:
    return [
        path("__bench__/floor/<slug:name>/", floor_view, name="bench-floor"),
        *(path(f"__bench__/admin/{name}/", site.urls) for name, site in ADMIN_SITES.items()),
    ]
