"""Load editions from natural-key fixtures: check everything first, then write it all or nothing.

``loaddata`` skips model validation and SQLite ignores ``max_length``, so a bad fixture can load
bad data. ``load_edition`` reads the files, checks every record (field values, ``clean()``,
references, duplicates, unique and check constraints) and only then writes, inside one
transaction. It reports every problem it finds, in words an editor can act on.

It is also fast: natural keys are resolved with one query per model per chunk, ``full_clean`` runs
without its per-object queries (foreign keys are resolved here, uniqueness is checked in bulk),
and writes use ``bulk_create``/``bulk_update``.
"""

import codecs
import json
import math
import posixpath
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, ValidationError
from django.core.files.storage import default_storage
from django.db import DatabaseError, connections, models, transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils import timezone, translation

from archive.cache import bump_content_version
from archive.images import EXTENSIONS
from archive.models import (
    LOAD_ORDER,
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
from archive.services.history import record_revision

#: Dependency order: every model comes after the models its natural key and references need.
MODELS = LOAD_ORDER
LABELS = {model._meta.label_lower: model for model in MODELS}
SLUG_MODELS = (Organization, Topic, Source, Forum, Participant)

#: Types of the parts of each natural key, so that "20" and 20 name the same edition.
KEY_TYPES = {
    **dict.fromkeys(SLUG_MODELS, (str,)),
    OrganizationName: (str, str),
    Edition: (str, int),
    SubForum: (str, int, str),
    Appearance: (str, str, int, str, str),
    Statement: (str, str, int, str, str, int),
}
#: What the parts of each natural key are, for messages.
KEY_PARTS = {
    **dict.fromkeys(SLUG_MODELS, ("slug",)),
    OrganizationName: ("organization slug", "name"),
    Edition: ("forum slug", "edition number"),
    SubForum: ("forum slug", "edition number", "sub-forum slug"),
    Appearance: (
        "participant slug",
        "forum slug",
        "edition number",
        'sub-forum slug or ""',
        "role",
    ),
    Statement: (
        "participant slug",
        "forum slug",
        "edition number",
        'sub-forum slug or ""',
        "role",
        "statement number",
    ),
}

#: Check constraints, checked in Python so that validation needs no query per record. Each
#: entry is (field, test, message), or None where field validation or clean() already says it.
#: tests/test_loading.py fails when a model gains a constraint missing here.
CHECKS = {
    "edition_ends_after_start": None,  # Edition.clean()
    "edition_number_positive": (
        "number",
        lambda edition: edition.number >= 1,
        "must be 1 or more.",
    ),
    "statement_kind_valid": None,  # the field's choices
    "statement_language_valid": None,  # the field's choices
    "organizationname_has_a_date": None,  # OrganizationName.clean()
    "organizationname_period_in_order": None,  # OrganizationName.clean()
    "subforum_time_needs_date": None,  # SubForum.clean()
    "subforum_end_after_start": None,  # SubForum.clean()
}

#: The range of each integer column, as Django's backends define them. SQLite would store any
#: 64-bit number where PostgreSQL refuses it, so the loader checks these itself: both engines
#: then give the same answer.
INTEGER_RANGES = BaseDatabaseOperations.integer_field_ranges

#: What a picture path from a fixture may end with (the formats uploads are stored in).
IMAGE_SUFFIXES = tuple(sorted({f".{ext}" for ext in EXTENSIONS.values()} | {".jpeg"}))

#: JSON escapes of UTF-16 surrogates: only these can put a lone surrogate into parsed text.
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
#: What Python's json reads as numbers though JSON has no such numbers (1e400 is Infinity).
NOT_A_NUMBER = re.compile(r"NaN|Infinity|[eE]\+?[0-9]{3}")

CHUNK_SIZE = 500
PROGRESS_EVERY = 10_000


@dataclass(frozen=True)
class NamedFile:
    """A fixture file on disk and the name to show for it (an upload's original name)."""

    name: str
    path: Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the fixtures: where it is, and what is wrong."""

    file: str
    message: str
    index: int | None = None  # the record's position in the file's list, counting from 1
    model: str | None = None  # as the file names it: "archive.edition"
    key: tuple | None = None  # the record's natural key
    field: str | None = None

    def __str__(self):
        where = self.file
        if self.index is not None:
            where += f", record {self.index}"
            if self.model:
                where += f" ({self.model}{' ' + show_key(self.key) if self.key else ''})"
        if self.field:
            where += f", field “{self.field}”"
        return _printable(f"{where}: {self.message}")


class FixtureError(Exception):
    """The fixtures cannot be loaded; ``problems`` lists every reason. Nothing was written."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(str(self))

    def __str__(self):
        count = len(self.problems)
        heading = (
            "1 problem found" if count == 1 else f"{count} problems found"
        ) + "; nothing was loaded."
        return "\n".join([heading, *(f"- {problem}" for problem in self.problems)])


@dataclass
class ModelReport:
    created: list = field(default_factory=list)  # natural keys
    updated: list = field(default_factory=list)  # (natural key, ["field", ...])
    unchanged: list = field(default_factory=list)  # natural keys
    kept: list = field(default_factory=list)  # existing records a missing-only load left alone


@dataclass
class LoadReport:
    """What a load created, updated and left unchanged (or would have, for a dry run)."""

    files: list
    dry_run: bool
    models: dict  # model label -> ModelReport, in load order

    @property
    def created(self):
        return sum(len(report.created) for report in self.models.values())

    @property
    def updated(self):
        return sum(len(report.updated) for report in self.models.values())

    @property
    def unchanged(self):
        return sum(len(report.unchanged) for report in self.models.values())

    @property
    def kept(self):
        return sum(len(report.kept) for report in self.models.values())

    def counts(self):
        """{label: (created, updated, unchanged)} for every model the files hold."""
        return {
            label: (len(report.created), len(report.updated), len(report.unchanged))
            for label, report in self.models.items()
        }

    def lines(self, verbosity=1):
        """The report as text lines; verbosity 2 lists every record."""
        if self.dry_run:
            lines = ["Dry run: nothing was written. Loading these files would:"]
            words = ("create", "update", "leave unchanged")
        else:
            lines = ["Loaded:"]
            words = ("created", "updated", "unchanged")
        for label, report in self.models.items():
            counts = (len(report.created), len(report.updated), len(report.unchanged))
            if self.dry_run:
                parts = [f"{word} {count}" for word, count in zip(words, counts, strict=True)]
            else:
                parts = [f"{count} {word}" for word, count in zip(words, counts, strict=True)]
            if report.kept:
                parts.append(f"{len(report.kept)} already there, left as they are")
            lines.append(f"  {label}: {', '.join(parts)}")
            if verbosity >= 2:
                lines += [f"    {words[0]} {show_key(key)}" for key in report.created]
                lines += [
                    f"    {words[1]} {show_key(key)} ({', '.join(fields)})"
                    for key, fields in report.updated
                ]
                lines += [f"    {words[2]} {show_key(key)}" for key in report.unchanged]
                lines += [f"    already there {show_key(key)}" for key in report.kept]
        total = (
            f"Total: {self.created} created, {self.updated} updated, {self.unchanged} unchanged."
        )
        if self.dry_run:
            total = (
                f"Total: {self.created} to create, {self.updated} to update, "
                f"{self.unchanged} unchanged."
            )
        if self.kept:
            total += (
                f" {self.kept} already in the database, left as they are (--missing-only never"
                " changes an existing record; use --update to apply the files' values)."
            )
        lines.append(total)
        return lines


def show_key(key):
    return _dumps(list(key))


def load_edition(
    files: Iterable,
    *,
    dry_run: bool = False,
    update: bool = False,
    missing_only: bool = False,
    progress: Callable[[str], None] | None = None,
) -> LoadReport:
    """Validate the fixture files together, then load them in one transaction.

    ``files`` are paths or ``NamedFile``s. Records that exist and differ are updated only with
    ``update=True``; otherwise they are reported as problems. ``missing_only=True`` (what
    ``make setup`` uses for the shipped fixtures) creates only the records that are not in the
    database yet and leaves every existing record, its fields and its lists, exactly as it is,
    whatever the files say: an editor's changes are never undone. ``dry_run`` validates and reports
    without writing. ``progress`` receives a line of text now and then on large loads.

    Raises ``FixtureError`` listing every problem; the database is then unchanged.
    """
    named = [
        item if isinstance(item, NamedFile) else NamedFile(str(item), Path(item)) for item in files
    ]
    if update and missing_only:
        raise FixtureError(
            [Problem("(options)", "--update and --missing-only contradict each other; use one.")]
        )
    loader = _Loader(progress or (lambda message: None), missing_only=missing_only)
    if not named:
        raise FixtureError([Problem("(no file)", "No fixture file was given.")])
    for named_file in named:
        loader.read(named_file)
    loader.raise_problems()
    loader.parse()
    # A plain translated field (`name`) means English even in a request in Japanese (admin import).
    language = translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE)
    with transaction.atomic(), language:
        loader.fetch_existing()
        loader.build()
        loader.raise_problems()
        if not dry_run and not update and not missing_only:
            loader.refuse_updates()
            loader.raise_problems()
        report = LoadReport(
            files=[named_file.name for named_file in named], dry_run=dry_run, models=loader.report()
        )
        if not dry_run:
            loader.write()
            if report.created or report.updated:
                # bulk writes send no model signals: tell the page cache itself.
                transaction.on_commit(bump_content_version)
                transaction.on_commit(refresh_planner_statistics)
    return report


