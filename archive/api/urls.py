"""/api/: one list and one detail address per resource, each record by its natural key."""

from django.urls import path

from ..http import converters  # noqa: F401 (registers <edition:...>)
from . import views

app_name = "api"


LIST = {"get": "list"}
DETAIL = {"get": "retrieve"}


def _pair(prefix, viewset, name, detail_route):
    return [
        path(f"{prefix}/", viewset.as_view(LIST), name=f"{name}-list"),
        path(f"{prefix}/{detail_route}/", viewset.as_view(DETAIL), name=f"{name}-detail"),
    ]


urlpatterns = [
    path("", views.ApiRootView.as_view(), name="root"),
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.DocsView.as_view(), name="docs"),
    *_pair("forums", views.ForumViewSet, "forum", "<slug:slug>"),
    *_pair("editions", views.EditionViewSet, "edition", "<edition:key>"),
    *_pair("sub-forums", views.SubForumViewSet, "sub-forum", "<edition:key>/<slug:slug>"),
    *_pair("participants", views.ParticipantViewSet, "participant", "<slug:slug>"),
    *_pair("organizations", views.OrganizationViewSet, "organization", "<slug:slug>"),
    *_pair(
        "appearances",
        views.AppearanceViewSet,
        "appearance",
        "<edition:key>/<slug:participant>/<slug:role>",
    ),
    path(
        "appearances/<edition:key>/<slug:sub_forum>/<slug:participant>/<slug:role>/",
        views.SubForumAppearanceViewSet.as_view(DETAIL),
        name="appearance-detail-session",
    ),
    *_pair(
        "statements",
        views.StatementViewSet,
        "statement",
        "<edition:key>/<slug:participant>/<slug:role>/<int:number>",
    ),
    path(
        "statements/<edition:key>/<slug:sub_forum>/<slug:participant>/<slug:role>/<int:number>/",
        views.SubForumStatementViewSet.as_view(DETAIL),
        name="statement-detail-session",
    ),
    *_pair("topics", views.TopicViewSet, "topic", "<slug:slug>"),
    *_pair("sources", views.SourceViewSet, "source", "<slug:slug>"),
]
