"""What every public page shares: pagination that never fails, filtered lists, and the page's
open-data metadata (JSON-LD and Open Graph), which views provide and templates render.

Lists take their filters from GET through the FilterSets in archive.filters. An invalid filter
value is reported on the page (filterset.errors) and ignored while the valid ones still apply;
an invalid page number ("abc", past the end) shows the nearest real page with a notice. Neither
ever gives a 404 or a 500.
"""

from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.generic import ListView

from ..cache import cached_count, cached_value
from ..http import breadcrumbs
from ..models.base import CROSS_EDITION_LIMIT, can_preview
from ..opendata import jsonld
from ..opendata.opengraph import page_meta

#: Appearances (with what they said) per page on an edition or sub-forum page.
PEOPLE_PER_PAGE = 25


def bounded_lists(*lists):
    """A page's lists gathered across editions, each `(name, more_name, queryset)`: its first
    CROSS_EDITION_LIMIT rows as `name`, whether it has more as `more_name`, and the `limit` the
    page states."""
    context = {"limit": CROSS_EDITION_LIMIT}
    for name, more_name, queryset in lists:
        context[name], context[more_name] = queryset.bounded()
    return context


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


def whole_record_jsonld(request, record, page, build):
    """The JSON-LD of a record whose people are shown over several pages (an edition, a
    session): `build(people)` with the page's own rows when the record fits on one page; else
    with everyone at the record, built once per content version, language and address and kept
    beside the list counts (archive.cache.cached_value), since every page of the record states
    the same block (docs/opendata.md). Without it each later page read and described the whole
    record again: 500 people, 0.4 s a page."""
    if not page.has_other_pages():
        return build(page.object_list)
    key = (record._meta.label, record.pk, get_language(), request.scheme, request.get_host())
    return cached_value("jsonld", key, lambda: build(None))


def for_viewer(queryset, user):
    """`queryset.visible_to(user)`; for those who preview drafts each row also carries
    `is_public`, so templates can mark what the public cannot see."""
    queryset = queryset.visible_to(user)
    return queryset.with_public_flag() if can_preview(user) else queryset


class PageMetaMixin:
    """Puts the page's breadcrumbs (`breadcrumbs`, archive.http.breadcrumbs), Open Graph data
    (`og`) and JSON-LD (`jsonld`, whose BreadcrumbList is the same trail) in the context.

    Override `get_breadcrumbs()`, `get_page_meta()` and `get_jsonld()`; templates only render
    what they are given.
    """

    def get_breadcrumbs(self, context):
        return []

    def get_page_meta(self, context):
        return page_meta(self.request)

    def get_jsonld(self, context):
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["breadcrumbs"] = self.get_breadcrumbs(context)
        context["og"] = self.get_page_meta(context)
        context["jsonld"] = self.get_jsonld(context)
        return context


class FilteredListView(PageMetaMixin, ListView):
    """A list with a FilterSet from GET and pagination that never fails on a bad page."""

    paginate_by = 50
    filterset_class = None
    #: Which records the list's JSON-LD ItemList holds (archive.opendata.jsonld.list_data).
    jsonld_kind = None

    def base_queryset(self):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        """A record typed by name ("?organization=Nomura") is answered with a redirect to the
        same list by its key ("?organization=nomura-research-institute"), the address a visitor
        can keep and share."""
        self.filterset = self.filterset_class(
            request.GET or None, queryset=self.base_queryset(), request=request
        )
        canonical = self.filterset.canonical_query()
        if canonical is not None:
            return HttpResponseRedirect(f"{request.path}?{canonical}")
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return self.filterset.qs

    def active_filters(self):
        """The filters in use, each with the address of this list without it (page 1)."""
        chips = []
        for active in self.filterset.active_filters():
            query = self.request.GET.copy()
            query.pop(active.name, None)
            query.pop(self.page_kwarg, None)
            remaining = query.urlencode()
            chips.append(
                {
                    "filter": active,
                    "remove_url": f"{self.request.path}?{remaining}"
                    if remaining
                    else self.request.path,
                }
            )
        return chips

    def paginate_queryset(self, queryset, page_size):
        page, self.page_notice = paginate(self.request, queryset, page_size)
        return page.paginator, page, page.object_list, page.has_other_pages()

    def get_breadcrumbs(self, context):
        return getattr(breadcrumbs, f"{self.jsonld_kind}s")()

    def get_jsonld(self, context):
        return jsonld.list_data(
            self.jsonld_kind, context["page_obj"], context["breadcrumbs"], self.request
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filterset"] = self.filterset
        context["page_notice"] = self.page_notice
        context["is_filtered"] = bool(self.filterset.is_bound and self.filterset.form.cleaned_data)
        context["active_filters"] = self.active_filters()
        return context
