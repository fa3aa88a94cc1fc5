"""Shared set-up for the fault scripts: a throwaway site served by gunicorn on 127.0.0.1.

Production settings (DEBUG off, static files collected, whitenoise serving them). HTTPS_ONLY is
set to 0, which is also its default: it is the one switch that turns on SECURE_SSL_REDIRECT and
HSTS, and with it on every plain-HTTP request on loopback would get a 301 to https.
"""

import contextlib
import http.client
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(ROOT / ".venv/bin/gunicorn")
WORKERS = (os.cpu_count() or 1) + 1  # gunicorn.conf.py's default

# Printed by `manage.py shell -c`: one address per public page type, built from the database.
_URLS_CODE = r"""
import json
from django.urls import reverse
from django.utils import translation
from archive.api.serializers import API_PATHS
from archive.opendata.sitemaps import SITEMAPS
from archive.models import (
    Appearance, Edition, Forum, Organization, Participant, Source, Statement, SubForum, Topic,
)

def first(model, **filters):
    return model.objects.filter(**filters).order_by("pk").first()

urls = []
with translation.override("en"):
    edition = first(Edition, status=Edition.Status.PUBLISHED)
    sub_forum = first(SubForum, edition=edition)
    appearance = first(Appearance, edition=edition, participant__isnull=False)
    participant = appearance.participant
    organization = first(Organization, appearances__edition=edition) or first(Organization)
    topic = first(Topic)
    forum = edition.forum
    ekw = {"edition_key": edition.key}
    urls += [
        reverse("archive:home"),
        reverse("archive:edition-list"),
        reverse("archive:edition-list") + "?year=" + str(edition.start_date.year),
        edition.get_absolute_url(),
        sub_forum.get_absolute_url(),
        reverse("archive:participant-list"),
        reverse("archive:participant-list") + "?role=" + appearance.role,
        reverse("archive:participant-list") + f"?edition={edition.key}",
        participant.get_absolute_url(),
        reverse("archive:organization-list"),
        organization.get_absolute_url(),
        reverse("archive:search") + "?q=" + participant.name.split()[0],
        reverse("archive:archive-calendar"),
        reverse("archive:forum-calendar", kwargs={"slug": forum.slug}),
        reverse("archive:edition-calendar", kwargs=ekw),
        reverse("archive:edition-appearances-csv", kwargs=ekw),
        reverse("archive:participant-list-csv"),
        reverse("archive:edition-feed"),
        reverse("archive:edition-card", kwargs=ekw),
        reverse("archive:sub-forum-card", kwargs={**ekw, "sub_forum": sub_forum.slug}),
        reverse("archive:participant-card", kwargs={"slug": participant.slug}),
    ]
    if topic is not None:
        urls.append(topic.get_absolute_url())
for language in ("zh-hans", "ja"):
    with translation.override(language):
        urls += [reverse("archive:home"), edition.get_absolute_url()]
urls += ["/robots.txt", "/sitemap.xml", "/api/", "/api/schema/", "/api/docs/"]
urls += [reverse("sitemap-section", kwargs={"section": section}) for section in SITEMAPS]
for name in ("forum", "edition", "subforum", "participant", "organization", "appearance",
             "statement", "topic", "source"):
    urls.append(reverse(f"api:{name}-list"))
statement = first(Statement, appearance__edition=edition)
for record in (forum, edition, sub_forum, participant, organization, appearance, statement,
               topic, first(Source)):
    if record is not None:
        urls.append(API_PATHS[type(record)](record))
print(json.dumps(urls))
"""


def make_env(folder, **extra):
    """The environment of a production-like run whose database and files live in `folder`."""
    env = {
        **os.environ,
        "FORUMARCHIVE_ENV_FILE": "/nonexistent/local.env",
        "DEBUG": "0",
        "HTTPS_ONLY": "0",
        "SECRET_KEY": "fault-test-secret-key-not-for-production-0123456789abcdefghijkl",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "CACHE_DIR": str(folder / "cache"),
        "STATIC_ROOT": str(folder / "static"),
        "MEDIA_ROOT": str(folder / "media"),
        **extra,
    }
    env.pop("REDIS_URL", None)
    return env


def manage(env, *args, capture=False):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return result.stdout


def build_site(env, *, static=True):
    """Migrate, load every fixture, collect static files; return the public URL list."""
    fixtures = sorted(map(str, ROOT.glob("fixtures/*/*.json")))
    manage(env, "migrate", "-v", "0")
    manage(env, "load_edition", *fixtures, "-v", "0")
    if static:
        manage(env, "collectstatic", "--noinput", "-v", "0")
    return json.loads(manage(env, "shell", "-c", _URLS_CODE, capture=True).strip().splitlines()[-1])


def start_gunicorn(env, port, folder, *args, access_log="/dev/null"):
    return subprocess.Popen(
        [
            GUNICORN,
            "-c",
            "gunicorn.conf.py",
            "forumarchive.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "--access-logfile",
            str(access_log),
            *args,
        ],
        cwd=ROOT,
        env=env,
        stderr=open(folder / "gunicorn.log", "a"),  # noqa: SIM115 (lives as long as the server)
    )


def worker_pids(master_pid):
    """The master's child processes (its workers), from /proc."""
    pids = set()
    for task in Path(f"/proc/{master_pid}/task").glob("*"):
        with contextlib.suppress(OSError):  # a thread may end while we read
            pids.update(int(pid) for pid in (task / "children").read_text().split())
    return pids


def rss_mb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def get(port, path, timeout=30):
    """GET one address; return (status, body). HTTP errors are returned, not raised."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_ready(server, port, workers, timeout=60):
    """Until the home page answers 200 and `workers` workers are up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            if get(port, "/en/", timeout=5)[0] == 200 and len(worker_pids(server.pid)) >= workers:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not become ready in time")


def check_urls(port, urls):
    """Every address must answer 200 once; fail loudly otherwise."""
    bad = []
    for path in urls:
        try:
            status = get(port, path)[0]
        except OSError as exc:
            status = repr(exc)
        if status != 200:
            bad.append((path, status))
    if bad:
        raise SystemExit("Not 200: " + ", ".join(f"{path} -> {status}" for path, status in bad))


def stop(server):
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def outcome(port, path, timeout=30):
    """GET one address on a new connection: None if it answered 200, else what went wrong."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return None if response.status == 200 else f"HTTP {response.status}"
    except (OSError, http.client.HTTPException) as exc:
        return repr(exc)
    finally:
        connection.close()
