"""Atom feed of published editions, newest first (/feeds/editions/).

Django's syndication framework writes the XML and escapes every text value, so stored markup
such as "<script>" reaches a feed reader as text, never as elements.
"""

import datetime

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ..models import Edition
from ..models.languages import date_range, edition_place, translation_of


class LanguageTaggedAtomFeed(Atom1Feed):
    """Atom with `xml:lang` on each entry whose text is not in the feed's language (the
    feed's own `xml:lang` is the request's language)."""

    def item_attributes(self, item):
        attributes = super().item_attributes(item)
        if item.get("language") and item["language"] != self.feed["language"]:
            attributes["xml:lang"] = item["language"]
        return attributes


FEED_LENGTH = 50


class EditionFeed(Feed):
    feed_type = LanguageTaggedAtomFeed
    title = _("Forum Archive: editions")
    subtitle = _("Editions of the forum series as they are published in the archive.")
    author_name = _("Forum Archive")

    def link(self):
        return reverse("archive:edition-list")

    def feed_url(self):
        return reverse("archive:edition-feed")

    def items(self):
        return Edition.objects.visible_to(None).for_list().prefetch_related("topics")[:FEED_LENGTH]

    def item_title(self, edition):
        return edition.title

    def item_description(self, edition):
        parts = [edition.theme, edition.summary]
        place = edition_place(edition)
        dates = date_range(edition.start_date, edition.end_date)
        return "\n\n".join(part for part in (*parts, f"{place} · {dates}") if part)

    def item_extra_kwargs(self, edition):
        """The entry's language: the page language, or English when its theme is shown in
        English for want of a translation."""
        theme = translation_of(edition, "theme")
        return {"language": theme.language if theme.value else get_language()}

    def item_link(self, edition):
        return edition.get_absolute_url()

    def item_guid(self, edition):
        year = f"{edition.start_date:%Y}"
        return f"tag:forumarchive,{year}:edition-{edition.key}"

    item_guid_is_permalink = False

    def item_pubdate(self, edition):
        return datetime.datetime.combine(edition.start_date, datetime.time(), tzinfo=datetime.UTC)

    def item_updateddate(self, edition):
        return edition.updated_at

    def item_categories(self, edition):
        return [topic.name for topic in edition.topics.all()]

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        response["Cache-Control"] = "public, max-age=900"
        return response
