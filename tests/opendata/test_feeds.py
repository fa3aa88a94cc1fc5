"""The Atom feed of editions, read back with feedparser."""

import feedparser

from ..builders import HOSTILE, make_archive


def parse(client):
    response = client.get("/en/feeds/editions/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    return feed


def test_feed_lists_published_editions_only(client, db):
    make_archive()
    feed = parse(client)
    assert feed.version == "atom10"
    assert [entry.title for entry in feed.entries] == ["3rd Example Forum"]
    (entry,) = feed.entries
    assert entry.link == "http://testserver/en/editions/example-forum-3/"
    assert entry.id == "tag:forumarchive,2024:edition-example-forum-3"
    assert [tag.term for tag in entry.tags] == ["Trade"]


def test_feed_entry_says_theme_place_and_dates(client, db):
    make_archive()
    (entry,) = parse(client).entries
    assert entry.summary == (
        "Working together\n\nA fictional meeting.\n\nExample Hall, Tokyo, Japan · 2–3 December 2024"
    )


def test_feed_escapes_hostile_text(client, db):
    make_archive(hostile=True)
    response = client.get("/en/feeds/editions/")
    assert b"<script>" not in response.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in response.content
    (entry,) = parse(client).entries
    assert entry.tags[0].term == f"Trade {HOSTILE}"


def test_feed_is_linked_from_every_page(client, db):
    make_archive()
    html = client.get("/en/").content.decode()
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Editions (Atom feed)" '
        'href="/en/feeds/editions/">'
    ) in html
