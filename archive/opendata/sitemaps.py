"""sitemap.xml (django.contrib.sitemaps) and robots.txt.

/sitemap.xml is a sitemap index: it names one sitemap per section (/sitemap-editions.xml, ...)
and, for a section bigger than ITEMS_PER_PAGE records, its further pages (?p=2, ...), so no
sitemap document grows with the archive (at 50,000 participants one flat sitemap was 43 MB; a
page is now at most 750 addresses).

The sitemaps list every public page: home, the lists, each forum series with a published
edition, and each published edition, sub-forum, participant, organization and topic. Drafts and
everything under them are left out (the same visibility rules as the pages, for an anonymous
visitor). `lastmod` is given where it is known: an edition's (and its sessions') last change;
for a forum, its latest published edition's; for a participant, organization or topic, the
latest change among the published editions it belongs to.
"""

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Max, Q
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from ..cache import cached_count
from ..models import Edition, Forum, Organization, Participant, SubForum, Topic

PUBLISHED = Edition.Status.PUBLISHED

#: Records per sitemap page; each is listed once per language, with its alternates.
ITEMS_PER_PAGE = 250


class PerLanguage(Sequence):
    """(item, language) pairs of a queryset, made a page at a time.

    Django's i18n sitemap builds every pair of the whole section before taking one page of them
    (50,000 participants loaded to write 250); this slices the queryset instead.
    """

    def __init__(self, items, languages, count, prepare):
        self.items = items
        self.languages = list(languages)
        self.count_items = count
        self.prepare = prepare
        self._length = None

    def __len__(self):
        if self._length is None:
            self._length = self.count_items() * len(self.languages)
        return self._length

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop, _ = index.indices(len(self))
        size = len(self.languages)
        first, last = start // size, -(-stop // size)
        records = list(self.items[first:last])
        self.prepare(records)
        pairs = [(item, code) for item in records for code in self.languages]
        return pairs[start - first * size : stop - first * size]


class LocalizedSitemap(Sitemap):
    """Every page once per language (/en/, /zh-hans/, /ja/), each naming the others with
    <xhtml:link rel="alternate" hreflang> and an x-default (the unprefixed address)."""

    i18n = True
    alternates = True
    x_default = True

    @property
    def limit(self):
        return ITEMS_PER_PAGE * len(self._languages())

    @property
    def paginator(self):
        pairs = PerLanguage(self.items(), self._languages(), self.count, self.prepare)
        return Paginator(pairs, self.limit)

    def count(self):
        items = self.items()
        return cached_count(items) if hasattr(items, "query") else len(items)

    def prepare(self, records):
        """Add what lastmod() needs to one page of records, in bulk (one query at most)."""

    def _urls(self, page, protocol, domain):
        with translation.override(settings.LANGUAGE_CODE):  # once a page, for _location()
            return super()._urls(page, protocol, domain)

    def _location(self, item, force_lang_code=None):
        """The page's address in a language: its address in the default language with the
        prefix swapped (our URL patterns are not translated, only prefixed), computed once
        per record instead of once per language and alternate (five reverse() calls)."""
        record, language = item
        paths = self.__dict__.setdefault("_paths", {})
        if record not in paths:
            paths[record] = self.location(record).removeprefix(f"/{settings.LANGUAGE_CODE}")
        return f"/{force_lang_code or language}{paths[record]}"

    def get_latest_lastmod(self):
        """For the index: the latest change of any published edition (Django's default would
        compute every item's lastmod)."""
        return Edition.objects.published().aggregate(latest=Max("updated_at"))["latest"]


class StaticPagesSitemap(LocalizedSitemap):
    changefreq = "weekly"

    def items(self):
        return [
            "archive:home",
            "archive:edition-list",
            "archive:participant-list",
            "archive:organization-list",
        ]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        return Edition.objects.published().aggregate(latest=Max("updated_at"))["latest"]


class ForumSitemap(LocalizedSitemap):
    def items(self):
        return (
            Forum.objects.visible_to(None)
            .annotate(lastmod=Max("editions__updated_at", filter=Q(editions__status=PUBLISHED)))
            .order_by("slug")
        )

    def lastmod(self, forum):
        return forum.lastmod


