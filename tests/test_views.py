"""Public pages: every page answers, drafts stay hidden, stored text is escaped, and each page
runs a fixed number of queries whatever the data size."""

import datetime
import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from archive.models import Appearance, Edition, Statement, base
from archive.models import edition as edition_module

from . import factories

pytestmark = pytest.mark.django_db


def build_edition(people=1, forum=None, status=Edition.Status.PUBLISHED, **kwargs):
    """An edition with one session; each person appears twice, with a statement each time."""
    forum = forum or factories.ForumFactory()
    edition = factories.EditionFactory(forum=forum, status=status, **kwargs)
    sub_forum = factories.SubForumFactory(edition=edition)
    topic = factories.TopicFactory()
    sub_forum.topics.add(topic)
    edition.topics.add(topic)
    source = factories.SourceFactory(url="https://example.org/report")
    edition.sources.add(source)
    organization = factories.OrganizationFactory()
    edition.co_organizers.add(organization)
    forum.organizers.add(organization)
    for _ in range(people):
        person = factories.ParticipantFactory()
        for session in (None, sub_forum):
            appearance = factories.AppearanceFactory(
                participant=person, edition=edition, sub_forum=session, organization=organization
            )
            factories.StatementFactory(appearance=appearance, source=source)
    return edition


@pytest.fixture
def edition():
    return build_edition()


def pages(edition):
    appearance = edition.appearances.exclude(sub_forum=None).first()
    return [
        reverse("archive:home"),
        edition.forum.get_absolute_url(),
        reverse("archive:edition-list"),
        edition.get_absolute_url(),
        appearance.sub_forum.get_absolute_url(),
        reverse("archive:participant-list"),
        appearance.participant.get_absolute_url(),
        reverse("archive:organization-list"),
        appearance.organization.get_absolute_url(),
        edition.topics.get().get_absolute_url(),
        reverse("archive:search") + "?q=Person",
    ]


def test_every_page_answers_200_for_a_visitor(client, edition):
    for url in pages(edition):
        assert client.get(url).status_code == 200, url


def test_every_page_has_one_h1_a_title_a_description_and_a_canonical_link(client, edition):
    titles = set()
    for url in pages(edition):
        html = client.get(url).content.decode()
        assert html.count("<h1") == 1, url
        assert html.count('<meta name="description" content="') == 1, url
        assert html.count('<link rel="canonical" href="http://testserver/en/') == 1, url
        titles.add(html.split("<title>")[1].split("</title>")[0])
    assert len(titles) == len(pages(edition))


def test_pages_carry_no_inline_script_or_style(client, edition):
    """JSON-LD blocks are data, not code: browsers never run them and the CSP ignores them."""
    for url in pages(edition):
        html = client.get(url).content.decode()
        scripts = re.findall(r"<script[^>]*>", html)
        assert set(scripts) <= {'<script type="application/ld+json">'}, url
        assert "<style" not in html, url
        assert "style=" not in html, url


# --- Drafts -----------------------------------------------------------------------------


@pytest.fixture
def draft():
    return build_edition(status=Edition.Status.DRAFT, theme="Secret draft theme")


def test_draft_edition_is_404_for_a_visitor(client, draft):
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_draft_subforum_is_404_for_a_visitor(client, draft):
    assert client.get(draft.sub_forums.get().get_absolute_url()).status_code == 404


def test_participant_seen_only_at_a_draft_is_404_and_unlisted_for_a_visitor(client, draft):
    person = draft.appearances.first().participant
    assert client.get(person.get_absolute_url()).status_code == 404
    assert person.name not in client.get(reverse("archive:participant-list")).content.decode()


def test_draft_is_absent_from_home_list_and_search_for_a_visitor(client, draft):
    for url in ["/en/", "/en/editions/", "/en/search/?q=Secret", "/en/search/?q=fictional"]:
        html = client.get(url).content.decode()
        assert "Secret draft theme" not in html, url
        assert draft.title not in html, url


def test_draft_topic_is_404_for_a_visitor(client, draft):
    assert client.get(draft.topics.get().get_absolute_url()).status_code == 404


def test_draft_statements_are_absent_from_a_public_participants_page(client, draft):
    published = build_edition()
    person = published.appearances.first().participant
    draft_appearance = factories.AppearanceFactory(participant=person, edition=draft)
    factories.StatementFactory(appearance=draft_appearance, text="Unpublished words")
    html = client.get(person.get_absolute_url()).content.decode()
    assert "Unpublished words" not in html
    assert draft.title not in html


def test_staff_can_preview_every_draft_page(staff_client, draft):
    for url in pages(draft):
        assert staff_client.get(url).status_code == 200, url
    html = staff_client.get("/en/editions/").content.decode()
    assert "Secret draft theme" in html


