"""A battery of bad fixtures (issue 15 §2, issue 20 §6): each one is refused with a message naming
the file, the record, the field and the cause, and changes nothing, whether it comes through
`manage.py load_edition` (in-process for every case, in a subprocess for a representative few)
or through the admin's "Import edition" page as an Editors-group user (never a 500, never an
upload left in var/imports/). Then what must keep loading: repeats that agree, picture paths that
are in storage, several editions' exports in one call.
"""

import codecs
import hashlib
import io
import json
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils.html import escape
from PIL import Image

from archive.models import Edition, Participant, Source, Topic
from archive.services import load_edition
from archive.services.exporting import export_edition
from archive.services.loading import MODELS

from . import helpers
from .builders import archive_rows, edition_records, natural_dump, series_records, write

URL = "/admin/archive/edition/import/"
EDITION = "edition-02.json"
EXTRA = "extra.json"
DROP = object()  # remove the field from the record

#: Where each record is in the edition file: edition_records(2, people=("person-b",)).
INDEX = {
    "archive.participant": 1,
    "archive.edition": 2,
    "archive.subforum": 3,
    "archive.appearance": 4,
    "archive.statement": 5,
}


def encode(records):
    return json.dumps(records, ensure_ascii=False).encode()


def edition_file(change=None, name=EDITION):
    def files():
        records = edition_records(2, people=("person-b",))
        if change:
            change(records)
        return [(name, encode(records))]

    return files


def fields_of(records, model):
    return next(r for r in records if r["model"] == model)["fields"]


def setting(model, **values):
    """The edition file with these fields of its one ``model`` record changed (DROP removes)."""

    def change(records):
        fields = fields_of(records, model)
        for name, value in values.items():
            if value is DROP:
                fields.pop(name)
            else:
                fields[name] = value

    return edition_file(change)


def raw(content, name=EDITION):
    return lambda: [(name, content)]


def extra(*records, name=EXTRA):
    return lambda: [(name, encode(list(records)))]


def files(*makers):
    return lambda: [item for maker in makers for item in maker()]


def source(**fields):
    return {"model": "archive.source", "fields": {"slug": "new", "title": "New", **fields}}


def topic(slug, name):
    return {"model": "archive.topic", "fields": {"slug": slug, "name": name}}


def series_changed(**forum_fields):
    records = series_records()
    records[4]["fields"].update(forum_fields)
    return lambda: [
        ("series.json", encode(series_records())),
        ("series-again.json", encode(records)),
    ]


def edition_text(replace_old, replace_new):
    """The edition file's JSON text with one piece of text replaced (for what json.dumps
    cannot write: NaN, lone surrogates...)."""

    def files():
        text = json.dumps(edition_records(2, people=("person-b",)))
        assert replace_old in text
        return [(EDITION, text.replace(replace_old, replace_new, 1).encode())]

    return files


@dataclass(frozen=True)
class Case:
    id: str
    files: object  # () -> [(name, bytes or "directory"/"symlink"/"missing")]
    file: str  # the file the problem names
    record: int | None
    field: str | None
    cause: str
    admin: str | None = "loader"  # "loader", "form: <error text>", or None (cannot be uploaded)
    over_limit: bool = False  # FIXTURE_MAX_BYTES is set one byte under the first file's size


E, P, S, A, T = (
    INDEX["archive.edition"],
    INDEX["archive.participant"],
    INDEX["archive.subforum"],
    INDEX["archive.appearance"],
    INDEX["archive.statement"],
)
ED = "archive.edition"

