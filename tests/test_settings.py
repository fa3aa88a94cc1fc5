"""The foundation: settings from the environment, deploy checks, and `make run`'s setup step."""

import os
import re
import sqlite3
import subprocess

import pytest
from django.conf import settings
from django.db import connection

from archive.images import MAX_UPLOAD_BYTES

from . import helpers

ROOT = helpers.ROOT

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 20 + "-a-production-secret-key-of-enough-length-and-variety-123",
    "ALLOWED_HOSTS": "archive.example.org",
    "HTTPS_ONLY": "1",
}


def run_manage(*args, env_overrides, cwd=ROOT):
    return helpers.run_manage(*args, env=helpers.subprocess_env(**env_overrides), cwd=cwd)


def test_database_engine_follows_database_url():
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith("postgres") else "sqlite"
    assert connection.vendor == expected


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "sqlite").startswith("sqlite")
    and "DATABASE_URL" in os.environ,
    reason="SQLite options apply only to the SQLite engine",
)
def test_sqlite_uses_immediate_transactions_and_a_lock_timeout():
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] == 20


def test_production_settings_pass_deploy_check_at_warning_level():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION_ENV
    )
    assert result.returncode == 0, result.stderr


def test_missing_secret_key_with_debug_off_stops_start_up():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = run_manage("check", env_overrides=env)
    assert result.returncode == 1
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_missing_allowed_hosts_with_debug_off_stops_start_up():
    env = {**PRODUCTION_ENV, "ALLOWED_HOSTS": ""}
    result = run_manage("check", env_overrides=env)
    assert result.returncode == 1
    assert "ALLOWED_HOSTS must be set when DEBUG is off" in result.stderr


def test_request_errors_are_logged_to_stderr_with_tracebacks():
    logger = settings.LOGGING["loggers"]["django.request"]
    assert logger["level"] == "ERROR"
    assert settings.LOGGING["handlers"][logger["handlers"][0]]["class"] == ("logging.StreamHandler")


@pytest.mark.django_db
def test_home_page_answers_200(client):
    assert client.get("/en/").status_code == 200


def _row_counts(path):
    with sqlite3.connect(path) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name LIKE 'archive_%'"
            )
        ]
        return {
            table: db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables
        }


@pytest.mark.slow
def test_make_setup_is_idempotent(tmp_path):
    """`make run` migrates and loads the fixtures each time: the second run changes nothing."""
    database = tmp_path / "setup.sqlite3"
    env = {
        **PRODUCTION_ENV,
        "DATABASE_URL": f"sqlite:///{database}",
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    counts = []
    for _ in range(2):
        for command in (
            ["migrate", "--noinput"],
            ["load_edition", "--missing-only", *sorted(map(str, ROOT.glob("fixtures/*/*.json")))],
        ):
            result = run_manage(*command, env_overrides=env)
            assert result.returncode == 0, result.stderr
        counts.append(_row_counts(database))
    assert counts[0] == counts[1]
    assert counts[0]["archive_statement"] == 10
    assert counts[0]["archive_participant"] == 4


def test_the_documented_proxy_body_limit_admits_the_largest_upload_the_admin_accepts():
    """docs/reliability.md names nginx's client_max_body_size: it must let through one fixture
    file of FIXTURE_MAX_BYTES, or one picture of MAX_UPLOAD_BYTES, with a full form beside it."""
    text = (ROOT / "docs" / "reliability.md").read_text()
    megabytes = {int(m) for m in re.findall(r"client_max_body_size (\d+)m;", text)}
    assert len(megabytes) == 1, megabytes
    limit = megabytes.pop() * 1024 * 1024
    largest_file = max(settings.FIXTURE_MAX_BYTES, MAX_UPLOAD_BYTES)
    assert limit >= largest_file + settings.DATA_UPLOAD_MAX_MEMORY_SIZE


@pytest.mark.parametrize(
    ("target", "lock"),
    [("install", "requirements/lock.txt"), ("install-dev", "requirements/lock-dev.txt")],
)
def test_make_installs_from_the_lock_file_with_hashes_when_it_changes(target, lock):
    # Under `make test` the environment carries MAKEFLAGS/MAKELEVEL, and a nested make would
    # print "Entering/Leaving directory" lines: run it as a developer would.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", "-W", lock, target],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.splitlines()[-3:] == [
        f".venv/bin/pip install --quiet --require-hashes -r {lock}",
        ".venv/bin/pip install --quiet --no-deps --no-build-isolation -e .",
        "touch .venv/.installed-dev .venv/.installed"
        if target == "install-dev"
        else "touch .venv/.installed",
    ]
