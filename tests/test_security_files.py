"""Files under var/ that hold secrets are created 0600, and private folders 0700."""

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from archive import admin_import
from archive.security import private_dir, private_file

ROOT = Path(__file__).resolve().parent.parent


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_make_writes_local_env_0600(tmp_path):
    if shutil.which("make") is None:
        pytest.fail("make is not installed")
    subprocess.run(
        ["make", "-s", "-f", str(ROOT / "Makefile"), "-C", str(tmp_path), "var/local.env"],
        check=True,
        capture_output=True,
    )
    assert mode(tmp_path / "var/local.env") == 0o600
    assert "SECRET_KEY=" in (tmp_path / "var/local.env").read_text()


def test_settings_create_the_sqlite_database_0600_and_sqlite_keeps_its_mode(tmp_path):
    database = tmp_path / "site.sqlite3"
    env = {
        **os.environ,
        "FORUMARCHIVE_ENV_FILE": "/nonexistent/local.env",
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "forumarchive.settings",
    }
    subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env, check=True
    )
    assert mode(database) == 0o600
    connection = sqlite3.connect(database)
    connection.execute("pragma journal_mode=wal")
    connection.execute("create table t (x)")
    connection.execute("insert into t values (1)")
    connection.commit()
    assert {path.name: mode(path) for path in tmp_path.iterdir()} == {
        "site.sqlite3": 0o600,
        "site.sqlite3-wal": 0o600,
        "site.sqlite3-shm": 0o600,
    }
    connection.close()


def test_private_file_tightens_an_existing_file_and_creates_none_unless_asked(tmp_path):
    old = tmp_path / "local.env"
    old.write_text("SECRET_KEY=x")
    old.chmod(0o644)
    private_file(old, create=False)
    assert mode(old) == 0o600
    private_file(tmp_path / "missing.env", create=False)
    assert not (tmp_path / "missing.env").exists()
    private_file(":memory:")  # nothing to do, no error


@pytest.mark.django_db
def test_a_backup_is_written_0600(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    output = tmp_path / "backup.tar.gz"
    output.write_bytes(b"an older file, world-readable")
    output.chmod(0o644)
    call_command("backup_archive", str(output), verbosity=0)
    assert mode(output) == 0o600


def test_staged_imports_live_in_folders_only_their_owner_can_open(tmp_path, settings):
    settings.VAR_DIR = tmp_path

    class Upload:
        name = "edition.json"

        def chunks(self):
            yield b"[]"

    admin_import._stage("token123", [Upload()])
    assert mode(tmp_path / "imports") == 0o700
    assert mode(tmp_path / "imports/token123") == 0o700


def test_private_dir_tightens_an_existing_folder(tmp_path):
    folder = tmp_path / "imports"
    folder.mkdir(mode=0o755)
    assert private_dir(folder) == folder
    assert mode(folder) == 0o700
