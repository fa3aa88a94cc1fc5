"""Pieces every archive model shares: slug natural keys and 'one name per line' lists."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SlugQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


SlugManager = models.Manager.from_queryset(SlugQuerySet)


class SlugKeyed(models.Model):
    """A record whose natural key is its slug, unique across the archive."""

    slug = models.SlugField(
        max_length=120,
        unique=True,
        help_text=_("Lower-case words joined by hyphens; used in web addresses and fixtures."),
    )

    objects = SlugManager()

    class Meta:
        abstract = True

    def natural_key(self):
        return (self.slug,)


def split_lines(text):
    """The non-blank lines of a 'one per line' text field."""
    return [line.strip() for line in text.splitlines() if line.strip()]
