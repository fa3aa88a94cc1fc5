"""The OpenAPI document describes the API exactly (issue 18 §3): every answer of every operation,
over an archive with nulls, drafts, translations and hostile text, validates against the schema
the document gives for it (JSON Schema 2020-12, as OpenAPI 3.1 defines); every filter is
documented with its real type and works; an unknown parameter is a 400 that lists the allowed
ones; error answers are documented."""

import datetime
from pathlib import Path

import jsonschema
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive.api.views import RESOURCES
from archive.models import Appearance, OrganizationName, Statement

from . import factories
from .builders import make_archive

pytestmark = pytest.mark.django_db

LISTS = RESOURCES  # every list the API root names


@pytest.fixture
def document(client, db):
    return client.get("/api/schema/").json()


@pytest.fixture
def awkward_archive():
    """The shared builder's archive with hostile text, plus the nulls real records have."""
    data = make_archive(hostile=True)
    edition = data["edition"]
    keynote = factories.AppearanceFactory(
        edition=edition,
        participant=factories.ParticipantFactory(name="No Org", slug="no-org"),
        role=Appearance.Role.KEYNOTE,
        organization=None,
        position="",
        delivery=Appearance.Delivery.WRITTEN,
    )
    factories.StatementFactory(appearance=keynote, number=1, kind=Statement.Kind.PARAPHRASE)
    speaker = Appearance.objects.get(participant__slug="aiko-example")
    factories.StatementFactory(appearance=speaker, number=1, kind=Statement.Kind.QUOTE)
    session = edition.sub_forums.first()
    session.date, session.start_time = edition.start_date, datetime.time(9, 30)
    session.save()
    organization = factories.OrganizationFactory(slug="renamed", name="Renamed Institute")
    OrganizationName.objects.create(
        organization=organization, name="Old Name", valid_until=datetime.date(2001, 1, 1)
    )
    edition.co_organizers.add(organization)
    return data


def operation_for(document, path):
    """The documented GET operation whose template matches `path` (/api/editions/x-3/)."""
    parts = path.strip("/").split("/")
    for template, operations in document["paths"].items():
        pieces = template.strip("/").split("/")
        if len(pieces) == len(parts) and all(
            piece.startswith("{") or piece == part
            for piece, part in zip(pieces, parts, strict=True)
        ):
            return operations["get"]
    raise AssertionError(f"{path} is not in the OpenAPI document")


def check(document, path, response):
    operation = operation_for(document, path.split("?")[0])
    documented = operation["responses"].get(str(response.status_code))
    assert documented is not None, f"{path}: {response.status_code} is not documented"
    schema = documented["content"]["application/json"]["schema"]
    validator = jsonschema.Draft202012Validator({**document, **schema})
    errors = sorted(validator.iter_errors(response.json()), key=str)
    assert not errors, f"{path}: {errors[0].message} at {list(errors[0].absolute_path)}"


def test_every_answer_validates_against_its_documented_schema(client, document, awkward_archive):
    checked = 0
    for name in LISTS:
        listing = client.get(f"/api/{name}/")
        check(document, f"/api/{name}/", listing)
        for record in listing.json()["results"]:
            path = record["api_url"].replace("http://testserver", "")
            check(document, path, client.get(path))
            checked += 1
    assert checked >= 15  # every record of every list
    for path in ["/api/editions/no-such-forum-9/", "/api/statements/?topic=no-such-topic"]:
        response = client.get(path)
        assert response.status_code in (400, 404)
        check(document, path, response)


def test_nullable_references_are_stated_so_that_validators_accept_nulls(document):
    appearance = document["components"]["schemas"]["Appearance"]["properties"]
    for name in ("sub_forum", "organization"):
        assert {"type": "null"} in appearance[name]["oneOf"], appearance[name]


