"""Public pages. Thin: each view names a query from archive.queries; templates do the rest.

Lists take their filters from GET through the FilterSets in archive.filters. An invalid filter
value is reported on the page (filterset.errors) and ignored while the valid ones still apply;
an invalid page number ("abc", past the end) shows the nearest real page with a notice. Neither
ever gives a 404 or a 500.
"""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView

from . import queries
from .cache import cached_count
from .filters import EditionFilter, OrganizationFilter, ParticipantFilter
from .models import Topic
from .search import MAX_QUERY_LENGTH, clean_query
from .search import search as run_search

#: Appearances (with what they said) per page on an edition or sub-forum page.
PEOPLE_PER_PAGE = 25


class CountCachedPaginator(Paginator):
    """Counts through the cache (archive.cache.cached_count): same count, one query less."""

    @cached_property
    def count(self):
        return cached_count(self.object_list)


def paginate(request, queryset, per_page):
    """The page of `queryset` that ?page= asks for, and a notice when it had to pick another.

    A page number that is not a number, or past the end, shows the nearest real page instead of
    a 404, with a notice saying so.
    """
    paginator = CountCachedPaginator(queryset, per_page)
    raw = request.GET.get("page")
    page = paginator.get_page(raw)
    notice = None
    if raw is not None and raw != str(page.number):
        notice = _("There is no page “%(requested)s”; showing page %(shown)s of %(total)s.") % {
            "requested": raw[:20],
            "shown": page.number,
            "total": paginator.num_pages,
        }
    return page, notice


def page_address(url, page):
    """The address of one page of a paginated record page (page 1 has no ?page=)."""
    return url if page.number == 1 else f"{url}?page={page.number}"


def home(request):
    forums = list(queries.home_forums(request.user))
    for forum in forums:
        forum.visible_editions = forum.latest_editions[::-1]  # oldest first on the timeline
        forum.more_editions = forum.edition_count > len(forum.visible_editions)
        # Each host country gets a class on the timeline, in order of first appearance, so
        # alternating hosts show at a glance without inline styles.
        hosts = {}
        for edition in forum.visible_editions:
            hosts.setdefault(edition.country, len(hosts) % 4)
        forum.hosts = hosts
        forum.latest_edition = max(
            forum.visible_editions, key=lambda e: (e.start_date, e.number), default=None
        )
    return render(request, "archive/home.html", {"forums": forums})


class FilteredListView(ListView):
    """A list with a FilterSet from GET and pagination that never fails on a bad page."""

    paginate_by = 50
    filterset_class = None

    def base_queryset(self):
        raise NotImplementedError

    def get_queryset(self):
        self.filterset = self.filterset_class(
            self.request.GET or None, queryset=self.base_queryset(), request=self.request
        )
        return self.filterset.qs

    def paginate_queryset(self, queryset, page_size):
        page, self.page_notice = paginate(self.request, queryset, page_size)
        return page.paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filterset"] = self.filterset
        context["page_notice"] = self.page_notice
        context["is_filtered"] = bool(self.filterset.is_bound and self.filterset.form.cleaned_data)
        return context


class EditionListView(FilteredListView):
    extra_context = {"nav": "editions"}
    template_name = "archive/edition_list.html"
    filterset_class = EditionFilter

    def base_queryset(self):
        return queries.visible_editions(self.request.user).for_list()


