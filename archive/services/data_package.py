"""The whole public archive as one versioned data package (a ZIP), built once per content version.

What the ZIP holds (docs/opendata.md, "The data package"):

- ``datapackage.json``: a Frictionless Data Package: name, version (the content version),
  created, licences, and one tabular resource per table with its Table Schema (fields, types,
  constraints, primary key, foreign keys), its size and its SHA-256;
- ``data/<table>.csv`` and ``data/<table>.json``: every table twice, as CSV in the style of the
  site's other CSV downloads (UTF-8 with a byte-order mark, formula cells behind an apostrophe)
  and as JSON (an array of objects, exact text, null for nothing);
- ``fixtures/<forum>/edition-<n>.json``: the same records in the loader's own natural-key
  fixture format, one file per published edition (``export_edition``'s records), so that
  ``load_edition fixtures/*/*.json`` into an empty archive gives the same public pages;
- ``README.md`` and ``LICENCE.md``.

Only what the public may see goes in: published editions and what is under them, and the shared
records they use (every read starts from ``public()``), never drafts, history or accounts.

The package is a file, never built per request: ``current_package()`` returns the package of the
current content version (archive.cache). When that is missing, the previous package is served
while a background thread builds the new one; only when there is no package at all does a
request wait for a build. One build runs at a time (a lock file). A build writes into a
temporary directory and renames it into place, so a reader never sees half a package; older
packages are then removed.
``manage.py build_data_package`` (which ``make setup`` runs) builds it ahead of the first visitor.

Beside the ZIP, the same build writes the site's participants list download as anonymous
visitors get it (``/<lang>/participants.csv`` without filters), one file per language, for the
site's address ``SITE_URL``: see "The participants list download" below. These files are not in
the ZIP (their addresses are the site's; the package's own ``participants`` table is the data).
"""

import contextlib
import csv
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, connections, transaction
from django.urls import get_script_prefix, set_script_prefix
from django.utils import timezone, translation
from modeltranslation.translator import translator
from modeltranslation.utils import build_localized_fieldname

from archive.cache import content_version
from archive.models import (
    Appearance,
    Edition,
    Forum,
    Organization,
    OrganizationName,
    Participant,
    Source,
    Statement,
    SubForum,
    Topic,
)
from archive.models.edition import EDITION_KEY_PATTERN
from archive.services.csv_files import (
    BOM,
    FORMULA_PREFIXES,
    PARTICIPANT_LIST_HEADER,
    csv_chunks,
    origin_uri,
    participant_list_rows,
    public_participant_list,
)
from archive.services.exporting import export_edition

log = logging.getLogger(__name__)

NAME = "forum-archive"
FILE_PATTERN = re.compile(rf"^{NAME}-(?P<version>[0-9a-zA-Z]+)\.zip$")
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
LANGUAGE_NAMES = {"en": "English", "zh-hans": "Simplified Chinese", "ja": "Japanese"}

#: Builds done by this process (tests read it to tell a build from a file served as it was).
builds = 0


# --- Where the packages are ------------------------------------------------------------------
def package_directory():
    return Path(settings.DATA_PACKAGE_DIR)


def package_path(version):
    return package_directory() / f"{NAME}-{version}.zip"


def tables_path(version):
    """The directory beside the ZIP holding its CSV tables as plain files (the CSV downloads)."""
    return package_directory() / f"{NAME}-{version}"


def packages():
    """Every complete package in the directory, newest first."""
    directory = package_directory()
    if not directory.is_dir():
        return []
    found = [path for path in directory.iterdir() if FILE_PATTERN.match(path.name)]
    return sorted(found, key=lambda path: path.stat().st_mtime, reverse=True)


def version_of(path):
    return FILE_PATTERN.match(path.name)["version"]


@dataclass(frozen=True)
class Package:
    path: Path  # the ZIP
    version: str

    @property
    def tables(self):
        return tables_path(self.version)

    def participant_list(self, language, origin):
        """The participants list download of `language` for `origin`, as the build wrote it
        (the file may be missing: a package built before SITE_URL was this origin)."""
        return self.tables / DOWNLOADS / participant_list_name(language, origin)


