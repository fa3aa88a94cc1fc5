"""The home page and a forum series' page (archive/views/home.py, archive/views/forums.py):
what the archive is, its totals (drafts counted only for staff), the search box, the timeline
shared by both pages, and a fixed number of queries."""

import datetime
import re

import pytest
from django.utils import translation

from archive.models import Edition

from . import factories
from .builders import HOSTILE, make_archive

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "zh-hans", "ja"]


def text_of(html, css_class, tag="ul"):
    """The visible text of the first `<tag class="css_class">` element, tags removed and
    whitespace collapsed."""
    block = re.search(rf'<{tag} class="{css_class}">(.*?)</{tag}>', html, re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", " ", block).split())


@pytest.fixture
def archive():
    """make_archive() (one published edition with two people, one draft with one) plus a
    statement at each, and a second forum whose only edition is a draft."""
    records = make_archive(hostile=True)
    published = records["edition"].appearances.get(participant__slug="aiko-example")
    factories.StatementFactory(appearance=published)
    factories.StatementFactory(appearance=published)
    factories.StatementFactory(appearance=records["draft"].appearances.get())
    hidden_forum = factories.ForumFactory(name="Zzdraft Series", slug="zzdraft-series")
    factories.AppearanceFactory(
        edition=factories.EditionFactory(forum=hidden_forum, status=Edition.Status.DRAFT)
    )
    return {**records, "hidden_forum": hidden_forum}


# What the totals say, per language: (visitor, staff). The visitor sees the published edition,
# its two people and their two statements; staff also the draft edition of Example Forum, the
# draft-only forum's edition, their two people and the draft's statement.
TOTALS = {
    "en": ("1 edition 2 participants 2 statements", "3 editions 4 participants 3 statements"),
    "zh-hans": ("共 1 届 2 位参会者 2 条发言", "共 3 届 4 位参会者 3 条发言"),
    "ja": ("開催 1 回 参加者 2 人 発言 2 件", "開催 3 回 参加者 4 人 発言 3 件"),
}
HEADINGS = {
    "en": "The record of the Example Forum",
    "zh-hans": '<span lang="en">Example Forum</span>记录',
    "ja": '<span lang="en">Example Forum</span>の記録',
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_says_what_the_archive_is_and_counts_only_what_a_visitor_may_see(
    client, archive, language
):
    html = client.get(f"/{language}/").content.decode()
    assert re.search(r'<h1 id="intro-heading">(.*?)</h1>', html).group(1) == HEADINGS[language]
    assert text_of(html, "totals") == TOTALS[language][0]
    assert "Zzdraft Series" not in html
    assert "Draft theme" not in html
    assert HOSTILE not in html  # the published edition's hostile theme is escaped


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_counts_drafts_for_staff_and_marks_the_draft_forum(staff_client, archive, language):
    html = staff_client.get(f"/{language}/").content.decode()
    assert text_of(html, "totals") == TOTALS[language][1]
    # Two forums now: the heading counts series, and the draft-only one carries its badge.
    heading = re.search(r'<h1 id="intro-heading">(.*?)</h1>', html).group(1)
    assert (
        heading
        == {
            "en": "The record of 2 forum series",
            "zh-hans": "2个论坛系列的记录",
            "ja": "2つのフォーラムシリーズの記録",
        }[language]
    )
    draft_badge = {"en": "Draft", "zh-hans": "草稿", "ja": "下書き"}[language]
    assert (
        f'<a href="/{language}/forums/zzdraft-series/">Zzdraft Series</a> '
        f'<span class="badge badge--draft">{draft_badge}</span>'
    ) in html.replace('<span lang="en">Zzdraft Series</span>', "Zzdraft Series")


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_has_a_labelled_search_box_that_searches(client, archive, language):
    html = client.get(f"/{language}/").content.decode()
    form = re.search(r'<form class="search-form search-form--home"(.*?)</form>', html, re.S)
    assert form is not None
    assert f'role="search" action="/{language}/search/" method="get"' in form.group(1)
    label = {"en": "Search the archive", "zh-hans": "搜索档案库", "ja": "アーカイブを検索"}
    assert f'<label for="home-search-q">{label[language]}</label>' in form.group(1)
    assert '<input id="home-search-q" type="search" name="q"' in form.group(1)
    # The header has no second search box on the home page.
    assert html.count('role="search"') == 1
    # What the form sends finds the published session and not the draft's.
    results = client.get(f"/{language}/search/", {"q": "Economy"}).content.decode()
    assert "/editions/example-forum-3/economy/" in results
    assert "/editions/example-forum-4/secret/" not in results


def test_home_links_each_series_heading_to_its_page(client, archive):
    html = client.get("/en/").content.decode()
    assert '<h2 id="forum-example-forum"><a href="/en/forums/example-forum/">' in html


# --- The series page --------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_series_page_shows_the_forum_its_totals_and_links(client, archive, language):
    forum = archive["forum"]
    forum.alternative_names = "EF\nThe Example Meeting"
    forum.save()
    forum.organizers.add(factories.OrganizationFactory(name="Example Organizer"))
    response = client.get(f"/{language}/forums/example-forum/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "EF" in text_of(html, "forum__aliases", tag="p")
    assert "The Example Meeting" in text_of(html, "forum__aliases", tag="p")
    assert "A fictional forum series for tests." in html
    assert "Example Organizer" in html
    assert text_of(html, "totals") == TOTALS[language][0]
    assert f'href="/{language}/editions/?forum=example-forum"' in html
    calendar = f"/{language}/forums/example-forum/calendar.ics"
    assert f'<a href="{calendar}" type="text/calendar" download>' in html
    # Breadcrumbs: home, the editions, this forum.
    crumbs = re.search(r'<nav class="breadcrumbs wrap"[^>]*>(.*?)</nav>', html, re.S).group(1)
    assert re.findall(r'href="([^"]+)"', crumbs) == [
        f"/{language}/",
        f"/{language}/editions/",
        f"/{language}/forums/example-forum/",
    ]
    # The timeline: the published edition only, as on the home page.
    assert response.context["timeline"].editions == [archive["edition"]]
    assert "Draft theme" not in html
    assert client.get(f"/{language}/editions/?forum=example-forum").status_code == 200
    assert client.get(f"/{language}/forums/example-forum/calendar.ics").status_code == 200


def test_series_page_of_a_forum_with_only_drafts_is_404_for_the_public(client, archive):
    assert client.get("/en/forums/zzdraft-series/").status_code == 404
    assert client.get("/en/forums/no-such-forum/").status_code == 404


def test_series_page_shows_drafts_to_staff_with_a_badge(staff_client, archive):
    response = staff_client.get("/en/forums/zzdraft-series/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="badge badge--draft">Draft</span></h1>' in html
    # A forum the public cannot see has no calendar to subscribe to (it would be a 404).
    assert "calendar.ics" not in html
    example = staff_client.get("/en/forums/example-forum/")
    assert example.context["timeline"].editions == [archive["edition"], archive["draft"]]
    assert text_of(example.content.decode(), "totals") == "2 editions 3 participants 3 statements"
    assert example.content.decode().count('<span class="badge badge--draft">Draft</span>') == 1


def test_series_timeline_alternates_sides_only_when_hosts_change(client):
    forum = factories.ForumFactory(slug="two-hosts")
    for number, country in enumerate(["Japan", "China", "Japan"], start=1):
        factories.AppearanceFactory(
            edition=factories.EditionFactory(
                forum=forum,
                number=number,
                country=country,
                start_date=datetime.date(2020 + number, 1, 1),
            )
        )
    one_host = factories.ForumFactory(slug="one-host")
    factories.EditionFactory(forum=one_host, number=1)
    html = client.get("/en/forums/two-hosts/").content.decode()
    assert '<ol class="timeline">' in html
    assert re.findall(r'<li class="(timeline__item[^"]*)">', html) == [
        "timeline__item host-0",
        "timeline__item host-1",
        "timeline__item host-0 is-latest",
    ]
    assert (
        '<ol class="timeline timeline--one-side">'
        in client.get("/en/forums/one-host/").content.decode()
    )


@pytest.mark.parametrize("size", [1, 5])
def test_series_page_query_count(client, django_assert_num_queries, size):
    forum = factories.ForumFactory(slug="counted")
    forum.organizers.add(factories.OrganizationFactory())
    for number in range(1, size + 1):
        appearance = factories.AppearanceFactory(
            edition=factories.EditionFactory(forum=forum, number=number)
        )
        factories.StatementFactory(appearance=appearance)
    # the forum with its count of editions, its organizers, its editions, the totals
    with django_assert_num_queries(4):
        assert client.get("/ja/forums/counted/").status_code == 200


@pytest.mark.parametrize("size", [1, 5])
def test_home_query_count_with_several_forums(client, django_assert_num_queries, size):
    for _ in range(size):
        forum = factories.ForumFactory()
        forum.organizers.add(factories.OrganizationFactory())
        factories.StatementFactory(
            appearance=factories.AppearanceFactory(edition=factories.EditionFactory(forum=forum))
        )
    # forums with their counts, their organizers, their latest editions, the totals
    with django_assert_num_queries(4):
        assert client.get("/zh-hans/").status_code == 200


@pytest.mark.parametrize("language", LANGUAGES)
def test_edition_and_session_breadcrumbs_lead_to_the_series_page(client, archive, language):
    for page in (archive["edition"], archive["session"]):
        with translation.override(language):
            address = page.get_absolute_url()
        html = client.get(address).content.decode()
        crumbs = re.search(r'<nav class="breadcrumbs wrap"[^>]*>(.*?)</nav>', html, re.S).group(1)
        assert re.findall(r'href="([^"]+)"', crumbs)[:3] == [
            f"/{language}/",
            f"/{language}/editions/",
            f"/{language}/forums/example-forum/",
        ]


def test_home_totals_are_remembered_until_the_content_changes(staff_client, archive):
    """Staff pages are never page-cached: the totals' aggregate is remembered by itself
    (archive.cache.cached_aggregate), and any change to the archive makes it count again."""
    first = staff_client.get("/en/")
    assert text_of(first.content.decode(), "totals") == TOTALS["en"][1]
    assert first.context["totals"] == staff_client.get("/en/").context["totals"]
    factories.StatementFactory(appearance=archive["edition"].appearances.first())
    html = staff_client.get("/en/").content.decode()
    assert text_of(html, "totals") == "3 editions 4 participants 4 statements"
    # A visitor's totals are their own, never the staff member's.
    staff_client.logout()
    html = staff_client.get("/en/").content.decode()
    assert text_of(html, "totals") == "1 edition 2 participants 3 statements"


@pytest.mark.parametrize("size", [1, 5])
def test_home_runs_one_query_less_once_the_totals_are_remembered(
    staff_client, django_assert_num_queries, size
):
    for number in range(1, size + 1):
        factories.StatementFactory(
            appearance=factories.AppearanceFactory(
                edition=factories.EditionFactory(forum=factories.ForumFactory(), number=number)
            )
        )
    staff_client.get("/en/")
    # the session and the user (signed in), forums, organizers, latest editions; no totals
    with django_assert_num_queries(5):
        assert staff_client.get("/en/").context["totals"]["statements"] == size
