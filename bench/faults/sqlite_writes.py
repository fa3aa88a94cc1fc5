"""Fault test: SQLite under concurrent writes while pages are read (run by hand, not by CI).

Serves a fresh SQLite copy of the archive with gunicorn (gthread workers) on 127.0.0.1, then for
DURATION seconds runs WRITERS threads that save records through the ORM (each save is its own
transaction, as an editor's admin save is) beside READERS threads that GET public pages. Prints
the counts: writes done, "database is locked" errors, reads and non-2xx/3xx answers.

    .venv/bin/python bench/faults/sqlite_writes.py [--duration 15] [--writers 4] [--readers 4]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PORT = 8431


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=15)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--readers", type=int, default=4)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="faults-sqlite-"))
    env = {
        **os.environ,
        "FORUMARCHIVE_ENV_FILE": "/nonexistent/local.env",
        "DEBUG": "1",
        "SECRET_KEY": "fault-test-secret-key-not-for-production",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "CACHE_DIR": str(folder / "cache"),
    }
    env.pop("REDIS_URL", None)
    manage = [sys.executable, "manage.py"]
    fixtures = sorted(map(str, ROOT.glob("fixtures/*/*.json")))
    subprocess.run([*manage, "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "load_edition", *fixtures, "-v", "0"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "-c",
            "gunicorn.conf.py",
            "forumarchive.wsgi",
            "-b",
            f"127.0.0.1:{PORT}",
            "--workers",
            "2",
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env=env,
        stderr=open(folder / "gunicorn.log", "w"),  # noqa: SIM115 (lives as long as the server)
    )
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "forumarchive.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import OperationalError, close_old_connections

    from archive.models import Edition, Statement, Topic

    urls = ["/", "/editions/", "/participants/", "/organizations/", "/search/?q=AI"]
    edition = Edition.objects.get()
    urls.append(edition.get_absolute_url())
    counts = {"writes": 0, "locked": 0, "other_write_errors": 0, "reads": 0, "bad_reads": 0}
    lock = threading.Lock()
    deadline = time.monotonic() + args.duration

    def bump(key):
        with lock:
            counts[key] += 1

    def writer(n):
        while time.monotonic() < deadline:
            try:
                topic, _ = Topic.objects.get_or_create(
                    slug=f"fault-topic-{n}", defaults={"name": f"Fault topic {n}"}
                )
                topic.name = f"Fault topic {n} at {time.monotonic():.3f}"
                topic.save()
                statement = Statement.objects.order_by("?").first()
                statement.save()  # a real update of a row the pages show
                bump("writes")
            except OperationalError as exc:
                bump("locked" if "locked" in str(exc) else "other_write_errors")
            finally:
                close_old_connections()

    def reader(n):
        i = n
        while time.monotonic() < deadline:
            url = f"http://127.0.0.1:{PORT}{urls[i % len(urls)]}"
            i += 1
            try:
                with urllib.request.urlopen(url, timeout=30) as response:
                    response.read()
                bump("reads")
            except (urllib.error.URLError, OSError):
                bump("bad_reads")

    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        threads = [threading.Thread(target=writer, args=(n,)) for n in range(args.writers)]
        threads += [threading.Thread(target=reader, args=(n,)) for n in range(args.readers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.terminate()
        server.wait(timeout=30)
    log = (folder / "gunicorn.log").read_text()
    counts["server_locked_errors"] = log.count("database is locked")
    print(" ".join(f"{key}={value}" for key, value in counts.items()))


if __name__ == "__main__":
    main()
