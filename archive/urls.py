from django.urls import path

from . import calendars, exports, feeds, social, views

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
    # Open data (archive/calendars.py, feeds.py, exports.py)
    path("calendar.ics", calendars.archive_calendar, name="archive-calendar"),
    path("forums/<slug:slug>/calendar.ics", calendars.forum_calendar, name="forum-calendar"),
    path(
        "editions/<slug:slug>-<int:number>/calendar.ics",
        calendars.edition_calendar,
        name="edition-calendar",
    ),
    path(
        "editions/<slug:slug>-<int:number>/appearances.csv",
        exports.edition_appearances_csv,
        name="edition-appearances-csv",
    ),
    path("participants.csv", exports.participants_csv, name="participant-list-csv"),
    path("feeds/editions/", feeds.EditionFeed(), name="edition-feed"),
]
