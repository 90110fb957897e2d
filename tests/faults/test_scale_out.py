"""Scale-out without surprises: nothing a request needs lives in one web process (issue 12).

Real processes, all started by the test against the test database and the test Redis: two gunicorn
servers (one worker process each) on two free loopback ports, two Celery workers with their own
node names, and one beat. A round-robin client stands in for a browser behind a load balancer: one
cookie jar and one site name (Host and Origin `localhost`), each request sent to the other web
process than the one before.

A person signs in with the password on one process and the security code on the other, loads
pages, saves a contact with the CSRF token of a form the other process served, autosaves a draft
referral over the version the other process answered (and an old tab's version is refused), asks
for a PDF summary, watches its progress and downloads it from both, and at the end signs out on one
process so the other refuses the session too. Someone else's failed sign-ins and forgotten-password
requests, spread over both processes, still reach the lockout and the hourly limit. Then PDF
summaries asked for through the page (JOBS in all) are made by the two workers: each once (one
claim, one file, one message received), some by each. /health/ then answers 200 on both processes:
both workers answer and beat's heartbeat (run by one worker) arrived. Under a minute (52-62 s on a
busy two-core machine): mostly starting six processes and waiting for beat's first heartbeat, which
it sends 30 s after it starts.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import requests
from axes.models import AccessAttempt
from django.conf import settings

from accounts.views import per_hour, reset_email_key
from cases.models import Contact
from config.celery_app import app
from core.documents.models import DocumentState
from core.documents.rendering import TEST_RENDER_DELAY_ENV
from core.ratelimit import count_so_far
from referrals.models import Referral
from reporting.models import SummaryDocument
from tests.cases.helpers import contact_form
from tests.conftest import Cast
from tests.factories import TEST_PASSWORD
from tests.faults.conftest import free_port, wait_for
from tests.faults.test_worker_killed import database_url
from tests.mfa import totp_code_for, totp_device_for
from tests.referrals.helpers import draft_referral

pytestmark = [pytest.mark.faults, pytest.mark.celery, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
SITE = "localhost"  # the one site name a load balancer would pass on to every web process
JOBS = 12  # PDF summaries asked for through the page, the journey's first included
REQUEST_TIMEOUT_SECONDS = 15
STARTED_WITHIN_SECONDS = 60  # on a busy two-core machine a process takes up to 20 s to start
JOBS_DONE_WITHIN_SECONDS = 60
HEARTBEAT_WITHIN_SECONDS = 45  # after beat started: its first heartbeat is sent 30 s after
RECEIVED = re.compile(r"Task (?P<task>[\w.]+)\[(?P<id>[0-9a-f-]+)\] received")
SUCCEEDED = re.compile(r"Task (?P<task>[\w.]+)\[(?P<id>[0-9a-f-]+)\] succeeded in [\d.]+s: (?P<result>.*)")
RENDER_SUMMARY = "core.documents.render_document"  # the one render job: only summaries are asked for here
HEARTBEAT = "accounts.tasks.heartbeat"
OVER_THE_LIMIT = "forgotten-password requests over the hourly limit: nothing sent"


# --- The processes ---------------------------------------------------------------------------------


class Spawned:
    """One server the test started: a subprocess in its own process group, its output in a file."""

    def __init__(self, folder: Path, name: str, command: list[str], env: dict[str, str]) -> None:
        self.name = name
        self.log = folder / f"{name}.log"
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(  # noqa: S603 - fixed command lines
                command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def assert_running(self) -> None:
        assert self.process.poll() is None, f"{self.name} stopped:\n{self.output()[-3000:]}"


class WebProcess(Spawned):
    def __init__(self, folder: Path, name: str, env: dict[str, str]) -> None:
        self.port = free_port()
        command = [
            *(sys.executable, "-m", "gunicorn", "config.wsgi:application"),
            *("--bind", f"127.0.0.1:{self.port}", "--workers", "1", "--access-logfile", "-"),
        ]
        super().__init__(folder, name, command, env)

    def answers(self) -> bool:
        self.assert_running()
        try:
            requests.get(f"http://127.0.0.1:{self.port}/accounts/sign-in/", headers={"Host": SITE}, timeout=5)
        except requests.RequestException:
            return False
        return True

    def requests_served(self) -> int:
        """Requests in gunicorn's own access log."""
        return len(re.findall(r'"(?:GET|POST) /', self.output()))


