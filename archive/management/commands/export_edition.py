"""Export one edition, with the shared records it needs, as a natural-key fixture.

Loading the output with ``load_edition`` into an empty database gives the same records, so
editors can move an edition between databases or keep it under version control. Drafts export
too: this is an editors' tool.
"""

from django.core.management.base import BaseCommand, CommandError

from archive.models import Edition
from archive.services import export_edition


class Command(BaseCommand):
    help = (
        "Write an edition (drafts included) and the forum, organizations, topics, sources and "
        "participants it needs as a natural-key fixture."
    )

    def add_arguments(self, parser):
        parser.add_argument("forum", metavar="FORUM-SLUG", help="e.g. beijing-tokyo-forum")
        parser.add_argument("number", type=int, metavar="NUMBER", help="e.g. 20")
        parser.add_argument(
            "-o", "--output", metavar="FILE", help="Write to FILE (UTF-8) instead of stdout."
        )

    def handle(self, *args, forum, number, output, verbosity, **options):
        try:
            if output:
                with open(output, "w", encoding="utf-8") as stream:
                    edition = export_edition(forum, number, stream)
            else:
                edition = export_edition(forum, number, self.stdout)
        except Edition.DoesNotExist as exc:
            raise CommandError(
                f"There is no edition {number} of the forum “{forum}”. "
                "Check the forum's slug and the edition's number."
            ) from exc
        if verbosity >= 1:
            status = "a draft" if not edition.is_published else "published"
            where = output or "standard output"
            self.stderr.write(f"Exported the {edition} ({status}) to {where}.")
        return None
