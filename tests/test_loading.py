"""The load_edition service: validation before writing, all or nothing, reports, speed."""

import codecs
import copy
import datetime
import json
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models

from archive.models import Appearance, Edition, Forum, Statement, SubForum, Topic
from archive.services import FixtureError, load_edition
from archive.services.loading import CHECKS, MODELS

from .builders import edition_records, find, natural_dump, row_counts, series_records, write

REAL_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "beijing-tokyo-forum"


@pytest.fixture
def series(tmp_path, db):
    return write(tmp_path, "series.json", series_records())


@pytest.fixture
def loaded(series, tmp_path):
    """The series and edition 1 in the database; returns the edition's file."""
    path = write(tmp_path, "edition-01.json", edition_records(1))
    load_edition([series, path])
    return path


# --- reading and parsing: what is wrong with a file, in words an editor can act on ----------
def edition_with(change):
    records = edition_records(1)
    change(records)
    return json.dumps(records).encode()


def set_edition(**fields):
    return lambda records: find(records, "archive.edition")["fields"].update(fields)


TOPIC = '{"model": "archive.topic", "fields": {"slug": "cafe", "name": "Café"}}'
EDITION_KEY = '(archive.edition ["synthetic-forum", 1])'

# (case, file contents, what the one problem says after the file's name)
BAD_FILES = [
    (
        "malformed_json",
        f"[\n  {TOPIC},\n]".encode(),
        ": is not valid JSON: Expecting value at line 3, column 1.",
    ),
    (
        "latin_1_bytes",
        f"[{TOPIC}]".encode("latin-1"),
        ": is not UTF-8: byte 68 (0xE9, on line 1) cannot be read as UTF-8. Save the file "
        "with UTF-8 encoding.",
    ),
    (
        "not_a_list",
        TOPIC.encode(),
        ": must hold a JSON list of records ([...]), but holds an object ({...}).",
    ),
    (
        "list_of_strings",
        b'["archive.topic"]',
        ', record 1: is a string, not a record ({"model": ..., "fields": {...}}).',
    ),
    (
        "unknown_model",
        b'[{"model": "archive.speech", "fields": {}}]',
        ', record 1: unknown model "archive.speech"; expected one of: archive.organization, '
        "archive.organizationname, archive.topic, archive.source, archive.forum, "
        "archive.participant, archive.edition, archive.subforum, archive.appearance, "
        "archive.statement.",
    ),
    (
        "pk",
        b'[{"model": "archive.topic", "pk": 7, "fields": {"slug": "y", "name": "Y"}}]',
        ', record 1 (archive.topic): has a "pk". Fixtures name records by their natural key '
        '(slug, forum and number...), not by database id: remove "pk".',
    ),
    (
        "unknown_field",
        edition_with(set_edition(town="Tokyo")),
        f", record 2 {EDITION_KEY}, field “town”: is not a field of archive.edition. Its fields "
        "are: city, city_en, city_ja, city_zh_hans, co_organizers, country, country_en, "
        "country_ja, country_zh_hans, cover, end_date, forum, number, published_at, sources, "
        "start_date, status, summary, summary_en, summary_ja, summary_zh_hans, theme, theme_en, "
        "theme_ja, theme_zh_hans, topics, updated_at, venue, venue_en, venue_ja, venue_zh_hans.",
    ),
    (
        "missing_required_field",
        edition_with(lambda records: find(records, "archive.edition")["fields"].pop("city")),
        f", record 2 {EDITION_KEY}, field “city”: is missing; every record of this kind needs it.",
    ),
    (
        "reference_to_nothing",
        edition_with(
            lambda records: find(records, "archive.statement")["fields"].update(
                source=["no-such-report"]
            )
        ),
        ', record 5 (archive.statement ["person-00001", "synthetic-forum", 1, "economy", '
        '"speaker", 1]), field “source”: refers to archive.source ["no-such-report"], which is '
        "neither in the files being loaded nor in the database. Check the spelling, or add that "
        "record.",
    ),
    (
        "conflicting_repeat",
        f"[{TOPIC}, {TOPIC.replace('Café', 'Cafe')}]".encode(),
        ', record 2 (archive.topic ["cafe"]): conflicts with {path}, record 1, which has the '
        'same natural key but name is "Café" there and "Cafe" here. Make the two the same, or '
        "keep one of them.",
    ),
    (
        "end_before_start",
        edition_with(set_edition(end_date="2001-12-02")),
        f", record 2 {EDITION_KEY}, field “end_date”: The end date cannot be before the start "
        "date.",
    ),
    (
        "string_too_long",
        edition_with(set_edition(country="J" * 101)),
        f", record 2 {EDITION_KEY}, field “country”: Ensure this value has at most 100 "
        "characters (it has 101).",
    ),
    (
        "invalid_date",
        edition_with(set_edition(start_date="2001-02-30")),
        f", record 2 {EDITION_KEY}, field “start_date”: “2001-02-30” value has the correct "
        "format (YYYY-MM-DD) but it is an invalid date.",
    ),
    (
        "reference_not_a_list",
        json.dumps(edition_records(1)[:2])
        .replace('["synthetic-forum"]', '"synthetic-forum"')
        .encode(),
        ", record 2 (archive.edition), field “forum”: must refer to an archive.forum by its "
        'natural key, a list [slug], not "synthetic-forum".',
    ),
    (
        "empty_file",
        b"",
        ': is empty. A fixture file holds a JSON list of records: [{"model": '
        '"archive.edition", "fields": {...}}, ...].',
    ),
    ("empty_list", b"[]", ": holds an empty list: there are no records to load."),
]