def test_the_edition_filter_is_documented_as_a_key_not_a_number(document):
    for path in ("/api/sub-forums/", "/api/appearances/", "/api/statements/"):
        parameters = {p["name"]: p for p in document["paths"][path]["get"]["parameters"]}
        assert parameters["edition"]["schema"]["type"] == "string"
        assert "beijing-tokyo-forum-20" in str(parameters["edition"]["schema"])


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/statements/?topic=trade", 1),
        ("/api/statements/?topic=no-such-topic", None),  # 400: not a topic
        ("/api/statements/?role=keynote", 1),
        ("/api/statements/?organization=ex-inst", 1),
        ("/api/appearances/?kind=paraphrase", 1),
        ("/api/appearances/?topic=trade", 1),
        ("/api/sub-forums/?participant=aiko-example", 1),
        ("/api/sub-forums/?role=moderator", 0),
    ],
)
def test_every_documented_filter_filters(client, awkward_archive, path, expected):
    response = client.get(path)
    if expected is None:
        assert response.status_code == 400
    else:
        assert response.status_code == 200, response.content
        assert response.json()["count"] == expected


@pytest.mark.parametrize(
    "path", ["/api/statements/?topics=trade", "/api/editions/?contry=Japan", "/api/topics/?x=1"]
)
def test_an_unknown_parameter_is_a_400_naming_what_is_allowed(client, awkward_archive, path):
    response = client.get(path)
    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith("Unknown query parameter:")
    assert "page_size" in body["allowed_parameters"]


def test_a_record_takes_no_parameters(client, awkward_archive):
    response = client.get("/api/topics/trade/?expand=all")
    assert response.status_code == 400
    assert "expand" in response.json()["detail"]


def test_every_operation_documents_its_error_answers(document):
    for template, operations in document["paths"].items():
        assert {"200", "400", "404", "406"} <= set(operations["get"]["responses"]), template


def test_json_only_a_request_for_xml_is_406(client, awkward_archive):
    response = client.get("/api/editions/", HTTP_ACCEPT="application/xml")
    assert response.status_code == 406


@pytest.mark.parametrize("ordering", [",", "", "name,"])
@pytest.mark.parametrize("path", ["/api/organizations/", "/en/organizations/"])
def test_an_empty_ordering_keeps_the_list_ordered(client, awkward_archive, path, ordering):
    """Found by schemathesis: "?ordering=," left the list unordered (a 500 under warnings)."""
    response = client.get(path, {"ordering": ordering})
    assert response.status_code == 200


# --- Every language of the translated fields: ?lang=all (issue 18 §3) ------------------------


def walk_with_every_language(client, document):
    """Every list and every record of it with ?lang=all, each checked against the document;
    returns the record bodies."""
    bodies = []
    for name in LISTS:
        listing = client.get(f"/api/{name}/?lang=all")
        check(document, f"/api/{name}/", listing)
        for record in listing.json()["results"]:
            path = record["api_url"].replace("http://testserver", "")
            response = client.get(f"{path}?lang=all")
            check(document, path, response)
            bodies.append(response.json())
    return bodies


def translated_keys(body):
    """Every `*_translations` key anywhere in a body."""
    if isinstance(body, dict):
        found = {key for key in body if key.endswith("_translations")}
        for value in body.values():
            found |= translated_keys(value)
        return found
    if isinstance(body, list):
        return set().union(set(), *(translated_keys(item) for item in body))
    return set()


def without_translations(body):
    if isinstance(body, dict):
        return {
            key: without_translations(value)
            for key, value in body.items()
            if not key.endswith("_translations")
        }
    if isinstance(body, list):
        return [without_translations(item) for item in body]
    return body


@pytest.fixture
def translated_archive(awkward_archive):
    edition = awkward_archive["edition"]
    edition.theme_zh_hans, edition.theme_ja = "共同努力", "協力"
    edition.save()
    forum = awkward_archive["forum"]
    forum.name_ja = "例のフォーラム"
    forum.save()
    return awkward_archive