def refresh_planner_statistics(using="default"):
    """ANALYZE the archive's tables on PostgreSQL, so its planner knows their new contents.

    PostgreSQL plans queries from table statistics that autovacuum refreshes only some time
    after a change (and never where autovacuum is off). Right after loading 500 editions, pages
    were planned as if the tables were nearly empty: an edition page took 0.37 s of database
    time instead of a few milliseconds. SQLite's planner needs no statistics for our queries
    (and gets none: ANALYZE there could change plans measured without it).
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    tables = sorted(
        {model._meta.db_table for model in apps.get_app_config("archive").get_models()}
        | {
            field.remote_field.through._meta.db_table
            for model in apps.get_app_config("archive").get_models()
            for field in model._meta.local_many_to_many
        }
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))


class _Record:
    __slots__ = (
        "bad",
        "changes",
        "current_m2m",
        "file",
        "fields",
        "index",
        "instance",
        "is_new",
        "key",
        "label",
        "m2m",
        "m2m_add",
        "m2m_refs",
        "model",
        "ok",
        "refs",
        "values",
    )

    def __init__(self, file, index, label, model, fields):
        self.file, self.index, self.label, self.model, self.fields = (
            file,
            index,
            label,
            model,
            fields,
        )
        self.values = {}  # plain field name -> converted value
        self.refs = {}  # foreign key name -> natural key of the target, or None
        self.m2m_refs = {}  # many-to-many name -> [natural key, ...]
        self.m2m_add = set()  # many-to-many names given as {"add": [...]}: added to, not replaced
        self.m2m = {}  # many-to-many name -> [target instance, ...]
        self.key = None
        self.instance = None
        self.is_new = True
        self.current_m2m = {}  # many-to-many name -> target pks in the database now
        self.changes = []  # descriptions of differences from the database: "city: ... → ..."
        self.ok = True
        self.bad = set()  # fields whose value was refused while parsing


class _Spec:
    """A model's fields, sorted the way the loader treats them."""

    def __init__(self, model):
        concrete = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.plain = {f.name: f for f in concrete if not f.is_relation}
        self.fks = {f.name: f for f in concrete if f.is_relation}
        self.m2m = {f.name: f for f in model._meta.many_to_many}
        self.required = [
            f.name
            for f in concrete
            if not f.has_default() and not f.null and not (f.blank and not f.is_relation)
        ]
        key_fields = {"slug"} if model in SLUG_MODELS else set()
        # django-modeltranslation's English column (`name_en`) mirrors the plain field (`name`):
        # setting one sets the other, so its checks would only repeat the plain field's.
        self.mirrors = {
            f.name
            for f in concrete
            if getattr(f, "translated_field", None) is not None
            and f.language == settings.MODELTRANSLATION_DEFAULT_LANGUAGE
        }
        self.unique = [
            f
            for f in self.plain.values()
            if f.unique and f.name not in key_fields and f.name not in self.mirrors
        ]
        self.names = sorted([*self.plain, *self.fks, *self.m2m])


