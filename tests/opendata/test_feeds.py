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
    # The term is the topic's stable key, the label its name (issue 18 §4).
    assert [(tag.term, tag.label) for tag in entry.tags] == [("trade", "Trade")]


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
    assert entry.tags[0].label == f"Trade {HOSTILE}"


def test_feed_is_linked_from_every_page(client, db):
    make_archive()
    html = client.get("/en/").content.decode()
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Editions (Atom feed)" '
        'href="/en/feeds/editions/">'
    ) in html


def test_summaries_are_text_so_stored_markup_never_comes_alive_in_a_reader(client, db):
    """feedparser sanitises html summaries and would hide the danger: read the XML itself."""
    from xml.etree import ElementTree

    make_archive(hostile=True)
    root = ElementTree.fromstring(client.get("/en/feeds/editions/").content)
    atom = "{http://www.w3.org/2005/Atom}"
    (summary,) = root.iter(f"{atom}summary")
    assert summary.get("type") == "text"
    assert HOSTILE in summary.text  # the raw characters, to be shown as text, "<" kept


def test_published_is_when_the_edition_went_public_and_updated_its_last_change(client, db):
    import datetime

    edition = make_archive()["edition"]
    (entry,) = parse(client).entries
    published = datetime.datetime(*entry.published_parsed[:6], tzinfo=datetime.UTC)
    assert edition.published_at is not None
    assert abs(published - edition.published_at) < datetime.timedelta(seconds=1)
    assert edition.start_date.isoformat() not in entry.published  # not the meeting's date


def test_the_feed_answers_a_conditional_request_with_304(client, db):
    make_archive()
    first = client.get("/en/feeds/editions/")
    assert "Last-Modified" in first
    again = client.get("/en/feeds/editions/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 304


def test_an_entry_in_english_on_a_japanese_feed_says_so(client, db):
    """issue 17: English content on a zh/ja output is marked as English (Atom xml:lang)."""
    from xml.etree import ElementTree

    make_archive()  # English texts only: the Japanese feed shows them as they are
    root = ElementTree.fromstring(client.get("/ja/feeds/editions/").content)
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert root.get(lang) == "ja"
    (entry,) = root.iter("{http://www.w3.org/2005/Atom}entry")
    assert entry.get(lang) == "en"
