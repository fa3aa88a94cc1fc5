"""Remove media files that no record uses any more, so they stop being public under /media/.

Replaced portraits and covers, uploads whose record was deleted, renditions of those, and social
cards drawn for an older text of a record (or for a draft a staff member previewed) stay in
storage and can be fetched by anyone who has their address. This command lists them with
``--dry-run`` and deletes them otherwise. It keeps every original that a participant or edition
names, that original's renditions, and the current card of every public edition, session and
participant. Only the folders the archive writes are looked at (portraits/, covers/,
renditions/, social/); anything else under MEDIA_ROOT is left alone.
"""

import posixpath

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand

from archive import images
from archive.models import Edition, Participant, SubForum
from archive.opendata import cards

FOLDERS = ("portraits", "covers", images.RENDITIONS_DIR, cards.CARDS_DIR)


def stored_files(storage, folder):
    """Every file below `folder` in storage, as storage names."""
    if not storage.exists(folder):
        return
    directories, files = storage.listdir(folder)
    for name in files:
        yield posixpath.join(folder, name)
    for directory in directories:
        yield from stored_files(storage, posixpath.join(folder, directory))


def wanted_files():
    """The names of every file a record or a public page needs."""
    originals = set(Participant.objects.exclude(photo="").values_list("photo", flat=True))
    originals |= set(Edition.objects.exclude(cover="").values_list("cover", flat=True))
    wanted = set(originals)
    for name in originals:
        fallback = "PNG" if name.lower().endswith(".png") else "JPEG"
        for width in images.RENDITION_WIDTHS:
            for fmt in ("WEBP", fallback):
                wanted.add(images.rendition_name(name, width, fmt))
    public = [
        *Edition.objects.visible_to(None).select_related("forum"),
        *SubForum.objects.visible_to(None).select_related("edition__forum"),
        *Participant.objects.visible_to(None),
    ]
    wanted |= {cards.card_for(record).name for record in public}
    return wanted


class Command(BaseCommand):
    help = "Delete media files no record uses (replaced pictures, old or draft cards)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be deleted; delete nothing."
        )

    def handle(self, *args, dry_run, verbosity, **options):
        storage = default_storage
        wanted = wanted_files()
        orphans = sorted(
            name
            for folder in FOLDERS
            for name in stored_files(storage, folder)
            if name not in wanted
        )
        for name in orphans:
            if verbosity >= 2 or dry_run:
                self.stdout.write(("would delete " if dry_run else "deleted ") + name)
            if not dry_run:
                storage.delete(name)
        verb = "would be deleted" if dry_run else "deleted"
        self.stdout.write(f"{len(orphans)} unused media files {verb}.")
