"""The read-only JSON API: resources by natural key, filters, drafts, headers, query budgets, and
an OpenAPI conformance run (schemathesis, in-process against the WSGI app)."""

import datetime
import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from archive.models import Appearance, Edition
from forumarchive.wsgi import application

from . import factories

HOSTILE = '</script><script>alert(1)</script>"><img src=x onerror=alert(1)>'


@pytest.fixture
def archive_data(db):
    """A published edition with a session, two appearances and a statement, and a draft."""
    forum = factories.ForumFactory(name="Example Forum", slug="example-forum")
    topic = factories.TopicFactory(name="Trade", slug="trade")
    organization = factories.OrganizationFactory(name="Example Institute", slug="example-inst")
    edition = factories.EditionFactory(
        forum=forum,
        number=3,
        theme="Working together",
        city="Tokyo",
        country="Japan",
        start_date=datetime.date(2024, 12, 2),
        end_date=datetime.date(2024, 12, 3),
    )
    edition.topics.add(topic)
    edition.co_organizers.add(organization)
    session = factories.SubForumFactory(edition=edition, title="Economy", slug="economy")
    session.topics.add(topic)
    speaker = factories.ParticipantFactory(name="Aiko Example", slug="aiko-example")
    keynote = factories.ParticipantFactory(name="Bo Example", slug="bo-example")
    in_session = factories.AppearanceFactory(
        participant=speaker, sub_forum=session, organization=organization, position="Director"
    )
    factories.AppearanceFactory(
        participant=keynote,
        edition=edition,
        role=Appearance.Role.KEYNOTE,
        organization=None,
        position="",
    )
    source = factories.SourceFactory(title="Example report", slug="example-report")
    factories.StatementFactory(appearance=in_session, number=1, text="We agree.", source=source)
    draft = factories.EditionFactory(
        forum=forum, number=4, status=Edition.Status.DRAFT, start_date=datetime.date(2025, 5, 1)
    )
    draft_session = factories.SubForumFactory(edition=draft, title="Secret", slug="secret")
    hidden = factories.ParticipantFactory(name="Hidden Person", slug="hidden-person")
    draft_appearance = factories.AppearanceFactory(participant=hidden, sub_forum=draft_session)
    factories.StatementFactory(
        appearance=draft_appearance,
        number=1,
        text="Unpublished words.",
        source=factories.SourceFactory(title="Draft source", slug="draft-source"),
    )
    factories.TopicFactory(name="Draft topic", slug="draft-topic")
    draft.topics.add(factories.TopicFactory(name="Only in draft", slug="only-in-draft"))
    return {"edition": edition, "session": session, "draft": draft}