class EditionDetailView(DetailView):
    extra_context = {"nav": "editions"}
    template_name = "archive/edition_detail.html"
    context_object_name = "edition"

    def get_object(self, queryset=None):
        return get_object_or_404(
            queries.edition_detail(self.request.user),
            forum__slug=self.kwargs["slug"],
            number=self.kwargs["number"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        edition = self.object
        page, notice = paginate(
            self.request, queries.edition_appearances(edition, self.request.user), PEOPLE_PER_PAGE
        )
        sub_forums = {sub_forum.pk: sub_forum for sub_forum in edition.ordered_sub_forums}
        sessions = []  # this page's appearances, grouped by session in programme order
        for appearance in page.object_list:
            appearance.edition = edition  # spare a query per row in get_absolute_url()
            sub_forum = sub_forums.get(appearance.sub_forum_id)
            if sub_forum is not None:
                sub_forum.edition = edition
                appearance.sub_forum = sub_forum
            if not sessions or sessions[-1]["sub_forum"] is not sub_forum:
                sessions.append({"sub_forum": sub_forum, "appearances": []})
            sessions[-1]["appearances"].append(appearance)
        previous, following = queries.neighbour_editions(edition, self.request.user)
        page_url = edition.get_absolute_url()
        context.update(
            sessions=sessions,
            appearance_count=page.paginator.count,
            page_obj=page,
            is_paginated=page.has_other_pages(),
            page_notice=notice,
            previous_edition=previous,
            next_edition=following,
            sources=list(edition.sources.all()),
            page_url=page_url,
            people_url=page_address(page_url, page),
        )
        return context


class SubForumDetailView(DetailView):
    extra_context = {"nav": "editions"}
    template_name = "archive/subforum_detail.html"
    context_object_name = "sub_forum"

    def get_object(self, queryset=None):
        return get_object_or_404(
            queries.sub_forum_detail(self.request.user),
            edition__forum__slug=self.kwargs["slug"],
            edition__number=self.kwargs["number"],
            slug=self.kwargs["subforum"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sub_forum = self.object
        page, notice = paginate(
            self.request,
            queries.sub_forum_appearances(sub_forum, self.request.user),
            PEOPLE_PER_PAGE,
        )
        page_url = sub_forum.get_absolute_url()
        context.update(
            edition=sub_forum.edition,
            appearances=page.object_list,
            appearance_count=page.paginator.count,
            page_obj=page,
            is_paginated=page.has_other_pages(),
            page_notice=notice,
            sources=list(sub_forum.edition.sources.all()),
            page_url=page_url,
            people_url=page_address(page_url, page),
        )
        return context


class ParticipantListView(FilteredListView):
    extra_context = {"nav": "participants"}
    template_name = "archive/participant_list.html"
    filterset_class = ParticipantFilter

    def base_queryset(self):
        return queries.visible_participants(self.request.user).order_by("name", "pk")


class ParticipantDetailView(DetailView):
    extra_context = {"nav": "participants"}
    template_name = "archive/participant_detail.html"
    context_object_name = "participant"

    def get_queryset(self):
        return queries.visible_participants(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        appearances, more = queries.bounded(
            queries.participant_appearances(self.object, self.request.user)
        )
        sources = {}
        for appearance in appearances:
            appearance.participant = self.object
            for statement in appearance.statements.all():
                sources.setdefault(statement.source.pk, statement.source)
        context.update(
            appearances=appearances,
            more_appearances=more,
            limit=queries.CROSS_EDITION_LIMIT,
            sources=sorted(sources.values(), key=lambda s: s.title),
            page_url=self.object.get_absolute_url(),
        )
        return context


class OrganizationListView(FilteredListView):
    extra_context = {"nav": "organizations"}
    template_name = "archive/organization_list.html"
    filterset_class = OrganizationFilter

    def base_queryset(self):
        return queries.visible_organizations(self.request.user).order_by("name_en", "pk")


class OrganizationDetailView(DetailView):
    extra_context = {"nav": "organizations"}
    template_name = "archive/organization_detail.html"
    context_object_name = "organization"

    def get_queryset(self):
        return queries.visible_organizations(self.request.user).prefetch_related("forums")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        appearances, more_appearances = queries.bounded(
            queries.organization_appearances(self.object, user)
        )
        editions, more_editions = queries.bounded(queries.organization_editions(self.object, user))
        context.update(
            appearances=appearances,
            more_appearances=more_appearances,
            co_organized=editions,
            more_editions=more_editions,
            limit=queries.CROSS_EDITION_LIMIT,
        )
        return context


class TopicDetailView(DetailView):
    extra_context = {"nav": "editions"}
    template_name = "archive/topic_detail.html"
    context_object_name = "topic"
    queryset = Topic.objects.all()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        sub_forums, more_sub_forums = queries.bounded(queries.topic_sub_forums(self.object, user))
        editions, more_editions = queries.bounded(queries.topic_editions(self.object, user))
        if not sub_forums and not editions and not queries.is_staff(user):
            # Only drafts use it so far: the topic itself would leak unpublished work.
            raise Http404(_("No published record uses this topic."))
        context.update(
            sub_forums=sub_forums,
            more_sub_forums=more_sub_forums,
            editions=editions,
            more_editions=more_editions,
            limit=queries.CROSS_EDITION_LIMIT,
        )
        return context


def search(request):
    query, truncated = clean_query(request.GET.get("q", ""))
    groups = run_search(query, request.user)
    for group in groups:
        if group.key in ("participants", "organizations"):
            for hit in group.hits:
                hit.last_edition_url = (
                    reverse(
                        "archive:edition-detail",
                        kwargs={
                            "slug": hit.last_edition_forum_slug,
                            "number": hit.last_edition_number,
                        },
                    )
                    if hit.last_edition_number
                    else ""
                )
    context = {
        "query": query,
        "truncated": truncated,
        "max_length": MAX_QUERY_LENGTH,
        "groups": groups,
        "hit_count": sum(len(group.hits) for group in groups),
    }
    return render(request, "archive/search.html", context)
