"""The OpenAPI schema is generated without a warning and valid OpenAPI 3; the docs are served from our own files."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.test import Client

from tests.api.helpers import TokenClient, issue
from tests.conftest import Cast


def test_the_schema_generates_without_warnings_and_validates(tmp_path: Path) -> None:
    out = tmp_path / "schema.yaml"
    # --validate checks it against the OpenAPI 3 specification; --fail-on-warn fails on any warning.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out), stderr=StringIO())
    schema = out.read_text()
    for path in (
        "/api/v1/cases/",
        "/api/v1/children/",
        "/api/v1/referrals/{referral_id}/submit/",
        "/api/v1/notifications/",
    ):
        assert f"{path}:" in schema
    assert "bearerAuth" in schema and "If-Match" in schema and "'428'" in schema


def test_the_schema_has_examples_and_the_bearer_scheme(cast: Cast) -> None:
    schema = TokenClient(issue(cast.case_manager, cast=cast).secret).get("/api/schema/?format=json").json()
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    case_list = schema["paths"]["/api/v1/cases/"]["get"]
    assert "examples" in case_list["responses"]["200"]["content"]["application/json"]
    assert {p["name"] for p in case_list["parameters"]} >= {"cursor", "page_size", "status", "held_by_me"}


def test_the_docs_page_uses_our_own_files_and_no_inline_script(cast: Cast, client: Client) -> None:
    client.force_login(cast.case_manager)
    page = client.get("/api/docs/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in body
    assert "https://" not in body.split("<body", 1)[1]  # nothing from the internet
    assert "'unsafe-inline'" not in page["Content-Security-Policy"].split("script-src", 1)[1].split(";", 1)[0]
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
