from django.urls import path

from .http import converters  # noqa: F401 (registers <edition:...>)
from .http.cors import public_data
from .opendata import calendars, cards, downloads, feeds
from .views import (
    citations,
    editions,
    forums,
    home,
    open_data,
    organizations,
    participants,
    search,
    topics,
)

app_name = "archive"

urlpatterns = [
    path("", home.home, name="home"),
    path("forums/<slug:slug>/", forums.ForumDetailView.as_view(), name="forum-detail"),
    path("editions/", editions.EditionListView.as_view(), name="edition-list"),
    path(
        "editions/<edition:edition_key>/",
        editions.EditionDetailView.as_view(),
        name="edition-detail",
    ),
    path(
        "editions/<edition:edition_key>/<slug:sub_forum>/",
        editions.SubForumDetailView.as_view(),
        name="sub-forum-detail",
    ),
    # Open Graph images (archive/opendata/cards.py)
    path(
        "editions/<edition:edition_key>/card.png",
        cards.edition_card_view,
        name="edition-card",
    ),
    path(
        "editions/<edition:edition_key>/<slug:sub_forum>/card.png",
        cards.sub_forum_card_view,
        name="sub-forum-card",
    ),
    path(
        "participants/<slug:slug>/card.png",
        cards.participant_card_view,
        name="participant-card",
    ),
    path("participants/", participants.ParticipantListView.as_view(), name="participant-list"),
    path(
        "participants/<slug:slug>/",
        participants.ParticipantDetailView.as_view(),
        name="participant-detail",
    ),
    path("organizations/", organizations.OrganizationListView.as_view(), name="organization-list"),
    path(
        "organizations/<slug:slug>/",
        organizations.OrganizationDetailView.as_view(),
        name="organization-detail",
    ),
    path("topics/<slug:slug>/", topics.TopicDetailView.as_view(), name="topic-detail"),
    path("search/", search.search, name="search"),
    path("open-data/", open_data.open_data, name="open-data"),
    # Open data (archive/opendata/: calendars, feeds, downloads), readable by any origin
    path("calendar.ics", public_data(calendars.archive_calendar), name="archive-calendar"),
    path(
        "forums/<slug:slug>/calendar.ics",
        public_data(calendars.forum_calendar),
        name="forum-calendar",
    ),
    path(
        "editions/<edition:edition_key>/calendar.ics",
        public_data(calendars.edition_calendar),
        name="edition-calendar",
    ),
    path(
        "participants/<slug:slug>/calendar.ics",
        public_data(calendars.participant_calendar),
        name="participant-calendar",
    ),
    path(
        "topics/<slug:slug>/calendar.ics",
        public_data(calendars.topic_calendar),
        name="topic-calendar",
    ),
    path(
        "editions/<edition:edition_key>/appearances.csv",
        public_data(downloads.edition_appearances_csv),
        name="edition-appearances-csv",
    ),
    path("participants.csv", public_data(downloads.participants_csv), name="participant-list-csv"),
    path("editions.csv", public_data(downloads.editions_csv), name="edition-list-csv"),
    path("statements.csv", public_data(downloads.statements_csv), name="statement-list-csv"),
    path("open-data/archive.zip", public_data(downloads.data_package), name="data-package"),
    path("feeds/editions/", public_data(feeds.EditionFeed()), name="edition-feed"),
    # Citations as RIS, CSL-JSON or BibTeX (archive/views/citations.py)
    path(
        "editions/<edition:edition_key>/cite.<citeformat:fmt>",
        public_data(citations.edition_cite),
        name="edition-cite",
    ),
    path(
        "editions/<edition:edition_key>/<slug:sub_forum>/cite.<citeformat:fmt>",
        public_data(citations.sub_forum_cite),
        name="sub-forum-cite",
    ),
    path(
        "participants/<slug:slug>/cite.<citeformat:fmt>",
        public_data(citations.participant_cite),
        name="participant-cite",
    ),
    path(
        "statements/<int:pk>/cite.<citeformat:fmt>",
        public_data(citations.statement_cite),
        name="statement-cite",
    ),
]
