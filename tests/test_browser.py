"""The public site in a real browser: a visitor's journey (with and without JavaScript), narrow
screens, accessibility rules (axe-core) and HTML validity (the Nu HTML checker).

Needs Debian's /usr/bin/chromium and the Python `playwright` package (never `playwright
install`: no browser is downloaded), and for axe/vnu the npm dev packages from package.json
(`make test` installs them) plus `java`. Whatever is missing skips its tests with the reason.
Screenshots of every page type at 375, 768 and 1280 px in three languages go to
artifacts/screenshots/ (CI artifacts; the path is printed when a layout check fails).
See docs/testing.md, "Browser, accessibility and HTML checks".
"""

import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from archive.models import Edition

from . import builders, factories, helpers
from .builders import build_site
from .helpers import new_page, requires_browser

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("allow_orm_beside_playwright")]

ROOT = Path(__file__).resolve().parent.parent
AXE_JS = ROOT / "node_modules/axe-core/axe.min.js"
VNU_JAR = ROOT / "node_modules/vnu-jar/build/dist/vnu.jar"
SCREENSHOTS = ROOT / "artifacts/screenshots"
requires_axe = helpers.requires(AXE_JS.exists(), "needs node_modules/axe-core (run `npm ci`)")
requires_vnu = helpers.requires(
    shutil.which("java") is not None and VNU_JAR.exists(),
    "needs java (apt-get install default-jre-headless) and node_modules/vnu-jar (run `npm ci`)",
)

