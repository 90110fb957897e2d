"""The navigation's links are worked out once per set of roles (config.navigation), and follow where the app
is served."""

from __future__ import annotations

from django.test import RequestFactory
from django.urls import set_script_prefix

from config.navigation import navigation
from tests.conftest import Cast


def _links(cast: Cast, path: str) -> list[tuple[str, str, bool]]:
    request = RequestFactory().get(path)
    request.user = cast.case_manager
    return [(item["label"], item["url"], item["active"]) for item in navigation(request)["nav_items"]]


def test_the_links_are_kept_per_roles_but_the_page_marked_current_is_each_request_s(cast: Cast) -> None:
    at_home = _links(cast, "/")
    on_caseload = _links(cast, "/cases/")
    assert [(label, url) for label, url, _ in at_home] == [(label, url) for label, url, _ in on_caseload]
    assert ("Home", "/", True) in at_home and ("My caseload", "/cases/", False) in at_home
    assert ("Home", "/", False) in on_caseload and ("My caseload", "/cases/", True) in on_caseload


def test_the_links_follow_the_prefix_the_app_is_served_under(cast: Cast) -> None:
    plain = _links(cast, "/")
    set_script_prefix("/ecm/")
    try:
        prefixed = _links(cast, "/ecm/")
    finally:
        set_script_prefix("/")
    assert [url for _, url, _ in prefixed] == ["/ecm" + url for _, url, _ in plain]
