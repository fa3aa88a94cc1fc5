"""A forum series' page: what it is, who organizes it, and the timeline of all its editions."""

from django.views.generic import DetailView

from ..addresses import path_for
from ..models import Edition, Forum
from ..opendata import jsonld
from ..opendata.calendars import calendar_links
from ..opendata.opengraph import page_meta
from .lists import PageMetaMixin, for_viewer


class ForumDetailView(PageMetaMixin, DetailView):
    extra_context = {"nav": "editions"}
    template_name = "archive/forum_detail.html"
    context_object_name = "forum"

    def get_queryset(self):
        # A forum whose editions are all drafts is a 404 to the public.
        return for_viewer(Forum.objects.prefetch_related("organizers"), self.request.user)

    def get_context_data(self, **kwargs):
        editions = Edition.objects.visible_to(self.request.user).filter(forum=self.object)
        kwargs["editions"] = editions.select_related("forum").order_by("start_date", "number")
        # The series' calendar: {"path": download, "webcal": subscribe}, for the page to link
        # (templates/includes/webcal.html with path=calendar.path) and name in its <head>.
        path = path_for("archive:forum-calendar", slug=self.object.slug)
        kwargs["calendar"] = calendar_links(self.request, path)
        return super().get_context_data(**kwargs)

    def get_page_meta(self, context):
        return page_meta(self.request, title=self.object.name)

    def get_jsonld(self, context):
        if not jsonld.is_public(self.object):
            return None
        editions = [e for e in context["editions"] if e.is_published]
        return jsonld.forum_data(self.object, editions, self.request)
