"""A topic's page: the editions and sessions that discussed it."""

from django.views.generic import DetailView

from ..http import breadcrumbs
from ..models import Edition, SubForum, Topic
from ..opendata import jsonld
from ..opendata.opengraph import page_meta
from .lists import PageMetaMixin, bounded_lists, for_viewer


class TopicDetailView(PageMetaMixin, DetailView):
    extra_context = {"nav": "editions"}
    template_name = "archive/topic_detail.html"
    context_object_name = "topic"

    def get_queryset(self):
        # A topic only drafts use is a 404 to the public: it would leak unpublished work.
        return for_viewer(Topic.objects.all(), self.request.user)

    def get_context_data(self, **kwargs):
        user = self.request.user
        kwargs.update(
            bounded_lists(
                (
                    "sub_forums",
                    "more_sub_forums",
                    SubForum.objects.visible_to(user).filter(topics=self.object).for_list(),
                ),
                (
                    "editions",
                    "more_editions",
                    Edition.objects.visible_to(user).filter(topics=self.object).for_list(),
                ),
            )
        )
        return super().get_context_data(**kwargs)

    def get_breadcrumbs(self, context):
        return breadcrumbs.topic(self.object)

    def get_page_meta(self, context):
        return page_meta(self.request, title=self.object.name)

    def get_jsonld(self, context):
        if not jsonld.is_public(self.object):
            return None
        editions = [e for e in context["editions"] if e.is_published]
        sub_forums = [s for s in context["sub_forums"] if s.edition.is_published]
        crumbs = context["breadcrumbs"]
        return jsonld.topic_data(self.object, editions, sub_forums, crumbs, self.request)
