"""Path converters shared by the page and API URLconfs."""

from django.urls import register_converter

from ..models.edition import EDITION_KEY_PATTERN


class EditionKeyConverter:
    """An edition's key (Edition.key), "<forum-slug>-<number>", e.g. "beijing-tokyo-forum-20".

    The view looks it up with Edition.objects.get_by_key() (through `visible_edition_or_404`)."""

    regex = EDITION_KEY_PATTERN

    def to_python(self, value):
        return value

    def to_url(self, value):
        return str(value)


def register():
    """Make <edition:...> available to URL patterns (idempotent)."""
    register_converter(EditionKeyConverter, "edition")


register()