class WorkerProcess(Spawned):
    def __init__(self, folder: Path, name: str, env: dict[str, str]) -> None:
        self.node = f"{name}@scale-out"
        command = [
            *(sys.executable, "-m", "celery", "-A", "config.celery_app", "worker"),
            *("--pool=prefork", "--concurrency=1", "-Q", app.conf.task_default_queue, "-n", self.node),
            *("--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"),
        ]
        super().__init__(folder, name, command, env)

    def answers(self) -> bool:
        self.assert_running()
        return bool(app.control.ping(destination=[self.node], timeout=0.5))

    def received(self, task: str) -> list[str]:
        """The ids of the task's messages this worker took, from its log."""
        return [match["id"] for match in RECEIVED.finditer(self.output()) if match["task"] == task]

    def results(self, task: str) -> list[str]:
        return [match["result"] for match in SUCCEEDED.finditer(self.output()) if match["task"] == task]


class Fleet:
    """Everything the test started; all stopped at the end (SIGTERM to each group, then SIGKILL)."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder = folder
        self.env = env
        self.started: list[Spawned] = []

    def web(self, name: str) -> WebProcess:
        process = WebProcess(self.folder, name, self.env)
        self.started.append(process)
        return process

    def worker(self, name: str) -> WorkerProcess:
        process = WorkerProcess(self.folder, name, self.env)
        self.started.append(process)
        return process

    def beat(self) -> Spawned:
        command = [
            *(sys.executable, "-m", "celery", "-A", "config.celery_app", "beat", "--loglevel=INFO"),
            f"--schedule={self.folder / 'beat-schedule'}",
        ]
        process = Spawned(self.folder, "beat", command, self.env)
        self.started.append(process)
        return process

    def stop_all(self) -> None:
        for spawned in self.started:
            if spawned.process.poll() is None:
                os.killpg(spawned.process.pid, signal.SIGTERM)
        for spawned in self.started:
            try:
                spawned.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(spawned.process.pid, signal.SIGKILL)
                spawned.process.wait(timeout=5)


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def fleet(tmp_path: Path, media_root: Path) -> Iterator[Fleet]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "TEST_REDIS_URL": settings.CELERY_BROKER_URL,
        "ECM_MEDIA_ROOT": str(media_root),
        "LOG_LEVEL": "INFO",
    }
    env.pop(TEST_RENDER_DELAY_ENV, None)
    started = Fleet(tmp_path, env)
    try:
        yield started
    finally:
        started.stop_all()


# --- A browser behind a round-robin load balancer ------------------------------------------------


class Forms(HTMLParser):
    """A page's forms as a browser sees them: each form's action and hidden inputs."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self.inside = False
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append((attributes.get("action") or "", {}))
            self.inside = True
        elif tag == "input" and self.inside and attributes.get("type") == "hidden" and attributes.get("name"):
            self.forms[-1][1][str(attributes["name"])] = attributes.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False

    def hidden(self, action: str) -> dict[str, str]:
        found = [fields for form_action, fields in self.forms if form_action == action]
        assert found, f"no form posting to {action} on the page"
        return found[0]


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match[1]


