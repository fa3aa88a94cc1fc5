"""The home page: each forum series with a timeline of its latest editions."""

from django.shortcuts import render

from ..models import Forum
from ..opendata import jsonld
from ..opendata.opengraph import page_meta


def home(request):
    forums = list(Forum.objects.for_home(request.user))
    for forum in forums:
        forum.visible_editions = forum.latest_editions[::-1]  # oldest first on the timeline
        forum.more_editions = forum.edition_count > len(forum.visible_editions)
        # Each host country gets a class on the timeline, in order of first appearance, so
        # alternating hosts show at a glance without inline styles.
        hosts = {}
        for edition in forum.visible_editions:
            hosts.setdefault(edition.country, len(hosts) % 4)
        forum.hosts = hosts
        forum.latest_edition = max(
            forum.visible_editions, key=lambda e: (e.start_date, e.number), default=None
        )
    context = {
        "forums": forums,
        "og": page_meta(request),
        "jsonld": jsonld.series_data(forums, request),
    }
    return render(request, "archive/home.html", context)