@pytest.mark.parametrize(
    ("contents", "problem"),
    [case[1:] for case in BAD_FILES],
    ids=[case[0] for case in BAD_FILES],
)
def test_bad_file_is_rejected_naming_file_and_cause_and_nothing_loaded(
    series, tmp_path, contents, problem
):
    load_edition([series])
    path = write(tmp_path, "bad.json", None, raw=contents)
    good = write(
        tmp_path, "topics.json", [{"model": "archive.topic", "fields": {"slug": "x", "name": "X"}}]
    )
    before = row_counts()

    with pytest.raises(FixtureError) as caught:
        load_edition([good, path])

    expected = (
        "1 problem found; nothing was loaded.\n- "
        + str(path)
        + problem.replace("{path}", str(path))
    )
    assert str(caught.value) == expected
    assert row_counts() == before


def test_file_over_the_size_limit_is_rejected_and_nothing_loaded(series, tmp_path, settings):
    settings.FIXTURE_MAX_BYTES = 1024 * 1024
    load_edition([series])
    path = write(tmp_path, "big.json", None, raw=b"[" + b" " * (1024 * 1024) + b"]")
    before = row_counts()

    with pytest.raises(FixtureError) as caught:
        load_edition([path])

    assert str(caught.value) == (
        f"1 problem found; nothing was loaded.\n- {path}: is 1,048,578 bytes, over the limit of "
        "1,048,576 bytes for one fixture file. Split it into several files and load them "
        "together."
    )
    assert row_counts() == before


def test_byte_order_mark_is_accepted(series, tmp_path):
    data = codecs.BOM_UTF8 + json.dumps(edition_records(1)).encode()
    load_edition([series])
    path = write(tmp_path, "edition-01.json", None, raw=data)

    load_edition([path])

    assert Edition.objects.get().number == 1


# --- loading ----------------------------------------------------------------------------------
def test_series_and_edition_load_with_counts_per_model(series, tmp_path):
    path = write(tmp_path, "edition-01.json", edition_records(1, people=("p-1", "p-2")))

    report = load_edition([series, path])

    assert report.counts() == {
        "archive.organization": (1, 0, 0),
        "archive.topic": (2, 0, 0),
        "archive.source": (1, 0, 0),
        "archive.forum": (1, 0, 0),
        "archive.participant": (2, 0, 0),
        "archive.edition": (1, 0, 0),
        "archive.subforum": (1, 0, 0),
        "archive.appearance": (2, 0, 0),
        "archive.statement": (2, 0, 0),
    }
    edition = Edition.objects.get_by_natural_key("synthetic-forum", 1)
    assert [o.slug for o in edition.co_organizers.all()] == ["synthetic-institute"]
    assert [t.slug for t in edition.topics.all()] == ["trade"]
    assert [t.slug for t in SubForum.objects.get().topics.all()] == ["trade"]
    assert [o.slug for o in Forum.objects.get().organizers.all()] == ["synthetic-institute"]
    statement = Statement.objects.get_by_natural_key(
        "p-2", "synthetic-forum", 1, "economy", "speaker", 1
    )
    assert statement.text == "A fictional remark by p-2."
    assert statement.appearance.sub_forum.edition == edition


