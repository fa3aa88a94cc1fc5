"""Build the data package of the whole public archive ahead of its first download.

The site builds the package itself when a download finds none for the current content version
(archive/services/data_package.py), so this command is never required; it moves the cost of the
build out of a visitor's request. ``make setup`` runs it after loading the fixtures, and a
deployment can run it after loading editions or from a timer.
"""

import tempfile

from django.core.management.base import BaseCommand, CommandError

from archive.cache import content_version
from archive.services.data_package import build_data_package, package_path


class Command(BaseCommand):
    help = (
        "Build the data package (ZIP: datapackage.json, CSV and JSON per table, fixtures) of "
        "the public archive for the current content version, unless it is built already."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Build it again even if it is up to date."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Build it in a temporary directory and report it; leave the site's as it is.",
        )

    def handle(self, *args, force, dry_run, verbosity, **options):
        try:
            if dry_run:
                with tempfile.TemporaryDirectory() as directory:
                    package = build_data_package(directory=directory)
                    size = package.path.stat().st_size
                if verbosity >= 1:
                    self.stdout.write(f"Dry run: the package would be {size:,} bytes.")
                return
            version = content_version()
            up_to_date = version is not None and package_path(version).exists()
            package = build_data_package(version, force=force)
        except OSError as exc:
            raise CommandError(
                f"Could not write the data package: {exc}. Check that DATA_PACKAGE_DIR is a "
                "directory this user may write."
            ) from exc
        if verbosity >= 1:
            state = "Up to date" if up_to_date and not force else "Built"
            size = package.path.stat().st_size
            self.stdout.write(f"{state}: {package.path} ({size:,} bytes).")
