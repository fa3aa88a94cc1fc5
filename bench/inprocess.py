"""In-process measurements: every public page type against the hello-world view, one process.

For each page this finds a real URL in the database (first and last edition, the busiest
participant, the deepest page of each list...), then measures, in this one process and through
Django's own WSGI handler (every middleware runs, no HTTP server):

* the number of SQL queries one request makes,
* the response size, raw and gzipped, and the gzipped size of the stylesheets it links,
* the median CPU time (``time.process_time``) and wall time of a request, over ``iterations``
  requests after a warm-up, alternating with requests to /bench/hello/ so that both see the same
  machine load; ``ratio`` is page CPU / hello CPU.

CPU time is this process's only: on PostgreSQL the database server's work is in another process
and shows in wall time, not CPU time. Run as a script it writes the results as JSON::

    DJANGO_SETTINGS_MODULE=bench.settings BENCH_PAGE_CACHE=0 \\
        python bench/inprocess.py --iterations 30 --json bench/out/inprocess-sqlite-M.json
"""

import argparse
import gzip
import io
import json
import math
import re
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
HELLO = "/bench/hello/"
PER_PAGE = 50  # archive.views.lists.FilteredListView.paginate_by
PAGE_CACHE_MIDDLEWARE = "archive.http.page_cache.PublicPageCacheMiddleware"
NOT_BUILT = "not built yet (no such URL)"
STYLESHEET = re.compile(rb"<link\b[^>]*\brel=\"stylesheet\"[^>]*\bhref=\"([^\"]+)\"")


def without_page_cache(middleware):
    """MIDDLEWARE without the whole-page cache: every request renders its page."""
    return [name for name in middleware if name != PAGE_CACHE_MIDDLEWARE]


@dataclass
class Page:
    key: str  # the page type: the same at every size, so sizes can be compared
    url: str | None
    note: str = ""


@dataclass
class Result:
    key: str
    url: str | None
    status: int | None = None
    queries: int | None = None
    bytes: int | None = None
    gzip_bytes: int | None = None
    css_gzip_bytes: int | None = None
    content_type: str = ""
    cpu_ms: float | None = None
    wall_ms: float | None = None
    wall_max_ms: float | None = None
    hello_cpu_ms: float | None = None
    hello_wall_ms: float | None = None
    ratio: float | None = None
    note: str = ""
    samples: dict = field(default_factory=dict)


def _last_page(count, per_page=PER_PAGE):
    return max(1, math.ceil(count / per_page))


def _with(path, **params):
    return f"{path}?{urlencode(params)}"


def discover_pages():
    """One URL per public page type, found in the database; None where the data has none.

    URLs come from reverse() in the default language, so they follow the URLconf (language
    prefixes included); a name that does not resolve yet is a page type not built yet.
    """
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        return _discover_pages()