def current_package():
    """The package of the current content version, or the previous one while it is built.

    When the current version has no package yet, the newest older package is served as it is
    and the new one is built in a background thread of this process (one build at a time
    across processes: see build_data_package), so no visitor waits for a build and no build
    runs into the worker's timeout. With no package at all, it is built now, once. While the
    cache (and so the content version) is unavailable, the newest package is served, or one is
    built under a fresh version when there is none.
    """
    version = content_version()
    if version is not None:
        path = package_path(version)
        if path.exists():  # the common case: one stat, no listing of the folder
            return Package(path, version)
    existing = packages()
    if version is None:
        if existing:
            return Package(existing[0], version_of(existing[0]))
        version = uuid.uuid4().hex
    path = package_path(version)
    if path.exists():
        return Package(path, version)
    if existing:
        _build_in_background(version)
        return Package(existing[0], version_of(existing[0]))
    return build_data_package(version, force=False)


_background = None
_background_lock = threading.Lock()


def _build_in_background(version):
    global _background
    with _background_lock:
        if _background is not None and _background.is_alive():
            return  # this process is building already; a later request starts the next
        _background = threading.Thread(
            target=_build_quietly, args=(version,), name="data-package-build", daemon=True
        )
        _background.start()


def _build_quietly(version):
    try:
        build_data_package(version, force=False)
    except Exception:  # a visitor is served the previous package; the log says why
        log.exception("Building the data package %s failed", version)
    finally:
        connections.close_all()  # this thread's own database connections


def wait_for_build(timeout=None):
    """Wait for this process's background build, if one runs (tests, the command)."""
    thread = _background
    if thread is not None:
        thread.join(timeout)