def test_load_refreshes_postgresql_planner_statistics(
    series, tmp_path, django_capture_on_commit_callbacks
):
    """Pages right after a big load must not be planned as if the tables were empty."""
    people = [f"p-{n}" for n in range(7)]
    path = write(tmp_path, "edition-01.json", edition_records(1, people=people))
    with django_capture_on_commit_callbacks(execute=True):
        load_edition([series, path])
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite plans these queries without statistics")
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'archive_appearance'")
        assert cursor.fetchone()[0] == len(people)  # ANALYZE counted every row


def test_second_load_creates_and_updates_nothing(loaded, series):
    before = natural_dump()

    report = load_edition([series, loaded])

    assert (report.created, report.updated, report.unchanged) == (0, 0, 10)
    assert natural_dump() == before


def test_edition_file_may_refer_to_shared_records_already_in_the_database(loaded, tmp_path):
    records = edition_records(2, people=("person-00001",))[1:]  # the participant exists
    path = write(tmp_path, "edition-02.json", records)

    report = load_edition([path])

    assert report.counts()["archive.edition"] == (1, 0, 0)
    assert Appearance.objects.filter(participant__slug="person-00001").count() == 2


def test_dry_run_writes_nothing_and_reports_counts(series, tmp_path):
    path = write(tmp_path, "edition-01.json", edition_records(1))
    before = row_counts()

    report = load_edition([series, path], dry_run=True)

    assert row_counts() == before
    assert report.dry_run is True
    assert (report.created, report.updated, report.unchanged) == (10, 0, 0)


def test_changed_record_is_refused_without_update_and_nothing_loaded(loaded, tmp_path):
    records = edition_records(1) + edition_records(2)[1:]
    find(records, "archive.edition", number=1)["fields"]["city"] = "Kyoto"
    path = write(tmp_path, "edition-01.json", records)
    before = row_counts()

    with pytest.raises(FixtureError) as caught:
        load_edition([path])

    assert str(caught.value) == (
        "1 problem found; nothing was loaded.\n"
        f'- {path}, record 2 (archive.edition ["synthetic-forum", 1]): already exists with '
        'different values (city: "Tokyo" → "Kyoto"). Nothing is overwritten silently: load '
        "with --update (in the admin, tick “Apply updates”) to apply these changes."
    )
    assert row_counts() == before
    assert Edition.objects.get(number=1).city == "Tokyo"


def test_changed_record_is_applied_with_update(loaded, tmp_path):
    records = edition_records(1)
    fields = find(records, "archive.edition", number=1)["fields"]
    fields["city"] = "Kyoto"
    fields["topics"] = [["media"]]
    path = write(tmp_path, "edition-01.json", records)
    updated_before = Edition.objects.get().updated_at

    dry = load_edition([path], dry_run=True)
    report = load_edition([path], update=True)

    assert dry.models["archive.edition"].updated == [(("synthetic-forum", 1), ["city", "topics"])]
    assert report.counts()["archive.edition"] == (0, 1, 0)
    assert report.updated == 1
    edition = Edition.objects.get()
    assert edition.city == "Kyoto"
    assert [t.slug for t in edition.topics.all()] == ["media"]
    assert edition.updated_at > updated_before


