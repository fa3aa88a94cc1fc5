"""The "Open data" page: every feed, calendar, download and the API, with the data's licence."""

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _

from ..addresses import path_for
from ..http import breadcrumbs
from ..models import Edition, Forum
from ..models.base import CROSS_EDITION_LIMIT
from ..opendata import jsonld
from ..opendata.opengraph import page_meta


def open_data(request):
    # Public files only: what anyone can fetch, whoever reads this page.
    forums = Forum.objects.visible_to(None).for_list()
    editions = list(Edition.objects.visible_to(None).for_list()[: CROSS_EDITION_LIMIT + 1])
    crumbs = breadcrumbs.page(_("Open data"), path_for("archive:open-data"))
    context = {
        "nav": "open-data",
        "forums": forums,
        "editions": editions[:CROSS_EDITION_LIMIT],
        "more_editions": len(editions) > CROSS_EDITION_LIMIT,
        "licence_name": settings.OPEN_DATA_LICENCE_NAME,
        "licence_url": settings.OPEN_DATA_LICENCE_URL,
        "breadcrumbs": crumbs,
        "jsonld": jsonld.page_data(request, _("Open data"), crumbs),
        "og": page_meta(
            request,
            title=_("Open data"),
            description=_("The archive's data as an API, feeds, calendars and downloads."),
        ),
    }
    return render(request, "archive/open_data.html", context)
