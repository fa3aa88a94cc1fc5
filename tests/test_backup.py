"""backup_archive and restore_archive (archive/management/commands/): a backup taken on one
engine restores on the other with identical public pages; restore refuses what it must."""

import gzip
import hashlib
import io
import json
import os
import shutil
import tarfile
import uuid

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from archive.management.commands import backup_archive
from archive.models import (
    Appearance,
    Edition,
    Forum,
    Organization,
    Participant,
    Statement,
    SubForum,
)

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


def _env(database_url, tmp_path):
    return helpers.subprocess_env(
        drop={"DATABASE_URL", "REDIS_URL"},
        DEBUG="1",
        SECRET_KEY="a-test-secret-key-for-backup-and-restore",
        ALLOWED_HOSTS="testserver",
        DATABASE_URL=database_url,
        CACHE_DIR=str(tmp_path / "cache"),
        MEDIA_ROOT=str(tmp_path / "media"),
    )


def _manage(database_url, tmp_path, *args):
    return helpers.run_manage(*args, env=_env(database_url, tmp_path), check=True).stdout


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


# --- A truncated or damaged backup changes nothing --------------------------------------------

DAMAGED_MESSAGE = "the backup file is truncated or not a backup made by backup_archive"


def _archive_checksum():
    """A digest of every archive table's rows (natural keys), and their counts."""
    data = io.StringIO()
    call_command("dumpdata", "archive", natural_foreign=True, natural_primary=True, stdout=data)
    counts = json.dumps(backup_archive.archive_counts(), sort_keys=True)
    return hashlib.sha256((counts + data.getvalue()).encode()).hexdigest()


def _tar_gz(path, members):
    with tarfile.open(path, "w:gz") as tar:
        for name, payload in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    return path


def _damaged_backups(tmp_path):
    """A real backup (records and a media file), then damaged copies of it: {kind: path}."""
    appearance = factories.AppearanceFactory()
    media = tmp_path / "media" / "participants" / "photo.bin"
    media.parent.mkdir(parents=True)
    media.write_bytes(os.urandom(200_000))  # incompressible: the tail of the .tar.gz is media
    good = tmp_path / "good.tar.gz"
    call_command("backup_archive", str(good), verbosity=0)
    with tarfile.open(good) as tar:
        manifest = tar.extractfile(backup_archive.MANIFEST_NAME).read()
        data = tar.extractfile(backup_archive.DATA_NAME).read()
    whole = good.read_bytes()
    raw = gzip.decompress(whole)
    backups = {
        "cut in half": whole[: len(whole) // 2],
        "cut short by 100 bytes": whole[:-100],
        "cut inside the tar": gzip.compress(raw[: len(raw) - 50_000]),
    }
    paths = {kind: tmp_path / f"{i}.tar.gz" for i, kind in enumerate(backups)}
    for kind, payload in backups.items():
        paths[kind].write_bytes(payload)
    paths["records cut short"] = _tar_gz(
        tmp_path / "records.tar.gz",
        {backup_archive.MANIFEST_NAME: manifest, backup_archive.DATA_NAME: data[: len(data) // 2]},
    )
    paths["records not JSON"] = _tar_gz(
        tmp_path / "garbage.tar.gz",
        {backup_archive.MANIFEST_NAME: manifest, backup_archive.DATA_NAME: os.urandom(300)},
    )
    paths["manifest not JSON"] = _tar_gz(
        tmp_path / "manifest.tar.gz",
        {backup_archive.MANIFEST_NAME: b'{"records": {', backup_archive.DATA_NAME: data},
    )
    # Restore needs an empty archive: the records go, the backup keeps them.
    for model in (Statement, Appearance, SubForum, Edition, Forum, Participant, Organization):
        model.objects.all().delete()
    for model in apps.get_app_config("archive").get_models():
        model._default_manager.all().delete()
    assert not any(backup_archive.archive_counts().values()), appearance
    shutil.rmtree(tmp_path / "media")
    return paths


def test_restore_of_a_damaged_backup_is_one_clear_error_and_changes_nothing(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    backups = _damaged_backups(tmp_path)
    before = _archive_checksum()
    for kind, path in backups.items():
        for dry_run in (True, False):
            with pytest.raises(CommandError) as raised:
                call_command("restore_archive", str(path), dry_run=dry_run, verbosity=0)
            message = str(raised.value)
            assert message.startswith(f"{path}: {DAMAGED_MESSAGE} ("), (kind, message)
            assert message.endswith("); nothing was restored."), (kind, message)
            assert "\n" not in message, kind
            assert _archive_checksum() == before, kind
            assert not (tmp_path / "media").exists(), kind


@pytest.mark.slow
def test_restore_of_a_truncated_backup_exits_1_with_one_line_and_changes_nothing(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    fixtures = sorted(map(str, helpers.ROOT.glob("fixtures/*/*.json")))
    _manage(database_url, tmp_path, "migrate", "--noinput", "-v", "0")
    _manage(database_url, tmp_path, "load_edition", *fixtures, "-v", "0")
    _manage(database_url, tmp_path, "backup_archive", str(tmp_path / "whole.tar.gz"))
    whole = (tmp_path / "whole.tar.gz").read_bytes()
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(whole[: len(whole) * 2 // 3])
    empty = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    _manage(empty, tmp_path, "migrate", "--noinput", "-v", "0")
    dump = ("dumpdata", "archive", "--natural-foreign", "--natural-primary")
    before = hashlib.sha256(_manage(empty, tmp_path, *dump).encode()).hexdigest()

    env = _env(empty, tmp_path)
    result = helpers.run_manage("restore_archive", truncated, env=env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"CommandError: {truncated}: {DAMAGED_MESSAGE} (EOFError: Compressed file ended before "
        "the end-of-stream marker was reached); nothing was restored."
    ]
    assert hashlib.sha256(_manage(empty, tmp_path, *dump).encode()).hexdigest() == before
    assert not (tmp_path / "media").exists()
    restored = helpers.run_manage("restore_archive", tmp_path / "whole.tar.gz", env=env)
    assert restored.stdout.startswith("Restored "), restored.stderr
