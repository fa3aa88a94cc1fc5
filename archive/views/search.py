"""The search page: hits grouped by kind of record (archive.models.search)."""

from django.shortcuts import render
from django.utils.translation import get_language, gettext

from ..addresses import path_for
from ..http import breadcrumbs
from ..models.edition import edition_title, make_key
from ..models.languages import original_language
from ..models.search import MAX_QUERY_LENGTH, clean_query, suggest
from ..models.search import search as run_search
from ..opendata import jsonld
from ..opendata.opengraph import page_meta


def search(request):
    query, truncated = clean_query(request.GET.get("q", ""))
    groups = run_search(query, request.user)
    suggestion = None
    if query and not any(group.hits for group in groups):
        # Nothing found: the nearest spelling the archive uses, with its results.
        suggestion = suggest(query, request.user)
        if suggestion:
            groups = run_search(suggestion, request.user)
    for group in groups:
        for hit in group.hits:
            if getattr(hit, "last_edition_number", None):
                forum_slug, number = hit.last_edition_forum_slug, hit.last_edition_number
                hit.last_edition_url = path_for(
                    "archive:edition-detail", edition_key=make_key(forum_slug, number)
                )
                hit.last_edition_title = edition_title(number, hit.last_edition_forum)
                hit.last_edition_forum_language = (
                    get_language() if hit.last_edition_forum_translated else original_language()
                )
    crumbs = breadcrumbs.page(gettext("Search"), path_for("archive:search"))
    context = {
        "query": query,
        "suggestion": suggestion,
        "highlighted": suggestion or query,
        "truncated": truncated,
        "max_length": MAX_QUERY_LENGTH,
        "groups": groups,
        "hit_count": sum(len(group.hits) for group in groups),
        "og": page_meta(request),
        "breadcrumbs": crumbs,
        "jsonld": jsonld.page_data(request, gettext("Search"), crumbs, "SearchResultsPage"),
    }
    return render(request, "archive/search.html", context)
