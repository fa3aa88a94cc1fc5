"""Read: each fixture file from disk, within the size limit, decoded as UTF-8 JSON holding a
list of records."""

import codecs
import json
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from .report import json_kind, sizes

#: JSON escapes of UTF-16 surrogates: only these can put a lone surrogate into parsed text.
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
#: What Python's json reads as numbers though JSON has no such numbers (1e400 is Infinity).
NOT_A_NUMBER = re.compile(r"NaN|Infinity|[eE]\+?[0-9]{3}")


@dataclass(frozen=True)
class NamedFile:
    """A fixture file on disk and the name to show for it (an upload's original name)."""

    name: str
    path: Path


def read(load, named):
    """Add the file's records to the load, or a problem saying why they cannot be read."""
    name = named.name
    try:
        stat = named.path.stat()
    except OSError as exc:
        load.problem(name, f"cannot be read: {exc.strerror}.")
        return
    if named.path.is_dir():
        load.problem(name, "is a directory, not a fixture file. Give the JSON files in it.")
        return
    if not named.path.is_file():
        load.problem(name, "is not a regular file. Give a JSON fixture file.")
        return
    limit = settings.FIXTURE_MAX_BYTES
    if stat.st_size > limit:
        size, limit = sizes(stat.st_size, limit)
        load.problem(
            name,
            f"is {size}, over the limit of {limit} for one fixture file. Split it into several "
            "files and load them together.",
        )
        return
    try:
        data = named.path.read_bytes()
    except OSError as exc:
        load.problem(name, f"cannot be read: {exc.strerror}.")
        return
    offset = 0
    if data.startswith(codecs.BOM_UTF8):
        data, offset = data[len(codecs.BOM_UTF8) :], len(codecs.BOM_UTF8)
    if not data.strip():
        load.problem(
            name,
            "is empty. A fixture file holds a JSON list of records: "
            '[{"model": "archive.edition", "fields": {...}}, ...].',
        )
        return
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        load.problem(
            name,
            f"is not UTF-8: byte {exc.start + offset + 1} (0x{data[exc.start]:02X}, on line "
            f"{line}) cannot be read as UTF-8. Save the file with UTF-8 encoding.",
        )
        return
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        # "Unterminated string starting at" + " at line 3": say "at" once.
        message = exc.msg.removesuffix(" at")
        load.problem(
            name, f"is not valid JSON: {message} at line {exc.lineno}, column {exc.colno}."
        )
        return
    except RecursionError:
        load.problem(
            name,
            "is nested too deeply (lists or objects inside each other thousands of levels "
            "deep) to be a fixture. A fixture is a list of records, each one object deep.",
        )
        return
    if not isinstance(items, list):
        load.problem(
            name,
            f"must hold a JSON list of records ([...]), but holds {json_kind(items)}.",
        )
        return
    if not items:
        load.problem(name, "holds an empty list: there are no records to load.")
        return
    load.items.append((named, items))
    if SURROGATE_ESCAPE.search(text) or NOT_A_NUMBER.search(text):
        load.suspect.add(name)  # parsing looks inside each value
    load.say(f"{name}: {len(items)} records read")