# --- Content ----------------------------------------------------------------------------


def test_html_in_a_participant_name_is_escaped(client):
    edition = build_edition()
    person = edition.appearances.first().participant
    person.name = "<script>alert(1)</script>"
    person.save()
    for url in [person.get_absolute_url(), edition.get_absolute_url(), "/en/participants/"]:
        html = client.get(url).content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
        assert "<script>alert(1)</script>" not in html, url


def test_edition_page_groups_people_by_session_with_position_and_organization(client, edition):
    appearance = edition.appearances.first()
    response = client.get(edition.get_absolute_url())
    html = response.content.decode()
    assert [s["sub_forum"] for s in response.context["programme"]] == [
        None,
        edition.sub_forums.get(),
    ]
    assert "At the forum" in html
    assert f"{appearance.position}, " in html
    assert appearance.organization.name in html


def test_quote_is_a_blockquote_and_paraphrase_is_marked(client, edition):
    quote = Statement.objects.filter(appearance__edition=edition).first()
    quote.kind = Statement.Kind.QUOTE
    quote.text = "Exact words here."
    quote.save()
    html = client.get(edition.get_absolute_url()).content.decode()
    assert '<blockquote class="statement__text"><p>Exact words here.</p></blockquote>' in html
    assert html.count('<span class="badge">Paraphrase</span>') == 1


def test_source_link_only_when_the_source_has_an_address(client, edition):
    edition.sources.add(factories.SourceFactory(title="Offline report"))
    html = client.get(edition.get_absolute_url()).content.decode()
    assert "<cite>Offline report</cite>" in html
    assert '<a href="https://example.org/report" rel="nofollow noopener">' in html


def test_edition_citation_names_archive_record_sources_and_access_date(client, edition):
    html = client.get(edition.get_absolute_url()).content.decode()
    today = timezone.localdate().isoformat()
    source = edition.sources.get()
    assert (
        f"Forum Archive. “{edition.title}”. http://testserver{edition.get_absolute_url()} "
        f"Sources: {source.title}, https://example.org/report. Accessed {today}."
    ) in html
    assert f"@misc{{forumarchive:{edition.key}," in html
    assert f"  urldate = {{{today}}}" in html


def test_statement_has_an_anchor_and_its_own_citation(client, edition):
    statement = Statement.objects.filter(appearance__edition=edition).first()
    html = client.get(edition.get_absolute_url()).content.decode()
    assert f'id="statement-{statement.pk}"' in html
    assert f"@misc{{forumarchive:statement-{statement.pk}," in html
    assert f"{edition.get_absolute_url()}#statement-{statement.pk}" in html


@pytest.mark.parametrize(
    "text",
    [
        "Both sides agreed that the digital economy needs rules, and that deeper cooperation "
        "on data is the way to them.",
        "中日" * 50,  # no spaces between words
        "Supercalifragilistic" * 5,
    ],
)
def test_a_statement_citation_never_cuts_its_words(client, text):
    """The citation names the statement by kind, speaker and edition, never by a cut excerpt;
    the words themselves, whole, go in the RIS download's abstract."""
    appearance = factories.AppearanceFactory(participant__name="Ada Example")
    statement = factories.StatementFactory(appearance=appearance, text=text)
    html = client.get(appearance.edition.get_absolute_url()).content.decode()
    article = html[html.index(f'id="statement-{statement.pk}"') :]
    cite = article[article.index('class="cite__text"') : article.index("</pre>")]
    assert f"Paraphrase by Ada Example at the {appearance.edition.title}" in cite
    assert "…" not in cite
    ris = client.get(f"/en/statements/{statement.pk}/cite.ris").content.decode()
    assert f"AB  - {text}" in ris.splitlines()


def test_edition_page_pages_its_people_in_programme_order(client):
    edition = factories.EditionFactory()
    late = factories.SubForumFactory(edition=edition, order=2, title="Late", slug="late")
    early = factories.SubForumFactory(edition=edition, order=1, title="Early", slug="early")
    expected = []
    for sub_forum, count in [(None, 3), (early, 20), (late, 7)]:  # 30: one page and a bit
        for order in range(count):
            appearance = factories.AppearanceFactory(
                edition=edition, sub_forum=sub_forum, order=order
            )
            factories.StatementFactory(appearance=appearance)
            expected.append(appearance.pk)

    def shown(page):
        response = client.get(f"{edition.get_absolute_url()}?page={page}")
        sessions = response.context["programme"]
        return response, [a.pk for s in sessions for a in s["appearances"]], sessions

    first, first_rows, first_sessions = shown(1)
    second, second_rows, second_sessions = shown(2)
    assert first_rows + second_rows == expected  # no-session people first, then by session order
    assert len(first_rows) == 25
    assert [s["sub_forum"] for s in first_sessions] == [None, early, late]
    assert [s["sub_forum"] for s in second_sessions] == [late]
    html = second.content.decode()
    assert "30 appearances, in programme order." in html
    assert "Page 2 of 2" in html
    # A statement's citation points at the page that shows it.
    statement = Statement.objects.get(appearance_id=second_rows[0])
    assert f"{edition.get_absolute_url()}?page=2#statement-{statement.pk}" in html
    # A bad page number shows the nearest page with a notice, never an error.
    response, rows, _ = shown(99)
    assert response.status_code == 200 and rows == second_rows
    assert "There is no page “99”; showing page 2 of 2." in response.content.decode()


