"""The public site in a real browser: a visitor's journey (with and without JavaScript), narrow
screens, accessibility rules (axe-core) and HTML validity (the Nu HTML checker).

Needs Debian's /usr/bin/chromium and the Python `playwright` package (never `playwright
install`: no browser is downloaded), and for axe/vnu the npm dev packages from package.json
(`make test` installs them) plus `java`. Whatever is missing skips its tests with the reason.
Screenshots of every page type at 375 and 1280 px go to artifacts/screenshots/ (CI artifacts).
See docs/testing.md, "Browser, accessibility and HTML checks".
"""

import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import translation

from . import builders, helpers

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("allow_orm_beside_playwright")]

ROOT = Path(__file__).resolve().parent.parent
AXE_JS = ROOT / "node_modules/axe-core/axe.min.js"
VNU_JAR = ROOT / "node_modules/vnu-jar/build/dist/vnu.jar"
SCREENSHOTS = ROOT / "artifacts/screenshots"

# One page of each type, from the real fixtures (edition 20) and the fictional records below,
# as (URL name, arguments). Reversed at test time, so a language prefix in the URLs is followed.
EDITION_20 = {"edition_key": "beijing-tokyo-forum-20"}
PAGE_ROUTES = {
    "home": ("archive:home", {}),
    "edition-list": ("archive:edition-list", {}),
    "edition-detail": ("archive:edition-detail", EDITION_20),
    "sub-forum-detail": (
        "archive:sub-forum-detail",
        {**EDITION_20, "sub_forum": "digital-economy"},
    ),
    "participant-list": ("archive:participant-list", {}),
    "participant-detail": ("archive:participant-detail", {"slug": "gao-shaolin"}),
    "organization-list": ("archive:organization-list", {}),
    "organization-detail": ("archive:organization-detail", {"slug": "nomura-research-institute"}),
    "topic-detail": ("archive:topic-detail", {"slug": "digital-economy"}),
    "search": ("archive:search", {}),
    "open-data": ("archive:open-data", {}),
}


def url(name, **kwargs):
    """An English page's path (the journey checks English text)."""
    with translation.override("en"):
        return reverse(f"archive:{name}", kwargs=kwargs)


def page_paths():
    """Each page type's path; the search has a query and the 404 page an address under home."""
    with translation.override("en"):
        paths = {
            name: reverse(route, kwargs=kwargs) for name, (route, kwargs) in PAGE_ROUTES.items()
        }
    paths["search"] += "?q=digital"
    paths["not-found"] = paths["home"] + "no-such-page/"
    # The same templates in the other languages (lang attribute, CJK text in the layout).
    for language, name in (("zh-hans", "edition-detail"), ("ja", "home")):
        with translation.override(language):
            route, kwargs = PAGE_ROUTES[name]
            paths[f"{name}-{language}"] = reverse(route, kwargs=kwargs)
    return paths


# The participants of the real 20th edition, as the participant list orders them (by name).
EDITION_20_PARTICIPANTS = ["Fumihiko Kamio", "Gao Shaolin", "Wang Yi", "Xu Zhilong"]

# --- Browser fixtures ------------------------------------------------------------------------


@pytest.fixture
def site(live_server):
    """The live server (pytest-django; its database is flushed after each test) with data."""
    builders.build_site()
    return live_server.url


def path_and_query(page):
    parts = urlsplit(page.url)
    return parts.path, parse_qs(parts.query)


def main_nav(page):
    return page.get_by_role("navigation", name="Main")


def texts(page, selector):
    # all_inner_texts() does not wait: make sure a navigation just started has finished loading.
    page.wait_for_load_state("load")
    return [text.strip() for text in page.locator(selector).all_inner_texts()]


# --- A visitor's journey ---------------------------------------------------------------------