SPECS = {model: _Spec(model) for model in MODELS}


class _Loader:
    def __init__(self, say, missing_only=False):
        self.say = say
        self.missing_only = missing_only
        self.problems = []
        self.items = []  # (NamedFile, list of raw records)
        self.records = []
        self.by_model = {model: {} for model in MODELS}  # natural key -> _Record
        self.known = {model: {} for model in MODELS}  # natural key -> instance (files or DB)
        self.by_pk = {model: {} for model in MODELS}
        self.references = {}  # (model, *raw reference) -> natural key
        self.suspect = set()  # files that may hold NaN, Infinity or a lone surrogate

    # --- problems -------------------------------------------------------------------------
    def problem(self, file, message, record=None, field=None):
        if record is None:
            self.problems.append(Problem(file, message))
            return
        record.ok = False
        self.problems.append(Problem(file, message, record.index, record.label, record.key, field))

    def raise_problems(self):
        if self.problems:
            raise FixtureError(self.problems)

    # --- reading ----------------------------------------------------------------------------
    def read(self, named):
        name = named.name
        try:
            stat = named.path.stat()
        except OSError as exc:
            self.problem(name, f"cannot be read: {exc.strerror}.")
            return
        if named.path.is_dir():
            self.problem(name, "is a directory, not a fixture file. Give the JSON files in it.")
            return
        if not named.path.is_file():
            self.problem(name, "is not a regular file. Give a JSON fixture file.")
            return
        limit = settings.FIXTURE_MAX_BYTES
        if stat.st_size > limit:
            size, limit = sizes(stat.st_size, limit)
            self.problem(
                name,
                f"is {size}, over the limit of {limit} for one fixture file. Split it into several "
                "files and load them together.",
            )
            return
        try:
            data = named.path.read_bytes()
        except OSError as exc:
            self.problem(name, f"cannot be read: {exc.strerror}.")
            return
        offset = 0
        if data.startswith(codecs.BOM_UTF8):
            data, offset = data[len(codecs.BOM_UTF8) :], len(codecs.BOM_UTF8)
        if not data.strip():
            self.problem(
                name,
                "is empty. A fixture file holds a JSON list of records: "
                '[{"model": "archive.edition", "fields": {...}}, ...].',
            )
            return
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            self.problem(
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
            self.problem(
                name, f"is not valid JSON: {message} at line {exc.lineno}, column {exc.colno}."
            )
            return
        except RecursionError:
            self.problem(
                name,
                "is nested too deeply (lists or objects inside each other thousands of levels "
                "deep) to be a fixture. A fixture is a list of records, each one object deep.",
            )
            return
        if not isinstance(items, list):
            self.problem(
                name,
                f"must hold a JSON list of records ([...]), but holds {_json_kind(items)}.",
            )
            return
        if not items:
            self.problem(name, "holds an empty list: there are no records to load.")
            return
        self.items.append((named, items))
        if SURROGATE_ESCAPE.search(text) or NOT_A_NUMBER.search(text):
            self.suspect.add(name)  # parse_record looks inside each value
        self.say(f"{name}: {len(items)} records read")

    # --- parsing ----------------------------------------------------------------------------
    def parse(self):
        labels = ", ".join(LABELS)
        for named, items in self.items:
            for index, item in enumerate(items, start=1):
                if not isinstance(item, dict):
                    self.problems.append(
                        Problem(
                            named.name,
                            f"is {_json_kind(item)}, not a record "
                            '({"model": ..., "fields": {...}}).',
                            index,
                        )
                    )
                    continue
                label = item.get("model")
                model = LABELS.get(label.lower()) if isinstance(label, str) else None
                shown = label if isinstance(label, str) else None
                if "pk" in item:
                    self.problems.append(
                        Problem(
                            named.name,
                            'has a "pk". Fixtures name records by their natural key (slug, '
                            'forum and number...), not by database id: remove "pk".',
                            index,
                            shown,
                        )
                    )
                unknown = sorted(set(item) - {"model", "fields", "pk"})
                if unknown:
                    self.problems.append(
                        Problem(
                            named.name,
                            f"has unknown keys {', '.join(unknown)}; a record has only "
                            '"model" and "fields".',
                            index,
                            shown,
                        )
                    )
                if model is None:
                    self.problems.append(
                        Problem(
                            named.name,
                            f"unknown model {_dumps(label)}; expected one of: {labels}.",
                            index,
                        )
                    )
                    continue
                fields = item.get("fields")
                if not isinstance(fields, dict):
                    self.problems.append(
                        Problem(named.name, 'has no "fields" object.', index, label)
                    )
                    continue
                record = _Record(named.name, index, label, model, fields)
                if "pk" in item or unknown:
                    record.ok = False
                if self.parse_record(record):
                    self.records.append(record)

    def reference(self, model, value):
        """``_reference``, remembered: most references repeat (an edition, a source)."""
        if type(value) is not list:
            return _reference(model, value)  # says what is wrong
        try:
            cache_key = (model, *value)
            return self.references[cache_key]
        except KeyError:
            key = self.references[cache_key] = _reference(model, value)
            return key
        except TypeError:  # a list holding lists or objects: let _reference say what is wrong
            return _reference(model, value)

    def parse_record(self, record):
        """Convert the record's fields; False for a repeat merged into an earlier record."""
        spec = SPECS[record.model]
        pending = []  # problems to report once the key is known, so they can name it
        suspect = record.file in self.suspect
        for name, value in record.fields.items():
            try:
                if suspect and (message := _unloadable(value)):
                    raise ValidationError(message)
                if name in spec.plain:
                    record.values[name] = _to_python(spec.plain[name], value)
                elif name in spec.fks:
                    fk = spec.fks[name]
                    if value is None:
                        if not fk.null:
                            raise ValidationError("is required and cannot be null.")
                        record.refs[name] = None
                    else:
                        record.refs[name] = self.reference(fk.related_model, value)
                elif name in spec.m2m:
                    if isinstance(value, dict):  # {"add": [...]}: add to the list in the database
                        if set(value) != {"add"} or not isinstance(value["add"], list):
                            raise ValidationError(
                                "must be a list of references (which replaces the list) or "
                                '{"add": [references]} (which adds to it).'
                            )
                        value = value["add"]
                        record.m2m_add.add(name)
                    elif not isinstance(value, list):
                        raise ValidationError(
                            f"must be a list of references, but is {_json_kind(value)}."
                        )
                    target = spec.m2m[name].related_model
                    record.m2m_refs[name] = [self.reference(target, ref) for ref in value]
                else:
                    pending.append(
                        (
                            name,
                            f"is not a field of {record.label}. Its fields are: "
                            f"{', '.join(spec.names)}.",
                        )
                    )
            except ValidationError as exc:
                pending.append((name, " ".join(exc.messages)))
        for name in spec.required:
            if name not in record.fields:
                pending.append((name, "is missing; every record of this kind needs it."))
        record.key = _declared_key(record)
        for name, message in pending:
            record.bad.add(name)
            self.problem(record.file, message, record, name)
        if record.key is None:
            record.ok = False
            return True
        other = self.by_model[record.model].get(record.key)
        if other is None:
            self.by_model[record.model][record.key] = record
            return True
        # The same record in two files (the series record in each edition's export): a repeat
        # that agrees merges into the first; one that disagrees is a conflict.
        conflicts = _conflicts(other, record)
        if conflicts:
            self.problem(
                record.file,
                f"conflicts with {other.file}, record {other.index}, which has the same natural "
                f"key but {'; '.join(conflicts)}. Make the two the same, or keep one of them.",
                record,
            )
            return False
        if record.ok:
            other.values.update(record.values)
            other.refs.update(record.refs)
            other.m2m_refs.update(record.m2m_refs)
            other.fields = {**record.fields, **other.fields}
        else:
            other.ok = False
        return False

    # --- existing records -------------------------------------------------------------------
    def fetch_existing(self):
        """Fetch, with a few queries per model, every record the files name or refer to."""
        needed = defaultdict(set)
        for record in self.records:
            if record.key is not None:
                needed[record.model].add(record.key)
            for name, ref in record.refs.items():
                if ref is not None:
                    needed[SPECS[record.model].fks[name].related_model].add(ref)
            for name, refs in record.m2m_refs.items():
                needed[SPECS[record.model].m2m[name].related_model].update(refs)
        for model in reversed(MODELS):  # children first: their keys imply their parents'
            for key in list(needed[model]):
                for parent, parent_key in _parent_keys(model, key):
                    needed[parent].add(parent_key)
        for model in MODELS:
            keys = needed[model]
            if keys:
                found = 0
                for row in self._rows(model, keys):
                    self.by_pk[model][row.pk] = row
                    self.known[model][row.natural_key()] = row
                    found += 1
                self.say(f"{model._meta.label_lower}: {found} of {len(keys)} found in the database")

    def _rows(self, model, keys):
        """Rows of ``model`` whose natural key is in ``keys``, parents attached (no queries)."""
        manager = model._default_manager
        if model in SLUG_MODELS:
            for chunk in _chunks(sorted(key[0] for key in keys)):
                yield from manager.filter(slug__in=chunk)
            return
        parent_field, parent_model, parent_key = {
            OrganizationName: ("organization", Organization, lambda key: key[:1]),
            Edition: ("forum", Forum, lambda key: key[:1]),
            SubForum: ("edition", Edition, lambda key: key[:2]),
            Appearance: ("edition", Edition, lambda key: key[1:3]),
            Statement: ("appearance", Appearance, lambda key: key[:5]),
        }[model]
        parents = self.known[parent_model]
        parent_pks = sorted(
            {parents[parent_key(key)].pk for key in keys if parent_key(key) in parents}
        )
        for chunk in _chunks(parent_pks):
            for row in manager.filter(**{f"{parent_field}_id__in": chunk}):
                if self._attach_parents(model, row):
                    key = row.natural_key()
                    if key in keys:
                        yield row

    def _attach_parents(self, model, row):
        """Point the row's key parents at the loaded instances; False if one is not loaded."""
        for name in {
            OrganizationName: ("organization",),
            Edition: ("forum",),
            SubForum: ("edition",),
            Appearance: ("participant", "edition", "sub_forum"),
            Statement: ("appearance",),
        }[model]:
            fk = model._meta.get_field(name)
            pk = getattr(row, fk.attname)
            if pk is None:
                continue
            parent = self.by_pk[fk.related_model].get(pk)
            if parent is None:
                return False
            setattr(row, name, parent)
        return True

    # --- building and validating ------------------------------------------------------------
    def build(self):
        records = [r for r in self.records if r.key is not None]
        for record in records:
            existing = self.known[record.model].get(record.key)
            if existing is not None:
                record.instance, record.is_new = existing, False
            else:
                record.instance = record.model()
                self.known[record.model][record.key] = record.instance
        self.say(f"validating {len(records)} records")
        for model in MODELS:
            self._current_m2m(model)
        for count, record in enumerate(records, start=1):
            if self.missing_only and not record.is_new:
                continue  # left exactly as it is: not compared, not changed, its lists untouched
            self._apply(record)
            if count % PROGRESS_EVERY == 0:
                self.say(f"validated {count} of {len(records)} records")
        for model in MODELS:
            self._check_unique(model)

    def _current_m2m(self, model):
        """The current many-to-many links of existing records that the files list."""
        for name, m2m in SPECS[model].m2m.items():
            records = [
                r for r in self.by_model[model].values() if not r.is_new and name in r.m2m_refs
            ]
            pks = sorted(r.instance.pk for r in records)
            through = m2m.remote_field.through
            source, target = m2m.m2m_field_name() + "_id", m2m.m2m_reverse_field_name() + "_id"
            current = defaultdict(set)
            for chunk in _chunks(pks):
                for source_pk, target_pk in through._default_manager.filter(
                    **{f"{source}__in": chunk}
                ).values_list(source, target):
                    current[source_pk].add(target_pk)
            for record in records:
                record.current_m2m[name] = current[record.instance.pk]
            # Links the files would remove are named by natural key: fetch their targets too.
            target_model = m2m.related_model
            known = self.by_pk[target_model]
            unknown = sorted({pk for pks in current.values() for pk in pks} - known.keys())
            for chunk in _chunks(unknown):
                for row in target_model._default_manager.filter(pk__in=chunk):
                    known[row.pk] = row

    def _apply(self, record):
        spec, instance = SPECS[record.model], record.instance
        for name, value in record.values.items():
            field_ = spec.plain[name]
            if record.is_new:
                setattr(instance, field_.attname, value)
            elif field_.editable:  # bookkeeping fields (updated_at) are never "changes"
                old = getattr(instance, field_.attname)
                if _comparable(field_, old) != _comparable(field_, value):
                    record.changes.append((name, f"{name}: {_show(old)} → {_show(value)}"))
                setattr(instance, field_.attname, value)
        for name, ref in record.refs.items():
            fk = spec.fks[name]
            target = None
            if ref is not None:
                target = self.known[fk.related_model].get(ref)
                if target is None:
                    self._missing(record, name, fk.related_model, ref)
                    continue
            if not record.is_new:
                old_pk = getattr(instance, fk.attname)
                new_pk = target.pk if target is not None else None
                if old_pk != new_pk or (target is not None and new_pk is None):
                    old = self.by_pk[fk.related_model].get(old_pk)
                    old_shown = show_key(old.natural_key()) if old else _show(old_pk)
                    new_shown = show_key(ref) if ref else "null"
                    record.changes.append((name, f"{name}: {old_shown} → {new_shown}"))
            # What the descriptor's __set__ does for a forward foreign key, minus its checks.
            instance.__dict__[fk.attname] = target.pk if target is not None else None
            fk.set_cached_value(instance, target)
        for name, refs in record.m2m_refs.items():
            target_model = spec.m2m[name].related_model
            targets = {}
            for ref in refs:
                target = self.known[target_model].get(ref)
                if target is None:
                    self._missing(record, name, target_model, ref)
                else:
                    targets[ref] = target
            record.m2m[name] = list(targets.values())
            if not record.is_new:
                current = record.current_m2m[name]
                wanted = {t.pk for t in targets.values() if t.pk is not None}
                added = [ref for ref, t in targets.items() if t.pk is None or t.pk not in current]
                adding = name in record.m2m_add
                removed = [
                    self.by_pk[target_model][pk].natural_key()
                    if pk in self.by_pk[target_model]
                    else (pk,)
                    for pk in ([] if adding else current - wanted)
                ]
                if added or removed:
                    parts = [f"adds {show_key(ref)}" for ref in added]
                    parts += [f"removes {show_key(ref)}" for ref in removed]
                    # A plain list replaces (its report names what it removes too).
                    label = f"{name} (added to the list)" if adding else name
                    record.changes.append((name, f"{label}: {', '.join(parts)}"))
        # Fields are validated even where a reference failed: every problem in one run.
        errors = {}
        try:
            mirrors = [name for name in spec.mirrors if name not in record.values]
            instance.full_clean(
                exclude=[*spec.fks, *mirrors, *record.bad],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as exc:
            for name, field_errors in exc.error_dict.items():
                errors[name] = [self._message(record, name, error) for error in field_errors]
        except ObjectDoesNotExist:  # a clean() reading a reference that failed to resolve
            pass
        for name, value in record.values.items():
            field_ = spec.plain[name]
            if isinstance(field_, models.IntegerField) and isinstance(value, int):
                low, high = INTEGER_RANGES[field_.get_internal_type()]
                if value > high:
                    errors[name] = [f"must be {high} or less."]
                elif value < low:
                    errors[name] = [f"must be {low} or more."]
            elif isinstance(field_, models.FileField) and value and name not in errors:
                changed = record.is_new or name in {n for n, _ in record.changes}
                if changed and not default_storage.exists(value):
                    errors[name] = [
                        f"{_show(value)} is not in the media storage; upload the picture there "
                        "first (its path is relative to the media folder), or leave it empty."
                    ]
        for constraint in record.model._meta.constraints:
            if isinstance(constraint, models.CheckConstraint) and CHECKS[constraint.name]:
                name, test, message = CHECKS[constraint.name]
                if name in record.values and name not in record.bad:
                    try:
                        passed = test(instance)
                    except TypeError:  # a value of the wrong type, reported above
                        continue
                    if not passed:
                        errors[name] = [message]  # says more than the field's own bounds
        for name, messages in errors.items():
            self.problem(
                record.file, " ".join(messages), record, None if name == NON_FIELD_ERRORS else name
            )

    @staticmethod
    def _message(record, name, error):
        """A ValidationError's text; an invalid choice also lists the valid ones."""
        if error.code == "invalid_choice" and name in SPECS[record.model].plain:
            field_ = SPECS[record.model].plain[name]
            choices = ", ".join(_show(value) for value, _ in field_.flatchoices)
            return (
                f"{_show(record.values.get(name))} is not a valid choice; "
                f"the choices are: {choices}."
            )
        return " ".join(error.messages)

    def _missing(self, record, name, model, ref):
        self.problem(
            record.file,
            f"refers to {model._meta.label_lower} {show_key(ref)}, which is neither in the "
            "files being loaded nor in the database. Check the spelling, or add that record.",
            record,
            name,
        )

    def _check_unique(self, model):
        """Unique fields other than the natural key (a forum's name...), in bulk."""
        records = [r for r in self.by_model[model].values() if r.ok]
        for field_ in SPECS[model].unique:
            seen = {}
            for record in records:
                value = getattr(record.instance, field_.attname)
                if value is None:
                    continue  # NULLs never clash (a missing translation, e.g. name_ja)
                other = seen.get(value)
                if other is not None:
                    self.problem(
                        record.file,
                        f"{_show(value)} is already used by {other.file}, record {other.index}; "
                        f"each {model._meta.verbose_name} needs its own {field_.verbose_name}.",
                        record,
                        field_.name,
                    )
                else:
                    seen[value] = record
            for chunk in _chunks(sorted(seen)):
                for pk, slug, value in model._default_manager.filter(
                    **{f"{field_.attname}__in": chunk}
                ).values_list("pk", "slug", field_.attname):
                    record = seen[value]
                    if record.instance.pk != pk:
                        self.problem(
                            record.file,
                            f"{_show(value)} is already the {field_.verbose_name} of "
                            f"{model._meta.label_lower} {show_key((slug,))} in the database.",
                            record,
                            field_.name,
                        )

    def refuse_updates(self):
        for record in self.records:
            if record.key is not None and not record.is_new and record.changes:
                self.problem(
                    record.file,
                    "already exists with different values ("
                    + "; ".join(text for _, text in record.changes)
                    + "). Nothing is overwritten silently: load with --update (in the admin, "
                    "tick “Apply updates”) to apply these changes.",
                    record,
                )

    def report(self):
        reports = {}
        for model in MODELS:
            records = self.by_model[model].values()
            if not records:
                continue
            report = reports[model._meta.label_lower] = ModelReport()
            for record in records:
                if record.is_new:
                    report.created.append(record.key)
                elif self.missing_only:
                    report.kept.append(record.key)
                elif record.changes:
                    report.updated.append((record.key, [name for name, _ in record.changes]))
                else:
                    report.unchanged.append(record.key)
        return reports

    # --- writing ----------------------------------------------------------------------------
    def write(self):
        try:
            self._write()
        except DatabaseError as exc:
            raise FixtureError(
                [
                    Problem(
                        ", ".join(named.name for named, _ in self.items),
                        f"the database refused the data ({exc}). Nothing was loaded.",
                    )
                ]
            ) from exc

    def _write(self):
        now = timezone.now()
        for model in MODELS:  # parents first, so children find their parents' ids
            records = self.by_model[model].values()
            new = [r.instance for r in records if r.is_new]
            if model is Edition:  # bulk writes skip save(): note first publication here
                published = [r for r in records if r.instance.note_publication(now)]
            if new:
                model._default_manager.bulk_create(new)
            changed = [r for r in records if not r.is_new and r.changes]
            fields = {
                name for r in changed for name, _ in r.changes if name not in SPECS[model].m2m
            }
            if model is Edition and changed:
                for record in changed:
                    record.instance.updated_at = now
                fields.add("updated_at")
                if any(not r.is_new for r in published):
                    fields.add("published_at")
            if fields:
                model._default_manager.bulk_update(
                    [r.instance for r in changed], sorted(fields), batch_size=CHUNK_SIZE
                )
            if new or changed:
                self.say(f"{model._meta.label_lower}: {len(new)} created, {len(changed)} updated")
        for model in MODELS:
            for name, m2m in SPECS[model].m2m.items():
                through = m2m.remote_field.through
                source, target = m2m.m2m_field_name() + "_id", m2m.m2m_reverse_field_name() + "_id"
                links = []
                for record in self.by_model[model].values():
                    if name not in record.m2m:
                        continue
                    pk = record.instance.pk
                    current = record.current_m2m.get(name, set())
                    wanted = {t.pk for t in record.m2m[name]}
                    links += [through(**{source: pk, target: t}) for t in sorted(wanted - current)]
                    if current - wanted and name not in record.m2m_add:
                        through._default_manager.filter(
                            **{source: pk, f"{target}__in": current - wanted}
                        ).delete()
                if links:
                    through._default_manager.bulk_create(links)
        # History (archive/services/history.py): the bulk writes above send no signals.
        written = {
            model: [r.instance.pk for r in self.by_model[model].values() if r.is_new or r.changes]
            for model in MODELS
        }
        record_revision(
            written,
            comment="Loaded from " + ", ".join(named.name for named, _ in self.items),
        )


# --- helpers --------------------------------------------------------------------------------
def _to_python(field_, value):
    if value is None:
        if field_.null:
            return None
        if isinstance(field_, models.CharField | models.TextField):
            raise ValidationError('cannot be null; use "" for no text.')
        raise ValidationError("cannot be null.")
    if isinstance(value, list | dict):
        raise ValidationError(f"must be a single value, not {_json_kind(value)}.")
    if isinstance(value, str) and "\x00" in value:
        raise ValidationError("contains a NUL character (\\u0000); remove it.")
    if isinstance(field_, models.CharField | models.TextField) and not isinstance(value, str):
        raise ValidationError(f"must be text (in quotes), not {_json_kind(value)}.")
    if isinstance(field_, models.IntegerField):
        return _integer(value)
    if isinstance(field_, models.FileField):
        return _picture_path(value)
    if isinstance(field_, models.DateField) and not isinstance(value, str):  # date and time too
        timed = isinstance(field_, models.DateTimeField)
        example = "2024-12-03T10:00:00+09:00" if timed else "2024-12-03"
        raise ValidationError(
            f'must be a date written as text, like "{example}", not {_json_kind(value)}.'
        )
    try:
        converted = field_.to_python(value)
    except TypeError:  # e.g. true for a date and time: to_python() expects a string
        raise ValidationError(f"cannot be {_json_kind(value)}.") from None
    if (
        isinstance(field_, models.DateTimeField)
        and converted is not None
        and timezone.is_naive(converted)
    ):
        converted = timezone.make_aware(converted)
    return converted


def _integer(value):
    """A JSON whole number; true, 21.5 and "21" are refused rather than read as 1, 21 and 21."""
    if isinstance(value, bool):
        raise ValidationError(f"must be a whole number, not {_json_kind(value)}.")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValidationError(f"must be a whole number, not {_show(value)}.")
        return int(value)
    if isinstance(value, str):
        raise ValidationError(
            f"must be a whole number written without quotes (like 20), not the text {_show(value)}."
        )
    if not isinstance(value, int):
        raise ValidationError(f"must be a whole number, not {_json_kind(value)}.")
    return value


def _picture_path(value):
    """A picture already in media storage: a relative, normalised path to an image file."""
    if not isinstance(value, str):
        raise ValidationError(f"must be a picture's path as text, not {_json_kind(value)}.")
    if not value:
        return value
    shown = _show(value)
    if "\\" in value or value.startswith("/") or re.match(r"[A-Za-z]:", value):
        raise ValidationError(
            f"{shown} is not a relative path; write the picture's path inside the media folder "
            'with forward slashes, like "portraits/name.jpg".'
        )
    if posixpath.normpath(value) != value or ".." in value.split("/"):
        raise ValidationError(
            f"{shown} is not a plain path inside the media folder (no “..”, “.” or “//”); write "
            'it like "portraits/name.jpg".'
        )
    if not value.lower().endswith(IMAGE_SUFFIXES):
        raise ValidationError(
            f"{shown} is not a picture: its name must end with {', '.join(IMAGE_SUFFIXES)}."
        )
    return value


def _unloadable(value, depth=0):
    """What makes a JSON value impossible to store (NaN, Infinity, a lone surrogate), or None."""
    if isinstance(value, float) and not math.isfinite(value):
        return (
            f"{json.dumps(value)} is not a number JSON allows, and cannot be stored; write a "
            "number, or null for no value."
        )
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return (
                f"{_show(value)} holds a lone surrogate (a \\ud800-\\udfff escape without its "
                "pair), which is not text; fix the escape or remove it."
            )
        return None
    if depth < 20 and isinstance(value, list | dict):
        items = value.values() if isinstance(value, dict) else value
        for item in items:
            if message := _unloadable(item, depth + 1):
                return message
    return None


def _conflicts(first, repeat):
    """How a repeated record differs from the first one with its natural key, field by field."""
    conflicts = []
    for name in sorted(first.fields.keys() & repeat.fields.keys()):
        if name in first.values and name in repeat.values:
            old, new = first.values[name], repeat.values[name]
            same, shown = old == new, (_show(old), _show(new))
        elif name in first.refs and name in repeat.refs:
            old, new = first.refs[name], repeat.refs[name]
            same = old == new
            shown = tuple(show_key(ref) if ref else "null" for ref in (old, new))
        elif name in first.m2m_refs and name in repeat.m2m_refs:
            old, new = first.m2m_refs[name], repeat.m2m_refs[name]
            same = set(old) == set(new)
            shown = tuple(_dumps(sorted(map(list, refs))) for refs in (old, new))
        else:
            continue  # refused in one of them: reported already
        if not same:
            conflicts.append(f"{name} is {shown[0]} there and {shown[1]} here")
    return conflicts


def _reference(model, value):
    """The natural key a reference names, with its parts' types checked and normalised."""
    types, parts = KEY_TYPES[model], KEY_PARTS[model]
    shape = f"[{', '.join(parts)}]"
    label = model._meta.label_lower
    if not isinstance(value, list) or len(value) != len(types):
        raise ValidationError(
            f"must refer to {_a(label)} by its natural key, a list {shape}, not {_dumps(value)}."
        )
    key = []
    for part, kind, what in zip(value, types, parts, strict=True):
        if kind is int:
            # "20", and 20.0 as plain fields take it, name edition 20.
            if (isinstance(part, str) and part.isdigit()) or (
                isinstance(part, float) and part.is_integer()
            ):
                part = int(part)
            if isinstance(part, bool) or not isinstance(part, int):
                raise ValidationError(f"the {what} in {_dumps(value)} must be a whole number.")
        elif part is None and what.endswith('or ""'):
            part = ""
        elif not isinstance(part, str):
            raise ValidationError(f"the {what} in {_dumps(value)} must be text.")
        key.append(part)
    return tuple(key)


def _declared_key(record):
    """The natural key a record declares; None when a part of it is missing or invalid."""
    model, values, refs = record.model, record.values, record.refs

    def value(name):
        if name in values:
            return values[name]
        if name in record.fields:  # given but invalid
            raise KeyError(name)
        return model._meta.get_field(name).get_default()

    try:
        if model in SLUG_MODELS:
            key = (value("slug"),)
        elif model is OrganizationName:
            key = refs["organization"] + (value("name"),)
        elif model is Edition:
            key = refs["forum"] + (value("number"),)
        elif model is SubForum:
            key = refs["edition"] + (value("slug"),)
        elif model is Appearance:
            sub_forum = refs.get("sub_forum")
            key = refs["participant"] + refs["edition"]
            key += (sub_forum[2] if sub_forum else "", value("role"))
        else:
            key = refs["appearance"] + (value("number"),)
    except (KeyError, TypeError):
        return None
    return None if any(part is None for part in key) else key


def _parent_keys(model, key):
    if model is OrganizationName:
        yield Organization, key[:1]
    elif model is Edition:
        yield Forum, key[:1]
    elif model is SubForum:
        yield Edition, key[:2]
    elif model is Appearance:
        yield Participant, key[:1]
        yield Edition, key[1:3]
        if key[3]:
            yield SubForum, key[1:4]
    elif model is Statement:
        yield Appearance, key[:5]


def _comparable(field_, value):
    if isinstance(field_, models.FileField):
        return (value.name if hasattr(value, "name") else value) or ""
    if value is None and isinstance(field_, models.CharField | models.TextField):
        return ""  # a missing translation is NULL in one place and "" in another: no change
    return value


def _show(value):
    if hasattr(value, "isoformat"):
        value = value.isoformat()
    if hasattr(value, "name") and not isinstance(value, str):  # a FieldFile
        value = value.name or ""
    shown = _dumps(value)
    return shown if len(shown) <= 80 else shown[:77] + '…"'


def _dumps(value):
    """JSON text of a value from a fixture, for a message: never an error of its own."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (RecursionError, TypeError, ValueError):
        return "[...]" if isinstance(value, list) else "{...}"


def _printable(text):
    """The text with any lone surrogate written as its escape: a message must always print."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _a(word):
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def _json_kind(value):
    if isinstance(value, dict):
        return "an object ({...})"
    if isinstance(value, list):
        return "a list ([...])"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean ({json.dumps(value)})"
    if isinstance(value, int | float):
        return f"a number ({_dumps(value)})"
    return _a(type(value).__name__)


def megabytes(size):
    return f"{size / (1024 * 1024):.1f} MB"


def sizes(size, limit):
    """A size over a limit and the limit, shown precisely enough to differ."""
    if megabytes(size) != megabytes(limit):
        return megabytes(size), megabytes(limit)
    return f"{size:,} bytes", f"{limit:,} bytes"


def _chunks(items):
    items = list(items)
    for start in range(0, len(items), CHUNK_SIZE):
        yield items[start : start + CHUNK_SIZE]
