"""Write docs/fixture-reference.md, the fixture format's field reference, from the models."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from archive.services.fixture_reference import render

DEFAULT = Path(settings.BASE_DIR) / "docs" / "fixture-reference.md"


class Command(BaseCommand):
    help = "Write the fixture field reference (docs/fixture-reference.md) from the models."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", default=str(DEFAULT), help="Where to write it.")
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; exit 1 if the file differs from what the models say.",
        )

    def handle(self, *args, output, check, **options):
        text, path = render(), Path(output)
        if check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                raise CommandError(f"{path} is out of date: run manage.py fixture_reference.")
            return
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {path}")
