"""The public page cache: fast when warm, never stale, never shared with signed-in users."""

import pytest
from django.conf import settings
from django.core.cache.backends.redis import RedisCache

from archive import cache as archive_cache

from . import factories, helpers

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.urls_cache")]


def test_second_anonymous_request_is_served_without_touching_the_database(
    client, django_assert_num_queries
):
    factories.ParticipantFactory(name="Ada")
    assert client.get("/names/").content == b"Ada"
    with django_assert_num_queries(0):
        assert client.get("/names/").content == b"Ada"


def test_a_saved_change_shows_on_the_very_next_request(client):
    person = factories.ParticipantFactory(name="Before")
    assert client.get("/names/").content == b"Before"
    person.name = "After"
    person.save()
    assert client.get("/names/").content == b"After"


def test_a_deletion_shows_on_the_very_next_request(client):
    person = factories.ParticipantFactory(name="Gone")
    assert client.get("/names/").content == b"Gone"
    person.delete()
    assert client.get("/names/").content == b""


def test_matching_etag_gets_304_not_modified(client):
    factories.ParticipantFactory(name="Ada")
    etag = client.get("/names/")["ETag"]
    response = client.get("/names/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response["ETag"] == etag
    assert client.get("/names/", HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_signed_in_users_neither_read_nor_fill_the_cache(client):
    factories.ParticipantFactory(name="Ada")
    client.cookies[settings.SESSION_COOKIE_NAME] = "some-session"
    assert client.get("/names/").content == b"Ada"
    assert [key for key in archive_cache.cache._cache if "archive:page:" in key] == []


def test_private_responses_are_not_cached(client):
    client.get("/private/")
    assert [key for key in archive_cache.cache._cache if "archive:page:" in key] == []


def test_head_request_gets_headers_and_no_body(client):
    factories.ParticipantFactory(name="Ada")
    client.get("/names/")
    response = client.head("/names/")
    assert response.status_code == 200
    assert response.content == b""
    assert response["Content-Length"] == "3"


@pytest.fixture
def redis_servers():
    """Two cache clients on one Redis, as two app servers would have."""
    location = "redis://127.0.0.1:6379/14"
    params = {"KEY_PREFIX": "forumarchive-test"}
    first, second = RedisCache(location, params), RedisCache(location, params)
    try:
        first.clear()
    except Exception as exc:  # noqa: BLE001 - any connection failure means no Redis here
        helpers.need(False, f"Redis is not reachable on 127.0.0.1:6379 ({exc})")
    yield first, second
    first.clear()


def test_redis_content_version_bumped_on_one_server_is_seen_by_the_other(
    redis_servers, monkeypatch
):
    first, second = redis_servers
    monkeypatch.setattr(archive_cache, "cache", first)
    before = archive_cache.content_version()
    archive_cache.bump_content_version()
    monkeypatch.setattr(archive_cache, "cache", second)
    after = archive_cache.content_version()
    assert after != before
    assert second.get(archive_cache.VERSION_KEY) == after


def test_a_fixture_load_shows_on_the_very_next_request(
    client, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    assert client.get("/names/").content == b""
    fixture = tmp_path / "people.json"
    fixture.write_text(
        '[{"model": "archive.participant", "fields": {"slug": "ada", "name": "Ada"}}]', "utf-8"
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_edition", str(fixture), verbosity=0)
    assert client.get("/names/").content == b"Ada"
