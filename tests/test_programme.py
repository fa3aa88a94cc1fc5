"""What real programmes hold (issue 15 §3): session dates, times and rooms, real-programme roles
and how a contribution was delivered, on every page in three languages, in the API, the iCal
file, the JSON-LD, the CSV and the loader; with model validation and database constraints."""

import datetime
import importlib
import json

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from archive.models import Appearance, SubForum
from archive.services import FixtureError, load_edition

from . import factories
from .helpers import jsonld

pytestmark = pytest.mark.django_db

DAY_TWO = datetime.date(2024, 12, 3)


@pytest.fixture
def programme():
    edition = factories.EditionFactory(
        forum=factories.ForumFactory(name="Example Forum", slug="example-forum"),
        number=3,
        venue="Example Hall",
        start_date=datetime.date(2024, 12, 2),
        end_date=DAY_TWO,
    )
    timed = factories.SubForumFactory(
        edition=edition,
        title="Opening plenary",
        slug="opening",
        order=1,
        date=DAY_TWO,
        start_time=datetime.time(9, 30),
        end_time=datetime.time(11, 0),
        venue="Room A",
        venue_ja="A会議室",
    )
    undated = factories.SubForumFactory(edition=edition, title="Economy", slug="economy", order=2)
    factories.AppearanceFactory(
        sub_forum=timed,
        participant=factories.ParticipantFactory(name="Aiko Example", slug="aiko"),
        role=Appearance.Role.CONGRATULATORY_ADDRESS,
        delivery=Appearance.Delivery.VIDEO,
    )
    factories.AppearanceFactory(
        sub_forum=undated,
        participant=factories.ParticipantFactory(name="Bo Example", slug="bo"),
        role=Appearance.Role.KEYNOTE,
        delivery=Appearance.Delivery.WRITTEN,
    )
    return edition, timed, undated


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("en", ["09:30–11:00", "Room A", "Congratulatory address", "(By video)"]),
        ("zh-hans", ["09:30–11:00", "Room A", "贺词", "(视频)"]),
        ("ja", ["09:30–11:00", "A会議室", "祝辞", "(ビデオで)"]),
    ],
)
def test_session_page_shows_when_where_role_and_delivery_in_each_language(
    client, programme, language, texts
):
    _, timed, _ = programme
    path = timed.get_absolute_url().replace("/en/", f"/{language}/", 1)
    html = client.get(path).content.decode()
    for text in texts:
        assert text in html, (language, text)
    assert '<time datetime="2024-12-03T09:30">' in html


def test_edition_programme_lists_session_times_and_undated_sessions_stay_plain(client, programme):
    edition, _, undated = programme
    html = client.get(edition.get_absolute_url()).content.decode()
    assert "09:30–11:00" in html and "Room A" in html
    assert "Keynote speech" in html and "(Written (sent, not delivered))" in html
    economy = html[html.index(undated.get_absolute_url()) :].split("</li>")[0]
    assert "<time" not in economy


def test_json_ld_gives_a_session_its_own_time_and_room(client, programme):
    edition, timed, undated = programme
    _, data = jsonld(client, edition.get_absolute_url())
    events = {event["name"]: event for event in data[0]["subEvent"]}
    assert events["Opening plenary"]["startDate"] == "2024-12-03T09:30:00"
    assert events["Opening plenary"]["endDate"] == "2024-12-03T11:00:00"
    assert events["Opening plenary"]["location"]["name"].startswith("Room A, Example Hall")
    assert events["Economy"]["startDate"] == "2024-12-02"  # no date: the edition's dates
    assert events["Economy"]["endDate"] == "2024-12-03"
    _, session = jsonld(client, timed.get_absolute_url())
    assert session[0]["startDate"] == "2024-12-03T09:30:00"


def test_edition_calendar_has_an_event_for_each_dated_session(client, programme):
    edition, _, _ = programme
    response = client.get(f"{edition.get_absolute_url()}calendar.ics")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {str(event["uid"]): event for event in calendar.walk("VEVENT")}
    session = events["session-example-forum-3-opening@forumarchive"]
    assert session.decoded("dtstart") == datetime.datetime(2024, 12, 3, 9, 30)  # floating
    assert session.decoded("dtend") == datetime.datetime(2024, 12, 3, 11, 0)
    assert str(session["related-to"]) == "edition-example-forum-3@forumarchive"
    assert str(session["location"]).startswith("Room A, Example Hall")
    assert len(events) == 2  # the edition and its one dated session