@contextlib.contextmanager
def _build_lock(directory):
    """An exclusive lock on the package directory (flock: one builder among the processes)."""
    with open(directory / ".build.lock", "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


# --- The tables ------------------------------------------------------------------------------
@dataclass
class Column:
    name: str
    type: str
    title: str
    value: object  # a function of the record
    constraints: dict = field(default_factory=dict)
    is_key: bool = False  # an identifier: written as it is, never formula-guarded

    def schema(self):
        entry = {"name": self.name, "type": self.type, "title": self.title}
        if self.constraints:
            entry["constraints"] = self.constraints
        return entry


FIELD_TYPES = {
    "DateField": "date",
    "TimeField": "time",
    "DateTimeField": "datetime",
    "PositiveSmallIntegerField": "integer",
    "IntegerField": "integer",
    "BooleanField": "boolean",
}


def _translated(model):
    try:
        return set(translator.get_options_for_model(model).fields)
    except Exception:  # noqa: BLE001 (modeltranslation raises NotRegistered; nothing translated)
        return set()


def fields(model, *names):
    """Columns for model fields, by name; a translated field gives one column per language
    (``theme_en``, ``theme_zh_hans``, ``theme_ja``), the stored text of each, no fallback."""
    columns = []
    translated = _translated(model)
    for name in names:
        base = model._meta.get_field(name)
        if name in translated:
            for language in settings.MODELTRANSLATION_LANGUAGES:
                column = build_localized_fieldname(name, language)
                required = language == settings.MODELTRANSLATION_DEFAULT_LANGUAGE and not (
                    base.blank or base.null
                )
                title = f"{base.verbose_name} ({LANGUAGE_NAMES.get(language, language)})"
                columns.append(_field_column(model, column, base, title, required))
        else:
            required = not (base.blank or base.null)
            columns.append(_field_column(model, name, base, str(base.verbose_name), required))
    return columns


def _field_column(model, column, base, title, required):
    internal = base.get_internal_type()
    kind = FIELD_TYPES.get(internal, "string")
    constraints = {}
    if required:
        constraints["required"] = True
    if base.choices:
        constraints["enum"] = [value for value, _label in base.choices]
    if internal == "PositiveSmallIntegerField":
        constraints.update(minimum=0, maximum=32767)
    if internal in ("FileField", "ImageField"):
        return Column(column, "string", title, lambda o: getattr(o, column).name or None)
    if internal == "SlugField":
        constraints["pattern"] = SLUG_PATTERN
        return Column(column, kind, title, lambda o: getattr(o, column), constraints, True)
    return Column(column, kind, title, lambda o: getattr(o, column), constraints)


def key(name, title, value, *, required=True, pattern=None):
    constraints = {"required": True} if required else {}
    if pattern:
        constraints["pattern"] = pattern
    return Column(name, "string", title, value, constraints, is_key=True)


def edition_key_of(edition):
    return edition.key


def sub_forum_key(sub_forum):
    """ "<edition key>/<session slug>", as in the session's API address."""
    return f"{sub_forum.edition.key}/{sub_forum.slug}"


def appearance_key(appearance):
    """ "<edition key>[/<session slug>]/<participant slug>/<role>", as in its API address (the
    session is the appearance's edition's: its own edition is not read)."""
    session = [appearance.sub_forum.slug] if appearance.sub_forum_id else []
    return "/".join(
        [appearance.edition.key, *session, appearance.participant.slug, appearance.role]
    )


def statement_key(statement):
    return f"{appearance_key(statement.appearance)}/{statement.number}"


def slug_key(title):
    return key("slug", title, lambda o: o.slug, pattern=SLUG_PATTERN)


def ref(name, title, resource, attribute, value, *, required=True, pattern=None):
    """A reference column and its foreign key: `value(record)` is the other record's key."""
    column = key(name, title, value, required=required, pattern=pattern)
    return column, {"fields": [name], "reference": {"resource": resource, "fields": [attribute]}}


@dataclass
class Table:
    name: str
    title: str
    description: str
    rows: object  # a function returning the records
    columns: list
    primary_key: list
    foreign_keys: list = field(default_factory=list)

    def schema(self):
        return {
            "fields": [column.schema() for column in self.columns],
            "primaryKey": self.primary_key,
            "foreignKeys": self.foreign_keys,
            "missingValues": [""],
        }


def _table(name, title, description, rows, *columns, primary_key):
    plain, foreign_keys = [], []
    for column in columns:
        if isinstance(column, tuple):
            plain.append(column[0])
            foreign_keys.append(column[1])
        elif isinstance(column, list):
            plain.extend(column)
        else:
            plain.append(column)
    return Table(name, title, description, rows, plain, primary_key, foreign_keys)


def _public(model, *related):
    return lambda: model.objects.public().select_related(*related)


def _links(model, name):
    """A many-to-many list of public records as its pairs (the list's through rows)."""
    through = model._meta.get_field(name).remote_field.through
    owner = model._meta.model_name
    other = model._meta.get_field(name).related_model._meta.model_name
    related = [owner, other, *(["subforum__edition__forum"] if model is SubForum else [])]
    related += ["edition__forum"] if model is Edition else []

    def rows():
        owners = model.objects.public()
        return through.objects.filter(**{f"{owner}__in": owners}).select_related(*related)

    return rows


def tables():
    """Every table of the package, parents before children."""
    return [
        _table(
            "forums",
            "Forums",
            "The forum series (e.g. the Beijing-Tokyo Forum).",
            _public(Forum),
            slug_key("Forum slug"),
            fields(Forum, "name", "alternative_names", "description"),
            primary_key=["slug"],
        ),
        _table(
            "organizations",
            "Organizations",
            "Organizations: organizers, co-organizers and those people appeared for.",
            _public(Organization),
            slug_key("Organization slug"),
            fields(Organization, "name", "native_name", "kind", "country", "description"),
            fields(Organization, "alternative_names"),
            primary_key=["slug"],
        ),
        _table(
            "organization-names",
            "Dated names of organizations",
            "A name an organization went by for a known time.",
            lambda: OrganizationName.objects.filter(
                organization__in=Organization.objects.public()
            ).select_related("organization"),
            ref(
                "organization",
                "Organization",
                "organizations",
                "slug",
                lambda o: o.organization.slug,
                pattern=SLUG_PATTERN,
            ),
            fields(OrganizationName, "name", "valid_from", "valid_until"),
            primary_key=["organization", "name_en"],
        ),
        _table(
            "topics",
            "Topics",
            "Areas discussed by editions and sessions.",
            _public(Topic),
            slug_key("Topic slug"),
            fields(Topic, "name"),
            primary_key=["slug"],
        ),
        _table(
            "sources",
            "Sources",
            "Documents the records come from; every statement cites one.",
            _public(Source),
            slug_key("Source slug"),
            fields(Source, "title", "publisher", "url", "published_on", "note"),
            primary_key=["slug"],
        ),
        _table(
            "participants",
            "Participants",
            "People who appeared at a published edition.",
            _public(Participant),
            slug_key("Participant slug"),
            fields(Participant, "name", "native_name", "country", "bio", "photo"),
            primary_key=["slug"],
        ),
        _table(
            "editions",
            "Editions",
            "Published editions of each forum (never drafts).",
            _public(Edition, "forum"),
            key("key", "Edition key", edition_key_of, pattern=f"^{EDITION_KEY_PATTERN}$"),
            ref("forum", "Forum", "forums", "slug", lambda o: o.forum.slug, pattern=SLUG_PATTERN),
            fields(Edition, "number", "theme", "city", "country", "venue"),
            fields(Edition, "start_date", "end_date", "summary", "cover"),
            fields(Edition, "published_at", "updated_at"),
            primary_key=["key"],
        ),
        _table(
            "sub-forums",
            "Sessions (sub-forums)",
            "The sessions of published editions.",
            _public(SubForum, "edition__forum"),
            key("key", "Session key: <edition key>/<session slug>", sub_forum_key),
            ref("edition", "Edition", "editions", "key", lambda o: o.edition.key),
            fields(SubForum, "slug", "title", "kind", "description", "order"),
            fields(SubForum, "date", "start_time", "end_time", "venue"),
            primary_key=["key"],
        ),
        _table(
            "appearances",
            "Appearances",
            "A participant at an edition or one of its sessions, as they were then.",
            _public(Appearance, "edition__forum", "sub_forum", "participant", "organization"),
            key(
                "key",
                "Appearance key: <edition key>[/<session slug>]/<participant slug>/<role>",
                appearance_key,
            ),
            ref("edition", "Edition", "editions", "key", lambda o: o.edition.key),
            ref(
                "sub_forum",
                "Session (empty: the edition as a whole)",
                "sub-forums",
                "key",
                lambda o: f"{o.edition.key}/{o.sub_forum.slug}" if o.sub_forum_id else None,
                required=False,
            ),
            ref(
                "participant",
                "Participant",
                "participants",
                "slug",
                lambda o: o.participant.slug,
                pattern=SLUG_PATTERN,
            ),
            fields(Appearance, "role", "delivery", "position"),
            ref(
                "organization",
                "Organization then",
                "organizations",
                "slug",
                lambda o: o.organization.slug if o.organization_id else None,
                required=False,
                pattern=SLUG_PATTERN,
            ),
            fields(Appearance, "organization_name", "order"),
            primary_key=["key"],
        ),
        _table(
            "statements",
            "Statements",
            "What participants said, each citing its source; the _en column is the text as "
            "recorded, the others translations.",
            _public(
                Statement,
                "appearance__edition__forum",
                "appearance__sub_forum",
                "appearance__participant",
                "source",
            ),
            key("key", "Statement key: <appearance key>/<number>", statement_key),
            ref(
                "appearance",
                "Appearance",
                "appearances",
                "key",
                lambda o: appearance_key(o.appearance),
            ),
            ref("edition", "Edition", "editions", "key", lambda o: o.appearance.edition.key),
            ref(
                "participant",
                "Participant",
                "participants",
                "slug",
                lambda o: o.appearance.participant.slug,
                pattern=SLUG_PATTERN,
            ),
            fields(Statement, "number", "kind", "language", "text"),
            ref("source", "Source", "sources", "slug", lambda o: o.source.slug),
            primary_key=["key"],
        ),
        _link_table(
            "forum-organizers",
            "Organizers of each forum",
            _links(Forum, "organizers"),
            ("forum", "forums", "slug", lambda o: o.forum.slug),
            ("organization", "organizations", "slug", lambda o: o.organization.slug),
        ),
        _link_table(
            "edition-co-organizers",
            "Co-organizers of each edition",
            _links(Edition, "co_organizers"),
            ("edition", "editions", "key", lambda o: o.edition.key),
            ("organization", "organizations", "slug", lambda o: o.organization.slug),
        ),
        _link_table(
            "edition-topics",
            "Areas each edition discussed",
            _links(Edition, "topics"),
            ("edition", "editions", "key", lambda o: o.edition.key),
            ("topic", "topics", "slug", lambda o: o.topic.slug),
        ),
        _link_table(
            "edition-sources",
            "Sources of each edition",
            _links(Edition, "sources"),
            ("edition", "editions", "key", lambda o: o.edition.key),
            ("source", "sources", "slug", lambda o: o.source.slug),
        ),
        _link_table(
            "sub-forum-topics",
            "Topics of each session",
            _links(SubForum, "topics"),
            ("sub_forum", "sub-forums", "key", lambda o: sub_forum_key(o.subforum)),
            ("topic", "topics", "slug", lambda o: o.topic.slug),
        ),
    ]


def _link_table(name, title, rows, owner, other):
    columns = [
        ref(column, column.replace("_", " ").capitalize(), resource, attribute, value)
        for column, resource, attribute, value in (owner, other)
    ]
    return _table(
        name,
        title,
        f"{title}: one row per pair.",
        rows,
        *columns,
        primary_key=[owner[0], other[0]],
    )


# --- Cells -----------------------------------------------------------------------------------
def json_value(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def csv_cell(value, column):
    """The CSV cell: empty for nothing; free text starting like a formula gets an apostrophe."""
    value = json_value(value)
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    text = str(value)
    if not column.is_key and text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


# --- The participants list download ------------------------------------------------------------
#: The folder of the tables directory holding the site's downloads (not part of the ZIP).
DOWNLOADS = "downloads"


def site_origin():
    """The site's own address, "https://example.org" (``SITE_URL``, without a trailing slash),
    or None when it is not configured."""
    return (settings.SITE_URL or "").rstrip("/") or None


def participant_list_name(language, origin):
    """The file name of a language's participants list for an origin: the origin is hashed
    into it, so a file written for another address is never served for this one."""
    digest = hashlib.sha256(origin.encode("utf-8")).hexdigest()[:16]
    return f"participants-{language}-{digest}.csv"


def script_prefix():
    """The path the site's addresses start with in a build ("/", or FORCE_SCRIPT_NAME): a
    request under another prefix is not served the files (their addresses would differ)."""
    prefix = settings.FORCE_SCRIPT_NAME or "/"
    return prefix if prefix.endswith("/") else prefix + "/"


@contextlib.contextmanager
def _addresses_of_the_site():
    """Addresses reversed under script_prefix(), whichever thread builds (a request's thread
    has its own prefix, a background thread none), restored afterwards."""
    before = get_script_prefix()
    set_script_prefix(script_prefix())
    try:
        yield
    finally:
        set_script_prefix(before)


def _write_downloads(folder):
    """The participants list download (``/<lang>/participants.csv`` as an anonymous visitor
    gets it without filters) for the site's origin, one file per language: the rows a request
    would stream (archive/services/csv_files.py), in that language, with that origin's
    absolute addresses. One query per language; nothing when SITE_URL is not set."""
    origin = site_origin()
    if origin is None:
        return
    folder.mkdir(parents=True)
    absolute_uri = origin_uri(origin)
    for language, _name in settings.LANGUAGES:
        with translation.override(language), _addresses_of_the_site():
            participants = public_participant_list().iterator(chunk_size=2000)
            rows = participant_list_rows(participants, absolute_uri)
            path = folder / participant_list_name(language, origin)
            with path.open("wb") as stream:
                for chunk in csv_chunks(PARTICIPANT_LIST_HEADER, rows):
                    stream.write(chunk)


# --- Building --------------------------------------------------------------------------------
def build_data_package(version=None, *, directory=None, force=True):
    """Build the package of `version` (default: the current content version) into `directory`
    (default: DATA_PACKAGE_DIR) and return its Package; older packages there are removed.
    With force=False an existing package of that version is kept as it is.

    One build at a time per directory (a lock file, which a build that another process has
    just finished makes this one find done). Reads the database in one read-only snapshot on
    PostgreSQL. Written to a temporary name first and renamed into place, so the ZIP a reader
    finds is always complete.
    """
    global builds
    version = version or content_version() or uuid.uuid4().hex
    directory = Path(directory or package_directory())
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / f"{NAME}-{version}.zip"
    with _build_lock(directory):
        if not force and final.exists():
            return Package(final, version)
        for stale in directory.glob(f".{NAME}-*"):  # left by a build that was killed
            shutil.rmtree(stale, ignore_errors=True)
        work = Path(tempfile.mkdtemp(prefix=f".{NAME}-", dir=directory))
        try:
            with _snapshot():
                _write_package(work / "package", version)
                _write_downloads(work / DOWNLOADS)
            archive = work / "package.zip"
            with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as bundle:
                for path in sorted((work / "package").rglob("*")):
                    if path.is_file():
                        bundle.write(path, path.relative_to(work / "package").as_posix())
            tables_dir = directory / f"{NAME}-{version}"
            if tables_dir.exists():
                shutil.rmtree(tables_dir)
            os.replace(work / "package" / "data", tables_dir)
            if (work / DOWNLOADS).is_dir():
                os.replace(work / DOWNLOADS, tables_dir / DOWNLOADS)
            os.replace(archive, final)  # last: the ZIP's presence says the package is complete
        finally:
            shutil.rmtree(work, ignore_errors=True)
        _remove_other_versions(directory, version)
        builds += 1
    return Package(final, version)


@contextlib.contextmanager
def _snapshot():
    """One consistent read of every table: a REPEATABLE READ transaction on PostgreSQL (outside
    any transaction). SQLite reads as it is: a transaction there would take the write lock."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    else:
        yield


def _remove_other_versions(directory, version):
    for path in directory.iterdir():
        match = FILE_PATTERN.match(path.name)
        if match and match["version"] != version:
            path.unlink(missing_ok=True)
            shutil.rmtree(directory / f"{NAME}-{match['version']}", ignore_errors=True)
    for path in directory.iterdir():  # a table directory left by a build that died
        orphan = not (directory / f"{path.name}.zip").exists()
        if path.is_dir() and path.name.startswith(f"{NAME}-") and orphan:
            shutil.rmtree(path, ignore_errors=True)


def _write_package(root, version):
    data = root / "data"
    data.mkdir(parents=True)
    resources = []
    counts = {}
    all_tables = tables()
    for table in all_tables:
        records = sorted(table.rows(), key=lambda record: _row_key(table, record))
        rows = [[column.value(record) for column in table.columns] for record in records]
        counts[table.name] = len(rows)
        csv_path, json_path = data / f"{table.name}.csv", data / f"{table.name}.json"
        _write_csv(csv_path, table, rows)
        _write_json(json_path, table, rows)
        resources.append(
            {
                "name": table.name,
                "title": table.title,
                "description": table.description,
                "path": f"data/{table.name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                **_integrity(csv_path),
                "schema": table.schema(),
            }
        )
    for table in all_tables:
        json_path = data / f"{table.name}.json"
        resources.append(
            {
                "name": f"{table.name}-json",
                "title": f"{table.title} (JSON)",
                "description": (
                    f"The rows of “{table.name}” as a JSON array of objects, one key per "
                    "field of its schema; exact text (no apostrophes before formulas), null "
                    "where the CSV cell is empty."
                ),
                "path": f"data/{table.name}.json",
                "profile": "data-resource",
                "format": "json",
                "mediatype": "application/json",
                "encoding": "utf-8",
                **_integrity(json_path),
            }
        )
    fixture_paths = _write_fixtures(root)
    descriptor = {
        "profile": "data-package",
        "name": NAME,
        "title": "Forum Archive: the public archive",
        "description": (
            "Every published edition of every forum series in the archive, with its sessions, "
            "participants, organizations, appearances, statements, sources and topics, in "
            "English, Simplified Chinese and Japanese. Drafts are never included. See README.md."
        ),
        "version": version,
        "created": timezone.now().replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        **_licences(),
        "resources": resources,
        "fixtures": {
            "description": (
                "The same records in the archive's own natural-key fixture format: "
                "python manage.py load_edition fixtures/*/*.json"
            ),
            "paths": fixture_paths,
        },
    }
    (root / "datapackage.json").write_text(
        json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (root / "README.md").write_text(_readme(version, all_tables, counts), encoding="utf-8")
    (root / "LICENCE.md").write_text(_licence_text(), encoding="utf-8")


def _row_key(table, record):
    """Rows in primary-key order, sorted here: the same bytes on SQLite and PostgreSQL."""
    by_name = {column.name: column for column in table.columns}
    return tuple(str(by_name[name].value(record) or "") for name in table.primary_key)


def _write_csv(path, table, rows):
    with path.open("w", encoding="utf-8", newline="") as stream:
        stream.write(BOM)
        writer = csv.writer(stream)
        writer.writerow([column.name for column in table.columns])
        for row in rows:
            writer.writerow(
                [csv_cell(value, column) for value, column in zip(row, table.columns, strict=True)]
            )


def _write_json(path, table, rows):
    names = [column.name for column in table.columns]
    with path.open("w", encoding="utf-8") as stream:
        stream.write("[")
        for index, row in enumerate(rows):
            stream.write(",\n" if index else "\n")
            item = dict(zip(names, (json_value(value) for value in row), strict=True))
            stream.write(json.dumps(item, ensure_ascii=False))
        stream.write("\n]\n")


def _integrity(path):
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return {"bytes": path.stat().st_size, "hash": f"sha256:{digest.hexdigest()}"}


def _write_fixtures(root):
    """One fixture per published edition (the records export_edition writes), in the folder
    layout of the repository's fixtures/: fixtures/<forum>/edition-<n>.json."""
    paths = []
    editions = Edition.objects.public().select_related("forum").order_by("forum__slug", "number")
    for forum_slug, number in editions.values_list("forum__slug", "number"):
        relative = f"fixtures/{forum_slug}/edition-{number}.json"
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as stream:
            export_edition(forum_slug, number, stream)
        paths.append(relative)
    return paths


# --- Licence and README ----------------------------------------------------------------------
LICENCE_ID = re.compile(r"^[-a-zA-Z0-9._]+$")


def _licences():
    name, url = settings.OPEN_DATA_LICENCE_NAME, settings.OPEN_DATA_LICENCE_URL
    if not name and not url:
        return {}
    licence = {}
    if name and LICENCE_ID.match(name):
        licence["name"] = name
    if url:
        licence["path"] = url
    if name:
        licence["title"] = name
    if "name" not in licence and "path" not in licence:
        return {}  # a title alone is no licence a program can act on; LICENCE.md says it
    return {"licenses": [licence]}


def _licence_text():
    name, url = settings.OPEN_DATA_LICENCE_NAME, settings.OPEN_DATA_LICENCE_URL
    if name or url:
        lines = ["# Licence", "", f"The archive's data is published under {name or url}."]
        if url:
            lines += ["", f"The licence: <{url}>"]
    else:
        lines = [
            "# Licence",
            "",
            "The archive's editors have not stated a licence for this data yet. Each fact "
            "names the source it comes from; cite the source and this archive.",
        ]
    return "\n".join(lines) + "\n"


def _readme(version, all_tables, counts):
    languages = ", ".join(
        f"`_{build_localized_fieldname('x', language)[2:]}` {LANGUAGE_NAMES.get(language)}"
        for language in settings.MODELTRANSLATION_LANGUAGES
    )
    lines = [
        "# Forum Archive: the public archive as a data package",
        "",
        f"Version `{version}` (the archive's content version: a new one after every change).",
        "Only published editions and what the public may see of them; never drafts.",
        "",
        "## Files",
        "",
        "- `datapackage.json`: the [Frictionless Data Package](https://specs.frictionlessdata.io/)"
        " describing every table: fields, types, constraints, primary and foreign keys.",
        "- `data/<table>.csv`: UTF-8 with a byte-order mark, a header row. A text cell that a "
        "spreadsheet could run as a formula (starting with =, +, -, @, a tab or a carriage "
        "return, or their full-width forms) starts with an apostrophe; keys never do.",
        "- `data/<table>.json`: the same rows as a JSON array of objects, with the exact text, "
        "null where the CSV cell is empty.",
        "- `fixtures/<forum>/edition-<n>.json`: the same records in the archive's natural-key "
        "fixture format; `python manage.py load_edition fixtures/*/*.json` loads them into an "
        "archive (pictures are named by their path in the media folder and are not included).",
        "- `LICENCE.md`: the licence the data is published under.",
        "",
        "## Languages",
        "",
        f"Translated texts have one column per language: {languages}. The English column is "
        "the text as recorded, except a statement's: its `language` names the column that "
        "holds its words as the source gives them (`en` by default, so `text_en`), and the "
        "other columns are translations; an empty column means no translation.",
        "",
        "## Tables",
        "",
        "| table | rows | key | what |",
        "| --- | --- | --- | --- |",
    ]
    for table in all_tables:
        lines.append(
            f"| `{table.name}` | {counts[table.name]} | {', '.join(table.primary_key)} | "
            f"{table.description} |"
        )
    lines += [
        "",
        "Keys are natural keys, the ones the site's addresses and API use: a slug, an edition's "
        "`<forum>-<number>`, a session's `<edition>/<session>`, an appearance's "
        "`<edition>[/<session>]/<participant>/<role>`, a statement's `<appearance>/<number>`.",
        "",
    ]
    return "\n".join(lines)
