"""Back up the whole archive (every archive record and the uploaded media) into one .tar.gz.

Records are written with natural keys (slugs, forum and edition numbers), not database ids, so the
backup restores into an empty database on either engine, SQLite or PostgreSQL, with
``restore_archive``. Users, groups and sessions are not part of the archive and are not included.
"""

import io
import json
import tarfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from archive.security import open_private

DATA_NAME = "archive.json"
MANIFEST_NAME = "manifest.json"
MEDIA_PREFIX = "media/"


def archive_counts():
    return {
        model._meta.label_lower: model._default_manager.count()
        for model in apps.get_app_config("archive").get_models()
    }


class Command(BaseCommand):
    help = "Write every archive record (natural keys) and the media files to a .tar.gz file."

    def add_arguments(self, parser):
        parser.add_argument("output", metavar="FILE.tar.gz", help="Where to write the backup.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be written; write nothing."
        )

    def handle(self, *args, output, dry_run, verbosity, **options):
        output = Path(output)
        if not dry_run and not output.parent.is_dir():
            raise CommandError(f"The folder {output.parent} does not exist; create it first.")
        media_root = Path(settings.MEDIA_ROOT)
        media = (
            sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.is_dir() else []
        )
        # One read transaction, so the records are a consistent snapshot.
        with transaction.atomic():
            counts = archive_counts()
            data = io.StringIO()
            if not dry_run:
                call_command(
                    "dumpdata",
                    "archive",
                    natural_foreign=True,
                    natural_primary=True,
                    indent=1,
                    stdout=data,
                )
        if not dry_run:
            manifest = {"records": counts, "media_files": len(media)}
            # 0600: the backup holds every draft.
            with open_private(output) as handle, tarfile.open(fileobj=handle, mode="w:gz") as tar:
                for name, text in (
                    (DATA_NAME, data.getvalue()),
                    (MANIFEST_NAME, json.dumps(manifest, indent=1)),
                ):
                    payload = text.encode("utf-8")
                    info = tarfile.TarInfo(name)
                    info.size = len(payload)
                    tar.addfile(info, io.BytesIO(payload))
                for path in media:
                    tar.add(path, arcname=MEDIA_PREFIX + path.relative_to(media_root).as_posix())
        if verbosity >= 1:
            verb = "Would write" if dry_run else f"Wrote {output}:"
            self.stdout.write(
                f"{verb} {sum(counts.values())} records and {len(media)} media files."
            )
