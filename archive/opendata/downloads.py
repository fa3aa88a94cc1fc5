"""CSV downloads: the participants list (with the list's active filters) and an edition's
appearances.

Files are UTF-8 with a byte-order mark (so spreadsheet programs detect the encoding), with a
header row, sent as attachments with a descriptive file name.

Spreadsheet formula injection: a cell whose text starts with "=", "+", "-", "@", a tab or a
carriage return could be run as a formula by Excel or LibreOffice when the file is opened, and so
could one starting with their full-width forms "＝", "＋", "－", "＠" (U+FF1D, U+FF0B, U+FF0D,
U+FF20: an East Asian spreadsheet or input method may fold them to ASCII). Every such cell is
written with a leading apostrophe ("'=1+1"), which spreadsheets show as text. The csv module
quotes commas, quotes and newlines, so a value can never spill into another cell.
"""

import csv
import io

from django.http import HttpResponse
from django.views.decorators.http import require_safe

from ..filters import ParticipantFilter
from ..http.lookups import visible_edition_or_404
from ..models import Appearance, Participant

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
BOM = "\ufeff"


def guard(value):
    """The cell's text, with a leading apostrophe if a spreadsheet could read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_response(filename, header, rows):
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([guard(cell) for cell in row])
    response = HttpResponse(
        buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def participants_csv(request):
    """Every participant the list would show with the same filters (all pages, not one)."""
    filterset = ParticipantFilter(
        request.GET or None,
        queryset=Participant.objects.visible_to(request.user).for_list(),
        request=request,
    )
    header = ["slug", "name", "native_name", "country", "url"]
    rows = (
        [p.slug, p.name, p.native_name, p.country, request.build_absolute_uri(p.get_absolute_url())]
        for p in filterset.qs
    )
    return csv_response("participants.csv", header, rows)


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
