"""Whole-page caching for anonymous visitors, with a content version that every change bumps.

Pages are cached early in the middleware stack (before sessions, auth and templates run), keyed by
a *content version*: any save or delete of an archive record — in the admin, through the loader or
anywhere else — replaces the version, so the very next request renders afresh. The version lives
in the shared cache, so with Redis every app server sees a change at once. Signed-in users (staff
previewing drafts) and the admin are never served from or stored in this cache. Each cached page
carries an ETag, and a matching If-None-Match gets 304 Not Modified.

The cache is an accelerator, never a dependency (docs/reliability.md):

* **It fails open.** ``FailOpenRedisCache`` (the backend settings use with ``REDIS_URL``) answers
  "not cached" when Redis is down, frozen or refusing writes, after short socket timeouts; a
  circuit breaker then skips Redis for ``retry_after`` seconds before trying again, and the
  outage is logged once per ``log_interval``, not once per request. Everything that uses the
  cache (this page cache, ``content_version``, ``cached_count``, picture sizes) goes through it.
* **Its keys are bounded.** A page is cached only when every query parameter is one the page
  reads (its FilterSet's fields, pagination, search, sitemap and card parameters: see
  ``page_parameters``); the key is built from those, sorted and deduplicated, never from the raw
  URL. Each page keeps at most ``PAGE_CACHE_MAX_VARIANTS`` query variants per content version,
  and bodies are stored compressed, up to ``PAGE_CACHE_MAX_BYTES`` each.
"""

import hashlib
import logging
import re
import threading
import time
import uuid
import zlib
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from django.http import HttpResponse, HttpResponseNotModified
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

VERSION_KEY = "archive:content-version"
EXCLUDED_PREFIXES = ("/admin/", "/media/", "/static/")
CACHED_HEADERS_SKIP = {"set-cookie"}


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


def cached_count(queryset, timeout=60 * 60):
    """queryset.count(), remembered until the content version changes.

    A list's paginator counts every matching row on each request; over 50,000 participants
    with their visibility rule that is most of the page's database time, on every page. The
    count changes only when the content does, and the key is the exact SQL and parameters, so
    a staff member's count (drafts included) is never mixed with a visitor's.
    """
    version = content_version()
    if version is None:
        return queryset.count()
    sql, params = queryset.query.sql_with_params()
    digest = hashlib.blake2b(repr((queryset.db, sql, params)).encode(), digest_size=16)
    key = f"archive:count:{version}:{digest.hexdigest()}"
    count = cache.get(key)
    if count is None:
        count = queryset.count()
        cache.set(key, count, timeout)
    return count


# --- Which query parameters a page reads ------------------------------------------------------
#: Parameters read by views that no FilterSet or paginator attribute announces, by URL name.
#: A dotted path names a FilterSet whose fields the view reads.
VIEW_PARAMETERS = {
    "archive:edition-detail": {"page"},  # its people, 25 a page
    "archive:sub-forum-detail": {"page"},
    "archive:search": {"q"},
    "archive:participant-list-csv": {"archive.filters.ParticipantFilter"},
    "archive:edition-card": {"v"},  # the card's version: a year's Cache-Control when current
    "archive:sub-forum-card": {"v"},
    "archive:participant-card": {"v"},
    "sitemap-section": {"p"},
}

_PARAMETERS = {}  # view name -> frozenset, computed once per process


def filterset_parameters(filterset_class):
    """The query parameter names a FilterSet reads (its filters, with any widget suffixes)."""
    names = set()
    for name, filter_ in filterset_class.base_filters.items():
        widget = filter_.extra.get("widget") or getattr(filter_.field_class, "widget", None)
        suffixes = getattr(widget, "suffixes", None) or [""]
        names.update(f"{name}_{suffix}" if suffix else name for suffix in suffixes)
    return names


