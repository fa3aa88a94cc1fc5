"""Citation downloads: each edition, session, participant and statement as RIS, CSL-JSON or
BibTeX (archive.models.citations), at `…/cite.ris`, `…/cite.json` and `…/cite.bib`.

Public records only, whoever asks (like calendars): a draft's citation is a 404. A statement's
citation points at its place on its edition's page, on the page of 25 appearances that shows
it (`?page=N#statement-<pk>`), as the edition page's own "Cite this statement" does.
"""

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from ..addresses import path_for
from ..http.lookups import visible_edition_or_404, visible_sub_forum_or_404
from ..models import Appearance, Edition, Participant, Source, Statement, citations
from .lists import PEOPLE_PER_PAGE, page_address


def downloads(url_name, **kwargs):
    """{"ris": address, "json": ..., "bib": ...} of a record's citation downloads."""
    return {fmt: path_for(url_name, **kwargs, fmt=fmt) for fmt in citations.FORMATS}


def _response(citation, fmt):
    response = HttpResponse(citation.render(fmt), content_type=citations.FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{citation.filename}.{fmt}"'
    return response


def _public(view):
    return require_safe(cache_control(public=True, max_age=3600)(view))


@_public
def edition_cite(request, edition_key, fmt):
    edition = visible_edition_or_404(None, edition_key)
    url = request.build_absolute_uri(edition.get_absolute_url())
    citation = citations.edition_citation(edition, url, edition.sources.all())
    return _response(citation, fmt)


@_public
def sub_forum_cite(request, edition_key, sub_forum, fmt):
    session = visible_sub_forum_or_404(None, edition_key, sub_forum)
    url = request.build_absolute_uri(session.get_absolute_url())
    citation = citations.sub_forum_citation(session, url, session.edition.sources.all())
    return _response(citation, fmt)


@_public
def participant_cite(request, slug, fmt):
    participant = get_object_or_404(Participant.objects.visible_to(None), slug=slug)
    statements = Statement.objects.visible_to(None).filter(appearance__participant=participant)
    sources = Source.objects.filter(statements__in=statements).distinct().order_by("title")
    editions = Edition.objects.visible_to(None).filter(appearances__participant=participant)
    url = request.build_absolute_uri(participant.get_absolute_url())
    citation = citations.participant_citation(participant, url, sources, editions.distinct())
    return _response(citation, fmt)


@_public
def statement_cite(request, pk, fmt):
    statement = (
        Statement.objects.visible_to(None)
        .select_related(
            "appearance__edition__forum",
            "appearance__participant",
            "appearance__sub_forum",
            "source",
        )
        .filter(pk=pk)
        .first()
    )
    if statement is None:
        raise Http404("No such statement.")
    appearance, edition = statement.appearance, statement.appearance.edition
    # The page of the edition's people (in programme order, 25 a page) that shows it.
    order = list(
        Appearance.objects.filter(edition=edition)
        .in_programme_order()
        .prefetch_related(None)
        .values_list("pk", flat=True)
    )
    page = Paginator(order, PEOPLE_PER_PAGE).page(order.index(appearance.pk) // PEOPLE_PER_PAGE + 1)
    path = page_address(edition.get_absolute_url(), page)
    url = request.build_absolute_uri(f"{path}#statement-{statement.pk}")
    said_on = appearance.sub_forum.date if appearance.sub_forum_id else None
    citation = citations.statement_citation(statement, appearance, edition, url, said_on)
    return _response(citation, fmt)