def get_json(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/json"
    return response.json()


LISTS_AND_KEYS = [
    ("/api/forums/", "slug", ["example-forum"]),
    ("/api/editions/", "key", ["example-forum-3"]),
    ("/api/sub-forums/", "slug", ["economy"]),
    ("/api/participants/", "slug", ["aiko-example", "bo-example"]),
    ("/api/organizations/", "slug", ["example-inst"]),
    ("/api/topics/", "slug", ["trade"]),
    ("/api/sources/", "slug", ["example-report"]),
]


@pytest.mark.parametrize(("url", "key", "expected"), LISTS_AND_KEYS)
def test_api_list_shows_published_records_only(client, archive_data, url, key, expected):
    data = get_json(client, url)
    assert [item[key] for item in data["results"]] == expected
    assert data["count"] == len(expected)


def test_api_appearances_and_statements_leave_out_drafts(client, archive_data):
    appearances = get_json(client, "/api/appearances/")["results"]
    assert sorted(a["participant"]["slug"] for a in appearances) == ["aiko-example", "bo-example"]
    statements = get_json(client, "/api/statements/")["results"]
    assert [s["text"] for s in statements] == ["We agree."]


def test_api_draft_records_are_not_found_even_for_staff(staff_client, archive_data):
    for url in [
        "/api/editions/example-forum-4/",
        "/api/sub-forums/example-forum-4/secret/",
        "/api/participants/hidden-person/",
        "/api/appearances/example-forum-4/secret/hidden-person/speaker/",
        "/api/statements/example-forum-4/secret/hidden-person/speaker/1/",
        "/api/topics/only-in-draft/",
        "/api/sources/draft-source/",
    ]:
        assert staff_client.get(url).status_code == 404, url


def test_api_edition_detail_by_natural_key(client, archive_data):
    data = get_json(client, "/api/editions/example-forum-3/")
    assert data["key"] == "example-forum-3"
    assert data["title"] == "3rd Example Forum"
    assert data["forum"] == {
        "slug": "example-forum",
        "name": "Example Forum",
        "api_url": "http://testserver/api/forums/example-forum/",
    }
    assert (data["start_date"], data["end_date"]) == ("2024-12-02", "2024-12-03")
    assert [t["slug"] for t in data["topics"]] == ["trade"]
    assert [o["slug"] for o in data["co_organizers"]] == ["example-inst"]
    assert data["sub_forums"][0]["api_url"] == (
        "http://testserver/api/sub-forums/example-forum-3/economy/"
    )
    assert data["html_url"] == "http://testserver/en/editions/example-forum-3/"
    assert data["calendar_url"] == "http://testserver/en/editions/example-forum-3/calendar.ics"
    assert data["appearances_url"] == "http://testserver/api/appearances/?edition=example-forum-3"


def test_api_links_resolve_to_the_same_records(client, archive_data):
    appearances = get_json(client, "/api/appearances/?edition=example-forum-3&role=speaker")
    (appearance,) = appearances["results"]
    assert appearance["api_url"] == (
        "http://testserver/api/appearances/example-forum-3/economy/aiko-example/speaker/"
    )
    again = get_json(client, appearance["api_url"])
    assert again == appearance
    statement = appearance["statements"][0]
    detail = get_json(client, statement["api_url"])
    assert (detail["text"], detail["participant"]["slug"]) == ("We agree.", "aiko-example")
    assert detail["appearance_url"] == appearance["api_url"]
    keynote = get_json(client, "/api/appearances/example-forum-3/bo-example/keynote/")
    assert (keynote["sub_forum"], keynote["organization"]) == (None, None)


def test_api_edition_filters_match_the_html_list(client, archive_data):
    factories.EditionFactory(number=1, start_date=datetime.date(2005, 8, 1), city="Beijing")
    keys = [e["key"] for e in get_json(client, "/api/editions/?city=beijing")["results"]]
    assert len(keys) == 1 and keys[0].endswith("-1")
    assert [
        e["key"] for e in get_json(client, "/api/editions/?forum=example-forum")["results"]
    ] == ["example-forum-3"]
    assert [e["key"] for e in get_json(client, "/api/editions/?topic=trade")["results"]] == [
        "example-forum-3"
    ]


def test_api_participant_filters_match_the_html_list(client, archive_data):
    data = get_json(client, "/api/participants/?role=keynote&edition=example-forum-3")
    assert [p["slug"] for p in data["results"]] == ["bo-example"]
    data = get_json(client, "/api/participants/?organization=example-inst")
    assert [p["slug"] for p in data["results"]] == ["aiko-example"]


def test_api_invalid_filter_is_a_400_with_the_reason(client, archive_data):
    data = get_json(client, "/api/editions/?year=abc", status=400)
    assert list(data) == ["year"]


def test_api_page_size_is_bounded(client, db):
    factories.ParticipantFactory.create_batch(3)
    for participant in factories.ParticipantFactory._meta.model.objects.all():
        factories.AppearanceFactory(participant=participant)
    data = get_json(client, "/api/participants/?page_size=2")
    assert (data["count"], len(data["results"])) == (3, 2)
    assert data["next"] == "http://testserver/api/participants/?page=2&page_size=2"
    factories.ParticipantFactory.create_batch(101)
    for participant in factories.ParticipantFactory._meta.model.objects.filter(
        appearances__isnull=True
    ):
        factories.AppearanceFactory(participant=participant)
    assert len(get_json(client, "/api/participants/?page_size=100")["results"]) == 100
    assert list(get_json(client, "/api/participants/?page_size=1000", status=400)) == ["page_size"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_api_refuses_writes_with_405(client, archive_data, method):
    for url in ["/api/editions/", "/api/editions/example-forum-3/"]:
        response = getattr(client, method)(url, data={}, content_type="application/json")
        assert response.status_code == 405, (method, url)


def test_api_reads_are_public_cacheable_and_cross_origin(client, archive_data):
    response = client.get("/api/editions/example-forum-3/", HTTP_ORIGIN="https://elsewhere.test")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == "public, max-age=300"
    etag = response["ETag"]
    assert client.get("/api/editions/example-forum-3/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.head("/api/editions/").status_code == 200
    options = client.options("/api/editions/")
    assert options.status_code == 200
    assert options["Allow"] == "GET, HEAD, OPTIONS"


def test_api_hostile_text_comes_back_as_data(client, archive_data):
    edition = archive_data["edition"]
    edition.theme = HOSTILE
    edition.save()
    response = client.get("/api/editions/example-forum-3/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert json.loads(response.content)["theme"] == HOSTILE


def test_api_root_lists_every_resource(client, db):
    data = get_json(client, "/api/")
    assert list(data) == [
        "forums",
        "editions",
        "sub-forums",
        "participants",
        "organizations",
        "appearances",
        "statements",
        "topics",
        "sources",
        "schema",
        "docs",
    ]


def test_api_schema_is_openapi_3_at_a_stable_address(client, db):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    assert "/api/editions/{key}/" in paths
    assert all(set(operations) <= {"get", "parameters"} for operations in paths.values())


def test_api_docs_are_self_hosted_without_inline_code(client, db):
    response = client.get("/api/docs/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<script") == html.count('<script src="/static/') + 1
    assert "<style" not in html
    assert "//cdn" not in html
    assert '<script src="/api/docs/?script="></script>' in html
    script = client.get("/api/docs/?script=")
    assert script["Content-Type"] == "application/javascript"
    assert b'"/api/schema/"' in script.content


def _grow(edition, size):
    """`size` more appearances (each with a statement) and sessions for one edition."""
    for _ in range(size):
        session = factories.SubForumFactory(edition=edition)
        session.topics.add(factories.TopicFactory())
        edition.co_organizers.add(factories.OrganizationFactory())
        edition.topics.add(factories.TopicFactory())
        factories.StatementFactory(appearance=factories.AppearanceFactory(sub_forum=session))


@pytest.mark.parametrize("size", [1, 5])
def test_api_lists_run_a_fixed_number_of_queries(
    client, archive_data, django_assert_num_queries, size
):
    for number in range(10, 10 + size):
        _grow(factories.EditionFactory(forum=archive_data["edition"].forum, number=number), 2)
    budgets = {
        "/api/forums/": 3,
        "/api/editions/": 7,  # with the co-organizers' dated names
        "/api/sub-forums/": 3,
        "/api/participants/": 2,
        "/api/organizations/": 2,
        "/api/appearances/": 4,  # with the organizations' dated names
        "/api/statements/": 2,
        "/api/topics/": 2,
        "/api/sources/": 2,
    }
    for url, queries in budgets.items():
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200


@pytest.mark.parametrize("size", [1, 5])
def test_api_details_run_a_fixed_number_of_queries(
    client, archive_data, django_assert_num_queries, size
):
    _grow(archive_data["edition"], size)
    budgets = {
        "/api/forums/example-forum/": 2,
        "/api/editions/example-forum-3/": 6,  # with the co-organizers' dated names
        "/api/sub-forums/example-forum-3/economy/": 2,  # one query for edition and session
        "/api/participants/aiko-example/": 1,
        "/api/organizations/example-inst/": 1,
        "/api/appearances/example-forum-3/economy/aiko-example/speaker/": 4,
        "/api/statements/example-forum-3/economy/aiko-example/speaker/1/": 2,
        "/api/topics/trade/": 1,
        "/api/sources/example-report/": 1,
    }
    for url, queries in budgets.items():
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200


# --- OpenAPI conformance --------------------------------------------------------------------

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture
def conformance_data(archive_data):
    """The data, with the test's database connection kept open across raw WSGI calls (Django's
    test client does the same: request_finished would otherwise close it on PostgreSQL)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield archive_data
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.slow  # every operation against the OpenAPI document
@schema.parametrize()
@settings(
    max_examples=20,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, conformance_data):
    """Every operation: never a 500, and every documented response matches the schema."""
    response = case.call()
    case.validate_response(
        response,
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )


# --- The same order and the same filters in every language ---------------------------------


def _published_with(**records):
    edition = factories.EditionFactory()
    for organization in records.get("organizations", ()):
        factories.AppearanceFactory(edition=edition, organization=organization)
    for topic in records.get("topics", ()):
        edition.topics.add(topic)
    for source in records.get("sources", ()):
        edition.sources.add(source)
    return edition


@pytest.mark.parametrize("language", ["en", "zh-hans", "ja"])
def test_api_orders_by_the_original_names_whatever_the_accept_language(client, db, language):
    # Japanese names that sort the other way round, and one record with none at all.
    _published_with(
        organizations=[
            factories.OrganizationFactory(name="Gamma Institute", slug="gamma"),
            factories.OrganizationFactory(name="Beta Institute", name_ja="アルファ", slug="beta"),
            factories.OrganizationFactory(name="Alpha Institute", name_ja="ゼータ", slug="alpha"),
        ],
        topics=[
            factories.TopicFactory(name="Trade", name_ja="貿易", slug="trade"),
            factories.TopicFactory(name="Media", name_ja="メディア", slug="media"),
            factories.TopicFactory(name="Energy", slug="energy"),
        ],
        sources=[
            factories.SourceFactory(title="Zeta report", title_ja="ア報告", slug="zeta"),
            factories.SourceFactory(title="Alpha report", title_ja="ン報告", slug="alpha-r"),
        ],
    )
    headers = {"HTTP_ACCEPT_LANGUAGE": language}

    def slugs(path):
        return [row["slug"] for row in client.get(path, **headers).json()["results"]]

    assert slugs("/api/organizations/") == ["alpha", "beta", "gamma"]
    assert slugs("/api/topics/") == ["energy", "media", "trade"]
    assert slugs("/api/sources/") == ["alpha-r", "zeta"]
    # ... and the pages list them in that same order in that language.
    html = client.get(f"/{language}/organizations/").content.decode()
    shown = [html.index(slug) for slug in ("/alpha/", "/beta/", "/gamma/")]
    assert shown == sorted(shown)