# One page of each type, from the real fixtures (edition 20) and the fictional records below,
# as (URL name, arguments). Reversed at test time, so a language prefix in the URLs is followed.
EDITION_20 = {"edition_key": "beijing-tokyo-forum-20"}
PAGE_ROUTES = {
    "home": ("archive:home", {}),
    "forum-detail": ("archive:forum-detail", {"slug": "beijing-tokyo-forum"}),
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
    # Every page type in the other languages too (lang attributes, CJK text in the layout).
    for language in ("zh-hans", "ja"):
        with translation.override(language):
            for name, (route, kwargs) in PAGE_ROUTES.items():
                paths[f"{name}-{language}"] = reverse(route, kwargs=kwargs)
            paths[f"search-{language}"] += "?q=digital"
            paths[f"not-found-{language}"] = reverse("archive:home") + "no-such-page/"
    return paths


# The participants of the real 20th edition, as the participant list orders them (by name).
EDITION_20_PARTICIPANTS = ["Fumihiko Kamio", "Gao Shaolin", "Wang Yi", "Xu Zhilong"]

# --- Browser fixtures ------------------------------------------------------------------------


@pytest.fixture
def site(live_server):
    """The live server (pytest-django; its database is flushed after each test) with data."""
    builders.build_site()
    return live_server.url


def nu_errors(files):
    """The Nu HTML checker's errors ("page:line: message 'extract'") for {page name: file},
    from one JVM for all of them; warnings are allowed."""
    result = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout"]
        + [str(file) for file in files.values()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    names = {f"file:{file}": name for name, file in files.items()}
    return [
        f"{names.get(message.get('url'), message.get('url'))}:{message.get('lastLine')}: "
        f"{message['message']} {message.get('extract', '')!r}"
        for message in json.loads(result.stdout)["messages"]
        if message["type"] in ("error", "non-document-error")
    ]


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
    assert page.locator("h1").inner_text() == "The record of 2 forum series"

    # The first Tab reaches the skip link, which moves the focus to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    with page.expect_navigation():
        page.get_by_role("link", name="20th Beijing-Tokyo Forum", exact=True).click()
    assert path_and_query(page) == (url("edition-detail", **EDITION_20), {})
    assert page.locator("h1").inner_text() == "20th Beijing-Tokyo Forum"

    with page.expect_navigation():
        page.locator("main").get_by_role(
            "link", name="Sub-forum on the digital economy"
        ).first.click()
    assert path_and_query(page) == (
        url("sub-forum-detail", **EDITION_20, sub_forum="digital-economy"),
        {},
    )
    assert page.locator("h1").inner_text() == "Sub-forum on the digital economy"

    with page.expect_navigation():
        page.locator("main").get_by_role("link", name="Gao Shaolin", exact=True).first.click()
    assert path_and_query(page) == (url("participant-detail", slug="gao-shaolin"), {})
    assert page.locator("h1").inner_text() == "Gao Shaolin"

    # A filter: participants of the Beijing-Tokyo Forum only (the fictional forum's are left out).
    with page.expect_navigation():
        main_nav(page).get_by_role("link", name="Participants").click()
    assert texts(page, ".name-list li a") == sorted(
        EDITION_20_PARTICIPANTS + ["Example Person 1", "Example Person 2", "Example Person 3"]
    )
    page.get_by_label("Forum", exact=True).select_option(label="Beijing-Tokyo Forum")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply").click()
    path, query = path_and_query(page)
    assert (path, query["forum"]) == (url("participant-list"), ["beijing-tokyo-forum"])
    assert texts(page, ".name-list li a") == EDITION_20_PARTICIPANTS
    assert page.get_by_label("Forum", exact=True).input_value() == "beijing-tokyo-forum"

    # A filter on the editions list: by city.
    with page.expect_navigation():
        main_nav(page).get_by_role("link", name="Editions").click()
    page.get_by_label("City", exact=True).select_option(label="Kyoto (1)")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply").click()
    path, query = path_and_query(page)
    assert (path, query["city"]) == (url("edition-list"), ["Kyoto"])
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
    their size (the screenshots are taken by the three-width test below)."""
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
        page.context.close()
    assert too_wide == {}
    # The "Latest" badge is as wide as its word, not stretched across the timeline card.
    assert badge_widths == {320: [True, True], 375: [True, True], 1280: [True, True]}
    assert badge_widths_ja == {320: [True, True], 375: [True, True], 1280: [True, True]}
    assert statuses == {name: 404 if name.startswith("not-found") else 200 for name in paths}


def localized_paths():
    """{(page type, language): path} for every page type in every language."""
    paths = {}
    for language in LANGUAGES:
        with translation.override(language):
            for name, (route, kwargs) in PAGE_ROUTES.items():
                paths[name, language] = reverse(route, kwargs=kwargs)
        paths["search", language] += "?q=digital"
    return paths


LANGUAGES = ["en", "zh-hans", "ja"]
WIDTHS = [375, 768, 1280]

# Elements sticking out of the viewport sideways (the skip link and visually hidden labels sit
# inside it; only their height is clipped), as "tag.class" with their right edge.
WIDER_THAN_VIEWPORT_JS = """
() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  for (const element of document.body.querySelectorAll('*')) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.right > width + 1 || box.left < -1) {
      found.push(`${element.tagName.toLowerCase()}.${[...element.classList].join('.')}`
        + ` [${Math.round(box.left)}..${Math.round(box.right)}]`);
    }
  }
  return found.slice(0, 10);
}
"""

# How many rows the header's parts take: its content height over its tallest part's.
HEADER_ROWS_JS = """
() => {
  const inner = document.querySelector('.site-header__inner');
  const style = getComputedStyle(inner);
  const padding = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom);
  const height = inner.clientHeight - padding;
  const heights = [...inner.children].map((part) => part.getBoundingClientRect().height);
  const tallest = Math.max(...heights);
  return Math.round(height / tallest);
}
"""


@requires_browser
def test_every_page_type_fits_at_three_widths_in_three_languages(browser, site):
    """issue 19 §2: every public page type at 375, 768 and 1280 px in each language has no
    element wider than the viewport, and a full-page screenshot in artifacts/screenshots/
    (<page>-<language>-<width>.png); at 1280 px the header is one row (issue 19 §3)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    too_wide, header_rows, statuses = {}, {}, {}
    for width in WIDTHS:
        page = new_page(browser, viewport={"width": width, "height": 800})
        for (name, language), path in localized_paths().items():
            statuses[name, language] = page.goto(site + path).status
            sticking_out = page.evaluate(WIDER_THAN_VIEWPORT_JS)
            if sticking_out:
                too_wide[f"{name} ({language}) at {width}px"] = sticking_out
            if width == 1280:
                header_rows[name, language] = page.evaluate(HEADER_ROWS_JS)
            page.screenshot(path=SCREENSHOTS / f"{name}-{language}-{width}.png", full_page=True)
        assert page.errors == []
        page.context.close()
    where = f"screenshots in {SCREENSHOTS}"
    assert too_wide == {}, where
    assert header_rows == dict.fromkeys(header_rows, 1), where
    assert set(statuses.values()) == {200}