def test_every_answer_with_every_language_validates_against_the_document(
    client, document, translated_archive
):
    bodies = walk_with_every_language(client, document)
    assert len(bodies) >= 15
    found = set().union(*(translated_keys(body) for body in bodies))
    assert {
        "name_translations",
        "title_translations",
        "theme_translations",
        "text_translations",
        "position_translations",
        "alternative_names_translations",
    } <= found


def test_every_language_adds_fields_and_changes_none(client, translated_archive):
    for path in ["/api/editions/example-forum-3/", "/api/statements/", "/api/forums/"]:
        plain = client.get(path, HTTP_ACCEPT_LANGUAGE="ja").json()
        every = client.get(f"{path}?lang=all", HTTP_ACCEPT_LANGUAGE="ja").json()
        assert without_translations(every) == plain, path
        assert translated_keys(plain) == set(), path


def test_every_language_gives_each_languages_own_text_and_null_where_none(
    client, translated_archive
):
    body = client.get("/api/editions/example-forum-3/?lang=all").json()
    assert body["theme"].startswith("Working together")  # English: no Accept-Language
    assert body["theme_translations"] == {
        "en": body["theme"],
        "zh-hans": "共同努力",
        "ja": "協力",
    }
    assert body["summary_translations"]["ja"] is None  # not translated: null, no fallback
    # The title in each language's pattern, from the forum's name in it (or its English one).
    assert body["title_translations"] == {
        "en": "3rd Example Forum",
        "zh-hans": "第3届Example Forum",
        "ja": "第3回例のフォーラム",
    }
    assert body["forum"]["name_translations"] == {
        "en": "Example Forum",
        "zh-hans": None,
        "ja": "例のフォーラム",
    }


@pytest.mark.parametrize("query", ["lang=fr", "lang=", "lang=ALL", "lang=all&lang=en"])
@pytest.mark.parametrize("path", ["/api/editions/", "/api/topics/trade/"])
def test_another_value_of_lang_is_a_400_that_says_what_it_takes(
    client, document, awkward_archive, path, query
):
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400
    assert "The only value is 'all'" in response.json()["lang"][0]
    check(document, path, response)


def test_lang_is_documented_on_every_operation(document):
    for template, operations in document["paths"].items():
        parameters = {p["name"]: p for p in operations["get"]["parameters"]}
        assert parameters["lang"]["schema"] == {"type": "string", "enum": ["all"]}, template


def test_the_translations_are_optional_in_the_document(document):
    edition = document["components"]["schemas"]["Edition"]
    assert "theme_translations" in edition["properties"]
    assert "theme_translations" not in edition["required"]
    assert "city" in edition["required"]


SHIPPED = sorted((Path(__file__).resolve().parent.parent / "fixtures").glob("*/*.json"))


def test_every_language_on_the_shipped_data_validates(client, document):
    call_command("load_edition", *map(str, SHIPPED), verbosity=0)
    bodies = walk_with_every_language(client, document)
    edition = next(b for b in bodies if b.get("key") == "beijing-tokyo-forum-20")
    assert set(edition["theme_translations"]) == {"en", "zh-hans", "ja"}
    assert all(edition["title_translations"].values())


def test_every_language_on_a_generated_archive_validates(client, document, tmp_path):
    from bench import generate, loadrate

    generate.main(
        ["--editions", "2", "--sub-forums", "3", "--participants", "6"]
        + ["--appearances", "6", "--out", str(tmp_path)]
    )
    files = [tmp_path / "series.json", tmp_path / "participants.json"]
    loadrate.bulk_load(loadrate.read_records(files + sorted(tmp_path.glob("edition-*.json"))))
    assert len(walk_with_every_language(client, document)) >= 20


@pytest.mark.parametrize("name", LISTS)
def test_every_language_costs_no_extra_query(client, translated_archive, name):
    counts = []
    for query in ("", "?lang=all"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/{name}/{query}").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], name
