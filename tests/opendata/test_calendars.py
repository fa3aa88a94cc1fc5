"""iCalendar files, read back with icalendar's own parser."""

import datetime

import pytest
from icalendar import Calendar

from archive.models import Appearance, Participant, Topic

from .. import factories
from ..builders import HOSTILE, make_archive


def events(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    return calendar.walk("VEVENT")


def test_edition_calendar_is_one_all_day_event(client, db):
    make_archive()
    (event,) = events(client.get("/en/editions/example-forum-3/calendar.ics"))
    assert event["UID"] == "edition-example-forum-3@forumarchive"
    assert event.decoded("DTSTART") == datetime.date(2024, 12, 2)
    assert event["DTSTART"].params["VALUE"] == "DATE"
    assert event.decoded("DTEND") == datetime.date(2024, 12, 4)  # exclusive: last day + 1
    assert str(event["SUMMARY"]) == "3rd Example Forum"
    assert str(event["DESCRIPTION"]) == "Working together"
    assert str(event["LOCATION"]) == "Example Hall, Tokyo, Japan"
    assert str(event["URL"]) == "http://testserver/en/editions/example-forum-3/"


def test_edition_calendar_stamp_is_the_last_change(client, db):
    edition = make_archive()["edition"]
    (event,) = events(client.get("/en/editions/example-forum-3/calendar.ics"))
    assert event.decoded("DTSTAMP") == edition.updated_at.replace(microsecond=0)


def test_series_and_archive_calendars_list_published_editions_only(client, db):
    make_archive()
    for url in ["/en/forums/example-forum/calendar.ics", "/en/calendar.ics"]:
        assert [str(e["UID"]) for e in events(client.get(url))] == [
            "edition-example-forum-3@forumarchive"
        ], url


def test_draft_edition_calendar_is_not_found_even_for_staff(staff_client, db):
    make_archive()
    assert staff_client.get("/en/editions/example-forum-4/calendar.ics").status_code == 404


def test_calendar_keeps_hostile_text_as_text(client, db):
    make_archive(hostile=True)
    (event,) = events(client.get("/en/editions/example-forum-3/calendar.ics"))
    assert str(event["DESCRIPTION"]) == f"Working together {HOSTILE}"
    assert str(event["LOCATION"]) == f"Example Hall {HOSTILE}, Tokyo {HOSTILE}, Japan"


@pytest.mark.parametrize("method", ["post", "delete"])
def test_calendar_refuses_writes(client, db, method):
    make_archive()
    response = getattr(client, method)("/en/editions/example-forum-3/calendar.ics")
    assert response.status_code == 405


def test_calendar_is_cacheable(client, db):
    make_archive()
    response = client.get("/en/calendar.ics")
    assert response["Cache-Control"] == "public, max-age=3600"


def test_each_language_has_its_own_uids_so_two_subscriptions_never_fight(client, db):
    """issue 18 §6: the same UID with a different SUMMARY per language made calendars that
    subscribed to two languages overwrite one event with the other."""
    import icalendar

    make_archive()
    summaries = {}
    for language in ("en", "zh-hans", "ja"):
        response = client.get(f"/{language}/editions/example-forum-3/calendar.ics")
        calendar = icalendar.Calendar.from_ical(response.content)
        (event,) = calendar.walk("VEVENT")
        summaries[str(event["uid"])] = str(event["summary"])
        assert str(calendar["name"]) == str(calendar["x-wr-calname"])
        assert calendar["refresh-interval"].to_ical() == b"PT12H"
        assert calendar["x-published-ttl"].to_ical() == b"PT12H"
    assert list(summaries) == [
        "edition-example-forum-3@forumarchive",  # English keeps the UID it always had
        "edition-example-forum-3-zh-hans@forumarchive",
        "edition-example-forum-3-ja@forumarchive",
    ]
    assert len(set(summaries.values())) == 3


def test_english_text_in_a_japanese_calendar_carries_its_language(client, db):
    """issue 17: iCalendar's LANGUAGE= parameter on text shown in English for want of a
    translation; none where the text is in the calendar's language."""
    make_archive()
    (event,) = events(client.get("/ja/editions/example-forum-3/calendar.ics"))
    assert event["DESCRIPTION"].params.get("LANGUAGE") == "en"  # the theme, untranslated
    (english,) = events(client.get("/en/editions/example-forum-3/calendar.ics"))
    assert "LANGUAGE" not in english["DESCRIPTION"].params


# --- per participant and per topic (issue 18 §6) ---------------------------------------------


def vobject_events(response):
    """The same file read by a second, independent parser."""
    import vobject

    calendar = vobject.readOne(response.content.decode())
    return {event.uid.value: event for event in calendar.vevent_list}


def _dated_session(data):
    session = data["session"]
    session.date, session.start_time = session.edition.start_date, datetime.time(9, 30)
    session.save()
    return session


@pytest.mark.parametrize("language", ["en", "zh-hans", "ja"])
@pytest.mark.parametrize(
    "path", ["participants/aiko-example/calendar.ics", "topics/trade/calendar.ics"]
)
def test_participant_and_topic_calendars_hold_the_same_events_as_the_edition_calendar(
    client, db, language, path
):
    _dated_session(make_archive())
    suffix = "" if language == "en" else f"-{language}"
    edition_file = client.get(f"/{language}/editions/example-forum-3/calendar.ics")
    response = client.get(f"/{language}/{path}")
    expected = {str(e["UID"]): e.to_ical() for e in events(edition_file)}
    found = {str(e["UID"]): e.to_ical() for e in events(response)}
    assert list(found) == [
        f"edition-example-forum-3{suffix}@forumarchive",
        f"session-example-forum-3-economy{suffix}@forumarchive",
    ]
    assert found == expected  # same UID, same text, byte for byte
    assert set(vobject_events(response)) == set(found)
    calendar = Calendar.from_ical(response.content)
    assert calendar["refresh-interval"].to_ical() == b"PT12H"
    assert calendar["x-published-ttl"].to_ical() == b"PT12H"
    assert str(calendar["name"]) == str(calendar["x-wr-calname"])
    assert response["Access-Control-Allow-Origin"] == "*"


def test_participant_calendar_is_named_after_the_person_and_lists_editions_only_once(client, db):
    data = make_archive()
    factories.AppearanceFactory(
        participant=Participant.objects.get(slug="aiko-example"),
        edition=data["edition"],
        role=Appearance.Role.MODERATOR,
    )
    response = client.get("/en/participants/aiko-example/calendar.ics")
    assert str(Calendar.from_ical(response.content)["NAME"]) == "Aiko Example"
    assert [str(e["UID"]) for e in events(response)] == ["edition-example-forum-3@forumarchive"]


def test_topic_calendar_is_named_after_the_topic_in_the_calendars_language(client, db):
    make_archive()
    response = client.get("/en/topics/trade/calendar.ics")
    assert str(Calendar.from_ical(response.content)["NAME"]) == "Topic: Trade"
    assert 'filename="trade.ics"' in response["Content-Disposition"]


@pytest.mark.parametrize(
    "path",
    [
        "/en/participants/hidden-person/calendar.ics",  # seen only at the draft edition
        "/en/participants/no-such-person/calendar.ics",
        "/en/topics/secret-topic/calendar.ics",  # discussed only at the draft
        "/en/topics/no-such-topic/calendar.ics",
    ],
)
def test_calendars_of_draft_only_participants_and_topics_are_not_found_even_for_staff(
    staff_client, db, path
):
    data = make_archive()
    data["draft"].topics.add(factories.TopicFactory(name="Secret topic", slug="secret-topic"))
    assert staff_client.get(path).status_code == 404


def test_participant_and_topic_calendars_leave_drafts_out(client, db):
    data = make_archive()
    draft_session = data["draft"].sub_forums.get()
    draft_session.date = data["draft"].start_date
    draft_session.save()
    draft_session.topics.add(Topic.objects.get(slug="trade"))
    data["draft"].topics.add(Topic.objects.get(slug="trade"))
    factories.AppearanceFactory(
        participant=Participant.objects.get(slug="aiko-example"), sub_forum=draft_session
    )
    for path in ["/en/participants/aiko-example/calendar.ics", "/en/topics/trade/calendar.ics"]:
        response = client.get(path)
        assert b"example-forum-4" not in response.content, path
        assert b"Secret" not in response.content, path


def test_participant_and_topic_calendars_keep_hostile_text_as_text(client, db):
    data = make_archive(hostile=True)
    _dated_session(data)
    for path in ["/en/participants/aiko-example/calendar.ics", "/en/topics/trade/calendar.ics"]:
        response = client.get(path)
        by_uid = {str(e["UID"]): e for e in events(response)}
        session = by_uid["session-example-forum-3-economy@forumarchive"]
        assert str(session["SUMMARY"]) == f"Economy {HOSTILE} · 3rd Example Forum"
        parsed = vobject_events(response)
        assert parsed["edition-example-forum-3@forumarchive"].description.value == (
            f"Working together {HOSTILE}"
        )
    calendar = Calendar.from_ical(client.get("/en/participants/aiko-example/calendar.ics").content)
    assert str(calendar["NAME"]) == f"Aiko Example {HOSTILE}"


@pytest.mark.parametrize(
    ("page", "calendar"),
    [
        (
            "/{language}/editions/example-forum-3/",
            "/{language}/editions/example-forum-3/calendar.ics",
        ),
        (
            "/{language}/participants/aiko-example/",
            "/{language}/participants/aiko-example/calendar.ics",
        ),
        ("/{language}/topics/trade/", "/{language}/topics/trade/calendar.ics"),
    ],
)
@pytest.mark.parametrize("language", ["en", "zh-hans", "ja"])
def test_record_pages_link_their_calendar_to_download_and_to_subscribe(
    client, db, settings, page, calendar, language
):
    settings.ALLOWED_HOSTS = ["archive.example", "testserver"]
    make_archive()
    page, calendar = page.format(language=language), calendar.format(language=language)
    html = client.get(page, HTTP_HOST="archive.example").content.decode()
    assert f'<link rel="alternate" type="text/calendar" href="{calendar}">' in html
    assert f'<a href="{calendar}" type="text/calendar" download>' in html
    assert f'<a href="webcal://archive.example{calendar}">' in html
    assert client.get(calendar).status_code == 200


def test_the_forum_page_is_given_its_calendar_links(client, db, settings):
    settings.ALLOWED_HOSTS = ["archive.example", "testserver"]
    make_archive()
    response = client.get("/en/forums/example-forum/", HTTP_HOST="archive.example")
    assert response.context["calendar"] == {
        "path": "/en/forums/example-forum/calendar.ics",
        "webcal": "webcal://archive.example/en/forums/example-forum/calendar.ics",
    }


def test_a_staff_preview_of_a_draft_only_participant_offers_no_calendar(staff_client, db):
    make_archive()
    html = staff_client.get("/en/participants/hidden-person/").content.decode()
    assert "calendar.ics" not in html


@pytest.mark.parametrize("language", ["en", "zh-hans", "ja"])
def test_every_calendar_reads_the_same_in_icalendar_and_vobject(client, db, language):
    """Both parsers, every kind of calendar, an archive with hostile text and a dated session."""
    _dated_session(make_archive(hostile=True))
    for path in [
        "calendar.ics",
        "forums/example-forum/calendar.ics",
        "editions/example-forum-3/calendar.ics",
        "participants/aiko-example/calendar.ics",
        "topics/trade/calendar.ics",
    ]:
        response = client.get(f"/{language}/{path}")
        by_icalendar = {
            str(e["UID"]): (str(e["SUMMARY"]), str(e["LOCATION"])) for e in events(response)
        }
        by_vobject = {
            uid: (e.summary.value, e.location.value) for uid, e in vobject_events(response).items()
        }
        assert by_icalendar == by_vobject, path
        assert by_vobject, path
        assert all(HOSTILE in location for _, location in by_vobject.values()), path  # as text