@requires_browser
@requires_axe
def test_home_and_series_pages_have_no_accessibility_violation_at_all(browser, site):
    """The pages issue 19 §3 changed, in three languages on a phone as well as a desktop: no
    axe-core violation of any impact."""
    found = {}
    for width in (375, 1280):
        paths = {
            f"{name}-{language}-{width}": path
            for (name, language), path in localized_paths().items()
            if name in ("home", "forum-detail")
        }
        found.update(axe_violations(browser, site, paths, width))
    assert found == {}, "axe-core found:\n" + format_axe_violations(found)


def axe_violations(browser, site, paths, width=1280):
    """{page name: axe-core's violations, of any impact} for {page name: path}. Only this
    context bypasses the Content-Security-Policy, so that axe's injected script may run."""
    page = new_page(browser, bypass_csp=True, viewport={"width": width, "height": 800})
    found = {}
    for name, path in paths.items():
        page.goto(site + path)
        page.add_script_tag(path=AXE_JS)
        results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        if results["violations"]:
            found[name] = results["violations"]
    page.context.close()
    return found


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
@requires_axe
def test_every_page_has_no_accessibility_violations(browser, site):
    """axe-core's WCAG 2 A/AA and best-practice rules on each page type in three languages: any
    finding fails, whatever its impact. The context bypasses the Content-Security-Policy only
    so that axe's injected script may run; the other tests keep the CSP on."""
    found = axe_violations(browser, site, page_paths())
    assert found == {}, "axe-core found:\n" + format_axe_violations(found)


# --- HTML validity ---------------------------------------------------------------------------


@requires_vnu
def test_every_page_is_valid_html(client, db, tmp_path):
    """The Nu HTML checker (one JVM for all pages) reports no error; warnings are allowed."""
    builders.build_site()
    files = {}
    # A request activates its page's language in this thread; the override puts it back after.
    with translation.override("en"):
        responses = {name: client.get(path) for name, path in page_paths().items()}
    for name, response in responses.items():
        assert response.status_code == (404 if name.startswith("not-found") else 200), name
        files[name] = tmp_path / f"{name}.html"
        files[name].write_bytes(response.content)
    errors = nu_errors(files)
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


# --- Filters for people (issue 19 §1) ---------------------------------------------------------

LANGUAGES = ("en", "zh-hans", "ja")


def localized(language, name, **kwargs):
    with translation.override(language):
        return reverse(f"archive:{name}", kwargs=kwargs)


def filter_states():
    """The list pages with filters in use and with filters in error, in three languages."""
    states = {}
    for language in LANGUAGES:
        editions = localized(language, "edition-list")
        people = localized(language, "participant-list")
        organizations = localized(language, "organization-list")
        states |= {
            f"editions-errors-{language}": editions + "?year=abc&city=Atlantis&forum=nope",
            f"editions-chips-{language}": editions + "?year_from=2021&country=Japan",
            f"participants-errors-{language}": people + "?organization=Institute&number=abc",
            f"participants-chips-{language}": people
            + "?organization=nomura-research-institute&edition=beijing-tokyo-forum-20",
            f"organizations-errors-{language}": organizations + "?kind=secret&country=Japan",
        }
    return states


