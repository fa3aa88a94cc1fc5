"""The shared cache, made safe to depend on, and the content version every change bumps.

Any save or delete of an archive record — in the admin, through the loader or anywhere else —
replaces the *content version*, so everything cached under the old one (whole pages in
archive/http/page_cache.py, list counts here) is stale at once. The version lives in the shared
cache, so with Redis every app server sees a change at once.

The cache is an accelerator, never a dependency (docs/reliability.md): ``FailOpenRedisCache``
(the backend settings use with ``REDIS_URL``) answers "not cached" when Redis is down, frozen or
refusing writes, after short socket timeouts; a circuit breaker then skips Redis for
``retry_after`` seconds before trying again, and the outage is logged once per ``log_interval``,
not once per request.
"""

import hashlib
import logging
import re
import threading
import time
import uuid
from urllib.parse import urlsplit

from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)

VERSION_KEY = "archive:content-version"


# --- A cache that fails open ---------------------------------------------------------------
class CircuitBreaker:
    """Skip a failing service for `retry_after` seconds after each failure; log sparingly.

    One per cache location and process, shared by its threads. The first failure after a healthy
    spell is logged at WARNING, then at most one summary per `log_interval` while it lasts, and
    one line when the service answers again.
    """

    def __init__(self, name, *, retry_after=1.0, log_interval=60.0):
        self.name = name
        self.retry_after = retry_after
        self.log_interval = log_interval
        self._lock = threading.Lock()
        self._open_until = 0.0
        self._down_since = None
        self._failures = 0  # since the last log line
        self._skipped = 0  # calls answered without trying, since the last log line
        self._last_log = 0.0

    def allow(self):
        """Whether to try the service now; counts the call as skipped otherwise."""
        if time.monotonic() >= self._open_until:
            return True
        with self._lock:
            self._skipped += 1
        return False

    def failure(self, exc):
        now = time.monotonic()
        with self._lock:
            self._open_until = now + self.retry_after
            self._failures += 1
            if self._down_since is None:
                self._down_since = now
                message = "%s unreachable (%s: %s); serving without it, next try in %.1f s"
                args = (self.name, type(exc).__name__, exc, self.retry_after)
            elif now - self._last_log >= self.log_interval:
                message = "%s still unreachable after %.0f s (%d failed tries, %d calls skipped)"
                args = (self.name, now - self._down_since, self._failures, self._skipped)
            else:
                return
            self._last_log, self._failures, self._skipped = now, 0, 0
        log.warning(message, *args)

    def success(self):
        if self._down_since is None:
            return
        now = time.monotonic()
        with self._lock:
            if self._down_since is None:
                return
            down_for, self._down_since = now - self._down_since, None
            failures, skipped = self._failures, self._skipped
            self._last_log, self._failures, self._skipped = now, 0, 0
        log.warning(
            "%s reachable again after %.1f s (%d more failed tries, %d calls skipped)",
            self.name,
            down_for,
            failures,
            skipped,
        )


_BREAKERS = {}
_BREAKERS_LOCK = threading.Lock()


def _breaker_for(location, **options):
    with _BREAKERS_LOCK:
        if location not in _BREAKERS:
            # host:port/db only: a Redis URL may carry a password.
            parts = urlsplit(re.split("[;,]", location)[0])
            name = f"Cache redis://{parts.hostname}:{parts.port or 6379}{parts.path}"
            _BREAKERS[location] = CircuitBreaker(name, **options)
        return _BREAKERS[location]


class _KeyMissing(ValueError):
    pass