def test_session_page_pages_its_speakers(client):
    sub_forum = factories.SubForumFactory()
    speakers = [
        factories.AppearanceFactory(edition=sub_forum.edition, sub_forum=sub_forum, order=n).pk
        for n in range(27)
    ]
    first = client.get(sub_forum.get_absolute_url())
    second = client.get(f"{sub_forum.get_absolute_url()}?page=2")
    assert [a.pk for a in first.context["appearances"]] == speakers[:25]
    assert [a.pk for a in second.context["appearances"]] == speakers[25:]
    assert '<ol class="appearances" start="26">' in second.content.decode()


def test_home_timeline_shows_the_latest_editions_and_links_to_all(client, monkeypatch):
    monkeypatch.setattr(edition_module, "HOME_TIMELINE_LIMIT", 3)
    forum = factories.ForumFactory(name="Big Forum", slug="big-forum")
    editions = [build_edition(forum=forum, number=n) for n in range(1, 6)]
    build_edition(forum=forum, number=6, status=Edition.Status.DRAFT)
    response = client.get("/en/")
    html = response.content.decode()
    assert response.context["forums"][0].visible_editions == editions[2:]  # oldest first
    assert editions[1].get_absolute_url() not in html
    assert "The latest 3 editions of 5." in html
    assert '<a href="/en/editions/?forum=big-forum">All 5 editions of the Big Forum</a>' in html


def test_previous_and_next_link_only_visible_editions_of_the_same_forum(client):
    first = build_edition(number=1)
    build_edition(forum=first.forum, number=2, status=Edition.Status.DRAFT)
    third = build_edition(forum=first.forum, number=3)
    build_edition(number=2)  # another forum
    response = client.get(first.get_absolute_url())
    assert response.context["previous_edition"] is None
    assert response.context["next_edition"] == third
    assert client.get(third.get_absolute_url()).context["previous_edition"] == first


def test_home_timeline_marks_the_latest_edition_and_host_countries(client):
    first = build_edition(
        number=1, city="Tokyo", country="Japan", start_date=datetime.date(2020, 1, 1)
    )
    latest = build_edition(
        forum=first.forum,
        number=2,
        city="Beijing",
        country="China",
        start_date=datetime.date(2021, 1, 1),
    )
    html = client.get("/en/").content.decode()
    assert '<li class="timeline__item host-0">' in html
    assert '<li class="timeline__item host-1 is-latest">' in html
    assert html.count('<span class="badge badge--latest">Latest</span>') == 1
    assert latest.get_absolute_url() in html


# --- Lists, pagination ------------------------------------------------------------------


def test_pagination_keeps_the_filters(client):
    forum = factories.ForumFactory()
    factories.EditionFactory.create_batch(51, forum=forum, city="Tokyo")
    html = client.get("/en/editions/?city=Tokyo").content.decode()
    assert 'href="?city=Tokyo&amp;page=2"' in html
    page_two = client.get("/en/editions/?city=Tokyo&page=2")
    assert len(page_two.context["edition_list"]) == 1
    assert 'href="?city=Tokyo&amp;page=1"' in page_two.content.decode()


@pytest.mark.parametrize("page", ["abc", "999", "0", "-1"])
def test_bad_page_number_gives_a_normal_page_with_a_notice(client, edition, page):
    response = client.get(f"/en/editions/?page={page}")
    assert response.status_code == 200
    assert response.context["page_obj"].number == 1
    assert "There is no page" in response.content.decode()


def test_unknown_address_uses_the_custom_404_page(client, db):
    response = client.get("/en/editions/no-such-forum-1/")
    assert response.status_code == 404
    assert "There is no page at this address." in response.content.decode()


def test_500_page_renders_without_a_request():
    html = render_to_string("500.html")
    assert "<h1>Server error</h1>" in html
    assert 'href="/static/css/site.css"' in html


