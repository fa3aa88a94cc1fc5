"""Two app servers sharing one PostgreSQL database and one Redis cache stay coherent.

This is how the archive grows past one machine: a change made through one server (here the
loader, run with the same configuration as server A) shows on server B's very next response,
although B had the old page in the shared cache.
"""

import json
import os
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest
from django.conf import settings
from django.db import connection

from . import helpers

ROOT = helpers.ROOT
FIXTURES = [ROOT / "fixtures/beijing-tokyo-forum" / n for n in ("series.json", "edition-20.json")]
REDIS_URL = "redis://127.0.0.1:6379/13"


pytestmark = [
    pytest.mark.slow,
    # An engine choice, not a missing dependency: CI's PostgreSQL pass runs it.
    pytest.mark.skipif(
        not helpers.on_postgresql(),
        reason="PostgreSQL only (run with DATABASE_URL=postgres://...), as production does",
    ),
    helpers.requires(helpers.reachable(6379), "needs Redis on 127.0.0.1:6379"),
]


def _get(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
        return response.read().decode()


@pytest.fixture
def shared_env(transactional_db, tmp_path):
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    env = {
        **os.environ,
        "DATABASE_URL": f"{url}/{connection.settings_dict['NAME']}",
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": f"multi-{uuid.uuid4().hex}",
        # DEBUG keeps static URLs unhashed, so no collectstatic is needed for this test.
        "DEBUG": "1",
        "ALLOWED_HOSTS": "127.0.0.1",
        "FORUMARCHIVE_ENV_FILE": "/nonexistent/local.env",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    return env


@pytest.fixture
def two_servers(shared_env):
    ports = [helpers.free_port(), helpers.free_port()]
    servers = [
        subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "forumarchive.wsgi"],
            cwd=ROOT,
            env={**shared_env, "PORT": str(port), "WEB_CONCURRENCY": "1"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        deadline = time.monotonic() + 60
        for port in ports:
            while True:
                try:
                    _get(port, "/robots.txt")
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        pytest.fail(f"gunicorn on port {port} did not start")
                    time.sleep(0.3)
        yield ports
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)


def _load(env, *files):
    helpers.run_manage("load_edition", "--update", *files, env=env, timeout=120, check=True)


def test_change_through_one_server_shows_on_the_others_very_next_response(
    shared_env, two_servers, tmp_path
):
    server_a, server_b = two_servers
    _load(shared_env, *FIXTURES)
    page = "/en/participants/xu-zhilong/"
    assert "editor-in-chief" in _get(server_b, page)  # B renders and caches it
    assert "editor-in-chief" in _get(server_b, page)  # and now serves it from Redis
    assert "editor-in-chief" in _get(server_a, page)

    records = json.loads(FIXTURES[1].read_text("utf-8"))
    for record in records:
        if record["model"] == "archive.appearance" and record["fields"]["participant"] == [
            "xu-zhilong"
        ]:
            record["fields"]["position"] = "Changed position for the test"
    changed = tmp_path / "edition-20.json"
    changed.write_text(json.dumps(records), "utf-8")
    _load(shared_env, FIXTURES[0], changed)

    assert "Changed position for the test" in _get(server_b, page)
    assert "Changed position for the test" in _get(server_a, page)
