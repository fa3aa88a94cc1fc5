from django.urls import path

from . import views

app_name = "archive"

urlpatterns = [
    path("", views.home, name="home"),
    path("editions/", views.EditionListView.as_view(), name="edition-list"),
    path(
        "editions/<slug:slug>-<int:number>/",
        views.EditionDetailView.as_view(),
        name="edition-detail",
    ),
    path(
        "editions/<slug:slug>-<int:number>/<slug:subforum>/",
        views.SubForumDetailView.as_view(),
        name="subforum-detail",
    ),
    path("participants/", views.ParticipantListView.as_view(), name="participant-list"),
    path(
        "participants/<slug:slug>/",
        views.ParticipantDetailView.as_view(),
        name="participant-detail",
    ),
    path("organizations/", views.OrganizationListView.as_view(), name="organization-list"),
    path(
        "organizations/<slug:slug>/",
        views.OrganizationDetailView.as_view(),
        name="organization-detail",
    ),
    path("topics/<slug:slug>/", views.TopicDetailView.as_view(), name="topic-detail"),
    path("search/", views.search, name="search"),
]
