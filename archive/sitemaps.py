"""sitemap.xml (django.contrib.sitemaps) and robots.txt.

The sitemap lists every public page: home, the lists, and each published edition, sub-forum,
participant, organization and topic. Drafts and everything under them are left out (the same
visibility rules as the pages, for an anonymous visitor). `lastmod` is given where it is known:
an edition's (and its sessions') last change; for a participant, organization or topic, the
latest change among the published editions it belongs to.
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, Max, OuterRef, Q
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from . import queries
from .models import Edition, Topic

PUBLISHED = Edition.Status.PUBLISHED


class LocalizedSitemap(Sitemap):
    """Every page once per language (/en/, /zh-hans/, /ja/), each naming the others with
    <xhtml:link rel="alternate" hreflang> and an x-default (the unprefixed address)."""

    i18n = True
    alternates = True
    x_default = True


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


class EditionSitemap(LocalizedSitemap):
    def items(self):
        return (
            queries.visible_editions(None).select_related("forum").order_by("forum__slug", "number")
        )

    def lastmod(self, edition):
        return edition.updated_at


class SubForumSitemap(LocalizedSitemap):
    def items(self):
        return (
            queries.visible_sub_forums(None)
            .select_related("edition__forum")
            .order_by("edition__forum__slug", "edition__number", "order", "slug")
        )

    def lastmod(self, sub_forum):
        return sub_forum.edition.updated_at


class ParticipantSitemap(LocalizedSitemap):
    def items(self):
        return (
            queries.visible_participants(None)
            .annotate(
                lastmod=Max(
                    "appearances__edition__updated_at",
                    filter=Q(appearances__edition__status=PUBLISHED),
                )
            )
            .order_by("slug")
        )

    def lastmod(self, participant):
        return participant.lastmod


class OrganizationSitemap(LocalizedSitemap):
    def items(self):
        return (
            queries.visible_organizations(None)
            .annotate(
                lastmod=Max(
                    "co_organized_editions__updated_at",
                    filter=Q(co_organized_editions__status=PUBLISHED),
                )
            )
            .order_by("slug")
        )

    def lastmod(self, organization):
        return organization.lastmod


class TopicSitemap(LocalizedSitemap):
    def items(self):
        # The same rule as the topic page: shown only once a published record uses it.
        return Topic.objects.filter(
            Exists(Edition.objects.published().filter(topics=OuterRef("pk")))
            | Exists(queries.visible_sub_forums(None).filter(topics=OuterRef("pk")))
        ).order_by("slug")


SITEMAPS = {
    "pages": StaticPagesSitemap,
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
