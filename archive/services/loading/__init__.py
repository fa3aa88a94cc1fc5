"""Load editions from natural-key fixtures: check everything first, then write it all or nothing.

``loaddata`` skips model validation and SQLite ignores ``max_length``, so a bad fixture can load
bad data. ``load_edition`` reads the files, checks every record (field values, ``clean()``,
references, duplicates, unique and check constraints) and only then writes, inside one
transaction. It reports every problem it finds, in words an editor can act on.

It is also fast: natural keys are resolved with one query per model per chunk, ``full_clean`` runs
without its per-object queries (foreign keys are resolved here, uniqueness is checked in bulk,
check constraints are evaluated in Python), and writes use ``bulk_create``/``bulk_update``.

One module per step, in the order ``load_edition`` runs them:

* ``read``: the files, their size limit, UTF-8 and JSON;
* ``parse``: records, their field values and references (natural keys: ``keys``);
* ``validate``: existing records, ``clean()``, references, duplicates, unique fields and the
  models' check constraints (``constraints``);
* ``write``: bulk writes, many-to-many links and the history revision;
* ``report``: ``Problem``, ``FixtureError`` and ``LoadReport``.

Natural keys and check constraints come from the models (``natural_key_fields``,
``Meta.constraints``): the loader keeps no copy of them.
"""

from collections.abc import Callable, Iterable
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import translation

from archive.cache import bump_content_version

from .constraints import CHECKS
from .keys import key_words
from .parse import SPECS, parse
from .read import NamedFile, read
from .report import FixtureError, LoadReport, Problem, megabytes, model_reports, sizes
from .state import MODELS, Load
from .validate import INTEGER_RANGES, build, fetch_existing, refuse_updates
from .write import refresh_planner_statistics, write

__all__ = [
    "CHECKS",
    "INTEGER_RANGES",
    "MODELS",
    "SPECS",
    "FixtureError",
    "LoadReport",
    "NamedFile",
    "Problem",
    "key_words",
    "load_edition",
    "megabytes",
    "refresh_planner_statistics",
    "sizes",
]


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
    load = Load(progress or (lambda message: None), missing_only=missing_only)
    if not named:
        raise FixtureError([Problem("(no file)", "No fixture file was given.")])
    for named_file in named:
        read(load, named_file)
    load.raise_problems()
    parse(load)
    # A plain translated field (`name`) means English even in a request in Japanese (admin import).
    language = translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE)
    with transaction.atomic(), language:
        fetch_existing(load)
        build(load)
        load.raise_problems()
        if not dry_run and not update and not missing_only:
            refuse_updates(load)
            load.raise_problems()
        report = LoadReport(
            files=[named_file.name for named_file in named],
            dry_run=dry_run,
            models=model_reports(load),
        )
        if not dry_run:
            write(load)
            if report.created or report.updated:
                # bulk writes send no model signals: tell the page cache itself.
                transaction.on_commit(bump_content_version)
                transaction.on_commit(refresh_planner_statistics)
    return report
