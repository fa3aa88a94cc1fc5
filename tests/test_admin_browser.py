"""The editors' admin in a real browser, as an Editors-group user: every archive model's change
form fits 1280 and 1024 px without sideways scrolling (the page, and no inline table scrolling
inside its box), with real data (edition 20 from the shipped fixtures) and no script errors (the
site's CSP forbids inline scripts). Screenshots for the editors' guide go to docs/img/.

Uses the browser fixtures of tests/conftest.py."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from archive.models import (
    Appearance,
    Edition,
    Forum,
    Organization,
    OrganizationName,
    Participant,
    Source,
    Statement,
    SubForum,
    Topic,
)

from . import builders, factories, helpers

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("allow_orm_beside_playwright")]

ROOT = Path(__file__).resolve().parent.parent
DOCS_IMG = ROOT / "docs" / "img"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"

#: What scrolls sideways: the page itself, or any box inside it (Django's tabular inlines scroll
#: inside their own box rather than widening the page).
OVERFLOW_JS = """() => {
  const out = [];
  if (document.documentElement.scrollWidth > window.innerWidth) {
    out.push(`page ${document.documentElement.scrollWidth} > ${window.innerWidth}`);
  }
  for (const el of document.querySelectorAll('#content *')) {
    if (['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName)) continue;  // long values scroll
    if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0
        && ['auto', 'scroll'].includes(getComputedStyle(el).overflowX)) {
      out.push(`${el.tagName.toLowerCase()}.${el.className} ${el.scrollWidth} > ${el.clientWidth}`);
    }
  }
  return out;
}"""


def richest_edition():
    return max(Edition.objects.all(), key=lambda e: e.appearances.count())


def change_forms():
    """One record of every archive model, the fullest where it matters."""
    edition = richest_edition()
    appearance = max(Appearance.objects.filter(edition=edition), key=lambda a: a.statements.count())
    organization = Organization.objects.filter(appearances__isnull=False).first()
    name = OrganizationName.objects.first() or OrganizationName.objects.create(
        organization=organization, name="Its former name", valid_until="2010-12-31"
    )
    records = [
        edition,
        SubForum.objects.filter(edition=edition).first(),
        appearance,
        appearance.participant,
        Statement.objects.filter(appearance=appearance).first() or Statement.objects.first(),
        organization,
        name,
        Forum.objects.get(slug="beijing-tokyo-forum"),
        Topic.objects.first(),
        Source.objects.first(),
    ]
    return {
        type(obj).__name__: reverse(f"admin:archive_{obj._meta.model_name}_change", args=[obj.pk])
        for obj in records
    }


@pytest.fixture
def editor_session(live_server):
    builders.build_site()
    # The live server's database is flushed after each test, the migration's group with it.
    group, _ = Group.objects.get_or_create(name="Editors")
    group.permissions.set(Permission.objects.filter(content_type__app_label="archive"))
    client = Client()
    client.force_login(factories.EditorFactory(username="editor-b"))
    return live_server.url, client.cookies["sessionid"].value


def signed_in_page(browser, live_url, session, width):
    page = helpers.new_page(browser, viewport={"width": width, "height": 900})
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_url}])
    return page


@helpers.requires_browser
def test_every_change_form_fits_1280_and_1024_px_as_an_editor(browser, editor_session):
    live_url, session = editor_session
    forms = change_forms()
    assert set(forms) == {
        "Edition",
        "SubForum",
        "Appearance",
        "Participant",
        "Statement",
        "Organization",
        "OrganizationName",
        "Forum",
        "Topic",
        "Source",
    }
    too_wide, errors = {}, {}
    for width in (1280, 1024):
        page = signed_in_page(browser, live_url, session, width)
        for name, path in forms.items():
            response = page.goto(live_url + path)
            assert response.status == 200, (name, path)
            assert page.locator("#content form").count() >= 1, name
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=SCREENSHOTS / f"admin-{name}-{width}.png", full_page=True)
            overflow = page.evaluate(OVERFLOW_JS)
            if overflow:
                too_wide[f"{name} at {width}px"] = overflow
        errors[width] = page.errors
        page.context.close()
    assert too_wide == {}
    assert errors == {1280: [], 1024: []}


@helpers.requires_browser
def test_appearance_sub_forum_choices_follow_the_chosen_edition(browser, editor_session):
    live_url, session = editor_session
    page = signed_in_page(browser, live_url, session, 1280)
    page.goto(live_url + reverse("admin:archive_appearance_add"))
    page.wait_for_selector("#id_sub_forum[data-follows-edition]", state="attached")

    page.locator("#id_edition + .select2").click()
    page.locator(".select2-search__field").fill("2nd Example")
    page.locator(".select2-results__option", has_text="2nd Example Forum").click()
    # Under load the results list can be redrawn while typing, and a click can land on a
    # stale row: go on only once the edition is really chosen.
    page.wait_for_function("document.getElementById('id_edition').value !== ''")
    page.locator("#id_sub_forum + .select2").click()
    page.wait_for_selector(".select2-results__option:not(.loading-results)")
    offered = [t.strip() for t in page.locator(".select2-results__option").all_inner_texts()]

    assert offered == ["Example session 2 — 2nd Example Forum"]
    assert page.errors == []
    page.context.close()


def _edit_as(client, obj, **changes):
    url = reverse(f"admin:archive_{obj._meta.model_name}_change", args=[obj.pk])
    data = helpers.admin_form_data(client.get(url))
    data.update(changes)
    assert client.post(url, data).status_code == 302


@helpers.requires_browser
def test_screenshots_of_history_compare_and_restore_for_the_editors_guide(browser, editor_session):
    """docs/img/: what docs/editors.md shows. Taken at 1280 px, the visible part only."""
    live_url, session = editor_session
    client = Client()
    client.cookies["sessionid"] = session
    participant = Participant.objects.get(slug="gao-shaolin")
    _edit_as(client, participant, country_en="People's Republic of China")
    _edit_as(client, participant, native_name="高绍林")
    history_url = reverse("admin:archive_participant_history", args=[participant.pk])
    page = signed_in_page(browser, live_url, session, 1280)
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    shots = {
        "admin-edition-form.png": reverse(
            "admin:archive_edition_change", args=[richest_edition().pk]
        ),
        "admin-history.png": history_url,
    }
    for name, path in shots.items():
        page.goto(live_url + path)
        page.screenshot(path=DOCS_IMG / name)
    page.goto(live_url + history_url)
    radios = page.locator('input[name="old"]')
    radios.nth(radios.count() - 1).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Compare").click()
    assert "Compare versions" in page.title()
    page.screenshot(path=DOCS_IMG / "admin-compare.png")
    with page.expect_navigation():
        page.get_by_role("link", name="Restore the older version").click()
    page.screenshot(path=DOCS_IMG / "admin-restore.png")
    with page.expect_navigation():
        page.get_by_role("button", name="Restore this version").click()
    assert "is back as it was on" in page.locator(".messagelist").inner_text()
    participant.refresh_from_db()
    assert participant.native_name == "" and participant.country != "People's Republic of China"
    assert page.errors == []
    page.context.close()
