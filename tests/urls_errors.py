"""Test-only URLs: the site's own pages plus a view that fails, to see what a visitor gets."""

from django.urls import include, path


def broken_view(request):
    raise RuntimeError("internal detail that must never reach a visitor: db password=hunter2")


urlpatterns = [
    path("broken/", broken_view),
    path("", include("forumarchive.urls")),
]
