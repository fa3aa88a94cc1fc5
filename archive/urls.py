from django.urls import path

from . import social, views

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
    # Open Graph images (archive/social.py)
    path(
        "editions/<slug:slug>-<int:number>/card.png",
        social.edition_card_view,
        name="edition-card",
    ),
    path(
        "editions/<slug:slug>-<int:number>/<slug:subforum>/card.png",
        social.sub_forum_card_view,
        name="subforum-card",
    ),
    path(
        "participants/<slug:slug>/card.png",
        social.participant_card_view,
        name="participant-card",
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
