"""The home page: what the archive is, its totals, a search box, and each forum series with a
timeline of its latest editions."""

from django.shortcuts import render

from ..models import Appearance, Forum
from ..opendata import jsonld
from ..opendata.opengraph import page_meta
from .timeline import timeline


def home(request):
    forums = list(Forum.objects.for_home(request.user))
    for forum in forums:
        forum.timeline = timeline(forum.latest_editions)
        forum.visible_editions = forum.timeline.editions  # oldest first
        forum.more_editions = forum.edition_count > len(forum.visible_editions)
    # What the visitor may see: drafts count only for those who preview them.
    totals = Appearance.objects.visible_to(request.user).totals()
    totals["editions"] = sum(forum.edition_count for forum in forums)
    context = {
        "forums": forums,
        "totals": totals,
        "og": page_meta(request),
        "jsonld": jsonld.series_data(forums, request),
    }
    return render(request, "archive/home.html", context)