def test_missing_only_creates_what_is_missing_and_never_touches_an_existing_record(
    loaded, tmp_path
):
    """What `make setup` does with the shipped fixtures on every start (issue 15 §1)."""
    edition = Edition.objects.get()
    edition.city = "Osaka (an editor's correction)"
    edition.save()
    edition.topics.set([])
    records = edition_records(1) + edition_records(2)[1:]  # edition 1 as shipped, plus edition 2
    path = write(tmp_path, "edition-01.json", records)
    dry = load_edition([path], dry_run=True, missing_only=True)
    before = natural_dump()

    report = load_edition([path], missing_only=True)

    assert dry.counts() == report.counts()
    assert report.updated == 0
    assert ("synthetic-forum", 1) in report.models["archive.edition"].kept
    assert report.models["archive.edition"].created == [("synthetic-forum", 2)]
    assert "left as they are" in report.lines()[-1]
    edition.refresh_from_db()
    assert edition.city == "Osaka (an editor's correction)"
    assert list(edition.topics.all()) == []  # its list was not restored either
    assert Edition.objects.count() == 2
    after = natural_dump()
    assert all(rows <= after[label] for label, rows in before.items())  # each row as it was


def test_missing_only_and_update_together_are_refused(loaded):
    before = natural_dump()
    with pytest.raises(FixtureError, match="contradict each other"):
        load_edition([loaded], update=True, missing_only=True)
    assert natural_dump() == before


def test_many_to_many_difference_alone_is_an_update(loaded, tmp_path):
    records = edition_records(1)
    find(records, "archive.subforum")["fields"]["topics"] = [["trade"], ["media"]]
    path = write(tmp_path, "edition-01.json", records)

    with pytest.raises(FixtureError) as caught:
        load_edition([path])

    assert [p.message.split(" (")[1].split(")")[0] for p in caught.value.problems] == [
        'topics: adds ["media"]'
    ]
    load_edition([path], update=True)
    assert sorted(t.slug for t in SubForum.objects.get().topics.all()) == ["media", "trade"]


def test_second_edition_leaves_the_first_edition_untouched(loaded, tmp_path):
    before = {
        model: list(model.objects.filter(pk__gt=0).order_by("pk").values())
        for model in (Edition, SubForum, Appearance, Statement)
    }
    path = write(tmp_path, "edition-02.json", edition_records(2, people=("person-00002",)))

    report = load_edition([path])

    assert report.counts()["archive.edition"] == (1, 0, 0)
    assert report.counts()["archive.subforum"] == (1, 0, 0)
    for model, rows in before.items():
        assert list(
            model.objects.filter(pk__in=[r["id"] for r in rows]).order_by("pk").values()
        ) == (rows)
    assert Edition.objects.count() == 2


def test_every_problem_in_every_file_is_reported_and_nothing_loaded(series, tmp_path):
    first = edition_records(1)
    edition = find(first, "archive.edition")["fields"]
    edition["end_date"] = "2001-12-01"
    edition["city"] = "x" * 101
    find(first, "archive.appearance")["fields"]["organization"] = ["no-such-organization"]
    second = copy.deepcopy(series_records())
    second[1]["fields"]["colour"] = "blue"
    first_path = write(tmp_path, "edition-01.json", first)
    second_path = write(tmp_path, "more.json", second[1:2])
    before = row_counts()

    with pytest.raises(FixtureError) as caught:
        load_edition([series, first_path, second_path])

    assert [str(p) for p in caught.value.problems] == [
        f'{second_path}, record 1 (archive.topic ["trade"]), field “colour”: is not a field of '
        "archive.topic. Its fields are: name, name_en, name_ja, name_zh_hans, slug.",
        f'{first_path}, record 2 (archive.edition ["synthetic-forum", 1]), field “city”: Ensure '
        "this value has at most 100 characters (it has 101).",
        f'{first_path}, record 2 (archive.edition ["synthetic-forum", 1]), field “end_date”: '
        "The end date cannot be before the start date.",
        f'{first_path}, record 4 (archive.appearance ["person-00001", "synthetic-forum", 1, '
        '"economy", "speaker"]), field “organization”: refers to archive.organization '
        '["no-such-organization"], which is neither in the files being loaded nor in the '
        "database. Check the spelling, or add that record.",
    ]
    assert row_counts() == before


def test_sub_forum_of_another_edition_is_rejected(loaded, tmp_path):
    records = edition_records(2, people=("person-00002",))
    appearance = find(records, "archive.appearance")["fields"]
    appearance["sub_forum"] = ["synthetic-forum", 1, "economy"]
    path = write(tmp_path, "edition-02.json", records)
    before = row_counts()

    with pytest.raises(FixtureError) as caught:
        load_edition([path])

    assert [str(p) for p in caught.value.problems] == [
        f'{path}, record 4 (archive.appearance ["person-00002", "synthetic-forum", 2, "economy", '
        '"speaker"]), field “sub_forum”: The sub-forum “Sub-forum on the economy” belongs to '
        "the 1st Synthetic Forum, not the 2nd Synthetic Forum."
    ]
    assert row_counts() == before