CASES = [
    # --- repeated records -----------------------------------------------------------------
    Case(
        "series_repeat_conflicts",
        series_changed(name="Another Name"),
        "series-again.json",
        5,
        None,
        "conflicts with series.json, record 5, which has the same natural key but name is "
        '"Synthetic Forum" there and "Another Name" here',
    ),
    Case(
        "series_repeat_conflicting_list",
        series_changed(organizers=[]),
        "series-again.json",
        5,
        None,
        'organizers is [["synthetic-institute"]] there and [] here',
    ),
    Case(
        "edition_repeat_conflicting_list",
        files(
            edition_file(),
            edition_file(
                lambda r: fields_of(r, ED).update(topics=[["media"]]), name="edition-02b.json"
            ),
        ),
        "edition-02b.json",
        E,
        None,
        f"conflicts with {EDITION}, record {E}, which has the same natural key but topics is "
        '[["trade"]] there and [["media"]] here',
    ),
    Case(
        "repeat_in_one_file_conflicts",
        extra(topic("cafe", "Café"), topic("cafe", "Cafe")),
        EXTRA,
        2,
        None,
        f'conflicts with {EXTRA}, record 1, which has the same natural key but name is "Café"',
    ),
    Case(
        "repeat_conflicting_reference",
        edition_file(
            lambda r: r.append(
                {
                    **r[INDEX["archive.appearance"] - 1],
                    "fields": {**fields_of(r, "archive.appearance"), "organization": None},
                }
            )
        ),
        EDITION,
        6,
        None,
        'organization is ["synthetic-institute"] there and null here',
    ),
    # --- what crashed the reader ------------------------------------------------------------
    Case(
        "deeply_nested",
        raw(b"[" * 100_000 + b"]" * 100_000),
        EDITION,
        None,
        None,
        "is nested too deeply",
    ),
    Case(
        "deeply_nested_in_a_field",
        edition_text('"Theme 2"', "[" * 50_000 + "]" * 50_000),
        EDITION,
        None,
        None,
        "is nested too deeply",
    ),
    Case(
        "infinity",
        edition_text('"order": 1', '"order": Infinity'),
        EDITION,
        S,
        "order",
        "Infinity is not a number JSON allows",
    ),
    Case(
        "minus_infinity",
        edition_text('"order": 1', '"order": -Infinity'),
        EDITION,
        S,
        "order",
        "-Infinity is not a number JSON allows",
    ),
    Case(
        "nan_for_text",
        edition_text('"Theme 2"', "NaN"),
        EDITION,
        E,
        "theme",
        "NaN is not a number JSON allows",
    ),
    Case(
        "nan_in_a_reference",
        edition_text('"forum": ["synthetic-forum"]', '"forum": [NaN]'),
        EDITION,
        E,
        "forum",
        "NaN is not a number JSON allows",
    ),
    Case(
        "number_overflowing_to_infinity",
        edition_text('"order": 1', '"order": 1e400'),
        EDITION,
        S,
        "order",
        "Infinity is not a number JSON allows",
    ),
    Case(
        "lone_surrogate_in_text",
        edition_text('"Tokyo"', '"Tok\\ud800yo"'),
        EDITION,
        E,
        "city",
        "lone surrogate",
    ),
    Case(
        "lone_surrogate_in_a_slug",
        edition_text('"slug": "economy"', '"slug": "econ\\udfffomy"'),
        EDITION,
        S,
        "slug",
        "lone surrogate",
    ),
    Case(
        "lone_surrogate_in_a_reference",
        edition_text('"forum": ["synthetic-forum"]', '"forum": ["synthetic\\ud83d"]'),
        EDITION,
        E,
        "forum",
        "lone surrogate",
    ),
    Case(
        "lone_surrogate_in_a_field_name",
        edition_text('"city"', '"ci\\ud800ty"'),
        EDITION,
        E,
        "ci\\ud800ty",
        "is not a field of archive.edition",
    ),
    Case(
        "directory",
        lambda: [("a-directory", "directory")],
        "a-directory",
        None,
        None,
        "is a directory, not a fixture file",
        admin=None,
    ),
    Case(
        "symlink_to_a_directory",
        lambda: [("a-link", "symlink")],
        "a-link",
        None,
        None,
        "is a directory, not a fixture file",
        admin=None,
    ),
    Case(
        "missing_file",
        lambda: [("missing.json", "missing")],
        "missing.json",
        None,
        None,
        "cannot be read: No such file or directory.",
        admin=None,
    ),
    # --- dates ----------------------------------------------------------------------------
    Case(
        "number_for_a_date",
        setting(ED, start_date=20021203),
        EDITION,
        E,
        "start_date",
        'must be a date written as text, like "2024-12-03", not a number (20021203).',
    ),
    Case(
        "boolean_for_a_date",
        setting(ED, end_date=True),
        EDITION,
        E,
        "end_date",
        "not a boolean (true).",
    ),
    Case(
        "list_for_a_date",
        setting(ED, end_date=[2002, 12, 5]),
        EDITION,
        E,
        "end_date",
        "must be a single value, not a list ([...]).",
    ),
    Case(
        "impossible_date",
        setting(ED, start_date="2002-02-30"),
        EDITION,
        E,
        "start_date",
        "it is an invalid date",
    ),
    Case(
        "not_a_date",
        extra(source(published_on="yesterday")),
        EXTRA,
        1,
        "published_on",
        "invalid date format",
    ),
    Case(
        "not_a_date_and_time",
        setting(ED, updated_at="soon"),
        EDITION,
        E,
        "updated_at",
        "invalid format",
    ),
    Case(
        "end_before_start",
        setting(ED, end_date="2001-12-01"),
        EDITION,
        E,
        "end_date",
        "The end date cannot be before the start date.",
    ),
    # --- whole numbers ----------------------------------------------------------------------
    Case(
        "fraction_for_a_number",
        setting(ED, number=21.5),
        EDITION,
        E,
        "number",
        "must be a whole number, not 21.5.",
    ),
    Case(
        "true_for_a_number",
        setting(ED, number=True),
        EDITION,
        E,
        "number",
        "must be a whole number, not a boolean (true).",
    ),
    Case(
        "false_for_a_number",
        setting("archive.subforum", order=False),
        EDITION,
        S,
        "order",
        "must be a whole number, not a boolean (false).",
    ),
    Case(
        "quoted_number",
        setting("archive.subforum", order="3"),
        EDITION,
        S,
        "order",
        'must be a whole number written without quotes (like 20), not the text "3".',
    ),
    Case(
        "word_for_a_number",
        setting("archive.appearance", order="first"),
        EDITION,
        A,
        "order",
        'not the text "first"',
    ),
    Case(
        "object_for_a_number",
        setting("archive.appearance", order={"n": 1}),
        EDITION,
        A,
        "order",
        "must be a single value, not an object",
    ),
    Case(
        "edition_number_over_the_range",
        setting(ED, number=99999),
        EDITION,
        E,
        "number",
        "must be 32767 or less.",
    ),
    Case(
        "huge_number",
        setting("archive.subforum", order=10**30),
        EDITION,
        S,
        "order",
        "must be 32767 or less.",
    ),
    Case(
        "edition_number_zero",
        setting(ED, number=0),
        EDITION,
        E,
        "number",
        "must be 1 or more.",
    ),
    Case(
        "edition_number_negative",
        setting(ED, number=-1),
        EDITION,
        E,
        "number",
        "must be 1 or more.",
    ),
    Case(
        "negative_order",
        setting("archive.subforum", order=-1),
        EDITION,
        S,
        "order",
        "must be 0 or more.",
    ),
    Case(
        "statement_number_over_the_range",
        setting("archive.statement", number=40000),
        EDITION,
        T,
        "number",
        "must be 32767 or less.",
    ),
    Case(
        "fraction_in_a_reference",
        setting("archive.subforum", edition=["synthetic-forum", 2.5]),
        EDITION,
        S,
        "edition",
        'the edition number in ["synthetic-forum", 2.5] must be a whole number.',
    ),
    # --- web addresses ---------------------------------------------------------------------
    Case(
        "ftp_address",
        extra(source(url="ftp://example.test/report.pdf")),
        EXTRA,
        1,
        "url",
        "Enter a web address starting with http:// or https://.",
    ),
    Case(
        "ftps_address",
        extra(source(url="ftps://example.test/report.pdf")),
        EXTRA,
        1,
        "url",
        "Enter a web address starting with http:// or https://.",
    ),
    Case(
        "javascript_address",
        extra(source(url="javascript:alert(1)")),
        EXTRA,
        1,
        "url",
        "Enter a web address starting with http:// or https://.",
    ),
    Case(
        "not_an_address",
        extra(source(url="not an address")),
        EXTRA,
        1,
        "url",
        "Enter a web address starting with http",
    ),
    # --- picture paths (issue 20 §6) -----------------------------------------------------------
    Case(
        "photo_outside_the_media_folder",
        setting("archive.participant", photo="../../var/local.env"),
        EDITION,
        P,
        "photo",
        "is not a plain path inside the media folder (no “..”, “.” or “//”)",
    ),
    Case(
        "photo_absolute_path",
        setting("archive.participant", photo="/etc/passwd"),
        EDITION,
        P,
        "photo",
        '"/etc/passwd" is not a relative path',
    ),
    Case(
        "photo_windows_path",
        setting("archive.participant", photo="C:/pictures/me.jpg"),
        EDITION,
        P,
        "photo",
        "is not a relative path",
    ),
    Case(
        "photo_backslashes",
        setting("archive.participant", photo="portraits\\me.jpg"),
        EDITION,
        P,
        "photo",
        "is not a relative path",
    ),
    Case(
        "photo_dot_dot_inside",
        setting("archive.participant", photo="portraits/../portraits/me.jpg"),
        EDITION,
        P,
        "photo",
        "is not a plain path inside the media folder",
    ),
    Case(
        "photo_double_slash",
        setting("archive.participant", photo="portraits//me.jpg"),
        EDITION,
        P,
        "photo",
        "is not a plain path inside the media folder",
    ),
    Case(
        "cover_dot_segment",
        setting(ED, cover="covers/./cover.jpg"),
        EDITION,
        E,
        "cover",
        "is not a plain path inside the media folder",
    ),
    Case(
        "photo_not_a_picture",
        setting("archive.participant", photo="portraits/notes.txt"),
        EDITION,
        P,
        "photo",
        '"portraits/notes.txt" is not a picture: its name must end with .jpeg, .jpg, .png, .webp.',
    ),
    Case(
        "photo_not_in_storage",
        setting("archive.participant", photo="portraits/nobody.jpg"),
        EDITION,
        P,
        "photo",
        '"portraits/nobody.jpg" is not in the media storage',
    ),
    Case(
        "photo_a_number",
        setting("archive.participant", photo=12),
        EDITION,
        P,
        "photo",
        "must be a picture's path as text, not a number (12).",
    ),
    # --- choices --------------------------------------------------------------------------
    Case(
        "bad_status",
        setting(ED, status="live"),
        EDITION,
        E,
        "status",
        '"live" is not a valid choice; the choices are: "draft", "published".',
    ),
    Case(
        "bad_statement_kind",
        setting("archive.statement", kind="rumour"),
        EDITION,
        T,
        "kind",
        '"rumour" is not a valid choice; the choices are: "quote", "paraphrase".',
    ),
    Case(
        "bad_role",
        setting("archive.appearance", role="heckler"),
        EDITION,
        A,
        "role",
        '"heckler" is not a valid choice; the choices are: "speaker"',
    ),
    Case(
        "bad_sub_forum_kind",
        setting("archive.subforum", kind="party"),
        EDITION,
        S,
        "kind",
        '"party" is not a valid choice; the choices are: ',
    ),
    # --- references -----------------------------------------------------------------------
    Case(
        "missing_forum",
        setting(ED, forum=["no-such-forum"]),
        EDITION,
        E,
        "forum",
        'refers to archive.forum ["no-such-forum"], which is neither in the files being loaded '
        "nor in the database.",
    ),
    Case(
        "missing_topic_in_a_list",
        setting(ED, topics=[["trade"], ["no-such-topic"]]),
        EDITION,
        E,
        "topics",
        'refers to archive.topic ["no-such-topic"]',
    ),
    Case(
        "missing_source",
        setting("archive.statement", source=["no-such-source"]),
        EDITION,
        T,
        "source",
        'refers to archive.source ["no-such-source"]',
    ),
    Case(
        "reference_not_a_list",
        setting(ED, forum="synthetic-forum"),
        EDITION,
        None,
        "forum",
        "must refer to an archive.forum by its natural key, a list [slug]",
    ),
    Case(
        "reference_an_object",
        setting("archive.subforum", edition={"forum": "synthetic-forum", "number": 2}),
        EDITION,
        None,
        "edition",
        "must refer to an archive.edition by its natural key",
    ),
    Case(
        "reference_too_short",
        setting("archive.appearance", edition=["synthetic-forum"]),
        EDITION,
        None,
        "edition",
        "a list [forum slug, edition number]",
    ),
    Case(
        "reference_number_part_is_text",
        setting("archive.subforum", edition=["synthetic-forum", "two"]),
        EDITION,
        None,
        "edition",
        "must be a whole number.",
    ),
    Case(
        "reference_slug_part_is_a_number",
        setting("archive.statement", source=[7]),
        EDITION,
        T,
        "source",
        "the slug in [7] must be text.",
    ),
    Case(
        "list_field_not_a_list",
        setting(ED, topics="trade"),
        EDITION,
        E,
        "topics",
        "must be a list of references, but is a string.",
    ),
    Case(
        "required_reference_null",
        setting("archive.statement", source=None),
        EDITION,
        T,
        "source",
        "is required and cannot be null.",
    ),
    Case(
        "sub_forum_of_another_edition",
        setting("archive.appearance", sub_forum=["synthetic-forum", 1, "economy"]),
        EDITION,
        A,
        "sub_forum",
        "belongs to the 1st Synthetic Forum, not the 2nd Synthetic Forum.",
    ),
    Case(
        "field_errors_reported_with_a_failing_reference",
        setting("archive.appearance", organization=["nobody"], position="x" * 301),
        EDITION,
        A,
        "position",
        "Ensure this value has at most",
    ),
    # --- wrong types and values ------------------------------------------------------------------
    Case(
        "number_for_text",
        setting(ED, city=5),
        EDITION,
        E,
        "city",
        "must be text (in quotes), not a number (5).",
    ),
    Case(
        "boolean_for_text",
        setting(ED, country=False),
        EDITION,
        E,
        "country",
        "must be text (in quotes), not a boolean (false).",
    ),
    Case(
        "list_for_text",
        setting(ED, theme=["a"]),
        EDITION,
        E,
        "theme",
        "must be a single value, not a list ([...]).",
    ),
    Case(
        "object_for_text",
        setting("archive.statement", text={"en": "x"}),
        EDITION,
        T,
        "text",
        "must be a single value, not an object ({...}).",
    ),
    Case(
        "null_for_text",
        setting(ED, city=None),
        EDITION,
        E,
        "city",
        'cannot be null; use "" for no text.',
    ),
    Case(
        "text_too_long",
        setting(ED, city="x" * 101),
        EDITION,
        E,
        "city",
        "Ensure this value has at most 100 characters (it has 101).",
    ),
    Case(
        "blank_required_text",
        setting(ED, city=""),
        EDITION,
        E,
        "city",
        "This field cannot be blank.",
    ),
    Case(
        "nul_character",
        setting("archive.statement", text="a\x00b"),
        EDITION,
        T,
        "text",
        "contains a NUL character",
    ),
    Case(
        "bad_slug",
        setting("archive.participant", slug="Not A Slug"),
        EDITION,
        P,
        "slug",
        "Enter a valid “slug”",
    ),
    Case(
        "missing_required_field",
        setting(ED, city=DROP),
        EDITION,
        E,
        "city",
        "is missing; every record of this kind needs it.",
    ),
    Case(
        "unknown_field",
        setting(ED, colour="blue"),
        EDITION,
        E,
        "colour",
        "is not a field of archive.edition. Its fields are:",
    ),
    # --- records and files ----------------------------------------------------------------
    Case(
        "unknown_model",
        extra({"model": "archive.speech", "fields": {}}),
        EXTRA,
        1,
        None,
        'unknown model "archive.speech"; expected one of: archive.organization',
    ),
    Case("model_not_text", extra({"model": 3, "fields": {}}), EXTRA, 1, None, "unknown model 3"),
    Case(
        "pk_given",
        extra({"model": "archive.topic", "pk": 4, "fields": {"slug": "a", "name": "A"}}),
        EXTRA,
        1,
        None,
        'has a "pk"',
    ),
    Case(
        "unknown_record_key",
        extra({"model": "archive.topic", "fields": {"slug": "a", "name": "A"}, "extra": 1}),
        EXTRA,
        1,
        None,
        "has unknown keys extra",
    ),
    Case(
        "fields_missing",
        extra({"model": "archive.topic"}),
        EXTRA,
        1,
        None,
        'has no "fields" object.',
    ),
    Case(
        "fields_not_an_object",
        extra({"model": "archive.topic", "fields": [1]}),
        EXTRA,
        1,
        None,
        'has no "fields" object.',
    ),
    Case(
        "record_not_an_object", extra("archive.topic"), EXTRA, 1, None, "is a string, not a record"
    ),
    Case(
        "not_a_list",
        raw(b'{"model": "archive.topic"}'),
        EDITION,
        None,
        None,
        "must hold a JSON list of records ([...]), but holds an object ({...}).",
    ),
    Case(
        "empty_list",
        raw(b"[]"),
        EDITION,
        None,
        None,
        "holds an empty list: there are no records to load.",
    ),
    Case(
        "empty_file",
        raw(b""),
        EDITION,
        None,
        None,
        "is empty.",
        admin="form: The submitted file is empty.",
    ),
    Case("only_whitespace", raw(b"  \n\t "), EDITION, None, None, "is empty."),
    Case("bom_only", raw(codecs.BOM_UTF8), EDITION, None, None, "is empty."),
    Case(
        "bom_then_bad_json",
        raw(codecs.BOM_UTF8 + b'[{"model": }]'),
        EDITION,
        None,
        None,
        "is not valid JSON: Expecting value at line 1, column 12.",
    ),
    Case(
        "not_utf8",
        raw('[{"x": "café"}]'.encode("latin-1")),
        EDITION,
        None,
        None,
        "is not UTF-8: byte 12 (0xE9, on line 1)",
    ),
    Case(
        "utf16",
        raw(json.dumps([topic("a", "A")]).encode("utf-16")),
        EDITION,
        None,
        None,
        "is not UTF-8",
    ),
    Case(
        "unterminated_string",
        raw(b'[{"model": "archive.topic}]'),
        EDITION,
        None,
        None,
        "is not valid JSON: Unterminated string starting at line 1, column 12.",
    ),
    Case(
        "trailing_comma",
        raw(b'[{"model": "archive.topic", "fields": {}},]'),
        EDITION,
        None,
        None,
        "is not valid JSON: Expecting value at line 1, column 43.",
    ),
    Case(
        "one_byte_over_the_limit",
        edition_file(),
        EDITION,
        None,
        None,
        "bytes, over the limit of ",
        admin="form: bytes; the limit is ",
        over_limit=True,
    ),
    # --- clashes ---------------------------------------------------------------------------
    Case(
        "unique_name_clash_in_the_files",
        extra(topic("press", "Press"), topic("news", "Press")),
        EXTRA,
        2,
        "name",
        f'"Press" is already used by {EXTRA}, record 1; each topic needs its own name.',
    ),
    Case(
        "unique_name_clash_with_the_database",
        extra(topic("commerce", "Trade")),
        EXTRA,
        1,
        "name",
        '"Trade" is already the name of archive.topic ["trade"] in the database.',
    ),
    Case(
        "forum_name_clash_with_the_database",
        extra({"model": "archive.forum", "fields": {"slug": "other", "name": "Synthetic Forum"}}),
        EXTRA,
        1,
        "name",
        '"Synthetic Forum" is already the name of archive.forum ["synthetic-forum"]',
    ),
    Case(
        "existing_record_differs",
        lambda: [("edition-01.json", encode(_edition_1(city="Kyoto")))],
        "edition-01.json",
        2,
        None,
        'already exists with different values (city: "Tokyo" → "Kyoto")',
        admin=None,  # the admin's first step lists it as an update, to confirm or not
    ),
    Case(
        "existing_list_loses_a_link_named_by_natural_key",
        lambda: [("edition-01.json", encode([_edition_1(co_organizers=[])[1]]))],
        "edition-01.json",
        1,
        None,
        'co_organizers: removes ["synthetic-institute"]',
        admin=None,
    ),
]


