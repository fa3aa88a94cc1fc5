"""CSV downloads, read back with the csv module."""

import csv
import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import FileResponse
from django.test import RequestFactory
from django.test.utils import override_script_prefix
from django.urls import reverse
from django.utils import translation

from archive.filters import ParticipantFilter
from archive.models import Participant
from archive.services import csv_files, data_package
from archive.services.csv_files import guard

from .. import factories
from ..builders import FORMULA, HOSTILE, make_archive
from ..helpers import admin_form_data


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def rows(response, filename):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    content = body(response)
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


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
    with django_assert_num_queries(1):  # the participants, read while the answer streams
        response = client.get("/en/participants.csv")
        assert response.streaming
        assert len(rows(response, "participants.csv")) == 3 + extra


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


# --- The participants list: pre-built for anonymous visitors, streamed otherwise --------------
SITE = "http://testserver"  # the test client's address
LANGUAGES = ["en", "zh-hans", "ja"]


def reference_participants_csv(language, host="testserver", query=""):
    """/<language>/participants.csv as the view built it before it streamed or was pre-built:
    the whole file in memory, written cell by cell (the bytes visitors got until then)."""
    request = RequestFactory().get(f"/{language}/participants.csv{query}", HTTP_HOST=host)
    request.user = AnonymousUser()
    with translation.override(language):
        filterset = ParticipantFilter(
            request.GET or None,
            queryset=Participant.objects.visible_to(request.user).for_list(),
            request=request,
        )
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer)
        writer.writerow(["slug", "name", "native_name", "country", "url"])
        for p in filterset.qs:
            cells = [
                p.slug,
                p.name,
                p.native_name,
                p.country,
                request.build_absolute_uri(p.get_absolute_url()),
            ]
            writer.writerow([guard(cell) for cell in cells])
        return buffer.getvalue().encode("utf-8")


def hostile_participants():
    """make_archive(hostile=True) (a draft edition with its own person), plus people whose text
    starts like formulas or holds commas, quotes, newlines and CJK, translated countries, a
    native-script name, and people who appear nowhere (never listed)."""
    records = make_archive(hostile=True)
    edition = records["edition"]
    texts = [
        '=1+1, "quoted"',
        "+81\nsecond line",
        "-minus\r\nCRLF",
        "@mention",
        "\ttab",
        "＝全角",
        "中文, 名字",
        '"only quotes"',
        "日本語の名前",
    ]
    for number, text in enumerate(texts):
        factories.AppearanceFactory(
            edition=edition,
            participant__slug=f"hostile-{number}",
            participant__name=text,
            participant__native_name=text[::-1],
            participant__country="Japan" if number % 2 else "=Country",
            participant__country_ja="日本" if number % 2 else "",
            participant__country_zh_hans="日本, 东京" if number % 3 else "",
        )
    factories.ParticipantFactory(slug="nowhere", name="Appears Nowhere")  # not public
    # Same name twice: the list's tie-break (the id) decides, on both paths.
    for slug in ("same-b", "same-a"):
        factories.AppearanceFactory(
            edition=edition, participant__slug=slug, participant__name="Same"
        )
    return records


@pytest.mark.django_db(transaction=True)  # the package is built on its own connection
@pytest.mark.parametrize("language", LANGUAGES)
def test_prebuilt_participants_csv_is_byte_for_byte_the_per_request_one(
    client, settings, monkeypatch, language
):
    monkeypatch.setattr(csv_files, "ROWS_PER_CHUNK", 2)  # many chunks: their joins are exact
    hostile_participants()
    url = f"/{language}/participants.csv"
    expected = reference_participants_csv(language)
    streamed = client.get(url)  # SITE_URL not set: built per request, streamed
    assert streamed.streaming and "ETag" not in streamed
    assert body(streamed) == expected

    settings.SITE_URL = SITE + "/"
    served = client.get(url)
    assert isinstance(served, FileResponse)
    package = data_package.current_package()
    assert served["ETag"] == f'"{package.version}-participants-{language}"'
    assert body(served) == expected
    assert package.participant_list(language, SITE).read_bytes() == expected
    data = list(csv.reader(io.StringIO(expected.decode("utf-8-sig"))))
    slugs = [row[0] for row in data[1:]]
    assert "nowhere" not in slugs and "hidden-person" not in slugs
    assert len(slugs) == 13
    assert data[1 + slugs.index("hostile-0")][1:3] == ['\'=1+1, "quoted"', '"detouq" ,1+1=']
    assert data[1 + slugs.index("hostile-1")][1] == "'+81\nsecond line"
    assert data[1 + slugs.index("hostile-1")][4] == f"{SITE}/{language}/participants/hostile-1/"
    country = {"en": "Japan", "zh-hans": "日本, 东京", "ja": "日本"}[language]
    assert data[1 + slugs.index("hostile-1")][3] == country