@helpers.requires_browser
@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_journey_from_home_to_search_works(browser, site, javascript):
    page = helpers.new_page(browser, java_script_enabled=javascript)
    page.goto(site + url("home"))
    assert page.locator("h1").inner_text() == "Forum Archive"

    # The first Tab reaches the skip link, which moves the focus to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    page.get_by_role("link", name="20th Beijing-Tokyo Forum", exact=True).click()
    assert path_and_query(page) == (url("edition-detail", **EDITION_20), {})
    assert page.locator("h1").inner_text() == "20th Beijing-Tokyo Forum"

    page.locator("main").get_by_role("link", name="Sub-forum on the digital economy").first.click()
    assert path_and_query(page) == (
        url("sub-forum-detail", **EDITION_20, sub_forum="digital-economy"),
        {},
    )
    assert page.locator("h1").inner_text() == "Sub-forum on the digital economy"

    page.locator("main").get_by_role("link", name="Gao Shaolin", exact=True).first.click()
    assert path_and_query(page) == (url("participant-detail", slug="gao-shaolin"), {})
    assert page.locator("h1").inner_text() == "Gao Shaolin"

    # A filter: participants of the Beijing-Tokyo Forum only (the fictional forum's are left out).
    main_nav(page).get_by_role("link", name="Participants").click()
    assert texts(page, ".name-list li a") == sorted(
        EDITION_20_PARTICIPANTS + ["Example Person 1", "Example Person 2", "Example Person 3"]
    )
    page.get_by_label("Forum", exact=True).select_option(label="Beijing-Tokyo Forum")
    page.get_by_role("button", name="Apply").click()
    path, query = path_and_query(page)
    assert (path, query["forum"]) == (url("participant-list"), ["beijing-tokyo-forum"])
    assert texts(page, ".name-list li a") == EDITION_20_PARTICIPANTS
    assert page.get_by_label("Forum", exact=True).input_value() == "beijing-tokyo-forum"

    # A filter on the editions list: by city.
    main_nav(page).get_by_role("link", name="Editions").click()
    page.get_by_label("City", exact=True).fill("kyoto")
    page.get_by_role("button", name="Apply").click()
    path, query = path_and_query(page)
    assert (path, query["city"]) == (url("edition-list"), ["kyoto"])
    assert texts(page, ".cards .card__title a") == ["3rd Example Forum"]

    # The header search form, then the results with the match marked.
    page.get_by_role("searchbox", name="Search the archive").fill("digital")
    with page.expect_navigation():
        page.get_by_role("searchbox", name="Search the archive").press("Enter")
    assert path_and_query(page) == (url("search"), {"q": ["digital"]})
    sub_forum_hits = texts(page, "section[aria-labelledby='group-sub_forums'] .hit > a")
    assert sub_forum_hits == ["Sub-forum on the digital economy"]
    marks = {mark.lower() for mark in texts(page, "main mark")}
    assert marks == {"digital"}
    assert page.errors == []


# --- Every page type: narrow screens, screenshots, accessibility ------------------------------


# For each "Latest" badge on the home timeline: is it narrower than half its card?
LATEST_BADGE_SHARE_JS = """
[...document.querySelectorAll('.timeline__body > .badge--latest')].map(
  (badge) => badge.offsetWidth < badge.parentElement.clientWidth / 2
)
"""