@requires_browser
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("width", [375, 1280])
def test_a_visitor_filters_people_by_names_and_removes_a_chip(browser, site, language, width):
    """By an organization's name ("Nomura") and an edition's number ("20"), typed, without
    JavaScript: the address then carries the keys, the boxes show the names, and a chip
    removes one filter and keeps the other."""
    page = new_page(browser, java_script_enabled=False, viewport={"width": width, "height": 800})
    people = localized(language, "participant-list")
    page.goto(site + people)
    page.locator("#id_organization").fill("Nomura")
    page.locator("#id_edition").fill("20")
    with page.expect_navigation():
        page.locator(".filters button[type=submit]").click()
    path, query = path_and_query(page)
    assert (path, query) == (
        people,
        {"organization": ["nomura-research-institute"], "edition": ["beijing-tokyo-forum-20"]},
    )
    assert texts(page, ".name-list li a") == ["Fumihiko Kamio"]
    assert page.locator("#id_organization").input_value() == "Nomura Research Institute"
    titles = {"en": "20th Beijing-Tokyo Forum", "zh-hans": "第20届", "ja": "第20回"}
    assert page.locator("#id_edition").input_value().startswith(titles[language])
    assert page.locator(".chip").count() == 2
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=SCREENSHOTS / f"participants-chips-{language}-{width}.png", full_page=True)

    # The organization's chip: its name for screen readers starts with "Remove filter".
    chip = page.locator(".chip").first
    remove = {"en": "Remove filter", "zh-hans": "移除筛选条件", "ja": "条件を外す"}[language]
    assert chip.evaluate("a => a.textContent").startswith(remove)
    with page.expect_navigation():
        chip.click()
    path, query = path_and_query(page)
    assert (path, query) == (people, {"edition": ["beijing-tokyo-forum-20"]})
    assert texts(page, ".name-list li a") == EDITION_20_PARTICIPANTS
    assert page.locator(".chip").count() == 1
    assert scroll_width <= width
    assert page.errors == []
    page.context.close()


@requires_browser
def test_editions_are_filtered_by_a_number_typed_in_every_language(browser, site):
    """An edition's number typed in the participants' edition box (with JavaScript this time)
    and a year chosen on the editions list, at a phone's width."""
    page = new_page(browser, viewport={"width": 375, "height": 800})
    for language in LANGUAGES:
        page.goto(site + localized(language, "participant-list"))
        page.locator("#id_edition").fill("2")  # the Example Forum's 2nd edition
        with page.expect_navigation():
            page.locator(".filters button[type=submit]").click()
        assert path_and_query(page)[1] == {"edition": ["example-forum-2"]}
        assert texts(page, ".name-list li a") == ["Example Person 2"]
        page.goto(site + localized(language, "edition-list"))
        page.locator("#id_year").select_option(index=1)
        with page.expect_navigation():
            page.locator(".filters button[type=submit]").click()
        assert list(path_and_query(page)[1]) == ["year"]
        assert page.locator(".chip").count() == 1
    assert page.errors == []
    page.context.close()


@requires_browser
@requires_axe
def test_filtered_lists_and_their_errors_have_no_accessibility_violations(browser, site):
    """axe-core on the lists with filters in use and in error, in three languages: no
    violation of any impact."""
    found = axe_violations(browser, site, filter_states())
    assert found == {}, "axe-core found:\n" + format_axe_violations(found)


@requires_vnu
def test_filtered_lists_and_their_errors_are_valid_html(client, db, tmp_path):
    """The Nu HTML checker on the same pages: no error (`<input type=number value="abc">`
    was one)."""
    build_site()
    files = {}
    for name, path in filter_states().items():
        response = client.get(path)
        assert response.status_code == 200, name
        assert b'aria-invalid="true"' in response.content or "chips" in name, name
        files[name] = tmp_path / f"{name}.html"
        files[name].write_bytes(response.content)
    errors = nu_errors(files)
    assert errors == [], "\n".join(errors)


SERIES_JOURNEY = {
    # language: (the series heading's link, the series page's h1, the home search box's label)
    "en": ("Beijing-Tokyo Forum", "Beijing-Tokyo Forum", "Search the archive"),
    "zh-hans": ("Beijing-Tokyo Forum", "Beijing-Tokyo Forum", "搜索档案库"),
    "ja": ("Beijing-Tokyo Forum", "Beijing-Tokyo Forum", "アーカイブを検索"),
}