class RoundRobin:
    """One browser (one cookie jar) whose every request goes to the next web process in turn."""

    def __init__(self, web: list[WebProcess]) -> None:
        self.http = requests.Session()
        self.web = web
        self.turn = 0
        self.trail: list[str] = []

    def send(
        self, method: str, path: str, data: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> requests.Response:
        server = self.web[self.turn % len(self.web)]
        self.turn += 1
        sent = {"Host": SITE, **(headers or {})}
        if method == "POST":
            sent["Origin"] = f"http://{SITE}"  # as a browser sends with every form post and fetch
        response = self.http.request(
            method,
            f"http://127.0.0.1:{server.port}{path}",
            data=data,
            headers=sent,
            allow_redirects=False,
            timeout=REQUEST_TIMEOUT_SECONDS,
        )
        self.trail.append(f"{method} {path} -> {server.name}: {response.status_code}")
        return response

    def get(self, path: str) -> requests.Response:
        return self.send("GET", path)

    def post(self, path: str, data: dict[str, str], headers: dict[str, str] | None = None) -> requests.Response:
        return self.send("POST", path, data, headers)

    def page(self, path: str) -> str:
        response = self.get(path)
        assert response.status_code == 200, self.where()
        return response.text

    def redirected(self, response: requests.Response, to: str) -> str:
        assert response.status_code == 302, self.where()
        location = response.headers["Location"]
        assert location.startswith(to), f"{location} instead of {to}; {self.where()}"
        return location

    def where(self) -> str:
        return "requests so far:\n" + "\n".join(self.trail[-8:])


def served_by_both(client: RoundRobin, since: int) -> None:
    processes = {line.split(" -> ")[1].split(":")[0] for line in client.trail[since:]}
    assert len(processes) == 2, client.where()


# --- The scenario -----------------------------------------------------------------------------------


def test_a_person_and_the_jobs_move_freely_between_two_web_processes_and_two_workers(
    cast: Cast, fleet: Fleet, media_root: Path
) -> None:
    started = time.monotonic()
    web = [fleet.web("web-1"), fleet.web("web-2")]
    workers = [fleet.worker("worker-a"), fleet.worker("worker-b")]
    beat = fleet.beat()
    totp_device_for(cast.case_manager)
    referral = draft_referral(cast)
    case = cast.case.pk
    for process in web:
        wait_for(process.answers, seconds=STARTED_WITHIN_SECONDS, what=f"{process.name} to answer")
    for worker in workers:
        wait_for(worker.answers, seconds=STARTED_WITHIN_SECONDS, what=f"{worker.name} to answer a ping")
    wait_for(lambda: "beat: Starting..." in beat.output(), seconds=STARTED_WITHIN_SECONDS, what="beat to start")
    beat_started = time.monotonic()  # at the latest: its first heartbeat is due 30 s after this
    up = time.monotonic() - started

    sam = RoundRobin(web)

    # Signing in: the password on one process, the security code on the other.
    page = sam.page("/accounts/sign-in/")
    password = sam.post(
        "/accounts/sign-in/",
        {"csrfmiddlewaretoken": csrf_token(page), "username": cast.case_manager.username, "password": TEST_PASSWORD},
    )
    second_step = sam.redirected(password, "/accounts/two-factor/")
    page = sam.page(second_step)
    code = sam.post(second_step, {"csrfmiddlewaretoken": csrf_token(page), "code": totp_code_for(cast.case_manager)})
    assert sam.redirected(code, "/") == "/"

    # Pages, each from the other process than the one before.
    for path in ("/", "/cases/", f"/cases/{case}/", f"/cases/{case}/contacts/", "/notifications/", "/reports/"):
        assert "Sign out" in sam.page(path), path

    # A save: the form from one process, posted to the other with that form's CSRF token.
    note = "Seen at home after the move between web processes: Kai showed me his new bike."
    page = sam.page(f"/cases/{case}/contacts/add/")
    saved = sam.post(
        f"/cases/{case}/contacts/add/", {"csrfmiddlewaretoken": csrf_token(page), **contact_form(note=note)}
    )
    sam.redirected(saved, f"/cases/{case}/")
    assert note in sam.page(f"/cases/{case}/contacts/")
    assert Contact.objects.filter(case=cast.case, note=note).count() == 1

    # Autosave (static/ecm/autosave.js): each background save over the version the other process answered.
    autosave = f"/referrals/{referral.pk}/autosave/"
    page = sam.page(f"/referrals/{referral.pk}/reasons/")
    opened_at = re.search(r'data-autosave-saved-at="(\d+)"', page)
    assert opened_at, "no autosave version on the section page"
    script = {"X-CSRFToken": csrf_token(page), "X-Requested-With": "XMLHttpRequest"}
    version = opened_at[1]
    typed = [
        "Kai has been excluded twice this term",
        "Kai has been excluded twice this term; his mother asked for help",
    ]
    for text in typed:
        answer = sam.post(autosave, {"section": "reasons", "version": version, "reasons": text}, script)
        assert answer.status_code == 204, sam.where()
        version = answer.headers["X-ECM-Saved-At"]
    old_tab = sam.post(
        autosave, {"section": "reasons", "version": opened_at[1], "reasons": "An old tab's copy"}, script
    )
    assert old_tab.status_code == 409, sam.where()  # someone saved since: nothing overwritten in the background
    assert Referral.objects.get(pk=referral.pk).reasons == typed[-1]

    # Counters kept for everyone: failed sign-ins and forgotten-password requests spread over both processes.
    stranger = RoundRobin(web)
    page = stranger.page("/accounts/sign-in/")
    mark = len(stranger.trail)
    failures = settings.AXES_FAILURE_LIMIT
    wrong = {"csrfmiddlewaretoken": csrf_token(page), "username": cast.colleague.username, "password": "not-it-1234"}
    answers = [stranger.post("/accounts/sign-in/", wrong).status_code for _ in range(failures)]
    right = stranger.post("/accounts/sign-in/", {**wrong, "password": TEST_PASSWORD})
    served_by_both(stranger, mark)
    assert answers == [200] * (failures - 1) + [429], stranger.where()  # locked at the fifth, wherever it landed
    assert right.status_code == 429 and "Sign-in is locked for now" in right.text, stranger.where()
    # Counted in PostgreSQL: the wrong passwords and the right one refused while locked.
    assert AccessAttempt.objects.get(username=cast.colleague.username).failures_since_start == failures + 1

    page = stranger.page("/accounts/password-reset/")
    mark = len(stranger.trail)
    limit = settings.ECM_PASSWORD_RESET_PER_EMAIL_PER_HOUR
    asked = {"csrfmiddlewaretoken": csrf_token(page), "email": cast.colleague.email}
    for _ in range(limit + 1):  # the same answer every time, over the limit too
        stranger.redirected(stranger.post("/accounts/password-reset/", asked), "/accounts/password-reset/sent/")
    served_by_both(stranger, mark)
    counted = count_so_far("password-reset-email", reset_email_key(cast.colleague.email), per_hour(limit))
    assert counted == limit + 1  # one count in the shared Redis, whichever process took each post
    assert sum(process.output().count(OVER_THE_LIMIT) for process in web) == 1  # only the one over the limit

    # A PDF: asked for on one process, its progress from both, downloaded from both.
    page = sam.page("/reports/")
    summary_form = Forms(page).hidden("/reports/summaries/")
    asked_at = time.monotonic()
    sam.redirected(sam.post("/reports/summaries/", summary_form), "/reports/")
    first = SummaryDocument.objects.get(requested_by=cast.case_manager)
    page = sam.page("/reports/")
    assert "The PDF summary is being made" in page  # the message left by the other process
    status_url = f"/reports/summaries/{first.pk}/status/"
    assert status_url in page
    mark = len(sam.trail)
    seen: list[str] = []

    def first_made() -> bool:
        response = sam.get(status_url)
        assert response.status_code == 200, sam.where()
        seen.append(response.json()["status"])
        if response.json()["finished"]:
            return True
        time.sleep(0.2)  # the page polls every 2 s; a little more often here
        return False

    wait_for(first_made, seconds=JOBS_DONE_WITHIN_SECONDS, what="the first summary PDF")
    first_seconds = time.monotonic() - asked_at
    progress = sam.get(status_url).json()
    served_by_both(sam, mark)
    assert progress["status"] == DocumentState.READY, progress
    first.refresh_from_db()
    kept = (media_root / first.file.name).read_bytes()
    assert kept.startswith(b"%PDF-")
    for _ in web:
        download = sam.get(progress["download_url"])
        assert download.status_code == 200 and download.headers["Content-Type"] == "application/pdf", sam.where()
        assert download.content == kept

    # More PDFs asked for through the page, as fast as a person clicks: the two workers share them.
    mark = len(sam.trail)
    burst_at = time.monotonic()
    for _ in range(JOBS - 1):
        sam.redirected(sam.post("/reports/summaries/", summary_form), "/reports/")
        page = sam.page("/reports/")
        latest = SummaryDocument.objects.filter(requested_by=cast.case_manager).latest("pk")
        assert sam.get(f"/reports/summaries/{latest.pk}/status/").status_code == 200, sam.where()
    posts = [line for line in sam.trail[mark:] if line.startswith("POST")]
    assert {line.split(" -> ")[1].split(":")[0] for line in posts} == {"web-1", "web-2"}

    def all_made() -> bool:
        for worker in workers:
            worker.assert_running()
        return not SummaryDocument.objects.exclude(status=DocumentState.READY).exists()

    wait_for(all_made, seconds=JOBS_DONE_WITHIN_SECONDS, what=f"{JOBS} summary PDFs")
    burst_seconds = time.monotonic() - burst_at
    time.sleep(0.5)  # time for a duplicate to show

    # Each job done once: one claim, one file kept, written ready once, one message taken by one worker.
    documents = list(SummaryDocument.objects.filter(requested_by=cast.case_manager))
    assert len(documents) == JOBS
    assert [(d.status, d.attempts, d.error) for d in documents] == [(DocumentState.READY, 1, "")] * JOBS
    stored = sorted(path for path in media_root.rglob("*") if path.is_file())
    assert stored == sorted(media_root / d.file.name for d in documents)
    assert all(path.read_bytes().startswith(b"%PDF-") for path in stored)
    for document in documents:
        history = document.history.all()  # type: ignore[attr-defined]
        assert [row.status for row in history].count(DocumentState.READY) == 1
    taken = {worker.name: worker.received(RENDER_SUMMARY) for worker in workers}
    every_message = [task_id for ids in taken.values() for task_id in ids]
    assert len(every_message) == len(set(every_message)) == JOBS, taken
    assert all(taken.values()), f"one worker took every job: { {k: len(v) for k, v in taken.items()} }"
    results = Counter(result for worker in workers for result in worker.results(RENDER_SUMMARY))
    assert results == Counter({"'ready'": JOBS}), results

    # Signing out on one process signs out everywhere.
    page = sam.page("/")
    sam.redirected(sam.post("/accounts/sign-out/", {"csrfmiddlewaretoken": csrf_token(page)}), "/accounts/sign-in/")
    sam.redirected(sam.get("/cases/"), "/accounts/sign-in/")
    assert sam.get(status_url).status_code in (302, 401, 403)

    # /health/ from both: database, Redis, both workers answering, and beat's heartbeat (run by a worker).
    probe = RoundRobin(web)
    checks: list[dict[str, Any]] = []

    def healthy_on_both() -> bool:
        beat.assert_running()
        answers = [probe.get("/health/") for _ in web]
        checks[:] = [answer.json() for answer in answers]
        if all(answer.status_code == 200 for answer in answers):
            return True
        time.sleep(0.5)  # beat's first heartbeat is due 30 s after it started
        return False

    remaining = HEARTBEAT_WITHIN_SECONDS - (time.monotonic() - beat_started)
    try:
        wait_for(healthy_on_both, seconds=max(remaining, 1), what="/health/ 200 on both web processes")
    except AssertionError:
        pytest.fail(f"/health/ answered {checks}; beat's log:\n{beat.output()[-2000:]}")
    heartbeats_sent = beat.output().count(f"Sending due task heartbeat ({HEARTBEAT})")
    heartbeats_taken = [task_id for worker in workers for task_id in worker.received(HEARTBEAT)]
    assert heartbeats_sent >= 1 and len(heartbeats_taken) == len(set(heartbeats_taken)) == heartbeats_sent

    for spawned in fleet.started:
        spawned.assert_running()
    served = {process.name: process.requests_served() for process in web}
    assert all(count > 20 for count in served.values()), served
    print(  # noqa: T201 - the scenario's figures, for the issue's closing note
        f"\nFIGURES scale-out: web processes 2, requests served {served} (sam {len(sam.trail)}, "
        f"stranger {len(stranger.trail)}, health {len(probe.trail)}); up in {up:.1f} s; "
        f"first PDF ready {first_seconds:.1f} s after asking (statuses seen {Counter(seen)}); "
        f"{JOBS} PDFs, jobs per worker { {name: len(ids) for name, ids in taken.items()} }, "
        f"claims {sum(d.attempts for d in documents)}, files {len(stored)}, duplicates {len(every_message) - JOBS}; "
        f"the other {JOBS - 1} made within {burst_seconds:.1f} s of asking; heartbeats sent "
        f"{heartbeats_sent}, run {len(heartbeats_taken)}; total {time.monotonic() - started:.1f} s"
    )
