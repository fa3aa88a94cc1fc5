"""Whole-page caching for anonymous visitors, keyed by the content version (archive.cache).

Pages are cached early in the middleware stack (before sessions, auth and templates run). Any
change to an archive record replaces the content version, so the very next request renders
afresh. Signed-in users (staff previewing drafts) and the admin are never served from or stored
in this cache. Each cached page carries an ETag, and a matching If-None-Match gets 304.

Its keys are bounded: a page is cached only when every query parameter is one the page reads
(its FilterSet's fields, pagination, search, sitemap and card parameters: see
``page_parameters``); the key is built from those, sorted and deduplicated, never from the raw
URL. Each page keeps at most ``PAGE_CACHE_MAX_VARIANTS`` query variants per content version, and
bodies are stored compressed, up to ``PAGE_CACHE_MAX_BYTES`` each. It fails open with the cache.
"""

import hashlib
import zlib
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.http import parse_http_date_safe
from django.utils.module_loading import import_string

from ..cache import content_version

EXCLUDED_PREFIXES = ("/admin/", "/media/", "/static/")
CACHED_HEADERS_SKIP = {"set-cookie"}


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


#: Page numbers and sizes: cached only as written canonically ("2", never "02", " 2", "+2", "abc").
#: An HTML list answers a junk page number with its first page (200, "There is no page ..."),
#: so without this every junk value would be stored as one more copy of page 1.
NUMBER_PARAMETERS = {"page", "page_size", "p"}


def _canonical_number(value):
    return value.isascii() and value.isdigit() and value[0] != "0" and len(value) <= 9


def normalised_query(request, allowed):
    """The query string as a sorted, deduplicated tuple, or None when the page must not be cached:
    a parameter the page does not read, one given twice with different values, or a page number
    or size that is not a canonical positive whole number."""
    items = []
    for name, values in request.GET.lists():
        if name not in allowed or len(set(values)) > 1:
            return None
        if name in NUMBER_PARAMETERS and not _canonical_number(values[0]):
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
        if self._not_modified(request, entry):
            not_modified = HttpResponseNotModified()
            not_modified["ETag"] = entry["etag"]
            if "Last-Modified" in entry["headers"]:
                not_modified["Last-Modified"] = entry["headers"]["Last-Modified"]
            for name, value in entry["headers"].items():  # a cross-origin reader's 304 too
                if name.lower().startswith(("access-control-", "cross-origin-resource")):
                    not_modified[name] = value
            return not_modified
        return self._response(entry, head=request.method == "HEAD")

    @staticmethod
    def _not_modified(request, entry):
        """If-None-Match with the entry's ETag, or If-Modified-Since no older than its
        Last-Modified (pages that send one: the feed)."""
        if "HTTP_IF_NONE_MATCH" in request.META:
            return request.META["HTTP_IF_NONE_MATCH"] == entry["etag"]
        since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
        modified = parse_http_date_safe(entry["headers"].get("Last-Modified", ""))
        return since is not None and modified is not None and modified <= since

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
