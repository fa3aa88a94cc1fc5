"""iCalendar files, read back with icalendar's own parser."""

import datetime

import pytest
from icalendar import Calendar

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
