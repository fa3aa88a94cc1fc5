"""Versioned history of the archive's records, kept with django-reversion.

Every archive model is registered here (``register_models``, called from ``ArchiveConfig.ready``
after modeltranslation has added its language columns, so a version holds every language).
The admin saves a revision for each add, change and restore (``reversion.admin.VersionAdmin``).
Writes that send no model signals record theirs explicitly with ``record_revision``: the loader's
``bulk_create``/``bulk_update`` (one revision per load) and ``manage.py restore_archive``.

``record_revision`` reads the written rows back with a bounded number of queries per model
(one read, one per many-to-many field, then reversion's own bulk insert), whatever their number.

``changes`` and ``compare`` turn two versions into the rows an editor reads: field, old value,
new value.
"""

import contextvars
import json
from contextlib import contextmanager
from dataclasses import dataclass

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import FieldDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, router
from django.utils import timezone
from modeltranslation.translator import NotRegistered, translator
from reversion.models import Revision, Version

from archive.models import (
    LOAD_ORDER,
    Appearance,
    Edition,
    OrganizationName,
    Statement,
)

MODELS = LOAD_ORDER
CHUNK = 500
#: What each model's ``__str__`` (the version's label) reads, joined in the same query.
STR_JOINS = {
    Edition: ["forum"],
    OrganizationName: ["organization"],
    Appearance: ["participant", "edition__forum"],
    Statement: ["appearance__participant"],
}
#: Bookkeeping fields whose change alone is not worth a line in the history.
QUIET_FIELDS = {"updated_at", "created_at"}


def register_models():
    for model in MODELS:
        if not reversion.is_registered(model):
            reversion.register(model)


class _Batch:
    """What ``revision()`` collects: the user, the comment (settable until the block ends) and
    the one Revision every ``record_revision`` inside the block adds to."""

    def __init__(self, user, comment):
        self.user, self.comment, self.revision = user, comment, None


_batch = contextvars.ContextVar("archive_history_batch", default=None)


@contextmanager
def revision(user=None, comment=""):
    """Make every ``record_revision`` inside the block one revision, by ``user``. Set
    ``.comment`` inside the block once it is known (a load's totals come at its end)::

        with history.revision(user=request.user) as batch:
            report = load_edition(files)
            batch.comment = load_comment("Import edition", report)
    """
    batch = _Batch(user, comment)
    token = _batch.set(batch)
    try:
        yield batch
    finally:
        _batch.reset(token)
    if batch.revision is not None and batch.revision.comment != batch.comment:
        Revision.objects.filter(pk=batch.revision.pk).update(comment=batch.comment)


def record_revision(pks_by_model, comment, user=None):
    """Save the current state of the given rows (``{model: [pk, ...]}``) as versions.

    The versions are built here and inserted in bulk: a read per model (and per many-to-many
    field), one revision, one insert per 500 versions, however many rows. Inside ``revision()``
    they join that block's revision; otherwise they make one of their own with ``comment``.
    """
    pks_by_model = {model: list(pks) for model, pks in pks_by_model.items() if pks}
    if not pks_by_model:
        return
    if reversion.is_active():  # inside an admin save: join its revision the usual way
        for rows in _rows(pks_by_model):
            for row in rows:
                reversion.add_to_revision(row)
        return
    versions = []
    for rows in _rows(pks_by_model):
        versions += _versions(list(rows))
    batch = _batch.get()
    if batch is None:
        parent = Revision.objects.create(date_created=timezone.now(), comment=comment, user=user)
    else:
        if batch.revision is None:
            batch.revision = Revision.objects.create(
                date_created=timezone.now(), comment=batch.comment or comment, user=batch.user
            )
        parent = batch.revision
    for version in versions:
        version.revision = parent
    Version.objects.bulk_create(versions, batch_size=CHUNK)


def _rows(pks_by_model):
    for model, pks in pks_by_model.items():
        m2m = [field.name for field in model._meta.local_many_to_many]
        for start in range(0, len(pks), CHUNK):
            # Prefetched lists are what the serializer reads: no query per row.
            yield (
                model._base_manager.filter(pk__in=pks[start : start + CHUNK])
                .select_related(*STR_JOINS.get(model, ()))
                .prefetch_related(*m2m)
            )


