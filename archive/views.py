"""Public pages. Thin: each view names a queryset; templates do the rest."""

from django.shortcuts import render
from django.views.generic import DetailView, ListView

from .models import Edition, Organization, Participant, SubForum, Topic


def home(request):
    editions = Edition.objects.visible_to(request.user).for_list()
    return render(request, "archive/home.html", {"editions": editions})


class EditionListView(ListView):
    template_name = "archive/edition_list.html"
    paginate_by = 50

    def get_queryset(self):
        return Edition.objects.visible_to(self.request.user).for_list()


class EditionDetailView(DetailView):
    template_name = "archive/edition_detail.html"

    def get_object(self, queryset=None):
        from django.shortcuts import get_object_or_404

        return get_object_or_404(
            Edition.objects.visible_to(self.request.user).for_detail(),
            forum__slug=self.kwargs["slug"],
            number=self.kwargs["number"],
        )


class SubForumDetailView(DetailView):
    template_name = "archive/subforum_detail.html"

    def get_object(self, queryset=None):
        from django.shortcuts import get_object_or_404

        return get_object_or_404(
            SubForum.objects.filter(
                edition__in=Edition.objects.visible_to(self.request.user)
            ).select_related("edition__forum"),
            edition__forum__slug=self.kwargs["slug"],
            edition__number=self.kwargs["number"],
            slug=self.kwargs["subforum"],
        )


class ParticipantListView(ListView):
    template_name = "archive/participant_list.html"
    paginate_by = 50
    queryset = Participant.objects.all()


class ParticipantDetailView(DetailView):
    template_name = "archive/participant_detail.html"
    queryset = Participant.objects.all()


class OrganizationListView(ListView):
    template_name = "archive/organization_list.html"
    paginate_by = 50
    queryset = Organization.objects.all()


class OrganizationDetailView(DetailView):
    template_name = "archive/organization_detail.html"
    queryset = Organization.objects.all()


class TopicDetailView(DetailView):
    template_name = "archive/topic_detail.html"
    queryset = Topic.objects.all()


def search(request):
    return render(request, "archive/search.html", {"query": request.GET.get("q", "")})