def _discover_pages():
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import Count
    from django.urls import NoReverseMatch, reverse

    from archive.models import Edition, Organization, Participant, SubForum, Topic
    from archive.opendata import sitemaps
    from archive.views import lists

    anonymous = AnonymousUser()
    editions = Edition.objects.published().select_related("forum").order_by("start_date", "number")
    first, last = editions.first(), editions.last()
    sub_forum = (
        SubForum.objects.published()
        .annotate(n=Count("appearances"))
        .select_related("edition__forum")
        .order_by("-n", "pk")
        .first()
    )
    participant = (
        Participant.objects.visible_to(anonymous)
        .annotate(n=Count("appearances"))
        .order_by("-n", "pk")
        .first()
    )
    organization = (
        Organization.objects.visible_to(anonymous)
        .annotate(n=Count("appearances"))
        .order_by("-n", "pk")
        .first()
    )
    topic = (
        Topic.objects.filter(editions__status=Edition.Status.PUBLISHED)
        .annotate(n=Count("editions"))
        .order_by("-n", "pk")
        .first()
    )
    edition_pages = _last_page(editions.count())
    participant_pages = _last_page(Participant.objects.visible_to(anonymous).count())
    organization_pages = _last_page(Organization.objects.visible_to(anonymous).count())
    people_pages = (
        _last_page(first.appearances.count(), lists.PEOPLE_PER_PAGE) if first is not None else 1
    )
    participant_sitemap_pages = sitemaps.ParticipantSitemap().paginator.num_pages
    organization_sitemap_pages = sitemaps.OrganizationSitemap().paginator.num_pages

    def edition_kwargs(edition):
        return {"edition_key": edition.key}

    def page(key, name, kwargs=None, params=None, needs=()):
        """``kwargs`` and ``params`` are callables, run only if every record in ``needs`` exists."""
        if any(record is None for record in needs):
            return Page(key, None, "no such record in this dataset")
        try:
            url = reverse(name, kwargs=kwargs() if kwargs else None)
        except NoReverseMatch:
            return Page(key, None, NOT_BUILT)
        return Page(key, _with(url, **params()) if params else url)

    a = (first,)
    return [
        page("home", "archive:home"),
        page("forum-detail", "archive:forum-detail", lambda: {"slug": first.forum.slug}, None, a),
        page("edition-list", "archive:edition-list"),
        page(
            "edition-list?forum",
            "archive:edition-list",
            None,
            lambda: {"forum": first.forum.slug},
            a,
        ),
        page(
            "edition-list?year",
            "archive:edition-list",
            None,
            lambda: {"year": first.start_date.year},
            a,
        ),
        page(
            "edition-list?year_from&year_to",
            "archive:edition-list",
            None,
            lambda: {"year_from": first.start_date.year, "year_to": last.start_date.year},
            a,
        ),
        page("edition-list?city", "archive:edition-list", None, lambda: {"city": first.city}, a),
        page(
            "edition-list?country",
            "archive:edition-list",
            None,
            lambda: {"country": first.country},
            a,
        ),
        page(
            "edition-list?topic",
            "archive:edition-list",
            None,
            lambda: {"topic": topic.slug},
            (topic,),
        ),
        page(
            "edition-list?page=last", "archive:edition-list", None, lambda: {"page": edition_pages}
        ),
        page(
            "edition-detail (first)",
            "archive:edition-detail",
            lambda: edition_kwargs(first),
            None,
            a,
        ),
        page(
            "edition-detail (first)?page=last",
            "archive:edition-detail",
            lambda: edition_kwargs(first),
            lambda: {"page": people_pages},
            a,
        ),
        page(
            "edition-detail (last)",
            "archive:edition-detail",
            lambda: edition_kwargs(last),
            None,
            (last,),
        ),
        page(
            "subforum-detail",
            "archive:sub-forum-detail",
            lambda: {**edition_kwargs(sub_forum.edition), "sub_forum": sub_forum.slug},
            None,
            (sub_forum,),
        ),
        page("participant-list", "archive:participant-list"),
        page(
            "participant-list?country",
            "archive:participant-list",
            None,
            lambda: {"country": participant.country},
            (participant,),
        ),
        page(
            "participant-list?organization",
            "archive:participant-list",
            None,
            lambda: {"organization": organization.slug},
            (organization,),
        ),
        page(
            "participant-list?edition",
            "archive:participant-list",
            None,
            lambda: {"edition": first.key},
            a,
        ),
        page(
            "participant-list?role", "archive:participant-list", None, lambda: {"role": "speaker"}
        ),
        page(
            "participant-list?page=last",
            "archive:participant-list",
            None,
            lambda: {"page": participant_pages},
        ),
        page(
            "participant-detail (busiest)",
            "archive:participant-detail",
            lambda: {"slug": participant.slug},
            None,
            (participant,),
        ),
        page("organization-list", "archive:organization-list"),
        page(
            "organization-list?country",
            "archive:organization-list",
            None,
            lambda: {"country": organization.country},
            (organization,),
        ),
        page(
            "organization-list?page=last",
            "archive:organization-list",
            None,
            lambda: {"page": organization_pages},
        ),
        page(
            "organization-detail (busiest)",
            "archive:organization-detail",
            lambda: {"slug": organization.slug},
            None,
            (organization,),
        ),
        page(
            "topic-detail (busiest)",
            "archive:topic-detail",
            lambda: {"slug": topic.slug},
            None,
            (topic,),
        ),
        page(
            "search (full name)",
            "archive:search",
            None,
            lambda: {"q": participant.name},
            (participant,),
        ),
        page(
            "search (one common word)",
            "archive:search",
            None,
            lambda: {"q": participant.name.split()[0]},
            (participant,),
        ),
        # Open data
        page("open-data", "archive:open-data"),
        page("api edition-list", "api:edition-list"),
        page(
            "api edition-detail",
            "api:edition-detail",
            lambda: {"key": first.key},
            None,
            a,
        ),
        page("api participant-list", "api:participant-list"),
        page(
            "api participant-detail",
            "api:participant-detail",
            lambda: {"slug": participant.slug},
            None,
            (participant,),
        ),
        page("feed editions", "archive:edition-feed"),
        page(
            "icalendar edition", "archive:edition-calendar", lambda: edition_kwargs(first), None, a
        ),
        page("icalendar archive", "archive:archive-calendar"),
        page(
            "csv edition appearances",
            "archive:edition-appearances-csv",
            lambda: edition_kwargs(first),
            None,
            a,
        ),
        page("csv participants", "archive:participant-list-csv"),
        page("sitemap", "sitemap"),
        page("sitemap participants", "sitemap-section", lambda: {"section": "participants"}),
        page(
            "sitemap participants?page=last",
            "sitemap-section",
            lambda: {"section": "participants"},
            lambda: {"p": participant_sitemap_pages},
        ),
        page("sitemap organizations", "sitemap-section", lambda: {"section": "organizations"}),
        page(
            "sitemap organizations?page=last",
            "sitemap-section",
            lambda: {"section": "organizations"},
            lambda: {"p": organization_sitemap_pages},
        ),
    ]


