"""Edition pages: the list of editions, an edition's page and each session's page."""

from django.views.generic import DetailView

from ..filters import EditionFilter
from ..http import breadcrumbs
from ..http.lookups import visible_edition_or_404, visible_sub_forum_or_404
from ..models import Appearance, Edition, SubForum, citations
from ..opendata import cards, jsonld
from ..opendata.opengraph import page_meta
from .citations import downloads
from .lists import (
    PEOPLE_PER_PAGE,
    FilteredListView,
    PageMetaMixin,
    page_address,
    paginate,
    whole_record_jsonld,
)


class EditionListView(FilteredListView):
    extra_context = {"nav": "editions"}
    template_name = "archive/edition_list.html"
    filterset_class = EditionFilter
    jsonld_kind = "edition"

    def base_queryset(self):
        return Edition.objects.visible_to(self.request.user).for_list()


def group_by_sub_forum(edition, appearances):
    """A page of an edition's appearances as [{"sub_forum": ..., "appearances": [...]}, ...] in
    programme order, each row given the edition and sub-forum already loaded (no query per row)."""
    sub_forums = {sub_forum.pk: sub_forum for sub_forum in edition.ordered_sub_forums}
    groups = []
    for appearance in appearances:
        appearance.edition = edition
        sub_forum = sub_forums.get(appearance.sub_forum_id)
        if sub_forum is not None:
            sub_forum.edition = edition
            appearance.sub_forum = sub_forum
        if not groups or groups[-1]["sub_forum"] is not sub_forum:
            groups.append({"sub_forum": sub_forum, "appearances": []})
        groups[-1]["appearances"].append(appearance)
    return groups


class EditionDetailView(PageMetaMixin, DetailView):
    extra_context = {"nav": "editions"}
    template_name = "archive/edition_detail.html"
    context_object_name = "edition"

    def get_object(self, queryset=None):
        user = self.request.user
        return visible_edition_or_404(
            Edition.objects.visible_to(user).for_detail(), self.kwargs["edition_key"]
        )

    def get_context_data(self, **kwargs):
        edition = self.object
        user = self.request.user
        page, notice = paginate(
            self.request,
            Appearance.objects.filter(edition=edition).in_programme_order().with_statements(user),
            PEOPLE_PER_PAGE,
        )
        previous, following = Edition.objects.visible_to(user).neighbours(edition)
        page_url = edition.get_absolute_url()
        sources = list(edition.sources.all())
        citation = citations.edition_citation(
            edition, self.request.build_absolute_uri(page_url), sources
        )
        if edition.is_published:
            citation.downloads = downloads("archive:edition-cite", edition_key=edition.key)
        kwargs.update(
            programme=group_by_sub_forum(edition, page.object_list),
            appearance_count=page.paginator.count,
            page_obj=page,
            is_paginated=page.has_other_pages(),
            page_notice=notice,
            previous_edition=previous,
            next_edition=following,
            sources=sources,
            citation=citation,
            page_url=page_url,
            people_url=page_address(page_url, page),
        )
        return super().get_context_data(**kwargs)

    def get_breadcrumbs(self, context):
        return breadcrumbs.edition(self.object)

    def get_page_meta(self, context):
        edition = self.object
        return page_meta(
            self.request,
            title=edition.title,
            description=edition.theme or edition.summary,
            image_path=cards.card_url(edition),
        )

    def get_jsonld(self, context):
        edition = self.object
        if not edition.is_published:
            return None  # a draft previewed by staff states nothing to machines
        crumbs = context["breadcrumbs"]

        def build(people):
            if people is None:
                people = Appearance.objects.filter(edition=edition).in_programme_order()
            return jsonld.edition_data(edition, people, context["sources"], crumbs, self.request)

        return whole_record_jsonld(self.request, edition, context["page_obj"], build)


class SubForumDetailView(PageMetaMixin, DetailView):
    extra_context = {"nav": "editions"}
    template_name = "archive/sub_forum_detail.html"
    context_object_name = "sub_forum"

    def get_object(self, queryset=None):
        return visible_sub_forum_or_404(
            SubForum.objects.visible_to(self.request.user).for_detail(),
            self.kwargs["edition_key"],
            self.kwargs["sub_forum"],
        )

    def get_context_data(self, **kwargs):
        sub_forum = self.object
        page, notice = paginate(
            self.request,
            Appearance.objects.filter(sub_forum=sub_forum)
            .in_speaking_order()
            .with_statements(self.request.user),
            PEOPLE_PER_PAGE,
        )
        page_url = sub_forum.get_absolute_url()
        sources = list(sub_forum.edition.sources.all())
        citation = citations.sub_forum_citation(
            sub_forum, self.request.build_absolute_uri(page_url), sources
        )
        if sub_forum.edition.is_published:
            citation.downloads = downloads(
                "archive:sub-forum-cite",
                edition_key=sub_forum.edition.key,
                sub_forum=sub_forum.slug,
            )
        kwargs.update(
            edition=sub_forum.edition,
            appearances=page.object_list,
            appearance_count=page.paginator.count,
            page_obj=page,
            is_paginated=page.has_other_pages(),
            page_notice=notice,
            sources=sources,
            citation=citation,
            page_url=page_url,
            people_url=page_address(page_url, page),
        )
        return super().get_context_data(**kwargs)

    def get_breadcrumbs(self, context):
        return breadcrumbs.sub_forum(self.object, self.object.edition)

    def get_page_meta(self, context):
        sub_forum = self.object
        return page_meta(
            self.request,
            title=f"{sub_forum.title} · {sub_forum.edition.title}",
            description=sub_forum.description,
            image_path=cards.card_url(sub_forum),
        )

    def get_jsonld(self, context):
        sub_forum = self.object
        if not sub_forum.edition.is_published:
            return None
        crumbs = context["breadcrumbs"]

        def build(people):
            if people is None:
                people = Appearance.objects.filter(sub_forum=sub_forum).in_speaking_order()
            return jsonld.sub_forum_data(
                sub_forum, people, context["sources"], crumbs, self.request
            )

        return whole_record_jsonld(self.request, sub_forum, context["page_obj"], build)