@requires_browser
@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("language", LANGUAGES)
def test_home_leads_to_the_series_page_and_searches_from_its_box(browser, site, language, width):
    """issue 19 §3: from the home page's series heading to the series page and back to an
    edition; the home page's own search box sends the visitor to the results."""
    link, heading, label = SERIES_JOURNEY[language]
    with translation.override(language):
        home, series = (
            reverse("archive:home"),
            reverse("archive:forum-detail", args=["example-forum"]),
        )
        search = reverse("archive:search")
    page = new_page(browser, viewport={"width": width, "height": 800})
    page.goto(site + home)
    # What the archive is, its totals and the search box are above the fold.
    for selector in ("h1", ".intro .lead", ".totals", "#home-search-q"):
        assert page.locator(selector).bounding_box()["y"] < 800, selector
    with page.expect_navigation():
        page.locator("main h2").get_by_role("link", name="Example Forum", exact=True).click()
    assert path_and_query(page) == (series, {})
    assert page.locator("h1").inner_text() == "Example Forum"
    # The whole timeline, oldest first, the draft left out; host countries alternate sides.
    assert page.locator(".timeline__item").count() == 3
    assert page.locator(".timeline-legend li").count() == 2
    page.goto(site + home)
    with page.expect_navigation():
        page.locator("main h2").get_by_role("link", name=link, exact=True).click()
    assert page.locator("h1").inner_text() == heading
    page.goto(site + home)
    page.get_by_role("searchbox", name=label).fill("digital")
    with page.expect_navigation():
        page.get_by_role("searchbox", name=label).press("Enter")
    assert path_and_query(page) == (search, {"q": ["digital"]})
    page.context.close()


# --- A visitor reads a programme and searches (issue 19, "Done when") -------------------------


@requires_browser
@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_visitor_reads_a_programme_by_day_and_searches_whole_words_and_typos(
    browser, site, language, width
):
    import datetime

    edition = Edition.objects.get(forum__slug="example-forum", number=1)
    day_one, day_two = edition.start_date, edition.start_date + datetime.timedelta(days=1)
    # Listed first in programme order, but it is on the second day.
    factories.SubForumFactory(
        edition=edition,
        title="Closing panel",
        slug="closing",
        order=0,
        date=day_two,
        start_time=datetime.time(14, 0),
    )
    factories.SubForumFactory(
        edition=edition,
        title="Opening plenary",
        slug="opening",
        order=8,
        date=day_one,
        start_time=datetime.time(9, 30),
    )
    with translation.override(language):
        edition_path = edition.get_absolute_url()
        search = reverse("archive:search")
    page = new_page(browser, viewport={"width": width, "height": 800})

    # The programme: a heading per day, in date order, each day's sessions by time, and the
    # sessions without a recorded date after them.
    page.goto(site + edition_path)
    days = page.locator(".programme-day")
    assert days.count() == 3
    assert days.nth(0).locator("time").first.get_attribute("datetime") == day_one.isoformat()
    assert days.nth(1).locator("time").first.get_attribute("datetime") == day_two.isoformat()

    def sessions_of(day):
        return days.nth(day).locator("xpath=following-sibling::ol[1]").inner_text()

    assert "Opening plenary" in sessions_of(0) and "Closing panel" not in sessions_of(0)
    assert "Closing panel" in sessions_of(1)
    assert "Example session 1" in sessions_of(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # "AI" finds the word AI, never the letters inside "sustainable", "chains" or "Daily".
    page.goto(f"{site}{search}?q=AI")
    marks = texts(page, "main mark")
    assert marks and {mark.lower() for mark in marks} == {"ai"}, marks
    results = page.locator("main .hits").all_inner_texts()
    assert not any("Daily" in text for text in results), results

    # A misspelt word finds what the archive spells right, on SQLite as on PostgreSQL.
    # (SQLite answers with "did you mean" and marks "digital"; PostgreSQL's trigram similarity
    # finds the records directly, with nothing to mark for the misspelt word.)
    page.goto(f"{site}{search}?q=digitl")
    hits = texts(page, "main .hit")
    assert hits and all("digital" in hit.lower() for hit in hits), hits
    if connection.vendor == "sqlite":
        marks = texts(page, "main mark")
        assert marks and all(mark.lower().startswith("digital") for mark in marks), marks
    assert not page.errors, page.errors
    page.context.close()