class Requester:
    """Sends GET requests straight to Django's WSGI handler, as a WSGI server would."""

    def __init__(self):
        from django.core.handlers.wsgi import WSGIHandler

        self.handler = WSGIHandler()

    def get(self, url):
        path, _, query = url.partition("?")
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SCRIPT_NAME": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "wsgi.version": (1, 0),
        }
        status_line = []
        response = self.handler(
            environ, lambda status, headers, exc_info=None: status_line.append((status, headers))
        )
        try:
            content = b"".join(response)
        finally:
            response.close()  # sends request_finished: closes the connection as a server would
        status, headers = status_line[0]
        return int(status.split()[0]), dict(headers), content


def _gzip_size(data):
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def _css_gzip_bytes(content, cache):
    """Gzipped size of every stylesheet the page links, read from STATIC_ROOT."""
    from django.conf import settings

    total = 0
    for href in STYLESHEET.findall(content):
        href = href.decode()
        if href not in cache:
            relative = href.removeprefix(settings.STATIC_URL).split("?")[0]
            path = Path(settings.STATIC_ROOT) / relative
            cache[href] = _gzip_size(path.read_bytes()) if path.is_file() else None
        if cache[href] is None:
            return None
        total += cache[href]
    return total


def _resolves(url):
    from django.urls import Resolver404, resolve

    try:
        resolve(url.partition("?")[0])
    except Resolver404:
        return False
    return True


def measure(pages, *, iterations=30, warmup=3, budget=None, progress=None):
    """Measure each page against /bench/hello/; pages without a URL or a route are skipped.

    ``budget`` (seconds) bounds the time spent on one page: see the note on such pages.
    """
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    requester = Requester()
    css_cache = {}
    results = []
    for page in pages:
        result = Result(page.key, page.url, note=page.note)
        results.append(result)
        if page.url is None:
            continue
        if not _resolves(page.url):
            result.note = NOT_BUILT
            continue
        # The query count is a cold request's: nothing remembered from an earlier page or run
        # (list counts are cached under the content version; the timed requests below see
        # them cached, as a visitor's do between two changes).
        cache.clear()
        first = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            status, headers, content = requester.get(page.url)
        first = time.perf_counter() - first
        result.status = status
        result.queries = len(captured.captured_queries)
        result.bytes = len(content)
        result.content_type = headers.get("Content-Type", "")
        if status != 200:
            result.note = f"HTTP {status}" + (": not built yet" if status == 404 else "")
            continue
        result.gzip_bytes = _gzip_size(content)
        if result.content_type.startswith("text/html"):
            result.css_gzip_bytes = _css_gzip_bytes(content, css_cache)
        count, warm = iterations, warmup
        if budget and first * (warmup + iterations) > budget:
            # A page of seconds gets fewer iterations (never under 3), and the report says so.
            warm = 0 if first > budget / 3 else min(warmup, 1)
            count = max(min(3, iterations), int(budget / first) - warm)
            count = min(count, iterations)
            result.note = f"{count} iterations only ({first:.1f} s a request)"
        for _ in range(warm):
            requester.get(HELLO)
            requester.get(page.url)
        samples = {"cpu": [], "wall": [], "hello_cpu": [], "hello_wall": []}
        for _ in range(count):
            for url, prefix in ((HELLO, "hello_"), (page.url, "")):
                cpu, wall = time.process_time(), time.perf_counter()
                requester.get(url)
                samples[prefix + "cpu"].append(time.process_time() - cpu)
                samples[prefix + "wall"].append(time.perf_counter() - wall)
        result.cpu_ms = statistics.median(samples["cpu"]) * 1000
        result.wall_ms = statistics.median(samples["wall"]) * 1000
        result.wall_max_ms = max(samples["wall"]) * 1000
        result.hello_cpu_ms = statistics.median(samples["hello_cpu"]) * 1000
        result.hello_wall_ms = statistics.median(samples["hello_wall"]) * 1000
        # process_time ticks in whole microseconds at best: never divide by zero.
        result.ratio = result.cpu_ms / max(result.hello_cpu_ms, 0.001)
        if progress:
            progress(
                f"{page.key:36} {result.queries:>3} q {result.cpu_ms:8.2f} ms CPU "
                f"(hello {result.hello_cpu_ms:.2f}) x{result.ratio:.1f}"
            )
    return results


