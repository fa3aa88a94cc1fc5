"""Make the smaller copies (renditions) of every portrait and cover picture that lacks them.

Renditions are made when a picture is uploaded, but a restored backup, a copied media folder or
a change of sizes in archive/images.py can leave some missing; pages then show the original (and
log a warning naming this command), which makes them all. ``--force`` redraws every rendition (after
a change of quality or sizes). It writes files only, never the database, so it needs no
transaction; ``--dry-run`` reports what it would do.
"""

from django.core.management.base import BaseCommand, CommandError

from archive import images
from archive.models import Edition, Participant


def stored_pictures():
    """(label, FieldFile) for every portrait and cover that is set."""
    for participant in Participant.objects.exclude(photo="").order_by("slug"):
        yield f"portrait of {participant}", participant.photo
    for edition in Edition.objects.exclude(cover="").select_related("forum").order_by("pk"):
        yield f"cover of the {edition}", edition.cover


class Command(BaseCommand):
    help = "Make missing renditions of portraits and cover pictures (--force: remake them all)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Remake every rendition, not only missing ones."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would be made; write nothing."
        )

    def handle(self, *args, force, dry_run, verbosity, **options):
        made = pictures = 0
        problems = []
        for label, file in stored_pictures():
            pictures += 1
            if not file.storage.exists(file.name):
                problems.append(f"{label}: the file {file.name} is missing")
                continue
            try:
                if dry_run:
                    plan = images.rendition_plan(file.name, file.storage)
                    names = [r.name for items in plan.values() for r in items]
                    todo = names if force else [n for n in names if not file.storage.exists(n)]
                else:
                    todo = images.make_renditions(file.name, force=force, storage=file.storage)
            except (OSError, images.ValidationError) as exc:
                problems.append(f"{label}: {file.name} cannot be read ({exc})")
                continue
            made += len(todo)
            if verbosity >= 2:
                for name in todo:
                    self.stdout.write(f"{'Would make' if dry_run else 'Made'} {name}")
        if verbosity >= 1:
            verb = "would be made" if dry_run else "made"
            self.stdout.write(f"{pictures} pictures, {made} renditions {verb}.")
        if problems:
            raise CommandError(
                "Some pictures have no usable file; upload them again in the admin:\n  "
                + "\n  ".join(problems)
            )
