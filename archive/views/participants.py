"""The participant list and each participant's page."""

from django.views.generic import DetailView

from ..filters import ParticipantFilter
from ..http import breadcrumbs
from ..models import Appearance, Participant, base, citations
from ..opendata import cards, jsonld
from ..opendata.opengraph import page_meta
from .citations import downloads
from .lists import FilteredListView, PageMetaMixin, for_viewer


class ParticipantListView(FilteredListView):
    extra_context = {"nav": "participants"}
    template_name = "archive/participant_list.html"
    filterset_class = ParticipantFilter
    jsonld_kind = "participant"

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
        appearances, more = (
            Appearance.objects.visible_to(user)
            .filter(participant=self.object)
            .latest_first()
            .with_statements(user)
            .bounded()
        )
        sources = {}
        for appearance in appearances:
            appearance.participant = self.object
            for statement in appearance.statements.all():
                sources.setdefault(statement.source.pk, statement.source)
        sources = sorted(sources.values(), key=lambda s: s.title)
        page_url = self.object.get_absolute_url()
        public = [a.edition for a in appearances if a.edition.is_published]
        citation = citations.participant_citation(
            self.object, self.request.build_absolute_uri(page_url), sources, public
        )
        if public:  # a participant seen only at drafts has no public citation
            citation.downloads = downloads("archive:participant-cite", slug=self.object.slug)
        kwargs.update(
            appearances=appearances,
            more_appearances=more,
            limit=base.CROSS_EDITION_LIMIT,
            sources=sources,
            citation=citation,
            page_url=page_url,
        )
        return super().get_context_data(**kwargs)

    def get_breadcrumbs(self, context):
        return breadcrumbs.participant(self.object)

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
        if not jsonld.is_public(self.object):
            return None  # a person only drafts name, previewed by staff
        # Only what the public may see: a staff preview leaves drafts out of the markup.
        appearances = [a for a in context["appearances"] if a.edition.is_published]
        crumbs = context["breadcrumbs"]
        return jsonld.participant_data(self.object, appearances, crumbs, self.request)