def static_files():
    """After collectstatic: hashed names, .gz and .br variants, and far-future Cache-Control."""
    from django.conf import settings

    root = Path(settings.STATIC_ROOT)
    manifest_path = root / "staticfiles.json"
    if not manifest_path.is_file():
        return {"note": "no staticfiles.json: run collectstatic with bench.settings first"}
    paths = json.loads(manifest_path.read_text(encoding="utf-8"))["paths"]
    # The site's own files (static/); Django's admin and other apps' files are theirs.
    own = {
        str(path.relative_to(folder))
        for folder in map(Path, settings.STATICFILES_DIRS)
        for path in folder.rglob("*")
        if path.is_file()
    }
    ours = {name: hashed for name, hashed in paths.items() if name in own}
    compressible = [h for h in ours.values() if h.endswith((".css", ".js", ".svg", ".txt"))]
    # WhiteNoise writes a variant only where it saves 5% or more: a missing one counts only then.
    missing = [
        f"{hashed}{suffix}"
        for hashed in compressible
        for suffix in (".gz", ".br")
        if not (root / f"{hashed}{suffix}").is_file()
        and _gzip_size((root / hashed).read_bytes()) < 0.95 * (root / hashed).stat().st_size
    ]
    unhashed = [name for name, hashed in ours.items() if name == hashed]
    stylesheet = ours.get("css/site.css")
    headers = {}
    if stylesheet:
        requester = Requester()
        _, headers, _ = requester.get(settings.STATIC_URL + stylesheet)
    cache_control = headers.get("Cache-Control", "")
    max_age = re.search(r"max-age=(\d+)", cache_control)
    return {
        "files": len(ours),
        "compressible": len(compressible),
        "unhashed": unhashed,
        "missing_variants": missing,
        "sample": stylesheet,
        "cache_control": cache_control,
        "max_age": int(max_age.group(1)) if max_age else 0,
    }


def table(results):
    """The results as a Markdown table: one row per page type, skipped ones with their note."""
    lines = [
        "| page | status | queries | bytes | CPU ms | hello CPU ms | × hello | note |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        cells = [
            r.key,
            r.status,
            r.queries,
            r.bytes,
            None if r.cpu_ms is None else f"{r.cpu_ms:.2f}",
            None if r.hello_cpu_ms is None else f"{r.hello_cpu_ms:.2f}",
            None if r.ratio is None else f"{r.ratio:.1f}",
            r.note,
        ]
        lines.append("| " + " | ".join("–" if c is None else str(c) for c in cells) + " |")
    return "\n".join(lines)


def versions():
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        database = cursor.fetchone()[0]
    return {"django": django.get_version(), "database": f"{connection.vendor} {database}"}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--budget", type=float, default=60, help="seconds per page at most")
    parser.add_argument("--json", required=True, help="where to write the results")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    pages = discover_pages()
    say = None if args.quiet else (lambda line: print(line, file=sys.stderr, flush=True))
    results = measure(
        pages, iterations=args.iterations, warmup=args.warmup, budget=args.budget, progress=say
    )
    page_cache = PAGE_CACHE_MIDDLEWARE in settings.MIDDLEWARE
    payload = {
        "versions": versions(),
        "static": static_files(),
        "page_cache": page_cache,
        "iterations": args.iterations,
        "results": [asdict(result) for result in results],
    }
    Path(args.json).write_text(json.dumps(payload, indent=1), encoding="utf-8")
    if not args.quiet:
        print(table(results), file=sys.stderr)


if __name__ == "__main__":
    main()
