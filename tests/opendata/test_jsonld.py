"""schema.org JSON-LD, rendered from the context of real page responses and read back with
extruct."""

from archive.templatetags.opendata import render_script

from ..builders import HOSTILE, make_archive
from ..helpers import jsonld


def test_edition_is_an_event_in_its_series(client, db):
    make_archive()
    _, (event,) = jsonld(client, "/en/editions/example-forum-3/")
    assert event["@type"] == "Event"
    assert (event["name"], event["startDate"], event["endDate"]) == (
        "3rd Example Forum",
        "2024-12-02",
        "2024-12-03",
    )
    assert event["eventStatus"] == "https://schema.org/EventScheduled"
    assert "eventAttendanceMode" not in event
    assert event["location"]["address"] == {
        "@type": "PostalAddress",
        "addressLocality": "Tokyo",
        "addressCountry": "Japan",
    }
    assert event["superEvent"] == {
        "@type": "EventSeries",
        "name": "Example Forum",
        "url": "http://testserver/en/",
    }
    assert [o["name"] for o in event["organizer"]] == ["Example Institute"]
    assert [s["name"] for s in event["subEvent"]] == ["Economy"]
    assert [t["name"] for t in event["about"]] == ["Trade"]
    assert [p["name"] for p in event["performer"]] == ["Aiko Example"]
    assert event["attendee"] == [
        {
            "@type": "Person",
            "name": "Bo Example",
            "url": "http://testserver/en/participants/bo-example/",
            "jobTitle": "-1+1",
            "affiliation": {"@type": "Organization", "name": "Former Name Institute"},
        }
    ]


def test_sub_forum_is_an_event_under_its_edition(client, db):
    make_archive()
    _, (event,) = jsonld(client, "/en/editions/example-forum-3/economy/")
    assert (event["@type"], event["name"]) == ("Event", "Economy")
    assert event["superEvent"]["name"] == "3rd Example Forum"
    assert event["superEvent"]["url"] == "http://testserver/en/editions/example-forum-3/"


def test_participant_is_a_person_with_posts_held_then(client, db):
    make_archive()
    _, (person,) = jsonld(client, "/en/participants/aiko-example/")
    assert person["@type"] == "Person"
    assert person["jobTitle"] == ["Director"]
    assert person["affiliation"] == [
        {
            "@type": "Organization",
            "name": "Example Institute",
            "url": "http://testserver/en/organizations/ex-inst/",
        }
    ]
    assert [e["name"] for e in person["performerIn"]] == ["3rd Example Forum"]


def test_home_is_the_event_series_without_drafts(staff_client, db):
    make_archive()
    _, (graph,) = jsonld(staff_client, "/en/")
    (series,) = graph["@graph"]
    assert series["@type"] == "EventSeries"
    assert [e["name"] for e in series["subEvent"]] == ["3rd Example Forum"]


def test_draft_pages_shown_to_staff_carry_no_jsonld(staff_client, db):
    make_archive()
    html, data = jsonld(staff_client, "/en/editions/example-forum-4/")
    assert (html, data) == ("", [])


def test_hostile_text_cannot_leave_the_script_element(client, db):
    make_archive(hostile=True)
    html, (event,) = jsonld(client, "/en/editions/example-forum-3/")
    assert html.count("<") == 2  # the opening and closing script tags only
    assert "\\u003c/script\\u003e\\u003cscript\\u003e" in html
    assert event["alternateName"] == f"Working together {HOSTILE}"


def test_render_script_escapes_markup_characters():
    assert render_script({"a": "</script>&"}) == (
        '<script type="application/ld+json">{"a": "\\u003c/script\\u003e\\u0026"}</script>'
    )


def test_pages_carry_open_graph_and_twitter_meta(client, db):
    make_archive()
    html = client.get("/en/participants/aiko-example/").content.decode()
    for line in [
        '<meta property="og:title" content="Aiko Example">',
        '<meta property="og:description" content="A researcher.">',
        '<meta property="og:url" content="http://testserver/en/participants/aiko-example/">',
        '<meta property="og:type" content="profile">',
        '<meta name="twitter:card" content="summary_large_image">',
    ]:
        assert html.count(line) == 1, line


def test_open_graph_meta_escapes_hostile_text(client, db):
    make_archive(hostile=True)
    html = client.get("/en/participants/aiko-example/").content.decode()
    assert "<script>alert(1)" not in html
    assert (
        '<meta property="og:title" content="Aiko Example &lt;script&gt;alert(1)&lt;/script&gt; '
        '&quot;&gt;&lt;img src=x onerror=alert(1)&gt; &lt;/script&gt;&lt;script&gt;">'
    ) in html