def test_list_counts_are_cached_until_the_content_changes(client, django_assert_num_queries):
    edition = build_edition(people=51)
    # count, page of participants, forum choices, countries with their counts, organization and
    # edition names for the name boxes
    with django_assert_num_queries(6):
        first = client.get("/en/participants/")
    assert first.context["paginator"].count == 51
    # Another page, same list: the count, the countries' counts and the names for the name
    # boxes are remembered; the page of participants and the forum choices are read.
    with django_assert_num_queries(2):
        assert client.get("/en/participants/?page=2").context["paginator"].count == 51
    factories.AppearanceFactory(edition=edition)  # one more public participant
    assert client.get("/en/participants/?page=1&x=1").context["paginator"].count == 52


# --- Query budgets ----------------------------------------------------------------------
# Each page at two data sizes with the same literal number of queries.


@pytest.mark.parametrize("size", [1, 5])
def test_home_query_count(client, django_assert_num_queries, size):
    forum = factories.ForumFactory()
    for number in range(1, size + 1):
        build_edition(forum=forum, number=number)
    # forums with their counts, their organizers, their latest editions, the totals
    with django_assert_num_queries(4):
        assert client.get("/en/").status_code == 200


@pytest.mark.parametrize("size", [1, 5])
def test_edition_list_query_count(client, django_assert_num_queries, size):
    for _ in range(size):
        build_edition()
    # count, page of editions, forum choices, topic choices, and one grouped query for the
    # counts beside forums, years, cities and countries
    with django_assert_num_queries(5):
        assert client.get("/en/editions/?city=Tokyo").status_code == 200


@pytest.mark.parametrize("size", [1, 5])
def test_edition_detail_query_count(client, django_assert_num_queries, size):
    edition = build_edition(people=size)
    # edition, co-organizers, their dated names, sources, topics, sessions, their topics, count
    # of appearances, this page of them, their organizations' dated names, their statements,
    # previous, next
    with django_assert_num_queries(13):
        assert client.get(edition.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("size", [1, 5])
def test_subforum_detail_query_count(client, django_assert_num_queries, size):
    sub_forum = build_edition(people=size).sub_forums.get()
    # sub-forum, its topics, edition sources, count of appearances, this page, their
    # organizations' dated names, statements
    with django_assert_num_queries(7):
        assert client.get(sub_forum.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("size", [1, 5])
def test_participant_list_query_count(client, django_assert_num_queries, size):
    build_edition(people=size)
    # count, page of participants, forum choices, countries with their counts, organization and
    # edition names for the name boxes
    with django_assert_num_queries(6):
        assert client.get("/en/participants/").status_code == 200


@pytest.mark.parametrize("size", [1, 5])
def test_participant_detail_query_count(client, django_assert_num_queries, size):
    person = factories.ParticipantFactory()
    for _ in range(size):
        # In a session: its link needs the session's edition and forum too.
        appearance = factories.AppearanceFactory(
            participant=person, sub_forum=factories.SubForumFactory()
        )
        factories.StatementFactory(appearance=appearance)
    # participant, appearances, their organizations' dated names, statements
    with django_assert_num_queries(4):
        assert client.get(person.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("size", [1, 5])
def test_organization_list_query_count(client, django_assert_num_queries, size):
    for _ in range(size):
        build_edition()
    # count, page of organizations, kinds and countries with their counts (one grouped query)
    with django_assert_num_queries(3):
        assert client.get("/en/organizations/").status_code == 200


@pytest.mark.parametrize("size", [1, 5])
def test_organization_detail_query_count(client, django_assert_num_queries, size):
    organization = factories.OrganizationFactory()
    for _ in range(size):
        edition = factories.EditionFactory()
        edition.co_organizers.add(organization)
        factories.AppearanceFactory(
            sub_forum=factories.SubForumFactory(edition=edition), organization=organization
        )
    # organization, its forums, its dated names, appearances, their organization's dated
    # names, co-organized editions
    with django_assert_num_queries(6):
        assert client.get(organization.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("size", [1, 5])
def test_topic_detail_query_count(client, django_assert_num_queries, size):
    topic = factories.TopicFactory()
    for _ in range(size):
        edition = factories.EditionFactory()
        edition.topics.add(topic)
        factories.SubForumFactory(edition=edition).topics.add(topic)
    with django_assert_num_queries(3):
        assert client.get(topic.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("size", [1, 5])
def test_search_query_count(client, django_assert_num_queries, size):
    for _ in range(size):
        build_edition()
    with django_assert_num_queries(5):
        assert client.get("/en/search/?q=o").status_code == 200


def test_participant_page_caps_its_appearances(client, settings, monkeypatch):
    monkeypatch.setattr(base, "CROSS_EDITION_LIMIT", 2)
    person = factories.ParticipantFactory()
    factories.AppearanceFactory.create_batch(3, participant=person)
    response = client.get(person.get_absolute_url())
    assert len(response.context["appearances"]) == 2
    assert response.context["more_appearances"] is True
    assert Appearance.objects.filter(participant=person).count() == 3
