"""What several test modules share: the repository root, running manage.py in a subprocess as a
user would, free ports, and `requires()`, the one way a test may depend on something a machine
can lack.

Skips are never silent in CI: `.ci/run` sets FORUMARCHIVE_STRICT=1, and then a missing
dependency (chromium, the source article, PostgreSQL, Redis) fails the test instead of skipping
it. A developer's machine without them still gets a skip with the reason and the fix.
"""

import contextlib
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STRICT = os.environ.get("FORUMARCHIVE_STRICT") == "1"

#: Variables a subprocess must not inherit from the test run: it chooses its own settings.
SETTINGS_VARIABLES = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE"}


def requires(available, reason):
    """A skipif mark for a missing dependency, except under FORUMARCHIVE_STRICT=1 (CI), where
    the test runs and fails loudly instead."""
    return pytest.mark.skipif(not available and not STRICT, reason=reason)


def need(available, reason):
    """requires() inside a test or fixture: skip, or fail under FORUMARCHIVE_STRICT=1."""
    if available:
        return
    if STRICT:
        pytest.fail(f"{reason} (FORUMARCHIVE_STRICT=1: CI must have it)")
    pytest.skip(reason)


def subprocess_env(drop=(), **overrides):
    """os.environ without the settings variables (and `drop`), no local.env, plus `overrides`."""
    dropped = SETTINGS_VARIABLES | set(drop)
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env["FORUMARCHIVE_ENV_FILE"] = "/nonexistent/local.env"
    env.update(overrides)
    return env


def run_manage(*args, env, cwd=ROOT, timeout=240, check=False):
    """`python manage.py <args>` in a subprocess with `env`, as an editor or deploy script runs
    it. With check=True a non-zero exit fails the test with the command's stderr."""
    result = subprocess.run(
        [sys.executable, "manage.py", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def reachable(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def on_postgresql():
    return os.environ.get("DATABASE_URL", "").startswith("postgres")


def admin_form_data(response):
    """What a browser would submit from an admin add/change page: every field of the main form
    and of each inline formset (with its management form) at its current value."""
    data = {}

    def add(form):
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            data[bound.html_name] = (
                [str(item) for item in value] if isinstance(value, list | tuple) else str(value)
            )

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


#: Debian's chromium (never `playwright install`), driven by Playwright for Python.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _has_playwright():
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:  # pragma: no cover - the dev extra installs it
        return False
    return True


requires_browser = requires(
    _has_playwright() and CHROMIUM.exists(),
    "needs the playwright Python package and Debian's /usr/bin/chromium "
    "(apt-get install chromium; never `playwright install`)",
)


def new_page(browser, **options):
    """A page in a fresh context that records what a visitor would not want: console errors
    (CSP violations and failed loads such as a missing favicon show up there), uncaught script
    errors and responses of 400 or more."""
    context = browser.new_context(**options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.errors = []

    def on_console(message):
        if message.type == "error":
            page.errors.append(f"{message.text} ({message.location['url']})")

    def on_response(response):
        if response.status >= 400 and response.url != page.url:
            page.errors.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("response", on_response)
    return page


@contextlib.contextmanager
def chromium_browser():
    """A launched chromium (one per module is enough: launching costs about a second)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    need(
        sync_playwright is not None and CHROMIUM.exists(),
        "needs the playwright package and /usr/bin/chromium",
    )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def jsonld(client, url):
    """(the rendered JSON-LD markup, its blocks read back with extruct) of a page's response:
    the `page_jsonld` tag rendered from the response's context, as the page does."""
    import extruct
    from django.template import Context, Template

    response = client.get(url)
    assert response.status_code == 200
    html = Template("{% load opendata %}{% page_jsonld %}").render(
        Context(response.context[0].flatten())
    )
    blocks = extruct.extract(f"<html><head>{html}</head></html>", syntaxes=["json-ld"])
    return html, blocks["json-ld"]