def test_api_adds_session_times_and_delivery(client, programme):
    _, timed, _ = programme
    data = client.get("/api/sub-forums/example-forum-3/opening/").json()
    assert (data["date"], data["start_time"], data["end_time"], data["venue"]) == (
        "2024-12-03",
        "09:30:00",
        "11:00:00",
        "Room A",
    )
    appearances = client.get("/api/appearances/?edition=example-forum-3").json()["results"]
    assert {a["role"]: a["delivery"] for a in appearances} == {
        "congratulatory-address": "video",
        "keynote": "written",
    }


def test_appearances_csv_adds_delivery_as_its_last_column(client, programme):
    edition, _, _ = programme
    lines = client.get(f"{edition.get_absolute_url()}appearances.csv").content.decode()
    header, *rows = [line.split(",") for line in lines.strip().splitlines()]
    assert header[-1] == "delivery"
    assert sorted(row[-1] for row in rows) == ["video", "written"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"start_time": datetime.time(9)}, "start_time", "needs the session's date"),
        (
            {"date": DAY_TWO, "start_time": datetime.time(9), "end_time": datetime.time(8)},
            "end_time",
            "after the start time",
        ),
        ({"date": DAY_TWO, "end_time": datetime.time(8)}, "end_time", "after the start time"),
        ({"date": datetime.date(2024, 11, 30)}, "date", "within the edition's dates"),
    ],
)
def test_impossible_session_times_are_refused_by_the_form_rule_and_the_database(
    programme, fields, field, message
):
    edition, _, _ = programme
    session = SubForum(edition=edition, title="Bad", slug="bad", **fields)
    with pytest.raises(ValidationError) as caught:
        session.full_clean()
    assert message in " ".join(caught.value.message_dict[field])
    if field != "date":  # the date range spans two tables: model validation only
        with pytest.raises(IntegrityError), transaction.atomic():
            session.save()


def session_file(tmp_path, **fields):
    record = {
        "model": "archive.subforum",
        "fields": {
            "edition": ["example-forum", 3],
            "slug": "evening",
            "title": "Evening session",
            **fields,
        },
    }
    path = tmp_path / "session.json"
    path.write_text(json.dumps([record]), encoding="utf-8")
    return path


def test_loader_takes_session_times_and_refuses_impossible_ones(programme, tmp_path):
    load_edition([session_file(tmp_path, date="2024-12-03", start_time="18:00", venue="Hall B")])
    evening = SubForum.objects.get(slug="evening")
    assert (evening.start_time, evening.venue) == (datetime.time(18), "Hall B")
    with pytest.raises(FixtureError) as caught:
        load_edition([session_file(tmp_path, date="2024-12-03", end_time="17:00")], update=True)
    assert "end_time" in str(caught.value) and "after the start time" in str(caught.value)


def test_the_migration_gives_old_video_addresses_their_delivery(programme):
    migration = importlib.import_module("archive.migrations.0011_session_times_and_delivery")
    old = factories.AppearanceFactory(role="video-address", delivery="")
    from django.apps import apps

    migration.video_addresses_were_delivered_by_video(apps, None)
    old.refresh_from_db()
    assert old.delivery == "video"


def test_the_edition_page_reads_as_a_programme_by_day(client, programme):
    """issue 19 §4: sessions by day and time where known, in programme order otherwise."""
    edition = programme[0]
    factories.SubForumFactory(
        edition=edition,
        title="Breakfast briefing",
        slug="breakfast",
        order=9,  # listed last by order, but it began first on its day
        date=DAY_TWO,
        start_time=datetime.time(8, 0),
    )
    factories.SubForumFactory(
        edition=edition, title="Welcome dinner", slug="dinner", order=5, date=edition.start_date
    )
    html = client.get(edition.get_absolute_url()).content.decode()
    section = html[html.index('id="sessions-heading"') : html.index('id="people-heading"')]
    titles = ["Welcome dinner", "Breakfast briefing", "Opening plenary", "Economy"]
    positions = [section.index(title) for title in titles]
    assert positions == sorted(positions), titles
    assert section.count('class="programme-day"') == 3  # two days and the undated sessions
    assert '<time datetime="2024-12-02">' in section
    assert "Sessions without a recorded date" in section


@pytest.mark.parametrize("language", ["zh-hans", "ja"])
def test_the_programme_reads_in_each_language(client, programme, language):
    edition, _, _ = programme
    path = edition.get_absolute_url().replace("/en/", f"/{language}/", 1)
    html = client.get(path).content.decode()
    assert "Programme" not in html and "Sessions without a recorded date" not in html
