"""What every browser journey does on each page: look at it, check it with axe, keep a screenshot, check
it fits a 390 px phone.

Functions rather than fixtures so a test reads as the steps a person takes:
``sign_in(page, live_server, "sam")``, ``visit(page, live_server, "/cases/", "case list")``.
"""

from __future__ import annotations

import base64
import hashlib
import re
import time
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary, WeakSet

from django_otp.oath import TOTP
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Request, Response, Route, ViewportSize, expect

from tests.factories import TEST_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "static" / "vendor" / "axe" / "axe.min.js"
SCREENSHOTS = ROOT / "test-results" / "screenshots"

# Contexts made with java_script_enabled=False (Playwright does not expose the setting afterwards).
_CONTEXTS_WITHOUT_JAVASCRIPT: WeakSet[BrowserContext] = WeakSet()

# For each JavaScript-disabled context, the scripted page where its pages are copied for axe.
_COPIES: WeakKeyDictionary[BrowserContext, Page] = WeakKeyDictionary()
_COPY_DOCUMENTS: WeakKeyDictionary[Page, dict[str, str]] = WeakKeyDictionary()

# What went wrong in a context since its last page was looked at (see `watch`).
_PROBLEMS: WeakKeyDictionary[BrowserContext, list[str]] = WeakKeyDictionary()

# axe's verdict depends only on the page's markup (the stylesheets are the same all session), so a
# page whose markup was already checked, such as the sign-in page met again at every sign-in, is
# not checked twice. Keyed by a digest of the DOM with per-request tokens masked.
_CHECKED_MARKUP: set[str] = set()
# The same for the 390 px phone check (`assert_fits_a_phone`).
_FITTING_MARKUP: set[str] = set()
_PER_REQUEST_TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=)"[^"]*"')

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

_RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary || ""})),
  }));
}"""


def _axe_source() -> str:
    if not AXE_JS.is_file():
        raise AssertionError(f"{AXE_JS} is missing: run `bash scripts/setup.sh` to vendor axe-core")
    return AXE_JS.read_text(encoding="utf-8")


def _inject_axe(page: Page) -> None:
    """Load axe-core into the page.

    ``page.add_script_tag(path=...)`` adds an *inline* script, which ECM's Content-Security-Policy
    (``script-src 'self'``) rightly refuses. Evaluating the source through the DevTools protocol
    is not subject to the page's CSP, so the policy stays on and is tested like in production.
    """
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_axe_source() + "\n;undefined")


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            lines.append(f"    at {node['target']}")
            for summary_line in node["summary"].splitlines():
                lines.append(f"      {summary_line}")
    return "\n".join(lines)


def _markup_digest(page: Page) -> str:
    """The page's DOM with per-request tokens masked, as a digest: what the page-wide checks depend on."""
    markup = _PER_REQUEST_TOKEN.sub(r'\1""', page.content())
    return hashlib.sha256(f"{page.viewport_size}\n{markup}".encode()).hexdigest()


def axe_check(page: Page) -> None:
    """Assert the page has no WCAG 2.0/2.1/2.2 A or AA violations that axe-core can detect."""
    key = _markup_digest(page)
    if key in _CHECKED_MARKUP:
        return
    if page.context in _CONTEXTS_WITHOUT_JAVASCRIPT:
        violations = _axe_on_copy_with_scripts_blocked(page)
    else:
        _inject_axe(page)
        violations = page.evaluate(_RUN_AXE, WCAG_TAGS)
    if not violations:
        _CHECKED_MARKUP.add(key)
    assert not violations, (
        f"axe found {len(violations)} accessibility violation(s) on {page.url}:\n{format_violations(violations)}"
    )


def page_without_javascript(new_context: Any) -> Page:
    """A page in a fresh context with JavaScript switched off (pytest-playwright's ``new_context``)."""
    context = new_context(java_script_enabled=False)
    _CONTEXTS_WITHOUT_JAVASCRIPT.add(context)
    watch(context)
    return context.new_page()


def _axe_on_copy_with_scripts_blocked(page: Page) -> list[dict[str, Any]]:
    """axe for a page in a JavaScript-disabled context.

    With scripts disabled Chromium never settles a promise, so axe cannot run there. Render the
    same HTML (as the server sent it, no second request) in a scripted context where every
    script request is refused: ECM's CSP allows no inline script, so this is the page a person
    without JavaScript gets. One such copy serves every page of the context, and closes with it.
    """
    copy = _COPIES.get(page.context)
    if copy is None:
        copy = _open_copy(page)
        _COPIES[page.context] = copy
    document = _COPY_DOCUMENTS[copy]
    document["url"] = page.url.split("#", 1)[0]  # requests never carry the fragment
    document["html"] = page.content()
    copy.set_viewport_size(page.viewport_size or {"width": 1280, "height": 800})
    copy.goto(document["url"])
    _inject_axe(copy)
    return copy.evaluate(_RUN_AXE, WCAG_TAGS)