def _edition_1(**fields):
    records = edition_records(1)
    fields_of(records, ED).update(fields)
    return records


def matching(case, lines):
    """The problem lines that name the case's file, record, field and cause."""
    where = case.file + (f", record {case.record}" if case.record else "")
    return [
        line
        for line in lines
        if line.removeprefix("- ").startswith(where)
        and (case.field is None or f", field “{case.field}”" in line)
        and case.cause in line
    ]


def materialise(case, directory):
    """Write the case's files into ``directory``; return their names, in order."""
    names = []
    for name, content in case.files():
        path = directory / name
        if content == "directory":
            path.mkdir()
        elif content == "symlink":
            (directory / "target").mkdir()
            path.symlink_to(directory / "target", target_is_directory=True)
        elif content != "missing":
            path.write_bytes(content)
        names.append(name)
    return names


def uploads(case):
    return [SimpleUploadedFile(name, content, "application/json") for name, content in case.files()]


def limit_for(case):
    return len(case.files()[0][1]) - 1


@pytest.fixture
def archive(db, tmp_path, settings, monkeypatch):
    """The series and edition 1 in the database; the test runs in an empty folder of its own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path / "var"
    load_edition(
        [
            write(tmp_path, "series.json", series_records()),
            write(tmp_path, "edition-01.json", edition_records(1)),
        ]
    )
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


def test_the_battery_is_big_enough_and_every_case_is_distinct():
    assert len(CASES) >= 80
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_load_edition_refuses_with_a_message_and_changes_nothing(archive, settings, case):
    names = materialise(case, archive)
    if case.over_limit:
        settings.FIXTURE_MAX_BYTES = limit_for(case)
    before = archive_rows()

    with pytest.raises(CommandError) as caught:
        call_command("load_edition", *names, stdout=StringIO(), stderr=StringIO())

    message = str(caught.value)
    assert "nothing was loaded" in message.splitlines()[0]
    assert matching(case, message.splitlines()), message
    assert "Traceback" not in message
    assert archive_rows() == before


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.admin], ids=[c.id for c in CASES if c.admin]
)
def test_admin_import_shows_the_message_and_keeps_nothing(archive, editor_client, settings, case):
    if case.over_limit:
        settings.FIXTURE_MAX_BYTES = limit_for(case)
    before = archive_rows()

    response = editor_client.post(URL, {"files": uploads(case)})

    assert response.status_code == 200
    if case.admin.startswith("form: "):
        errors = response.context["form"].errors["files"]
        assert any(case.admin.removeprefix("form: ") in error for error in errors), errors
        assert escape(errors[0]) in response.text
    else:
        problems = [str(problem) for problem in response.context["problems"]]
        found = matching(case, problems)
        assert found, problems
        assert escape(found[0]) in response.text
    assert not any((settings.VAR_DIR / "imports").glob("*"))
    assert archive_rows() == before


def test_an_unexpected_error_in_the_admin_import_leaves_no_upload_behind(
    archive, editor_client, settings, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("archive.admin_import.load_edition", broken)
    series = SimpleUploadedFile("series.json", encode(series_records()), "application/json")

    with pytest.raises(RuntimeError):
        editor_client.post(URL, {"files": [series]})

    assert not any((settings.VAR_DIR / "imports").glob("*"))


# --- the real command, in a subprocess --------------------------------------------------------
SUBPROCESS_CASES = [
    "series_repeat_conflicts",
    "deeply_nested",
    "infinity",
    "lone_surrogate_in_text",
    "number_for_a_date",
    "directory",
    "true_for_a_number",
    "edition_number_over_the_range",
    "photo_outside_the_media_folder",
    "one_byte_over_the_limit",
]
BY_ID = {case.id: case for case in CASES}


@pytest.fixture(scope="module")
def command_database(tmp_path_factory, django_db_setup, django_db_blocker):
    """A SQLite database with the series and edition 1, for manage.py in a subprocess."""
    directory = tmp_path_factory.mktemp("command")
    database = directory / "archive.sqlite3"
    env = helpers.subprocess_env(
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{database}",
        MEDIA_ROOT=str(directory / "media"),
        STATIC_ROOT=str(directory / "static"),
    )
    with django_db_blocker.unblock():
        if connection.vendor == "sqlite":  # a copy of the migrated test database: no migrate
            with connection.cursor() as cursor:
                cursor.execute("VACUUM INTO %s", [str(database)])
        else:
            helpers.run_manage("migrate", "--noinput", "-v", "0", env=env, check=True)
    seed = [
        write(directory, "series.json", series_records()),
        write(directory, "edition-01.json", edition_records(1)),
    ]
    helpers.run_manage("load_edition", *seed, env=env, check=True)
    return database, env


def checksum(database):
    with sqlite3.connect(database) as connection:
        return hashlib.sha256("\n".join(connection.iterdump()).encode()).hexdigest()


@pytest.mark.parametrize("case_id", SUBPROCESS_CASES)
def test_the_command_exits_1_with_the_message_and_no_traceback(command_database, tmp_path, case_id):
    case = BY_ID[case_id]
    database, env = command_database
    names = materialise(case, tmp_path)
    if case.over_limit:
        env = {**env, "FIXTURE_MAX_BYTES": str(limit_for(case))}
    before = checksum(database)

    result = subprocess.run(
        [sys.executable, str(helpers.ROOT / "manage.py"), "load_edition", *names],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert matching(case, result.stderr.splitlines()), result.stderr
    assert checksum(database) == before


# --- what must keep loading ---------------------------------------------------------------------
def test_the_series_record_in_two_files_merges_silently(archive):
    write(archive, "series.json", series_records())
    write(archive, "series-again.json", series_records())
    write(archive, EDITION, edition_records(2, people=("person-b",)))

    report = load_edition(["series.json", "series-again.json", EDITION])

    assert report.counts()["archive.forum"] == (0, 0, 1)
    assert report.counts()["archive.edition"] == (1, 0, 0)
    assert Edition.objects.count() == 2


def test_the_same_edition_in_two_files_merges_silently(archive):
    records = edition_records(2, people=("person-b",))
    write(archive, "a.json", records)
    write(archive, "b.json", records)

    report = load_edition(["a.json", "b.json"])

    assert report.counts()["archive.edition"] == (1, 0, 0)
    edition = Edition.objects.get(number=2)
    assert [t.slug for t in edition.topics.all()] == ["trade"]


def test_several_editions_exports_load_in_one_call(archive):
    load_edition([write(archive, EDITION, edition_records(2, people=("person-b",)))])
    for number in (1, 2):
        with open(f"export-{number}.json", "w", encoding="utf-8") as stream:
            export_edition("synthetic-forum", number, stream)
    Topic.objects.filter(slug="media").delete()  # in no edition: not exported
    before = natural_dump()
    for model in reversed(MODELS):
        model.objects.all().delete()

    report = load_edition(["export-1.json", "export-2.json"])  # both hold the series records

    assert report.counts()["archive.forum"] == (1, 0, 0)
    assert report.counts()["archive.edition"] == (2, 0, 0)
    assert natural_dump() == before


def test_a_picture_in_media_storage_loads(archive, settings):
    picture = settings.MEDIA_ROOT / "portraits" / "person-b.jpg"
    picture.parent.mkdir(parents=True)
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "JPEG")
    picture.write_bytes(buffer.getvalue())
    records = edition_records(2, people=("person-b",))
    fields_of(records, "archive.participant")["photo"] = "portraits/person-b.jpg"

    load_edition([write(archive, EDITION, records)])

    assert Participant.objects.get(slug="person-b").photo.name == "portraits/person-b.jpg"


def test_a_whole_number_written_as_a_decimal_loads(archive):
    records = edition_records(2, people=("person-b",))
    fields_of(records, ED)["number"] = 2.0
    fields_of(records, "archive.subforum")["order"] = 32767

    load_edition([write(archive, EDITION, records)])

    assert Edition.objects.filter(number=2).exists()


@pytest.mark.parametrize("address", ["ftp://example.test/a.pdf", "ftps://example.test/a.pdf"])
def test_the_admin_refuses_ftp_addresses_for_a_source(db, address):
    """The admin's form validates with the model's field (full_clean), as the loader does."""
    with pytest.raises(ValidationError) as caught:
        Source(slug="s", title="S", url=address).full_clean()
    assert caught.value.message_dict["url"] == [
        "Enter a web address starting with http:// or https://."
    ]


def test_export_orders_records_and_lists_by_natural_key(archive):
    from . import factories

    edition = Edition.objects.get(number=1)
    # Titles sort the other way round from slugs: a database order by title would show.
    sources = [
        factories.SourceFactory(slug=slug, title=title)
        for slug, title in [("a-report", "Zeta Report"), ("b-report", "Alpha Report")]
    ]
    edition.sources.set(sources)
    participant = factories.ParticipantFactory(slug="aaa-attendee", name="Zed Attendee")
    factories.AppearanceFactory(
        participant=participant, edition=edition, sub_forum=None, role="attendee", order=9
    )
    stream = io.StringIO()

    export_edition("synthetic-forum", 1, stream)

    records = json.loads(stream.getvalue())
    exported = next(r for r in records if r["model"] == ED)["fields"]
    assert exported["sources"] == [["a-report"], ["b-report"]]
    appearances = [
        r["fields"]["participant"] for r in records if r["model"] == "archive.appearance"
    ]
    assert appearances == [["aaa-attendee"], ["person-00001"]]
    kinds = [r["model"] for r in records]
    assert kinds.index("archive.source") < kinds.index("archive.forum")
    slugs = [r["fields"]["slug"] for r in records if r["model"] == "archive.source"]
    assert slugs == sorted(slugs)


@pytest.mark.parametrize("address", ["ftp://example.test/a.pdf", "ftps://example.test/a.pdf"])
def test_the_admin_source_form_refuses_ftp_addresses(editor_client, address):
    page = editor_client.get("/admin/archive/source/add/")
    data = {
        **helpers.admin_form_data(page),
        "slug": "report",
        "title": "Report",
        "title_en": "Report",
        "url": address,
    }

    response = editor_client.post("/admin/archive/source/add/", data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["url"] == [
        "Enter a web address starting with http:// or https://."
    ]
    assert not Source.objects.filter(slug="report").exists()
