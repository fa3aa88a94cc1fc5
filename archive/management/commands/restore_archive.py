"""Restore a ``backup_archive`` file into a database whose archive is empty.

The records carry natural keys, so a backup taken on SQLite restores on PostgreSQL and back. The
restore runs in one transaction: either every record is in and the counts match the backup's
manifest, or nothing changed. Media files are copied under MEDIA_ROOT (existing files are kept).
"""

import json
import shutil
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from archive.cache import bump_content_version
from archive.services.loading import refresh_planner_statistics

from .backup_archive import DATA_NAME, MANIFEST_NAME, MEDIA_PREFIX, archive_counts


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
            names = tar.getnames()
            if DATA_NAME not in names or MANIFEST_NAME not in names:
                raise CommandError(f"{backup} has no {DATA_NAME} or {MANIFEST_NAME}: not a backup.")
            manifest = json.load(tar.extractfile(MANIFEST_NAME))
            if any(archive_counts().values()):
                raise CommandError(
                    "This database already holds archive records. Restore into an empty "
                    "database (run `manage.py migrate` on a new one) so nothing is mixed."
                )
            data_path = Path(folder) / DATA_NAME
            data_path.write_bytes(tar.extractfile(DATA_NAME).read())
            media = [m for m in tar.getmembers() if m.isfile() and m.name.startswith(MEDIA_PREFIX)]
            if dry_run:
                self.stdout.write(
                    f"Dry run: {sum(manifest['records'].values())} records and "
                    f"{len(media)} media files would be restored."
                )
                return
            with transaction.atomic():
                call_command("loaddata", str(data_path), verbosity=0)
                counts = archive_counts()
                if counts != manifest["records"]:
                    raise CommandError(
                        f"The restored counts {counts} differ from the backup's "
                        f"{manifest['records']}; nothing was restored."
                    )
            media_root = Path(settings.MEDIA_ROOT)
            for member in media:
                relative = PurePosixPath(member.name).relative_to(MEDIA_PREFIX.rstrip("/"))
                if ".." in relative.parts or relative.is_absolute():
                    raise CommandError(f"Unsafe path in the backup: {member.name}")
                target = media_root / relative
                if not target.exists():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with tar.extractfile(member) as source, open(target, "wb") as out:
                        shutil.copyfileobj(source, out)
        refresh_planner_statistics()
        bump_content_version()
        if verbosity >= 1:
            self.stdout.write(
                f"Restored {sum(counts.values())} records and {len(media)} media files."
            )