def _open_copy(page: Page) -> Page:
    browser = page.context.browser
    assert browser is not None
    context = browser.new_context()
    page.context.on("close", lambda _: context.close())
    copy = context.new_page()
    document: dict[str, str] = {"url": "", "html": ""}
    _COPY_DOCUMENTS[copy] = document

    def serve(route: Route) -> None:
        if route.request.url == document["url"]:
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=document["html"])
        elif route.request.resource_type == "script":
            route.abort()
        else:
            route.continue_()

    copy.route("**/*", serve)
    return copy


def watch(context: BrowserContext) -> None:
    """Collect what a person would not notice but breaks the page: a static file that does not
    load (the page renders unstyled), a script refused by the CSP, an uncaught script error."""
    if context in _PROBLEMS:
        return
    problems: list[str] = []
    _PROBLEMS[context] = problems

    def on_response(response: Response) -> None:
        # The page itself may rightly answer 403 or 404 (never 500); what it loads must not fail.
        failed = response.status >= 500 or (response.status >= 400 and response.request.resource_type != "document")
        if failed:
            problems.append(f"{response.status} for {response.url}")

    def on_request_failed(request: Request) -> None:
        # A test that moves on at once (a sign-out straight after a page, on a busy machine) makes the browser
        # abort what the page was still fetching: the favicon, or on a loaded machine a script or stylesheet.
        # Not the page's fault: a file that is missing answers 404 and one that fails 500 (`on_response`).
        if request.failure == "net::ERR_ABORTED" and (
            request.url.endswith("/favicon.svg") or request.resource_type in ("script", "stylesheet", "image", "font")
        ):
            return
        problems.append(f"{request.failure} for {request.url}")

    def on_console(message: ConsoleMessage) -> None:
        # Failed loads are reported by on_response, with the URL.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(f"console error: {message.text}")

    context.on("response", on_response)
    context.on("requestfailed", on_request_failed)
    context.on("console", on_console)
    context.on("weberror", lambda error: problems.append(f"uncaught script error: {error.error}"))


def forget_expected_problems(page: Page, pattern: str) -> None:
    """Drop collected problems matching `pattern` that the test itself provoked (a refused autosave)."""
    problems = _PROBLEMS.get(page.context)
    if problems is not None:
        problems[:] = [problem for problem in problems if not re.search(pattern, problem)]


def assert_page_loaded_cleanly(page: Page) -> None:
    problems = _PROBLEMS.get(page.context)
    if problems is None:
        return
    found, problems[:] = list(problems), []
    assert not found, f"{page.url} did not load cleanly:\n" + "\n".join(f"- {p}" for p in found)


