"""Record a first version of every archive record that has none yet (``make setup`` runs it).

Records written before the history existed (or by any other way that sends no signals) then show
their old values in History at their next change. Records that have a version are left alone, so
running it again writes nothing.
"""

from django.core.management.base import BaseCommand

from archive.services.history import record_baseline


class Command(BaseCommand):
    help = "Save a first history version of every archive record that has none yet."

    def handle(self, *args, verbosity, **options):
        count = record_baseline()
        if verbosity >= 1:
            self.stdout.write(f"History: {count} records got their first version.")
