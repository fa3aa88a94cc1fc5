"""The organization list and each organization's page."""

from django.views.generic import DetailView

from ..filters import OrganizationFilter
from ..http import breadcrumbs
from ..models import Appearance, Edition, Organization
from ..opendata import jsonld
from ..opendata.opengraph import page_meta
from .lists import FilteredListView, PageMetaMixin, bounded_lists, for_viewer


class OrganizationListView(FilteredListView):
    extra_context = {"nav": "organizations"}
    template_name = "archive/organization_list.html"
    filterset_class = OrganizationFilter
    jsonld_kind = "organization"

    def base_queryset(self):
        return for_viewer(Organization.objects.all(), self.request.user).for_list()


class OrganizationDetailView(PageMetaMixin, DetailView):
    extra_context = {"nav": "organizations"}
    template_name = "archive/organization_detail.html"
    context_object_name = "organization"

    def get_queryset(self):
        user = self.request.user
        return for_viewer(Organization.objects.all(), user).prefetch_related("forums", "names")

    def get_context_data(self, **kwargs):
        user = self.request.user
        appearances = Appearance.objects.visible_to(user).filter(organization=self.object)
        editions = Edition.objects.visible_to(user).filter(co_organizers=self.object)
        kwargs.update(
            bounded_lists(
                ("appearances", "more_appearances", appearances.latest_first()),
                ("co_organized", "more_editions", editions.for_list()),
            )
        )
        return super().get_context_data(**kwargs)

    def get_breadcrumbs(self, context):
        return breadcrumbs.organization(self.object)

    def get_page_meta(self, context):
        organization = self.object
        return page_meta(
            self.request, title=organization.name, description=organization.description
        )

    def get_jsonld(self, context):
        if not jsonld.is_public(self.object):
            return None
        editions = [e for e in context["co_organized"] if e.is_published]
        appearances = [a for a in context["appearances"] if a.edition.is_published]
        crumbs = context["breadcrumbs"]
        return jsonld.organization_data(self.object, editions, appearances, crumbs, self.request)
