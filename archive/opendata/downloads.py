"""CSV downloads: the participants list (with the list's active filters) and an edition's
appearances, built per request; the editions and statements tables and the whole archive as a
data package (ZIP), served from the pre-built package (archive/services/data_package.py).

The participants list without filters, as anyone who may not preview drafts gets it, is also a
file of the package, one per language, written for the site's address (``SITE_URL``): a
request to that address is served the file. Filtered lists, staff (who see drafts) and requests
to any other address stream the rows as they are read, with the same code and the same bytes
(archive/services/csv_files.py).

Files are UTF-8 with a byte-order mark (so spreadsheet programs detect the encoding), with a
header row, sent as attachments with a descriptive file name.

Spreadsheet formula injection: a cell whose text starts with "=", "+", "-", "@", a tab or a
carriage return could be run as a formula by Excel or LibreOffice when the file is opened, and so
could one starting with their full-width forms "＝", "＋", "－", "＠" (U+FF1D, U+FF0B, U+FF0D,
U+FF20: an East Asian spreadsheet or input method may fold them to ASCII). Every such cell is
written with a leading apostrophe ("'=1+1"), which spreadsheets show as text. The csv module
quotes commas, quotes and newlines, so a value can never spill into another cell.
"""

from email.utils import formatdate

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.views.decorators.http import require_safe

from ..filters import ParticipantFilter
from ..http.lookups import visible_edition_or_404
from ..models import Appearance, Participant
from ..models.base import can_preview
from ..services.csv_files import PARTICIPANT_LIST_HEADER, csv_chunks, participant_list_rows
from ..services.data_package import current_package, script_prefix, site_origin

CSV_TYPE = "text/csv; charset=utf-8"


def csv_response(filename, header, rows):
    """The CSV as one attachment, written by the same code as a streamed or pre-built one."""
    response = HttpResponse(b"".join(csv_chunks(header, rows)), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_stream(filename, header, rows, *, language):
    """The CSV as a streamed attachment: rows are read and written a few hundred at a time
    while the answer is sent (bounded memory, early first byte), in `language` throughout."""

    def chunks():
        with translation.override(language):
            yield from csv_chunks(header, rows)

    response = StreamingHttpResponse(chunks(), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def participants_csv(request):
    """Every participant the list would show with the same filters (all pages, not one).

    Without filters, for anyone who may not preview drafts, on the site's own address: the
    file the data package build wrote (the same bytes the stream below gives). Otherwise the
    rows are streamed as they are read."""
    if not request.GET and not can_preview(request.user):
        response = _prebuilt_participant_list(request)
        if response is not None:
            return response
    filterset = ParticipantFilter(
        request.GET or None,
        queryset=Participant.objects.visible_to(request.user).for_list(),
        request=request,
    )
    participants = filterset.qs  # the filters' own lookups run now, before the first byte
    rows = participant_list_rows(participants.iterator(chunk_size=2000), request.build_absolute_uri)
    return csv_stream(
        "participants.csv", PARTICIPANT_LIST_HEADER, rows, language=translation.get_language()
    )


def _prebuilt_participant_list(request):
    """The package's participants list for this language, or None when this request's address
    is not the one it was written for, or the package has none (built before SITE_URL was set:
    the next build writes it)."""
    origin = site_origin()
    if origin is None or f"{request.scheme}://{request.get_host()}" != origin:
        return None
    if get_script_prefix() != script_prefix():  # addresses under another path
        return None
    language = translation.get_language()

    def serve(package):
        path = package.participant_list(language, origin)
        if not path.exists() and package.path.exists():
            return None  # a complete package without the file (not one being replaced)
        return _file_response(
            request,
            path,
            etag=f'"{package.version}-participants-{language}"',
            filename="participants.csv",
            content_type=CSV_TYPE,
        )

    return _from_package(request, serve)


@require_safe
def edition_appearances_csv(request, edition_key):
    """Everyone at an edition, in programme order: session, role, position and organization."""
    edition = visible_edition_or_404(request.user, edition_key)
    header = [
        "edition",
        "session",
        "participant",
        "participant_slug",
        "role",
        "position",
        "organization",
        "participant_url",
        "delivery",  # added after the first release: new columns go last
    ]
    key = edition.key
    rows = (
        [
            key,
            appearance.sub_forum.title if appearance.sub_forum else "",
            appearance.participant.name,
            appearance.participant.slug,
            appearance.role,
            appearance.position,
            appearance.organization_label,
            request.build_absolute_uri(appearance.participant.get_absolute_url()),
            appearance.delivery,
        ]
        # The page's programme order: the edition as a whole first, then session by session.
        for appearance in Appearance.objects.filter(edition=edition)
        .in_programme_order()
        .select_related("sub_forum")
    )
    return csv_response(f"{key}-appearances.csv", header, rows)


# --- Served from the pre-built data package ----------------------------------------------------
#: Tables of the package offered as CSV downloads of their own (file name: the table's).
PACKAGE_TABLES = {"editions", "statements"}


def _file_response(request, path, *, etag, filename, content_type):
    """The file as a streamed attachment with ETag and Last-Modified; 304 when the client's
    copy is current."""
    try:
        stat = path.stat()
    except FileNotFoundError:  # removed by a newer build between lookup and open: ask again
        raise _Replaced from None
    response = get_conditional_response(request, etag=etag, last_modified=int(stat.st_mtime))
    if response is None:
        try:
            stream = path.open("rb")
        except FileNotFoundError:
            raise _Replaced from None
        # Streamed, also for HEAD (the server sends no body): a streamed answer is never put
        # in the page cache, whose entries do not tell GET from HEAD.
        response = FileResponse(stream, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["ETag"] = etag
    response["Last-Modified"] = formatdate(stat.st_mtime, usegmt=True)
    response["Cache-Control"] = "public, max-age=300"
    return response


class _Replaced(Exception):
    """The package was replaced by a newer one while this request was reading it."""


def _from_package(request, serve):
    for _attempt in range(3):
        try:
            return serve(current_package())
        except _Replaced:
            continue
    response = HttpResponse(
        "The data package is being rebuilt; try again in a moment.\n",
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = "5"
    return response


@require_safe
def data_package(request):
    """The whole public archive as a data package (ZIP): built once per content version."""

    def serve(package):
        return _file_response(
            request,
            package.path,
            etag=f'"{package.version}"',
            filename=package.path.name,
            content_type="application/zip",
        )

    return _from_package(request, serve)


def package_table_csv(table):
    """A view serving one table of the package as its own CSV download."""
    if table not in PACKAGE_TABLES:
        raise ValueError(f"not a downloadable table: {table}")

    @require_safe
    def view(request):
        def serve(package):
            return _file_response(
                request,
                package.tables / f"{table}.csv",
                etag=f'"{package.version}-{table}"',
                filename=f"{table}.csv",
                content_type=CSV_TYPE,
            )

        return _from_package(request, serve)

    view.__name__ = view.__qualname__ = f"{table}_csv"
    view.__doc__ = f"The {table} table of the data package, as CSV."
    return view


editions_csv = package_table_csv("editions")
statements_csv = package_table_csv("statements")