@pytest.mark.parametrize("language", LANGUAGES)
def test_prebuilt_participants_csv_headers_and_conditional_requests(client, db, settings, language):
    settings.SITE_URL = SITE
    make_archive()
    url = f"/{language}/participants.csv"
    first = client.get(url)
    content = body(first)
    data = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert [row[0] for row in data] == ["slug", "aiko-example", "bo-example"]
    assert first["Cache-Control"] == "public, max-age=300"
    assert first["Access-Control-Allow-Origin"] == "*"
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    head = client.head(url)
    assert head.status_code == 200
    assert head["Content-Length"] == str(len(content))
    assert body(head) == b""
    head.close()  # the test client drops a HEAD answer's body without closing its file


@pytest.mark.parametrize("extra", [0, 5])
def test_prebuilt_participants_csv_reads_nothing_from_the_database(
    client, db, settings, django_assert_num_queries, extra
):
    settings.SITE_URL = SITE
    edition = make_archive()["edition"]
    for _ in range(extra):
        factories.AppearanceFactory(edition=edition)
    data_package.build_data_package()
    for language in LANGUAGES:
        with django_assert_num_queries(0):
            response = client.get(f"/{language}/participants.csv")
            assert isinstance(response, FileResponse)
            assert len(rows(response, "participants.csv")) == 3 + extra


def test_other_addresses_filters_and_staff_get_the_rows_streamed(client, db, settings):
    settings.SITE_URL = SITE
    make_archive()
    other = client.get("/en/participants.csv", HTTP_HOST="localhost")
    assert other.streaming and not isinstance(other, FileResponse)
    content = body(other)
    assert content == reference_participants_csv("en", host="localhost")
    assert b"http://localhost/en/participants/bo-example/" in content

    filtered = client.get("/en/participants.csv?role=participant")
    assert not isinstance(filtered, FileResponse) and "ETag" not in filtered
    assert [row[0] for row in rows(filtered, "participants.csv")] == ["slug", "bo-example"]
    assert body(client.get("/ja/participants.csv?country=China")) == reference_participants_csv(
        "ja", query="?country=China"
    )

    client.force_login(factories.UserFactory(is_staff=True))
    staff = client.get("/en/participants.csv")
    assert not isinstance(staff, FileResponse)
    assert [row[1] for row in rows(staff, "participants.csv")[1:]] == [
        "Aiko Example",
        "Bo Example",
        "Hidden Person",  # staff see drafts: never from the public file
    ]


@pytest.mark.parametrize("extra", [0, 5])
def test_filtered_participants_csv_query_count_is_fixed(
    client, db, settings, django_assert_num_queries, extra
):
    settings.SITE_URL = SITE
    edition = make_archive()["edition"]
    for _ in range(extra):
        factories.AppearanceFactory(edition=edition, role="participant")
    with django_assert_num_queries(1):  # the participants, read while the answer streams
        data = rows(client.get("/en/participants.csv?role=participant"), "participants.csv")
    assert len(data) == 2 + extra


def test_a_package_without_the_file_streams_until_the_next_build(client, db, settings):
    make_archive()
    package = data_package.build_data_package()  # SITE_URL not set: no participants file
    settings.SITE_URL = SITE
    response = client.get("/en/participants.csv")
    assert not isinstance(response, FileResponse)
    assert body(response) == reference_participants_csv("en")
    data_package.build_data_package(package.version)
    prebuilt = client.get("/en/participants.csv")
    assert isinstance(prebuilt, FileResponse)
    assert body(prebuilt) == reference_participants_csv("en")


@pytest.mark.django_db(transaction=True)  # the edit commits; the build reads on its own connection
def test_an_admin_edit_reaches_the_prebuilt_file_with_the_next_build(client, settings):
    settings.SITE_URL = SITE
    make_archive()
    first = body(client.get("/en/participants.csv"))
    assert b"Bo Renamed" not in first

    # A superuser: the Editors group is made by a migration, which a transactional test's
    # flush removes.
    client.force_login(factories.UserFactory(is_staff=True, is_superuser=True))
    participant = Participant.objects.get(slug="bo-example")
    url = reverse("admin:archive_participant_change", args=[participant.pk])
    data = admin_form_data(client.get(url))
    data["name"] = '=Bo Renamed, "the second"'
    assert client.post(url, data).status_code == 302
    client.logout()

    meanwhile = client.get("/en/participants.csv")  # the previous package, while one builds
    assert isinstance(meanwhile, FileResponse)
    assert body(meanwhile) == first
    data_package.wait_for_build()
    after = client.get("/en/participants.csv")
    assert after["ETag"] != meanwhile["ETag"]
    content = body(after)
    assert content == reference_participants_csv("en")
    data = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert [row[1] for row in data[1:]] == [
        '\'=Bo Renamed, "the second"',
        "Aiko Example",
    ]


def test_a_site_under_a_path_is_served_the_file_only_under_that_path(client, db, settings):
    settings.SITE_URL = SITE
    make_archive()
    data_package.build_data_package()  # addresses from "/"
    with override_script_prefix("/sub/"):
        streamed = client.get("/en/participants.csv")
        assert not isinstance(streamed, FileResponse)
        content = body(streamed)
    assert f"{SITE}/sub/en/participants/bo-example/".encode() in content
    settings.FORCE_SCRIPT_NAME = "/sub"
    data_package.build_data_package()
    with override_script_prefix("/sub/"):
        served = client.get("/en/participants.csv")
        assert isinstance(served, FileResponse)
        assert body(served) == content