@helpers.requires_browser
def test_every_page_fits_narrow_screens_without_horizontal_scroll(browser, site):
    """At 320, 375 and 1280 px no page scrolls sideways and the home timeline's badges keep
    their size; full-page screenshots at 375 and 1280 px go to artifacts/screenshots/ for CI."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    too_wide, statuses, badge_widths, badge_widths_ja = {}, {}, {}, {}
    paths = page_paths()
    for width in (320, 375, 1280):
        page = helpers.new_page(browser, viewport={"width": width, "height": 800})
        for name, path in paths.items():
            response = page.goto(site + path)
            statuses[name] = response.status
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > width:
                too_wide[f"{name} at {width}px"] = scroll_width
            if name == "home":
                badge_widths[width] = page.evaluate(LATEST_BADGE_SHARE_JS)
            if name == "home-ja":
                badge_widths_ja[width] = page.evaluate(LATEST_BADGE_SHARE_JS)
            if width != 320:
                page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)
        page.context.close()
    assert too_wide == {}
    # The "Latest" badge is as wide as its word, not stretched across the timeline card.
    assert badge_widths == {320: [True, True], 375: [True, True], 1280: [True, True]}
    assert badge_widths_ja == {320: [True, True], 375: [True, True], 1280: [True, True]}
    assert statuses == {name: 404 if name == "not-found" else 200 for name in paths}


def format_axe_violations(found):
    lines = []
    for page_name, violations in found.items():
        for violation in violations:
            lines.append(
                f"{page_name}: [{violation['impact']}] {violation['id']}: {violation['help']}"
                f" ({violation['helpUrl']})"
            )
            for node in violation["nodes"][:5]:
                lines.append(f"    {' '.join(node['target'])}: {node['failureSummary']!r}")
    return "\n".join(lines)


@helpers.requires_browser
@helpers.requires(AXE_JS.exists(), "needs node_modules/axe-core (run `npm ci`)")
def test_every_page_has_no_serious_accessibility_violations(browser, site):
    """axe-core's WCAG 2 A/AA and best-practice rules on each page type; "serious" and
    "critical" findings fail. The context bypasses the Content-Security-Policy only so that
    axe's injected script may run; the other tests keep the CSP on."""
    page = helpers.new_page(browser, bypass_csp=True, viewport={"width": 1280, "height": 800})
    found = {}
    for name, path in page_paths().items():
        page.goto(site + path)
        page.add_script_tag(path=AXE_JS)
        results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        serious = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
        if serious:
            found[name] = serious
    page.context.close()
    assert found == {}, "axe-core found:\n" + format_axe_violations(found)


# --- HTML validity ---------------------------------------------------------------------------


@helpers.requires(
    shutil.which("java") is not None and VNU_JAR.exists(),
    "needs java (apt-get install default-jre-headless) and node_modules/vnu-jar (run `npm ci`)",
)
def test_every_page_is_valid_html(client, db, tmp_path):
    """The Nu HTML checker (one JVM for all pages) reports no error; warnings are allowed."""
    builders.build_site()
    files = {}
    # A request activates its page's language in this thread; the override puts it back after.
    with translation.override("en"):
        responses = {name: client.get(path) for name, path in page_paths().items()}
    for name, response in responses.items():
        assert response.status_code == (404 if name == "not-found" else 200), name
        files[name] = tmp_path / f"{name}.html"
        files[name].write_bytes(response.content)
    result = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout"]
        + [str(file) for file in files.values()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    names = {f"file:{file}": name for name, file in files.items()}
    errors = [
        f"{names.get(message.get('url'), message.get('url'))}:{message.get('lastLine')}: "
        f"{message['message']} {message.get('extract', '')!r}"
        for message in json.loads(result.stdout)["messages"]
        if message["type"] in ("error", "non-document-error")
    ]
    assert errors == [], "\n".join(errors)


@helpers.requires_browser
def test_a_portrait_sits_beside_the_name_at_a_sensible_size(browser, site):
    """issue 19 §2: the portrait (or the initials) was 640 px wide on every participant page."""
    widths = {}
    for width in (375, 1280):
        page = helpers.new_page(browser, viewport={"width": width, "height": 800})
        page.goto(site + url("participant-detail", slug="gao-shaolin"))
        widths[width] = page.evaluate(
            "document.querySelector('.portrait').getBoundingClientRect().width"
        )
        faces = page.evaluate(
            "[...document.querySelectorAll('.face')].map(f => f.getBoundingClientRect().width)"
        )
        page.goto(site + url("participant-list"))
        faces += page.evaluate(
            "[...document.querySelectorAll('.face')].map(f => f.getBoundingClientRect().width)"
        )
        assert faces and max(faces) <= 40, faces
        page.context.close()
    assert widths[1280] <= 240 and widths[375] <= 0.5 * 375, widths
