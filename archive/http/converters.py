"""Path converters shared by the page and API URLconfs."""

from django.urls import register_converter

from ..models.citations import FORMATS
from ..models.edition import EDITION_KEY_PATTERN


class EditionKeyConverter:
    """An edition's key (Edition.key), "<forum-slug>-<number>", e.g. "beijing-tokyo-forum-20".

    The view looks it up with Edition.objects.get_by_key() (through `visible_edition_or_404`)."""

    regex = EDITION_KEY_PATTERN

    def to_python(self, value):
        return value

    def to_url(self, value):
        return str(value)


class CitationFormatConverter:
    """A citation download's extension: ris, json (CSL-JSON) or bib (archive.models.citations)."""

    regex = "|".join(FORMATS)

    def to_python(self, value):
        return value

    def to_url(self, value):
        return str(value)


def register():
    """Make <edition:...> and <citeformat:...> available to URL patterns (idempotent)."""
    register_converter(EditionKeyConverter, "edition")
    register_converter(CitationFormatConverter, "citeformat")


register()
