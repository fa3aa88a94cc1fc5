"""Whole-page caching for anonymous visitors, with a content version that every change bumps.

Pages are cached early in the middleware stack (before sessions, auth and templates run), keyed by
a *content version*: any save or delete of an archive record — in the admin, through the loader or
anywhere else — replaces the version, so the very next request renders afresh. The version lives
in the shared cache, so with Redis every app server sees a change at once. Signed-in users (staff
previewing drafts) and the admin are never served from or stored in this cache. Each cached page
carries an ETag, and a matching If-None-Match gets 304 Not Modified.
"""

import hashlib
import uuid

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import translation

VERSION_KEY = "archive:content-version"
EXCLUDED_PREFIXES = ("/admin/", "/media/", "/static/")
CACHED_HEADERS_SKIP = {"set-cookie"}


def content_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def bump_content_version(**kwargs):
    """Signal receiver (and plain function): every cached page is stale from now on."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def cached_count(queryset, timeout=60 * 60):
    """queryset.count(), remembered until the content version changes.

    A list's paginator counts every matching row on each request; over 50,000 participants
    with their visibility rule that is most of the page's database time, on every page. The
    count changes only when the content does, and the key is the exact SQL and parameters, so
    a staff member's count (drafts included) is never mixed with a visitor's.
    """
    sql, params = queryset.query.sql_with_params()
    digest = hashlib.blake2b(repr((queryset.db, sql, params)).encode(), digest_size=16)
    key = f"archive:count:{content_version()}:{digest.hexdigest()}"
    count = cache.get(key)
    if count is None:
        count = queryset.count()
        cache.set(key, count, timeout)
    return count


def _etag(content):
    return '"' + hashlib.blake2b(content, digest_size=16).hexdigest() + '"'


class PublicPageCacheMiddleware:
    timeout = 60 * 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self._is_cacheable_request(request):
            return self.get_response(request)
        key = self._key(request)
        entry = cache.get(key)
        if entry is None:
            response = self.get_response(request)
            if not self._is_cacheable_response(response):
                return response
            entry = self._entry(response)
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

    def _key(self, request):
        language = translation.get_language_from_request(request, check_path=True)
        url = request.build_absolute_uri()
        digest = hashlib.blake2b(f"{language}|{url}".encode(), digest_size=16).hexdigest()
        return f"archive:page:{content_version()}:{digest}"

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
        return {"content": content, "headers": headers, "etag": etag}

    @staticmethod
    def _response(entry, *, head):
        response = HttpResponse(b"" if head else entry["content"])
        for name, value in entry["headers"].items():
            response[name] = value
        if head:
            response["Content-Length"] = str(len(entry["content"]))
        return response
