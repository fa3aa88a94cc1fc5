"""A forum series' page: what it is, who organizes it, its totals and the timeline of all its
editions."""

from django.views.generic import DetailView

from ..addresses import path_for
from ..http import breadcrumbs
from ..models import Appearance, Edition, Forum
from ..opendata import jsonld
from ..opendata.calendars import calendar_links
from ..opendata.opengraph import page_meta
from .lists import PageMetaMixin
from .timeline import timeline


class ForumDetailView(PageMetaMixin, DetailView):
    extra_context = {"nav": "editions"}
    template_name = "archive/forum_detail.html"
    context_object_name = "forum"

    def get_queryset(self):
        # A forum whose editions are all drafts is a 404 to the public.
        return Forum.objects.for_detail(self.request.user)

    def get_context_data(self, **kwargs):
        user = self.request.user
        editions, more = (
            Edition.objects.visible_to(user)
            .filter(forum=self.object)
            .select_related("forum")
            .order_by("-start_date", "-number")
            .bounded()
        )
        kwargs["timeline"] = timeline(editions)
        kwargs["timeline_editions"] = editions
        kwargs["more_editions"] = more
        totals = Appearance.objects.visible_to(user).filter(edition__forum=self.object).totals()
        kwargs["totals"] = {**totals, "editions": self.object.edition_count}
        # The series' calendar: {"path": download, "webcal": subscribe}; none on a staff
        # preview of a forum with only drafts (its calendar is a 404).
        if getattr(self.object, "is_public", True) is not False:
            path = path_for("archive:forum-calendar", slug=self.object.slug)
            kwargs["calendar"] = calendar_links(self.request, path)
        return super().get_context_data(**kwargs)

    def get_breadcrumbs(self, context):
        return breadcrumbs.forum(self.object)

    def get_page_meta(self, context):
        return page_meta(self.request, title=self.object.name, description=self.object.description)

    def get_jsonld(self, context):
        if not jsonld.is_public(self.object):
            return None
        editions = [e for e in context["timeline_editions"] if e.is_published]
        return jsonld.forum_data(self.object, editions, context["breadcrumbs"], self.request)
