"""Crawl the public site from the home page: every internal link answers 200."""

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag

import pytest
from django.core.management import call_command

from archive.models import Edition, Statement

from . import factories

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # follows every link of a site

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = [
    ROOT / "fixtures/beijing-tokyo-forum/series.json",
    ROOT / "fixtures/beijing-tokyo-forum/edition-20.json",
]
SKIPPED_PREFIXES = ("/admin/", "/static/", "/media/")
MAX_PAGES = 500


class LinkParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith("/") and not href.startswith("//"):
                self.links.append(urldefrag(href).url)


def crawl(client, start="/en/"):
    """Every internal page reachable from `start`, mapped to its status code."""
    seen, queue = {}, [start]
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen or url.startswith(SKIPPED_PREFIXES):
            continue
        response = client.get(url)
        seen[url] = response.status_code
        if response.streaming:  # a download streamed from a file (the data package):
            b"".join(response.streaming_content)  # read to the end, which closes it
        if response.status_code == 200 and "text/html" in response["Content-Type"]:
            parser = LinkParser()
            parser.feed(response.content.decode())
            queue.extend(link for link in parser.links if link not in seen)
    return seen


def build_equivalent_data():
    """Fictional data shaped like the fixtures: a series, organizers, an edition, sessions,
    appearances with and without a session, statements, sources and topics."""
    organizer = factories.OrganizationFactory()
    forum = factories.ForumFactory(alternative_names="Other Name Forum")
    forum.organizers.add(organizer)
    for number in (19, 20):
        edition = factories.EditionFactory(forum=forum, number=number)
        edition.co_organizers.add(organizer)
        source = factories.SourceFactory(url="")
        edition.sources.add(source)
        topic = factories.TopicFactory()
        edition.topics.add(topic)
        for order in range(2):
            sub_forum = factories.SubForumFactory(edition=edition, order=order)
            sub_forum.topics.add(topic)
            appearance = factories.AppearanceFactory(sub_forum=sub_forum)
            factories.StatementFactory(
                appearance=appearance, source=source, kind=Statement.Kind.QUOTE
            )
        factories.StatementFactory(appearance__edition=edition, source=source)
    factories.EditionFactory(forum=forum, number=21, status=Edition.Status.DRAFT)


def assert_all_ok(pages):
    failures = {url: status for url, status in pages.items() if status != 200}
    assert failures == {}


def test_crawl_of_the_real_fixtures_finds_no_broken_link(client):
    call_command("load_edition", *map(str, FIXTURES), verbosity=0)
    pages = crawl(client)
    assert_all_ok(pages)
    edition = Edition.objects.get(forum__slug="beijing-tokyo-forum", number=20)
    assert edition.get_absolute_url() in pages
    for sub_forum in edition.sub_forums.all():
        assert sub_forum.get_absolute_url() in pages
    for appearance in edition.appearances.select_related("participant"):
        assert appearance.participant.get_absolute_url() in pages


def test_crawl_of_factory_data_finds_no_broken_link(client):
    build_equivalent_data()
    pages = crawl(client)
    assert_all_ok(pages)
    published = Edition.objects.published()
    assert {e.get_absolute_url() for e in published} <= set(pages)
    draft = Edition.objects.get(status=Edition.Status.DRAFT)
    assert draft.get_absolute_url() not in pages


def test_staff_crawl_reaches_drafts_and_finds_no_broken_link(staff_client):
    build_equivalent_data()
    pages = crawl(staff_client)
    assert_all_ok(pages)
    draft = Edition.objects.get(status=Edition.Status.DRAFT)
    assert draft.get_absolute_url() in pages