def screenshot(page: Page, name: str) -> Path:
    """Keep a full-page screenshot under test-results/screenshots/ for a person to look at."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    path = SCREENSHOTS / f"{slug}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


PHONE_WIDTH = 390
PHONE: ViewportSize = {"width": PHONE_WIDTH, "height": 844}

# The page's width, and what sticks out of the screen first (an element whose parent fits, or a line of
# text running out of its box), widest first. What is inside a box that fits the screen and scrolls or
# clips sideways (`.ecm-table-scroll`, visually hidden text) does not widen the page and is not named.
_MEASURE_WIDTH = """(limit) => {
  const screen = document.documentElement.clientWidth;
  const right = (rect) => rect.right + window.scrollX;
  const sticksOut = (element) => right(element.getBoundingClientRect()) > screen + 0.5;
  const clipped = (element) => {
    for (let box = element.parentElement; box && box !== document.body; box = box.parentElement) {
      if (getComputedStyle(box).overflowX !== "visible" && !sticksOut(box)) return true;
    }
    return false;
  };
  const describe = (element) => {
    let name = element.tagName.toLowerCase() + (element.id ? "#" + element.id : "");
    name += [...element.classList].slice(0, 3).map((c) => "." + c).join("");
    return `${name} "${(element.innerText || "").trim().replace(/\\s+/g, " ").slice(0, 50)}"`;
  };
  const offenders = [];
  for (const element of document.body.querySelectorAll("*")) {
    const rect = element.getBoundingClientRect();
    if (rect.width === 0 || !sticksOut(element)) continue;
    const parent = element.parentElement;
    if ((parent && parent !== document.body && sticksOut(parent)) || clipped(element)) continue;
    offenders.push({right: Math.round(right(rect)), name: describe(element)});
  }
  const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let text = texts.nextNode(); text; text = texts.nextNode()) {
    const box = text.parentElement;
    if (!box || !text.textContent.trim() || sticksOut(box) || clipped(text)) continue;
    range.selectNodeContents(text);
    const reach = right(range.getBoundingClientRect());
    if (reach > screen + 0.5) offenders.push({right: Math.round(reach), name: "text in " + describe(box)});
  }
  offenders.sort((a, b) => b.right - a.right);
  return {
    width: document.documentElement.scrollWidth,
    offenders: offenders.slice(0, limit).map((o) => `${o.name} reaches ${o.right} px`),
  };
}"""


def page_width_at_phone(page: Page) -> tuple[int, list[str]]:
    """How wide the page is on a 390 px phone (its `scrollWidth`), and what sticks out, widest first.

    The page is laid out at 390 x 844 for the measurement and given its own viewport back afterwards."""
    before = page.viewport_size
    if before != PHONE:
        page.set_viewport_size(PHONE)
    try:
        measured = page.evaluate(_MEASURE_WIDTH, 5)
    finally:
        if before is not None and before != PHONE:
            page.set_viewport_size(before)
    return int(measured["width"]), list(measured["offenders"])


def look(page: Page, name: str) -> None:
    """What every journey does on every page it reaches: screenshot, everything loaded, axe clean, and
    no sideways scrolling on a 390 px phone."""
    page.wait_for_load_state("load")
    screenshot(page, name)
    assert_page_loaded_cleanly(page)
    axe_check(page)
    assert_fits_a_phone(page)


def assert_fits_a_phone(page: Page) -> None:
    """Issue 16: on a 390 px phone the page does not scroll sideways (a wide table scrolls in its own box).

    Like axe, the layout depends only on the markup (the stylesheets are the same all session), so a page
    whose markup already fitted is not laid out again (the sign-in pages of every journey, for one)."""
    key = _markup_digest(page)
    if key in _FITTING_MARKUP:
        return
    width, offenders = page_width_at_phone(page)
    if width <= PHONE_WIDTH:
        _FITTING_MARKUP.add(key)
    assert width <= PHONE_WIDTH, (
        f"{page.url} is {width} px wide on a {PHONE_WIDTH} px phone; what sticks out:\n"
        + "\n".join(f"- {offender}" for offender in offenders)
    )


def visit(page: Page, live_server: Any, path: str, name: str, *, status: int = 200) -> None:
    response = page.goto(live_server.url + path)
    assert response is not None
    assert response.status == status, f"GET {path} answered {response.status}, expected {status}"
    look(page, name)


def sign_in(page: Page, live_server: Any, username: str, *, password: str = TEST_PASSWORD, name: str = "") -> None:
    """Sign in through the form, as a person would: the password, then the security code of the
    person's authenticator app when they need one (an app with a known key is given to them if they
    have none, see tests/mfa.py), and check the home page is reached."""
    label = name or username
    needs_code = ready_for_second_factor(username)
    visit(page, live_server, "/accounts/sign-in/", f"{label} sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if needs_code:
        expect(page).to_have_url(re.compile(re.escape(live_server.url + "/accounts/two-factor/")))
        look(page, f"{label} security code")
        enter_security_code(page, live_server, username)
    expect(page).to_have_url(live_server.url + "/")
    look(page, f"{label} home")


def ready_for_second_factor(username: str) -> bool:
    """Give the person an authenticator (known key) if they need a second factor; True if they do."""
    from accounts.mfa import second_factor_required
    from accounts.models import User
    from tests.mfa import totp_device_for

    user = User.objects.get(username=username)
    if not second_factor_required(user):
        return False
    totp_device_for(user)
    return True


def enter_security_code(page: Page, live_server: Any, username: str) -> None:
    """The second step of signing in: type the code the person's authenticator app shows now.

    It does not `look` at the page (a page with Playwright's fake clock cannot run axe); callers do.
    """
    from accounts.models import User
    from tests.mfa import totp_code_for

    expect(page).to_have_url(re.compile(re.escape(live_server.url + "/accounts/two-factor/")))
    page.get_by_label("Security code").fill(totp_code_for(User.objects.get(username=username)))
    page.get_by_role("button", name="Continue").click()


def sign_out(page: Page, live_server: Any) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(live_server.url + "/accounts/sign-in/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Enhanced Case Management")


def app_code(typed_key: str) -> str:
    """What an authenticator app shows for a key typed into it (spaces ignored, as the apps do)."""
    key = base64.b32decode(typed_key.replace(" ", "").upper())
    totp = TOTP(key)
    totp.time = time.time()
    return f"{totp.token():06d}"


def submit_password(page: Page, username: str, password: str = TEST_PASSWORD) -> None:
    """The sign-in form's first step only (the second factor is the caller's to handle)."""
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
