"""Parse: each raw record into a `Record` (its model, converted field values, references as
natural keys, its own natural key), merging a record repeated across files."""

import json
import math
import posixpath
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from archive.images import EXTENSIONS

from .keys import declared_key, reference
from .report import Problem, dumps, json_kind, show, show_key
from .state import LABELS, MODELS, Record

#: What a picture path from a fixture may end with (the formats uploads are stored in).
IMAGE_SUFFIXES = tuple(sorted({f".{ext}" for ext in EXTENSIONS.values()} | {".jpeg"}))


class Spec:
    """A model's fields, sorted the way the loader treats them."""

    def __init__(self, model):
        # serialize=False: the id, and derived columns no fixture holds (is_public).
        concrete = [f for f in model._meta.concrete_fields if f.serialize]
        self.plain = {f.name: f for f in concrete if not f.is_relation}
        self.fks = {f.name: f for f in concrete if f.is_relation}
        self.m2m = {f.name: f for f in model._meta.many_to_many}
        self.required = [
            f.name
            for f in concrete
            if not f.has_default() and not f.null and not (f.blank and not f.is_relation)
        ]
        key_fields = set(model.natural_key_fields)
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


SPECS = {model: Spec(model) for model in MODELS}


def parse(load):
    """Every record of every file read, as Records in `load.records`."""
    labels = ", ".join(LABELS)
    for named, items in load.items:
        for index, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                load.problems.append(
                    Problem(
                        named.name,
                        f"is {json_kind(item)}, not a record "
                        '({"model": ..., "fields": {...}}).',
                        index,
                    )
                )
                continue
            label = item.get("model")
            model = LABELS.get(label.lower()) if isinstance(label, str) else None
            shown = label if isinstance(label, str) else None
            if "pk" in item:
                load.problems.append(
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
                load.problems.append(
                    Problem(
                        named.name,
                        f"has unknown keys {', '.join(unknown)}; a record has only "
                        '"model" and "fields".',
                        index,
                        shown,
                    )
                )
            if model is None:
                load.problems.append(
                    Problem(
                        named.name,
                        f"unknown model {dumps(label)}; expected one of: {labels}.",
                        index,
                    )
                )
                continue
            fields = item.get("fields")
            if not isinstance(fields, dict):
                load.problems.append(Problem(named.name, 'has no "fields" object.', index, label))
                continue
            record = Record(named.name, index, label, model, fields)
            if "pk" in item or unknown:
                record.ok = False
            if parse_record(load, record):
                load.records.append(record)


def cached_reference(load, model, value):
    """`reference()`, remembered: most references repeat (an edition, a source)."""
    if type(value) is not list:
        return reference(model, value)  # says what is wrong
    try:
        cache_key = (model, *value)
        return load.references[cache_key]
    except KeyError:
        key = load.references[cache_key] = reference(model, value)
        return key
    except TypeError:  # a list holding lists or objects: let reference() say what is wrong
        return reference(model, value)


def parse_record(load, record):
    """Convert the record's fields; False for a repeat merged into an earlier record."""
    spec = SPECS[record.model]
    pending = []  # problems to report once the key is known, so they can name it
    suspect = record.file in load.suspect
    for name, value in record.fields.items():
        try:
            if suspect and (message := unloadable(value)):
                raise ValidationError(message)
            if name in spec.plain:
                record.values[name] = to_python(spec.plain[name], value)
            elif name in spec.fks:
                fk = spec.fks[name]
                if value is None:
                    if not fk.null:
                        raise ValidationError("is required and cannot be null.")
                    record.refs[name] = None
                else:
                    record.refs[name] = cached_reference(load, fk.related_model, value)
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
                        f"must be a list of references, but is {json_kind(value)}."
                    )
                target = spec.m2m[name].related_model
                record.m2m_refs[name] = [cached_reference(load, target, ref) for ref in value]
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
    record.key = declared_key(record)
    for name, message in pending:
        record.bad.add(name)
        load.problem(record.file, message, record, name)
    if record.key is None:
        record.ok = False
        return True
    other = load.by_model[record.model].get(record.key)
    if other is None:
        load.by_model[record.model][record.key] = record
        return True
    # The same record in two files (the series record in each edition's export): a repeat
    # that agrees merges into the first; one that disagrees is a conflict.
    conflicts = conflicts_between(other, record)
    if conflicts:
        load.problem(
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


# --- field values ---------------------------------------------------------------------------
def to_python(field_, value):
    if value is None:
        if field_.null:
            return None
        if isinstance(field_, models.CharField | models.TextField):
            raise ValidationError('cannot be null; use "" for no text.')
        raise ValidationError("cannot be null.")
    if isinstance(value, list | dict):
        raise ValidationError(f"must be a single value, not {json_kind(value)}.")
    if isinstance(value, str) and "\x00" in value:
        raise ValidationError("contains a NUL character (\\u0000); remove it.")
    if isinstance(field_, models.CharField | models.TextField) and not isinstance(value, str):
        raise ValidationError(f"must be text (in quotes), not {json_kind(value)}.")
    if isinstance(field_, models.IntegerField):
        return integer(value)
    if isinstance(field_, models.FileField):
        return picture_path(value)
    if isinstance(field_, models.DateField) and not isinstance(value, str):  # date and time too
        timed = isinstance(field_, models.DateTimeField)
        example = "2024-12-03T10:00:00+09:00" if timed else "2024-12-03"
        raise ValidationError(
            f'must be a date written as text, like "{example}", not {json_kind(value)}.'
        )
    try:
        converted = field_.to_python(value)
    except TypeError:  # e.g. true for a date and time: to_python() expects a string
        raise ValidationError(f"cannot be {json_kind(value)}.") from None
    if (
        isinstance(field_, models.DateTimeField)
        and converted is not None
        and timezone.is_naive(converted)
    ):
        converted = timezone.make_aware(converted)
    return converted


def integer(value):
    """A JSON whole number; true, 21.5 and "21" are refused rather than read as 1, 21 and 21."""
    if isinstance(value, bool):
        raise ValidationError(f"must be a whole number, not {json_kind(value)}.")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValidationError(f"must be a whole number, not {show(value)}.")
        return int(value)
    if isinstance(value, str):
        raise ValidationError(
            f"must be a whole number written without quotes (like 20), not the text {show(value)}."
        )
    if not isinstance(value, int):
        raise ValidationError(f"must be a whole number, not {json_kind(value)}.")
    return value


def picture_path(value):
    """A picture already in media storage: a relative, normalised path to an image file."""
    if not isinstance(value, str):
        raise ValidationError(f"must be a picture's path as text, not {json_kind(value)}.")
    if not value:
        return value
    shown = show(value)
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


def unloadable(value, depth=0):
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
                f"{show(value)} holds a lone surrogate (a \\ud800-\\udfff escape without its "
                "pair), which is not text; fix the escape or remove it."
            )
        return None
    if depth < 20 and isinstance(value, list | dict):
        items = value.values() if isinstance(value, dict) else value
        for item in items:
            if message := unloadable(item, depth + 1):
                return message
    return None


def conflicts_between(first, repeat):
    """How a repeated record differs from the first one with its natural key, field by field."""
    conflicts = []
    for name in sorted(first.fields.keys() & repeat.fields.keys()):
        if name in first.values and name in repeat.values:
            old, new = first.values[name], repeat.values[name]
            same, shown = old == new, (show(old), show(new))
        elif name in first.refs and name in repeat.refs:
            old, new = first.refs[name], repeat.refs[name]
            same = old == new
            shown = tuple(show_key(ref) if ref else "null" for ref in (old, new))
        elif name in first.m2m_refs and name in repeat.m2m_refs:
            old, new = first.m2m_refs[name], repeat.m2m_refs[name]
            same = set(old) == set(new)
            shown = tuple(dumps(sorted(map(list, refs))) for refs in (old, new))
        else:
            continue  # refused in one of them: reported already
        if not same:
            conflicts.append(f"{name} is {shown[0]} there and {shown[1]} here")
    return conflicts