def test_unique_name_is_checked_against_the_files_and_the_database(loaded, tmp_path):
    path = write(
        tmp_path,
        "topics.json",
        [
            {"model": "archive.topic", "fields": {"slug": "commerce", "name": "Trade"}},
            {"model": "archive.topic", "fields": {"slug": "press", "name": "Press"}},
            {"model": "archive.topic", "fields": {"slug": "newspapers", "name": "Press"}},
        ],
    )

    with pytest.raises(FixtureError) as caught:
        load_edition([path])

    assert [str(p) for p in caught.value.problems] == [
        f'{path}, record 3 (archive.topic ["newspapers"]), field “name”: "Press" is already '
        "used by " + str(path) + ", record 2; each topic needs its own name.",
        f'{path}, record 1 (archive.topic ["commerce"]), field “name”: "Trade" is already the '
        'name of archive.topic ["trade"] in the database.',
    ]
    assert Topic.objects.count() == 2


def test_edition_number_zero_breaks_the_check_constraint_and_is_rejected(series, tmp_path):
    records = edition_records(0)
    path = write(tmp_path, "edition-00.json", records[:2])

    with pytest.raises(FixtureError) as caught:
        load_edition([series, path])

    assert [str(p) for p in caught.value.problems] == [
        f'{path}, record 2 (archive.edition ["synthetic-forum", 0]), field “number”: '
        "must be 1 or more."
    ]


def test_every_check_constraint_is_checked_in_python():
    names = {
        c.name
        for model in MODELS
        for c in model._meta.constraints
        if isinstance(c, models.CheckConstraint)
    }
    assert names == set(CHECKS)


def test_every_check_constraint_is_evaluated_in_python_not_by_a_query():
    # Django's CheckConstraint.validate() asks the database: a query and a savepoint per record.
    assert [name for name, check in CHECKS.items() if check.test is None] == []


@pytest.mark.parametrize(
    ("start", "end", "passes"),
    [
        ("10:00", "11:00", True),
        ("10:00", "09:00", False),
        (None, None, True),
        (None, "09:00", False),
    ],
)
def test_a_check_constraint_is_evaluated_as_sql_would(start, end, passes):
    # subforum_end_after_start: end_time IS NULL OR (start_time IS NOT NULL AND end > start).
    times = [None if t is None else datetime.time.fromisoformat(t) for t in (start, end)]
    session = SubForum(start_time=times[0], end_time=times[1])

    assert CHECKS["subforum_end_after_start"].test(session) is passes


def test_html_and_script_text_loads_as_plain_text(series, tmp_path):
    records = edition_records(1)
    text = '<script>alert("x")</script><b>bold</b> & “quoted”'
    find(records, "archive.statement")["fields"]["text"] = text
    path = write(tmp_path, "edition-01.json", records)

    load_edition([series, path])

    assert Statement.objects.get().text == text


def test_progress_is_reported(series, tmp_path):
    path = write(tmp_path, "edition-01.json", edition_records(1))
    messages = []

    load_edition([series, path], progress=messages.append)

    assert messages[:2] == [f"{series}: 5 records read", f"{path}: 5 records read"]
    assert "archive.statement: 1 created, 0 updated" in messages


@pytest.mark.parametrize("people", [1, 40])
def test_validation_and_writing_cost_the_same_queries_for_1_and_40_people(
    series, tmp_path, people, django_assert_num_queries
):
    load_edition([series])
    people_slugs = tuple(f"person-{n:05}" for n in range(people))
    path = write(tmp_path, "edition-01.json", edition_records(1, people=people_slugs))

    ContentType.objects.clear_cache()  # the same 5 content-type reads in both runs
    # savepoint, 6 reads (5 slug models, editions of the forum), 5 inserts (participant,
    # edition, sub-forum, appearance, statement), 4 many-to-many inserts, then the history
    # (archive/services/history.py): per written model a content type and a read of the rows,
    # one read per list (4); one revision, one insert of all versions; the visibility flags
    # (archive/services/visibility.py: one UPDATE each for participants and organizations);
    # release
    with django_assert_num_queries(17 + 5 + 5 + 4 + 2 + 2):
        load_edition([path])

    # savepoint, 9 reads (one per model), 4 reads of many-to-many links, release
    with django_assert_num_queries(15):
        load_edition([path])


