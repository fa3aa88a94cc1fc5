"""Load fixture files for an edition, validated first and written in one transaction.

``loaddata`` skips model validation (and SQLite ignores ``max_length``), so it can load bad data.
This command checks every record first, reports every problem it finds, and writes all the
files or nothing. Records that exist and differ are changed only with ``--update``;
with ``--missing-only`` (what ``make setup`` runs on the shipped fixtures) existing records are
never touched at all.
"""

from django.core.management.base import BaseCommand, CommandError

from archive.services import FixtureError, history, load_edition


class Command(BaseCommand):
    help = (
        "Validate fixture files (natural keys, no pk) and load them together in one transaction. "
        "Prints what was created, updated and left unchanged."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="Fixture files (JSON).")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the files and report what would change, without writing anything.",
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="Overwrite records that already exist and differ (listed by --dry-run).",
        )
        parser.add_argument(
            "--missing-only",
            action="store_true",
            help=(
                "Create only the records that are not in the database yet; leave every existing "
                "record exactly as it is, even where the files differ (make setup uses this)."
            ),
        )

    def handle(self, *args, files, dry_run, update, missing_only, verbosity, **options):
        def progress(message):
            self.stderr.write(message)

        how = "manage.py load_edition" + (" --update" if update else "")
        how += " --missing-only" if missing_only else ""
        try:
            with history.revision() as batch:  # one revision for the whole load
                report = load_edition(
                    files,
                    dry_run=dry_run,
                    update=update,
                    missing_only=missing_only,
                    progress=progress if verbosity >= 1 else None,
                )
                batch.comment = history.load_comment(how, report)
        except FixtureError as exc:
            raise CommandError(str(exc)) from exc
        if verbosity >= 1:
            for line in report.lines(verbosity):
                self.stdout.write(line)
