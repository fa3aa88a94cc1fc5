"""The site's CSV files, written the same way whether a request streams one or the data package
build writes one to disk: UTF-8 with a byte-order mark, a header row, the csv module's quoting
(commas, quotes and newlines stay inside their cell), formula cells behind an apostrophe
(archive/opendata/downloads.py says why).

The participants list download (``/<lang>/participants.csv``) has its rows here, so that the
file the package build writes for anonymous visitors (archive/services/data_package.py,
"The participants list download") and the rows a request streams (filtered lists, staff) are the
same code: the same queryset, the same columns, the same bytes.
"""

import csv
import io

from django.utils.encoding import iri_to_uri

from archive.models import Participant

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
BOM = "\ufeff"
#: Rows written per chunk of a streamed or written file: memory stays bounded, and a stream's
#: first bytes (the BOM and the header) go out before the first row is read.
ROWS_PER_CHUNK = 500

PARTICIPANT_LIST_HEADER = ["slug", "name", "native_name", "country", "url"]


def guard(value):
    """The cell's text, with a leading apostrophe if a spreadsheet could read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_chunks(header, rows, *, rows_per_chunk=None):
    """The CSV file as UTF-8 byte chunks: the BOM and the header first, then the rows (each cell
    guarded), a few hundred at a time. Joined, the chunks are the bytes of the whole file."""
    rows_per_chunk = rows_per_chunk or ROWS_PER_CHUNK
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow(header)
    yield buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    count = 0
    for row in rows:
        writer.writerow([guard(cell) for cell in row])
        count += 1
        if count == rows_per_chunk:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            count = 0
    if count:
        yield buffer.getvalue().encode("utf-8")


def public_participant_list():
    """The participants an anonymous visitor's unfiltered list shows, in the list's order: what
    ``ParticipantFilter`` gives without data (its queryset as it is) for a user who may not
    preview drafts."""
    return Participant.objects.public().for_list()


def participant_list_rows(participants, absolute_uri):
    """The participants list download's rows, in the active language (``country`` falls back to
    English, ``url`` is the language's page address); ``absolute_uri(path)`` makes the address
    absolute: a request's ``build_absolute_uri``, or ``origin_uri(origin)`` for a build."""
    for participant in participants:
        yield [
            participant.slug,
            participant.name,
            participant.native_name,
            participant.country,
            absolute_uri(participant.get_absolute_url()),
        ]


def origin_uri(origin):
    """``absolute_uri`` for a fixed origin ("https://example.org"): for a path such as a page's
    address, what ``request.build_absolute_uri(path)`` gives on a request to that origin."""
    return lambda path: iri_to_uri(origin + path)
