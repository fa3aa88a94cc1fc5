"""Report or repair participants and organizations whose `is_public` flag drifted from the rule.

The flag is kept by archive/services/visibility.py on every save, delete, load and restore.
A write that bypasses all of them (raw SQL, a plain ``loaddata``) can leave it wrong: a person
hidden from the public lists, or one shown whom only drafts name. ``--check`` (or ``--dry-run``)
counts such rows and exits with an error if there are any, changing nothing; without it the
flags are recomputed in one transaction.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from archive.cache import bump_content_version
from archive.services import visibility


class Command(BaseCommand):
    help = "Recompute (or with --check, report) the public flags of participants and organizations."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            "--dry-run",
            action="store_true",
            dest="check",
            help="Report drifted flags and fail if any; change nothing.",
        )

    def handle(self, *args, check, verbosity, **options):
        if check:
            counts = visibility.check_all()
        else:
            with transaction.atomic():
                counts = visibility.refresh_all()
            if any(counts.values()):
                bump_content_version()
        lines = [
            f"{model._meta.verbose_name_plural}: {count} {'drifted' if check else 'repaired'}"
            for model, count in counts.items()
        ]
        if check and any(counts.values()):
            raise CommandError(
                "Public flags differ from the rule ("
                + "; ".join(lines)
                + "). Run `manage.py refresh_visibility` to repair them."
            )
        if verbosity >= 1:
            self.stdout.write("Public flags: " + "; ".join(lines) + ".")
