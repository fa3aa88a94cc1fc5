"""Test-only URLs: the site's own pages plus a view that fails, to see what a visitor gets."""

from django.urls import path

from forumarchive.urls import handler500  # noqa: F401 (JSON under /api/, HTML elsewhere)
from forumarchive.urls import urlpatterns as site_urlpatterns


def broken_view(request):
    raise RuntimeError("internal detail that must never reach a visitor: db password=hunter2")


urlpatterns = [
    path("broken/", broken_view),
    path("api/broken/", broken_view),
    # The site's patterns themselves: i18n_patterns cannot sit in an included URLconf.
    *site_urlpatterns,
]