def _view_parameters(match):
    view = match.func
    view_class = getattr(view, "view_class", None) or getattr(view, "cls", None)
    names = set()
    for name in VIEW_PARAMETERS.get(match.view_name, ()):
        names |= filterset_parameters(import_string(name)) if "." in name else {name}
    filterset_class = getattr(view_class, "filterset_class", None)
    if filterset_class is not None:
        names |= filterset_parameters(filterset_class)
    if getattr(view_class, "paginate_by", None):  # Django's ListView
        names.add(view_class.page_kwarg)
    pagination_class = getattr(view_class, "pagination_class", None)
    if pagination_class is not None and "list" in (getattr(view, "actions", None) or {}).values():
        names.add(pagination_class.page_query_param)
        if pagination_class.page_size_query_param:
            names.add(pagination_class.page_size_query_param)
    return frozenset(names)


def page_parameters(request):
    """The query parameters the page at request.path reads; empty for an unknown path."""
    language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return frozenset()
    if match.view_name not in _PARAMETERS:
        _PARAMETERS[match.view_name] = _view_parameters(match)
    return _PARAMETERS[match.view_name]


def normalised_query(request, allowed):
    """The query string as a sorted, deduplicated tuple, or None when the page must not be cached:
    a parameter the page does not read, or one given twice with different values."""
    items = []
    for name, values in request.GET.lists():
        if name not in allowed or len(set(values)) > 1:
            return None
        items.append((name, values[0]))
    return tuple(sorted(items))


# --- The page cache ---------------------------------------------------------------------------
def _etag(content):
    return '"' + hashlib.blake2b(content, digest_size=16).hexdigest() + '"'


class PublicPageCacheMiddleware:
    timeout = 60 * 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self._is_cacheable_request(request):
            return self.get_response(request)
        language = translation.get_language_from_request(request, check_path=True)
        query = normalised_query(request, page_parameters(request))
        version = content_version() if query is not None else None
        if version is None:  # unknown parameters, or the cache is unavailable
            return self.get_response(request)
        page = f"{language}|{request.scheme}://{request.get_host()}{request.path}"
        key = self._key(version, page, query)
        entry = cache.get(key)
        if entry is None:
            response = self.get_response(request)
            if not self._is_cacheable_response(response):
                return response
            entry = self._entry(response)
            if self._may_store(entry, version, page, query):
                cache.set(key, entry, self.timeout)
        if request.META.get("HTTP_IF_NONE_MATCH") == entry["etag"]:
            not_modified = HttpResponseNotModified()
            not_modified["ETag"] = entry["etag"]
            return not_modified
        return self._response(entry, head=request.method == "HEAD")

    @staticmethod
    def _is_cacheable_request(request):
        return (
            request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not request.path.startswith(EXCLUDED_PREFIXES)
        )

    @staticmethod
    def _is_cacheable_response(response):
        cache_control = response.get("Cache-Control", "")
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and "private" not in cache_control
            and "no-store" not in cache_control
        )

    @staticmethod
    def _key(version, page, query):
        digest = hashlib.blake2b(f"{page}?{urlencode(query)}".encode(), digest_size=16)
        return f"archive:page:{version}:{digest.hexdigest()}"

    def _may_store(self, entry, version, page, query):
        """Within the size cap, and, for a query variant, within the page's variant budget."""
        if len(entry["content"]) > settings.PAGE_CACHE_MAX_BYTES:
            return False
        if not query:
            return True
        digest = hashlib.blake2b(page.encode(), digest_size=16).hexdigest()
        budget_key = f"archive:variants:{version}:{digest}"
        cache.add(budget_key, 0, self.timeout)
        try:
            return cache.incr(budget_key) <= settings.PAGE_CACHE_MAX_VARIANTS
        except ValueError:  # expired in between, or the cache is unavailable: do not store
            return False

    @staticmethod
    def _entry(response):
        content = response.content
        etag = response.get("ETag") or _etag(content)
        headers = {
            name: value
            for name, value in response.headers.items()
            if name.lower() not in CACHED_HEADERS_SKIP
        }
        headers["ETag"] = etag
        return {
            "content": zlib.compress(content, 6),
            "length": len(content),
            "headers": headers,
            "etag": etag,
        }

    @staticmethod
    def _response(entry, *, head):
        response = HttpResponse(b"" if head else zlib.decompress(entry["content"]))
        for name, value in entry["headers"].items():
            response[name] = value
        if head:
            response["Content-Length"] = str(entry["length"])
        return response
