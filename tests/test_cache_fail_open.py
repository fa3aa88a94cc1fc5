"""The cache on a real Redis. It fails open: with Redis stopped or frozen every page answers 200,
uncached and quickly, the log gets a few lines, and pages are cached again within a second of
Redis's return. And junk query strings do not grow it.

Each test runs its own redis-server (tests/redis_server.py), never the shared one.
"""

import logging
import time

import pytest
from django.core.cache import cache

from archive import cache as archive_cache

from . import factories
from .redis_server import RedisServer

pytestmark = [pytest.mark.django_db, pytest.mark.fault]

#: What a visitor may wait for a page while Redis is away (socket timeouts are 0.25 s).
MAX_SECONDS = 2.0


class Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def redis_server():
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def redis_cache(settings, redis_server):
    """The production backend and options, on a private Redis."""
    settings.CACHES = {
        "default": {
            "BACKEND": "archive.cache.FailOpenRedisCache",
            "LOCATION": redis_server.url,
            "KEY_PREFIX": "fault-test",
            "TIMEOUT": 60 * 60,
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
    return redis_server


@pytest.fixture
def log_records():
    """Everything the site logs (archive.cache, django.request's 500s, the rest)."""
    handler = Records()
    loggers = [logging.getLogger(name) for name in ("", "archive", "django", "django.request")]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler.records
    for logger in loggers:
        logger.removeHandler(handler)


@pytest.fixture
def site():
    edition = factories.EditionFactory()
    sub_forum = factories.SubForumFactory(edition=edition)
    factories.StatementFactory(
        appearance=factories.AppearanceFactory(edition=edition, sub_forum=sub_forum)
    )
    return [
        "/en/",
        "/en/editions/",
        edition.get_absolute_url(),
        "/api/editions/",
        "/robots.txt",
        "/sitemap.xml",
        "/en/feeds/editions/",
    ]


def fetch_all(client, urls):
    """GET each page; return (url, status, seconds) for each."""
    results = []
    for url in urls:
        began = time.monotonic()
        status = client.get(url).status_code
        results.append((url, status, time.monotonic() - began))
    return results


def assert_served_uncached(client, urls, rounds=3):
    for _ in range(rounds):
        for url, status, seconds in fetch_all(client, urls):
            assert (url, status) == (url, 200)
            assert seconds < MAX_SECONDS, f"{url} took {seconds:.2f} s"


def assert_cached_again(client, urls, redis_server, django_assert_num_queries):
    time.sleep(archive_cache.FailOpenRedisCache.retry_after + 0.1)
    assert [status for _url, status, _s in fetch_all(client, urls)] == [200] * len(urls)
    assert redis_server.dbsize() >= len(urls)  # every page stored (plus the version)
    with django_assert_num_queries(0):
        assert [status for _url, status, _s in fetch_all(client, urls)] == [200] * len(urls)


def assert_few_quiet_lines(records):
    assert len(records) <= 4, [record.getMessage() for record in records]
    assert all(record.exc_info is None for record in records)
    assert all(record.name == "archive.cache" for record in records)


def test_pages_are_served_while_redis_is_stopped_and_cached_again_on_its_return(
    client, site, redis_cache, log_records, django_assert_num_queries
):
    assert [status for _url, status, _s in fetch_all(client, site)] == [200] * len(site)
    assert redis_cache.dbsize() >= len(site)
    redis_cache.stop()
    assert_served_uncached(client, site)
    redis_cache.start()  # same port, empty, as after a restart without persistence
    assert_cached_again(client, site, redis_cache, django_assert_num_queries)
    assert_few_quiet_lines(log_records)
    assert "unreachable" in log_records[0].getMessage()
    assert "reachable again" in log_records[-1].getMessage()


def test_pages_are_served_while_redis_is_frozen_and_cached_again_when_it_thaws(
    client, site, redis_cache, log_records, django_assert_num_queries
):
    assert [status for _url, status, _s in fetch_all(client, site)] == [200] * len(site)
    redis_cache.freeze()
    try:
        assert_served_uncached(client, site)
    finally:
        redis_cache.thaw()
    assert_cached_again(client, site, redis_cache, django_assert_num_queries)
    assert_few_quiet_lines(log_records)


def test_a_frozen_redis_costs_one_socket_timeout_per_second_not_one_per_call(
    redis_cache, log_records
):
    cache.set("k", 1)
    redis_cache.freeze()
    try:
        began = time.monotonic()
        results = [cache.get("k", "miss") for _ in range(50)]
        elapsed = time.monotonic() - began
    finally:
        redis_cache.thaw()
    assert results == ["miss"] * 50
    assert elapsed < 0.6  # one 0.25 s timeout, then the breaker answers at once


def test_every_cache_operation_answers_its_default_while_redis_is_down(redis_cache, log_records):
    redis_cache.stop()
    assert cache.get("k", "default") == "default"
    assert cache.add("k", 1) is False
    assert cache.set("k", 1) is None
    assert cache.get_many(["k", "l"]) == {}
    assert cache.set_many({"k": 1, "l": 2}) == ["k", "l"]
    assert cache.delete("k") is False
    assert cache.has_key("k") is False
    assert cache.touch("k") is False
    assert cache.delete_many(["k"]) is None
    assert cache.get_or_set("k", 5) == 5
    with pytest.raises(ValueError):
        cache.incr("k")
    assert archive_cache.content_version() is None
    assert len(log_records) == 1


def test_a_change_made_while_redis_is_down_replaces_the_version_once_it_is_back(
    redis_cache, log_records
):
    before = archive_cache.content_version()
    redis_cache.freeze()
    try:
        archive_cache.bump_content_version()  # an editor saves during the outage
    finally:
        redis_cache.thaw()
    time.sleep(archive_cache.FailOpenRedisCache.retry_after + 0.1)
    after = archive_cache.content_version()
    assert after not in (None, before)
    assert archive_cache.content_version() == after  # bumped once, not on every request
    assert [record.levelname for record in log_records] == ["WARNING", "ERROR", "WARNING"]


def test_redis_refusing_writes_when_full_is_an_outage_too(client, site, redis_cache):
    """maxmemory reached under noeviction: Redis answers OOM errors; pages still answer 200."""
    client.get("/en/")
    connection = redis_cache.client()
    try:
        connection.config_set("maxmemory-policy", "noeviction")
        connection.config_set("maxmemory", 1)
        assert [status for _url, status, _s in fetch_all(client, site)] == [200] * len(site)
    finally:
        connection.config_set("maxmemory", 0)
        connection.close()


def test_2000_random_query_strings_grow_redis_by_under_1_mb(client, site, redis_cache):
    """The audit's measure (197 MB before): Redis's own used_memory and key count."""
    for page in site:
        client.get(page)
    keys, memory = redis_cache.dbsize(), redis_cache.used_memory()
    pages = ["/robots.txt", "/api/forums/"]
    for n in range(2000):
        expected = 400 if pages[n % 2].startswith("/api/") else 200  # the API refuses junk
        assert client.get(f"{pages[n % 2]}?q{n}={n * 7919}&utm={n}").status_code == expected
    assert redis_cache.dbsize() == keys  # not one more key
    assert redis_cache.used_memory() - memory < 1024 * 1024
