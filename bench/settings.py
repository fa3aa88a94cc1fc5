"""Benchmark settings: the production settings, plus a hello-world URL and a switchable page cache.

Used only by bench/ (``DJANGO_SETTINGS_MODULE=bench.settings``); production never imports it.

* ``BENCH_DATABASE_URL`` names the benchmark's own database (never the developer's
  var/forumarchive.sqlite3); default bench/out/db/sqlite-S.sqlite3.
* ``BENCH_PAGE_CACHE=0`` removes archive.http.page_cache.PublicPageCacheMiddleware, so every
  request renders the page ("uncached"); ``1`` (the default) keeps it, as in production ("warm").
* ``BENCH_CACHE_DIR`` is the file cache's folder: one per database, so that a warm run never serves
  a page rendered from another database.
"""

import os
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
BENCH_OUT = Path(os.environ.get("BENCH_OUT", BENCH_DIR / "out"))

os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", f"sqlite:///{BENCH_OUT / 'db' / 'sqlite-S.sqlite3'}"
)
os.environ["CACHE_DIR"] = os.environ.get("BENCH_CACHE_DIR", str(BENCH_OUT / "cache" / "default"))
os.environ["STATIC_ROOT"] = os.environ.get("BENCH_STATIC_ROOT", str(BENCH_OUT / "static"))
os.environ.pop("REDIS_URL", None)
os.environ["DEBUG"] = "0"
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")

from bench.inprocess import without_page_cache  # noqa: E402
from forumarchive.settings import *  # noqa: E402, F403
from forumarchive.settings import ALLOWED_HOSTS, MIDDLEWARE  # noqa: E402

ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
if os.environ.get("BENCH_PAGE_CACHE", "1") == "0":
    MIDDLEWARE = without_page_cache(MIDDLEWARE)
