"""Restore a ``backup_archive`` file into a database whose archive is empty.

The records carry natural keys, so a backup taken on SQLite restores on PostgreSQL and back. The
restore runs in one transaction: either every record is in and the counts match the backup's
manifest, or nothing changed. Media files are copied under MEDIA_ROOT (existing files are kept).

The whole file is read (every record and media file, unpacked to a temporary folder) before the
database is touched, so a truncated or damaged backup ends in one CommandError naming the file and
the cause, with nothing restored: no records, no media files.
"""

import json
import shutil
import tarfile
import tempfile
import zlib
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.base import DeserializationError
from django.db import IntegrityError, transaction

from archive.cache import bump_content_version
from archive.services import visibility
from archive.services.history import record_all
from archive.services.loading import refresh_planner_statistics

from .backup_archive import DATA_NAME, MANIFEST_NAME, MEDIA_PREFIX, archive_counts

#: What reading a truncated or damaged .tar.gz, or loading a damaged archive.json, raises.
DAMAGED = (
    EOFError,
    tarfile.TarError,
    zlib.error,
    OSError,
    UnicodeDecodeError,
    ValueError,  # json.JSONDecodeError among them
    KeyError,
    TypeError,
    AttributeError,
    DeserializationError,
    IntegrityError,
)


def damaged(backup, exc):
    """One line: the file, that it is truncated or not a backup, and the first cause that says
    something (loaddata's DeserializationError carries its reason as its __cause__)."""
    cause = exc
    while not str(cause).strip() or str(cause).startswith("Problem installing fixture"):
        if cause.__cause__ is None:
            break
        cause = cause.__cause__
    reason = " ".join(f"{type(cause).__name__}: {cause}".split())
    return CommandError(
        f"{backup}: the backup file is truncated or not a backup made by backup_archive "
        f"({reason}); nothing was restored."
    )


class Command(BaseCommand):
    help = "Load a backup made by backup_archive into a database with an empty archive."

    def add_arguments(self, parser):
        parser.add_argument("backup", metavar="FILE.tar.gz", help="A backup_archive file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the backup; change nothing."
        )

    def handle(self, *args, backup, dry_run, verbosity, **options):
        try:
            tar = tarfile.open(backup, "r:gz")  # noqa: SIM115 (closed by the `with tar` below)
        except (OSError, tarfile.TarError) as exc:
            raise CommandError(f"{backup} is not a readable backup_archive file ({exc}).") from exc
        with tar, tempfile.TemporaryDirectory() as folder:
            try:
                names = tar.getnames()
            except DAMAGED as exc:
                raise damaged(backup, exc) from exc
            if DATA_NAME not in names or MANIFEST_NAME not in names:
                raise CommandError(f"{backup} has no {DATA_NAME} or {MANIFEST_NAME}: not a backup.")
            if any(archive_counts().values()):
                raise CommandError(
                    "This database already holds archive records. Restore into an empty "
                    "database (run `manage.py migrate` on a new one) so nothing is mixed."
                )
            try:
                manifest, data_path, media = self._unpack(tar, Path(folder))
            except DAMAGED as exc:
                raise damaged(backup, exc) from exc
            if dry_run:
                self.stdout.write(
                    f"Dry run: {sum(manifest['records'].values())} records and "
                    f"{len(media)} media files would be restored."
                )
                return
            try:
                with transaction.atomic():
                    call_command("loaddata", str(data_path), verbosity=0)
                    # Raw saves refresh no flag, and a backup holds none (they are derived).
                    visibility.refresh_all()
                    counts = archive_counts()
                    if counts != manifest["records"]:
                        raise CommandError(
                            f"The restored counts {counts} differ from the backup's "
                            f"{manifest['records']}; nothing was restored."
                        )
                    record_all(f"manage.py restore_archive {Path(backup).name}")
            except (DeserializationError, IntegrityError) as exc:
                raise damaged(backup, exc) from exc
            media_root = Path(settings.MEDIA_ROOT)
            for relative, unpacked in media:
                target = media_root / relative
                if not target.exists():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(unpacked, target)
        refresh_planner_statistics()
        bump_content_version()
        if verbosity >= 1:
            self.stdout.write(
                f"Restored {sum(counts.values())} records and {len(media)} media files."
            )

    @staticmethod
    def _unpack(tar, folder):
        """Read the whole backup: its manifest, its records into folder/archive.json and its media
        files under folder/media/. Returns (manifest, data path, [(relative path, unpacked)])."""
        manifest = json.loads(tar.extractfile(MANIFEST_NAME).read().decode("utf-8"))
        if not all(isinstance(count, int) for count in manifest["records"].values()):
            raise ValueError(f"{MANIFEST_NAME} has no record counts")
        data = tar.extractfile(DATA_NAME).read()
        records = json.loads(data.decode("utf-8"))  # so --dry-run finds damaged records too
        expected = sum(manifest["records"].values())
        if not isinstance(records, list) or len(records) != expected:
            raise ValueError(f"{DATA_NAME} does not hold the {expected} records of {MANIFEST_NAME}")
        del records
        data_path = folder / DATA_NAME
        data_path.write_bytes(data)
        media = []
        for member in tar.getmembers():
            if not (member.isfile() and member.name.startswith(MEDIA_PREFIX)):
                continue
            relative = PurePosixPath(member.name).relative_to(MEDIA_PREFIX.rstrip("/"))
            if ".." in relative.parts or relative.is_absolute():
                raise CommandError(f"Unsafe path in the backup: {member.name}")
            unpacked = folder / "media" / relative
            unpacked.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(member) as source, open(unpacked, "wb") as out:
                shutil.copyfileobj(source, out)
            media.append((Path(*relative.parts), unpacked))
        return manifest, data_path, media