def test_the_real_fixtures_load_and_reload_unchanged(db):
    files = [REAL_FIXTURES / "series.json", REAL_FIXTURES / "edition-20.json"]

    first = load_edition(files)
    second = load_edition(files)

    assert first.updated == 0
    assert first.unchanged == 0
    assert (second.created, second.updated) == (0, 0)
    assert Edition.objects.get_by_natural_key("beijing-tokyo-forum", 20).topics.count() == 4


def test_a_boolean_for_a_date_and_time_is_a_problem_not_a_crash(series, tmp_path):
    records = edition_records(1)
    find(records, "archive.edition")["fields"]["updated_at"] = False
    path = write(tmp_path, "edition-01.json", records)
    with pytest.raises(FixtureError) as caught:
        load_edition([series, path])
    assert [str(p) for p in caught.value.problems] == [
        f'{path}, record 2 (archive.edition ["synthetic-forum", 1]), field “updated_at”: '
        'must be a date written as text, like "2024-12-03T10:00:00+09:00", not a boolean '
        "(false)."
    ]


def test_loading_a_published_edition_records_when_it_went_public_once(loaded, tmp_path):
    """The feed's `published` (issue 18 §4): set by the loader's bulk writes too, and never moved
    by a later change."""
    edition = Edition.objects.get()
    first = edition.published_at
    assert first is not None
    records = edition_records(1)
    find(records, "archive.edition", number=1)["fields"]["city"] = "Kyoto"
    load_edition([write(tmp_path, "edition-01.json", records)], update=True)
    edition.refresh_from_db()
    assert edition.city == "Kyoto" and edition.published_at == first


def test_a_list_can_be_added_to_without_restating_it(loaded, tmp_path):
    """issue 15 §2: {"add": [...]} adds to a many-to-many list; a plain list replaces it. The
    dry run says which."""
    edition = Edition.objects.get()
    before = sorted(t.slug for t in edition.topics.all())
    assert before  # the series' edition has topics to keep
    record = copy.deepcopy(find(edition_records(1), "archive.edition", number=1))
    record["fields"]["topics"] = {"add": [["media"]]}  # the existing topics are not restated
    dry = load_edition([write(tmp_path, "add.json", [record])], dry_run=True)
    assert dry.models["archive.edition"].updated == [(("synthetic-forum", 1), ["topics"])]
    with pytest.raises(FixtureError) as caught:  # without --update, still refused, and says why
        load_edition([write(tmp_path, "add.json", [record])])
    assert 'topics (added to the list): adds ["media"]' in str(caught.value)
    load_edition([write(tmp_path, "add.json", [record])], update=True)
    assert sorted(t.slug for t in edition.topics.all()) == sorted([*before, "media"])


def test_a_malformed_add_is_a_problem_naming_both_forms(loaded, tmp_path):
    record = copy.deepcopy(find(edition_records(1), "archive.edition", number=1))
    record["fields"]["topics"] = {"append": []}
    with pytest.raises(FixtureError, match=r'\{"add": \[references\]\} \(which adds to it\)'):
        load_edition([write(tmp_path, "bad.json", [record])], update=True)


def test_an_export_of_an_edition_loads_back_over_it_unchanged(loaded, tmp_path):
    """An editor's export_edition file reloaded into the same archive changes nothing: empty
    translations ("" in one place, null in another) are not reported as changes."""
    import io

    from archive.services.exporting import export_edition

    stream = io.StringIO()
    export_edition("synthetic-forum", 1, stream)
    path = tmp_path / "export.json"
    path.write_text(stream.getvalue(), encoding="utf-8")
    report = load_edition([path])  # no --update: any difference would be refused
    assert report.updated == 0 and report.created == 0
