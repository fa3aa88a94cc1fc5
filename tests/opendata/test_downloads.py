"""CSV downloads, read back with the csv module."""

import csv
import io

import pytest

from archive.opendata.downloads import guard

from .. import factories
from ..builders import FORMULA, HOSTILE, make_archive


def rows(response, filename):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_participants_csv_lists_public_participants_with_a_header(client, db):
    make_archive()
    assert rows(client.get("/en/participants.csv"), "participants.csv") == [
        ["slug", "name", "native_name", "country", "url"],
        [
            "aiko-example",
            "Aiko Example",
            "",
            "China",
            "http://testserver/en/participants/aiko-example/",
        ],
        ["bo-example", "Bo Example", "", "China", "http://testserver/en/participants/bo-example/"],
    ]


def test_participants_csv_respects_the_list_filters(client, db):
    make_archive()
    data = rows(client.get("/en/participants.csv?role=participant"), "participants.csv")
    assert [row[0] for row in data] == ["slug", "bo-example"]


def test_edition_appearances_csv_in_programme_order(client, db):
    make_archive()
    data = rows(
        client.get("/en/editions/example-forum-3/appearances.csv"),
        "example-forum-3-appearances.csv",
    )
    assert data == [
        [
            "edition",
            "session",
            "participant",
            "participant_slug",
            "role",
            "position",
            "organization",
            "participant_url",
            "delivery",
        ],
        [
            "example-forum-3",
            "",
            "Bo Example",
            "bo-example",
            "participant",
            "'-1+1",
            "Former Name Institute",
            "http://testserver/en/participants/bo-example/",
            "",
        ],
        [
            "example-forum-3",
            "Economy",
            "Aiko Example",
            "aiko-example",
            "speaker",
            "Director",
            "Example Institute",
            "http://testserver/en/participants/aiko-example/",
            "",
        ],
    ]


@pytest.mark.parametrize("extra", [0, 5])
def test_csv_query_count_is_fixed(client, db, django_assert_num_queries, extra):
    edition = make_archive()["edition"]
    session = edition.sub_forums.get()
    for _ in range(extra):
        factories.AppearanceFactory(edition=edition, sub_forum=session)
    with django_assert_num_queries(3):  # the edition, its appearances, their dated names
        assert client.get(f"{edition.get_absolute_url()}appearances.csv").status_code == 200
    with django_assert_num_queries(1):  # the participants
        assert client.get("/en/participants.csv").status_code == 200


def test_draft_edition_csv_is_not_found(client, db):
    make_archive()
    assert client.get("/en/editions/example-forum-4/appearances.csv").status_code == 404
    names = [row[1] for row in rows(client.get("/en/participants.csv"), "participants.csv")]
    assert "Hidden Person" not in names


def test_csv_guards_formulas_and_keeps_hostile_text_as_text(client, db):
    make_archive(hostile=True)
    data = rows(
        client.get("/en/editions/example-forum-3/appearances.csv"),
        "example-forum-3-appearances.csv",
    )
    assert data[2][5] == "'" + FORMULA
    assert data[2][2] == f"Aiko Example {HOSTILE}"


def test_guard_prefixes_each_formula_character():
    assert [guard(v) for v in ["=1", "+1", "-1", "@x", "\tx", "\rx", "a=1", "", None]] == [
        "'=1",
        "'+1",
        "'-1",
        "'@x",
        "'\tx",
        "'\rx",
        "a=1",
        "",
        "",
    ]


FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20"]


@pytest.mark.parametrize("start", FORMULA_STARTS, ids=lambda c: f"U+{ord(c):04X}")
def test_participants_csv_neutralises_a_name_starting_with_a_formula_character(client, db, start):
    name = start + 'HYPERLINK("http://x.test","click")'
    factories.AppearanceFactory(participant__name=name, participant__slug="formula")
    factories.AppearanceFactory(participant__name="Plain Name", participant__slug="plain")
    data = rows(client.get("/en/participants.csv"), "participants.csv")
    names = {row[0]: row[1] for row in data[1:]}
    assert names == {"formula": "'" + name, "plain": "Plain Name"}


@pytest.mark.parametrize("start", FORMULA_STARTS, ids=lambda c: f"U+{ord(c):04X}")
def test_appearances_csv_neutralises_a_name_starting_with_a_formula_character(client, db, start):
    name = start + "1+1"
    appearance = factories.AppearanceFactory(participant__name=name, participant__slug="formula")
    data = rows(
        client.get(f"/en/editions/{appearance.edition.key}/appearances.csv"),
        f"{appearance.edition.key}-appearances.csv",
    )
    assert [row[2] for row in data[1:]] == ["'" + name]
