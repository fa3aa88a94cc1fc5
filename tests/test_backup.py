"""backup_archive and restore_archive (archive/management/commands/): a backup taken on one
engine restores on the other with identical public pages; restore refuses what it must."""

import json
import uuid

import pytest
from django.core.management import CommandError, call_command

from . import factories, helpers

pytestmark = pytest.mark.django_db

POSTGRES = "postgres://postgres@127.0.0.1:5432/"
PAGES_SCRIPT = """
import json
from django.test import Client
from archive import models
urls = ["/en/", "/en/editions/", "/en/participants/", "/en/organizations/"]
for model in (models.Edition, models.SubForum, models.Participant, models.Organization,
              models.Topic):
    urls += sorted(record.get_absolute_url() for record in model.objects.all())
client = Client()
print(json.dumps({url: client.get(url).content.decode() for url in urls}))
"""


def _postgres_reachable():
    try:
        import psycopg

        psycopg.connect(POSTGRES + "postgres", connect_timeout=2).close()
    except Exception:
        return False
    return True


def _manage(database_url, tmp_path, *args):
    env = helpers.subprocess_env(
        drop={"DATABASE_URL", "REDIS_URL"},
        DEBUG="1",
        SECRET_KEY="a-test-secret-key-for-backup-and-restore",
        ALLOWED_HOSTS="testserver",
        DATABASE_URL=database_url,
        CACHE_DIR=str(tmp_path / "cache"),
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    return helpers.run_manage(*args, env=env, check=True).stdout


def _pages(database_url, tmp_path):
    return json.loads(_manage(database_url, tmp_path, "shell", "-v", "0", "-c", PAGES_SCRIPT))


@pytest.mark.slow
@helpers.requires(_postgres_reachable(), "PostgreSQL is not reachable on 127.0.0.1")
def test_backup_restores_sqlite_to_postgresql_and_back_with_identical_pages(tmp_path):
    import psycopg

    sqlite_a = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    sqlite_b = f"sqlite:///{tmp_path / 'b.sqlite3'}"
    name = f"forumarchive_restore_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES + "postgres", autocommit=True) as admin_db:
        admin_db.execute(f'CREATE DATABASE "{name}"')
    try:
        fixtures = sorted(map(str, helpers.ROOT.glob("fixtures/*/*.json")))
        _manage(sqlite_a, tmp_path, "migrate", "--noinput", "-v", "0")
        _manage(sqlite_a, tmp_path, "load_edition", *fixtures, "-v", "0")
        _manage(sqlite_a, tmp_path, "backup_archive", str(tmp_path / "a.tar.gz"))
        original = _pages(sqlite_a, tmp_path)

        _manage(POSTGRES + name, tmp_path, "migrate", "--noinput", "-v", "0")
        restored = _manage(POSTGRES + name, tmp_path, "restore_archive", str(tmp_path / "a.tar.gz"))
        on_postgres = _pages(POSTGRES + name, tmp_path)
        _manage(POSTGRES + name, tmp_path, "backup_archive", str(tmp_path / "b.tar.gz"))

        _manage(sqlite_b, tmp_path, "migrate", "--noinput", "-v", "0")
        _manage(sqlite_b, tmp_path, "restore_archive", str(tmp_path / "b.tar.gz"))
        back_on_sqlite = _pages(sqlite_b, tmp_path)
    finally:
        with psycopg.connect(POSTGRES + "postgres", autocommit=True) as admin_db:
            admin_db.execute(f'DROP DATABASE IF EXISTS "{name}"')
    assert restored.startswith("Restored ")
    assert len(original) >= 12
    assert on_postgres == original
    assert back_on_sqlite == original


def test_restore_refuses_a_database_that_already_holds_records(tmp_path):
    factories.TopicFactory()
    backup = tmp_path / "backup.tar.gz"
    call_command("backup_archive", str(backup), verbosity=0)
    with pytest.raises(CommandError) as raised:
        call_command("restore_archive", str(backup), verbosity=0)
    assert str(raised.value) == (
        "This database already holds archive records. Restore into an empty database "
        "(run `manage.py migrate` on a new one) so nothing is mixed."
    )


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    not_a_backup = tmp_path / "notes.tar.gz"
    not_a_backup.write_bytes(b"plain text")
    with pytest.raises(CommandError) as raised:
        call_command("restore_archive", str(not_a_backup), verbosity=0)
    assert str(raised.value).startswith(f"{not_a_backup} is not a readable backup_archive file")
