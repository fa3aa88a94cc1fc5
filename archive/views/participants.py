"""The participant list and each participant's page."""

from django.views.generic import DetailView

from ..filters import ParticipantFilter
from ..models import Appearance, Participant
from ..opendata import cards, jsonld
from ..opendata.opengraph import page_meta
from .lists import FilteredListView, PageMetaMixin, bounded_lists, for_viewer


class ParticipantListView(FilteredListView):
    extra_context = {"nav": "participants"}
    template_name = "archive/participant_list.html"
    filterset_class = ParticipantFilter

    def base_queryset(self):
        return for_viewer(Participant.objects.all(), self.request.user).for_list()


class ParticipantDetailView(PageMetaMixin, DetailView):
    extra_context = {"nav": "participants"}
    template_name = "archive/participant_detail.html"
    context_object_name = "participant"

    def get_queryset(self):
        return for_viewer(Participant.objects.all(), self.request.user)

    def get_context_data(self, **kwargs):
        user = self.request.user
        lists = bounded_lists(
            (
                "appearances",
                "more_appearances",
                Appearance.objects.visible_to(user)
                .filter(participant=self.object)
                .latest_first()
                .with_statements(user),
            )
        )
        appearances = lists["appearances"]
        sources = {}
        for appearance in appearances:
            appearance.participant = self.object
            for statement in appearance.statements.all():
                sources.setdefault(statement.source.pk, statement.source)
        kwargs.update(
            lists,
            sources=sorted(sources.values(), key=lambda s: s.title),
            page_url=self.object.get_absolute_url(),
        )
        return super().get_context_data(**kwargs)

    def get_page_meta(self, context):
        participant = self.object
        return page_meta(
            self.request,
            title=participant.name,
            description=participant.bio,
            kind="profile",
            image_path=cards.card_url(participant),
        )

    def get_jsonld(self, context):
        # Only what the public may see: a staff preview leaves drafts out of the markup.
        appearances = [a for a in context["appearances"] if a.edition.is_published]
        return jsonld.participant_data(self.object, appearances, self.request)