class EditionSitemap(LocalizedSitemap):
    def items(self):
        return (
            Edition.objects.visible_to(None)
            .select_related("forum")
            .order_by("forum__slug", "number")
        )

    def lastmod(self, edition):
        return edition.updated_at


class SubForumSitemap(LocalizedSitemap):
    def items(self):
        return (
            SubForum.objects.visible_to(None)
            .select_related("edition__forum")
            .order_by("edition__forum__slug", "edition__number", "order", "slug")
        )

    def lastmod(self, sub_forum):
        return sub_forum.edition.updated_at


class ParticipantSitemap(LocalizedSitemap):
    def items(self):
        return Participant.objects.visible_to(None).order_by("slug")

    def prepare(self, participants):
        # From the participants' side, so SQLite walks each one's appearances (by index)
        # instead of every published edition's.
        latest = dict(
            Participant.objects.filter(pk__in=[participant.pk for participant in participants])
            .annotate(
                latest=Max(
                    "appearances__edition__updated_at",
                    filter=Q(appearances__edition__status=PUBLISHED),
                )
            )
            .values_list("pk", "latest")
            .order_by()
        )
        for participant in participants:
            participant.lastmod = latest.get(participant.pk)

    def lastmod(self, participant):
        return participant.lastmod


class OrganizationSitemap(LocalizedSitemap):
    def items(self):
        return Organization.objects.visible_to(None).order_by("slug")

    def prepare(self, organizations):
        latest = dict(
            Edition.objects.published()
            .filter(co_organizers__in=organizations)
            .values_list("co_organizers")
            .annotate(latest=Max("updated_at"))
            .order_by()
        )
        for organization in organizations:
            organization.lastmod = latest.get(organization.pk)

    def lastmod(self, organization):
        return organization.lastmod


class TopicSitemap(LocalizedSitemap):
    def get_latest_lastmod(self):
        return None  # topics carry no lastmod

    def items(self):
        return Topic.objects.visible_to(None).order_by("slug")


class UrlsetTemplate:
    """Django's sitemap.xml template, written in Python: the same document, several times
    faster (a page of 250 participants is 750 addresses and 3,000 alternates). Given to
    Django's sitemap view as its template (`template_name` accepts any object with render())."""

    HEAD = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
    )

    def render(self, context=None, request=None):
        parts = [self.HEAD]
        add = parts.append
        for url in (context or {}).get("urlset", ()):
            add(f"<url><loc>{escape(url['location'])}</loc>")
            if url["lastmod"]:
                add(f"<lastmod>{_day(url['lastmod'])}</lastmod>")
            if url["changefreq"]:
                add(f"<changefreq>{escape(url['changefreq'])}</changefreq>")
            if url["priority"]:
                add(f"<priority>{escape(url['priority'])}</priority>")
            for alternate in url["alternates"]:
                add(
                    f'<xhtml:link rel="alternate" hreflang="{escape(alternate["lang_code"])}" '
                    f'href="{escape(alternate["location"])}"/>'
                )
            add("</url>\n")
        add("</urlset>\n")
        return "".join(parts)


def _day(value):
    """As the template's |date:"Y-m-d": an aware datetime in the current time zone."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%Y-%m-%d")


URLSET = UrlsetTemplate()

SITEMAPS = {
    "pages": StaticPagesSitemap,
    "forums": ForumSitemap,
    "editions": EditionSitemap,
    "sub-forums": SubForumSitemap,
    "participants": ParticipantSitemap,
    "organizations": OrganizationSitemap,
    "topics": TopicSitemap,
}


@require_safe
@cache_control(public=True, max_age=3600)
def robots_txt(request):
    """Allow everything but the admin, and point crawlers at the sitemap (absolute address)."""
    sitemap_url = request.build_absolute_uri(reverse("sitemap"))
    body = render_to_string("robots.txt", {"sitemap_url": sitemap_url}, request=request)
    return HttpResponse(body, content_type="text/plain; charset=utf-8")
