"""Atom feed of published editions, newest first (/feeds/editions/).

Django's syndication framework writes the XML and escapes every value. Summaries are
`type="text"` (Django writes `type="html"`, which tells a reader to parse the escaped text as
markup: a stored "<img onerror=...>" would come alive in feed readers that do not sanitise, and
a "<" in a theme would be lost). `published` is when the edition first went public,
`updated` its last change; a category's `term` is the topic's slug (stable), its `label` the
topic's name. The feed answers conditional requests (Last-Modified, ETag: 304).
"""

from django.contrib.syndication.views import Feed
from django.db.models import Max
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import condition

from ..models import Edition
from ..models.languages import date_range, edition_place, translation_of


class LanguageTaggedAtomFeed(Atom1Feed):
    """Atom with `xml:lang` on each entry whose text is not in the feed's language (the
    feed's own `xml:lang` is the request's language), text summaries and labelled categories."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None, "categories": ()})
        if item.get("description"):
            handler.addQuickElement("summary", item["description"], {"type": "text"})
        for term, label in item.get("topics", ()):
            handler.addQuickElement("category", "", {"term": term, "label": label})

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
        return {
            "language": theme.language if theme.value else get_language(),
            "topics": [(topic.slug, topic.name) for topic in edition.topics.all()],
        }

    def item_link(self, edition):
        return edition.get_absolute_url()

    def item_guid(self, edition):
        year = f"{edition.start_date:%Y}"
        return f"tag:forumarchive,{year}:edition-{edition.key}"

    item_guid_is_permalink = False

    def item_pubdate(self, edition):
        return edition.published_at or edition.updated_at

    def item_updateddate(self, edition):
        return edition.updated_at

    def __call__(self, request, *args, **kwargs):
        return conditional(self._render)(request, *args, **kwargs)

    def _render(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        response["Cache-Control"] = "public, max-age=900"
        return response


def _last_change(request, *args, **kwargs):
    """The newest change among the feed's editions: the feed's Last-Modified."""
    return Edition.objects.visible_to(None).aggregate(last=Max("updated_at"))["last"]


conditional = condition(last_modified_func=_last_change)