class FailOpenRedisCache(RedisCache):
    """Django's RedisCache, answering "not cached" instead of raising while Redis is unusable.

    Reads return their default, writes do nothing (``set_many`` reports every key as failed, as
    its contract says), ``incr``/``decr`` raise ValueError as for a missing key. ``clear()`` still
    raises: it is an operator's command, not a visitor's request. Give the backend short socket
    timeouts (settings: ``socket_connect_timeout``, ``socket_timeout``) so that a frozen Redis
    costs a fraction of a second once per ``retry_after``, not a hung worker.
    """

    retry_after = 1.0
    log_interval = 60.0

    def __init__(self, server, params):
        super().__init__(server, params)
        import redis  # the `redis` extra; only needed when this backend is configured

        self._errors = (redis.exceptions.RedisError, OSError)
        self.breaker = _breaker_for(
            ",".join(self._servers), retry_after=self.retry_after, log_interval=self.log_interval
        )

    def _call(self, method, fallback, *args, **kwargs):
        if not self.breaker.allow():
            return self._fallback(fallback)
        try:
            result = method(*args, **kwargs)
        except self._errors as exc:
            self.breaker.failure(exc)
            return self._fallback(fallback)
        self.breaker.success()
        return result

    @staticmethod
    def _fallback(fallback):
        if fallback is _KeyMissing:
            raise _KeyMissing("The cache is unavailable.")
        return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().add, False, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call(super().get, default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set, None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call(super().delete, False, key, version)

    def get_many(self, keys, version=None):
        return self._call(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._call(super().has_key, False, key, version)

    def incr(self, key, delta=1, version=None):
        return self._call(super().incr, _KeyMissing, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set_many, list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call(super().delete_many, None, keys, version)


# --- The content version ---------------------------------------------------------------------
_pending_bump = threading.Event()


def content_version():
    """The current content version, or None while the cache cannot be used (then cache nothing).

    A bump that failed in this process (an editor saved while Redis was away) is made first, so
    that pages cached before the change are not served once Redis is back.
    """
    if _pending_bump.is_set() and not cache.set_many({VERSION_KEY: uuid.uuid4().hex}, None):
        _pending_bump.clear()
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def bump_content_version(**kwargs):
    """Signal receiver (and plain function): every cached page is stale from now on."""
    # set_many reports keys it could not store; set() says nothing.
    if cache.set_many({VERSION_KEY: uuid.uuid4().hex}, None):
        _pending_bump.set()
        log.error(
            "The content version could not be replaced (cache unavailable); this process "
            "retries on its next request. Pages cached before this change may be served until "
            "then (docs/reliability.md)."
        )


def cached_value(name, parts, build, timeout=60 * 60):
    """build(), remembered under `name` and `parts` (any repr-able values that decide the
    result) until the content version changes; built afresh, and not kept, while the cache
    cannot be used. The one home of the derived values kept between two changes: list counts,
    totals, and the JSON-LD of a record shown over several pages."""
    version = content_version()
    if version is None:
        return build()
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16)
    key = f"archive:{name}:{version}:{digest.hexdigest()}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout)
    return value


def query_key(queryset):
    """What decides a queryset's rows: its database, SQL and parameters (a cache key part)."""
    sql, params = queryset.query.sql_with_params()
    return (queryset.db, sql, params)


def cached_count(queryset, timeout=60 * 60):
    """queryset.count(), remembered until the content version changes.

    A list's paginator counts every matching row on each request; over 50,000 participants
    with their visibility rule that is most of the page's database time, on every page. The
    count changes only when the content does, and the key is the exact SQL and parameters, so
    a staff member's count (drafts included) is never mixed with a visitor's.
    """
    return cached_value("count", query_key(queryset), queryset.count, timeout)


def cached_aggregate(queryset, timeout=60 * 60, **aggregates):
    """queryset.aggregate(**aggregates), remembered until the content version changes, as
    cached_count() remembers a count: the key is the queryset's exact SQL and parameters plus
    the aggregates asked for, so a staff member's totals (drafts included) are never a visitor's.
    """
    asked = sorted((name, repr(expression)) for name, expression in aggregates.items())
    return cached_value(
        "aggregate",
        (*query_key(queryset), asked),
        lambda: queryset.aggregate(**aggregates),
        timeout,
    )