def _versions(rows):
    """The Versions reversion itself would save for ``rows`` of one model: each its registered
    fields, as a one-object JSON list. Serialized together (one serializer for the chunk)."""
    if not rows:
        return []
    model = type(rows[0])
    opts = model._meta
    fields = [field.name for field in opts.local_fields + opts.local_many_to_many]
    content_type = ContentType.objects.get_for_model(model)
    db = router.db_for_write(model)
    data = serializers.serialize("python", rows, fields=fields)
    return [
        Version(
            content_type=content_type,
            object_id=str(row.pk),
            db=db,
            format="json",
            serialized_data=json.dumps([item], cls=DjangoJSONEncoder, ensure_ascii=False),
            object_repr=str(row),
        )
        for row, item in zip(rows, data, strict=True)
    ]


def load_comment(how, report):
    """A load's revision comment: how it ran, the file names and the report's totals."""
    return (
        f"{how}: {', '.join(report.files)} — {report.created} created, "
        f"{report.updated} updated, {report.unchanged} unchanged"
    )


def record_all(comment):
    """A version of every archive record (after ``restore_archive``)."""
    record_revision(
        {model: list(model._base_manager.values_list("pk", flat=True)) for model in MODELS},
        comment,
    )


BASELINE_COMMENT = "State when its history began (no earlier version was recorded)"


def record_baseline(pks_by_model=None, comment=BASELINE_COMMENT):
    """A first version of the given rows (default: every archive record) that have none yet, so
    that the next change shows its old value. One revision; a few queries per model."""
    if pks_by_model is None:
        pks_by_model = dict.fromkeys(MODELS)
    missing = {}
    for model, pks in pks_by_model.items():
        rows = model._base_manager.all() if pks is None else model._base_manager.filter(pk__in=pks)
        versioned = Version.objects.get_for_model(model).values_list("object_id", flat=True)
        if pks is not None:
            versioned = versioned.filter(object_id__in=[str(pk) for pk in pks])
        have = set(versioned)
        missing[model] = [pk for pk in rows.values_list("pk", flat=True) if str(pk) not in have]
    record_revision(missing, comment)
    return sum(len(pks) for pks in missing.values())


# --- reading history ----------------------------------------------------------------------
@dataclass
class Change:
    field: str  # the field's label, as the form shows it
    old: str
    new: str


def versions_of(obj):
    """The object's versions, newest first, with their revision and its user."""
    return list(
        Version.objects.get_for_object(obj)
        .select_related("revision__user")
        .order_by("-revision__date_created", "-pk")
    )


def with_changes(versions):
    """Pair each version (newest first) with its changes from the version before it."""
    model = versions[0]._model if versions else None
    cache = {}
    out = []
    for index, version in enumerate(versions):
        previous = versions[index + 1] if index + 1 < len(versions) else None
        out.append((version, compare(model, previous, version, cache) if previous else None))
    return out


def compare(model, old, new, cache=None):
    """What differs between two versions of one object, as editor-readable ``Change`` rows."""
    cache = {} if cache is None else cache
    before, after = old.field_dict, new.field_dict
    # A translated field's plain column repeats its English one ("theme" = "theme [en]").
    hidden = QUIET_FIELDS | _translated_originals(model)
    rows = []
    for name in after:
        if name in hidden or before.get(name) == after.get(name):
            continue
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        shown = _show(field, before.get(name), cache), _show(field, after.get(name), cache)
        if shown[0] != shown[1]:  # None and "" both show as "—"
            rows.append(Change(str(getattr(field, "verbose_name", name)), *shown))
    return rows


def _translated_originals(model):
    try:
        return set(translator.get_options_for_model(model).all_fields)
    except NotRegistered:
        return set()


def _show(field, value, cache):
    if value in (None, "", [], ()):
        return "—"
    if isinstance(field, models.ManyToManyField):
        return ", ".join(_related(field, pk, cache) for pk in sorted(value)) or "—"
    if isinstance(field, models.ForeignKey):
        return _related(field, value, cache)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def _related(field, pk, cache):
    key = (field.related_model, pk)
    if key not in cache:
        obj = field.related_model._base_manager.filter(pk=pk).first()
        cache[key] = str(obj) if obj is not None else f"#{pk} (deleted)"
    return cache[key]
