"""Validate: find the records the files name in the database, apply each record's values to its
instance, and check everything: field values, `clean()`, references, unique fields and check
constraints, with a few queries per model, never one per record."""

from collections import defaultdict

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, ValidationError
from django.core.files.storage import default_storage
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations

from .constraints import check_constraints
from .keys import fetch_parent, key_parents, parent_keys
from .parse import SPECS
from .report import show, show_key
from .state import MODELS, PROGRESS_EVERY, chunks

#: The range of each integer column, as Django's backends define them. SQLite would store any
#: 64-bit number where PostgreSQL refuses it, so the loader checks these itself: both engines
#: then give the same answer.
INTEGER_RANGES = BaseDatabaseOperations.integer_field_ranges


# --- existing records -----------------------------------------------------------------------
def fetch_existing(load):
    """Fetch, with a few queries per model, every record the files name or refer to."""
    needed = defaultdict(set)
    for record in load.records:
        if record.key is not None:
            needed[record.model].add(record.key)
        for name, ref in record.refs.items():
            if ref is not None:
                needed[SPECS[record.model].fks[name].related_model].add(ref)
        for name, refs in record.m2m_refs.items():
            needed[SPECS[record.model].m2m[name].related_model].update(refs)
    for model in reversed(MODELS):  # children first: their keys imply their parents'
        for key in list(needed[model]):
            for parent, parent_key in parent_keys(model, key):
                needed[parent].add(parent_key)
    for model in MODELS:
        keys = needed[model]
        if keys:
            found = 0
            for row in _rows(load, model, keys):
                load.by_pk[model][row.pk] = row
                load.known[model][row.natural_key()] = row
                found += 1
            load.say(f"{model._meta.label_lower}: {found} of {len(keys)} found in the database")


def _rows(load, model, keys):
    """Rows of ``model`` whose natural key is in ``keys``, parents attached (no queries)."""
    manager = model._default_manager
    parent = fetch_parent(model)
    if parent is None:  # a key of the model's own field: its slug
        (name,) = model.natural_key_fields
        for chunk in chunks(sorted(key[0] for key in keys)):
            yield from manager.filter(**{f"{name}__in": chunk})
        return
    field, positions = parent
    parents = load.known[field.related_model]
    parent_pks = set()
    for key in keys:
        found = parents.get(tuple(key[i] for i in positions))
        if found is not None:
            parent_pks.add(found.pk)
    for chunk in chunks(sorted(parent_pks)):
        for row in manager.filter(**{f"{field.attname}__in": chunk}):
            if _attach_parents(load, model, row):
                key = row.natural_key()
                if key in keys:
                    yield row


def _attach_parents(load, model, row):
    """Point the row's key parents at the loaded instances; False if one is not loaded."""
    for field, _, _ in key_parents(model):
        pk = getattr(row, field.attname)
        if pk is None:
            continue
        parent = load.by_pk[field.related_model].get(pk)
        if parent is None:
            return False
        field.set_cached_value(row, parent)
    return True


# --- building and validating ----------------------------------------------------------------
def build(load):
    records = [r for r in load.records if r.key is not None]
    for record in records:
        existing = load.known[record.model].get(record.key)
        if existing is not None:
            record.instance, record.is_new = existing, False
        else:
            record.instance = record.model()
            load.known[record.model][record.key] = record.instance
    load.say(f"validating {len(records)} records")
    for model in MODELS:
        _current_m2m(load, model)
    for count, record in enumerate(records, start=1):
        if load.missing_only and not record.is_new:
            continue  # left exactly as it is: not compared, not changed, its lists untouched
        _apply(load, record)
        if count % PROGRESS_EVERY == 0:
            load.say(f"validated {count} of {len(records)} records")
    for model in MODELS:
        _check_unique(load, model)


def _current_m2m(load, model):
    """The current many-to-many links of existing records that the files list."""
    for name, m2m in SPECS[model].m2m.items():
        records = [r for r in load.by_model[model].values() if not r.is_new and name in r.m2m_refs]
        pks = sorted(r.instance.pk for r in records)
        through = m2m.remote_field.through
        source, target = m2m.m2m_field_name() + "_id", m2m.m2m_reverse_field_name() + "_id"
        current = defaultdict(set)
        for chunk in chunks(pks):
            for source_pk, target_pk in through._default_manager.filter(
                **{f"{source}__in": chunk}
            ).values_list(source, target):
                current[source_pk].add(target_pk)
        for record in records:
            record.current_m2m[name] = current[record.instance.pk]
        # Links the files would remove are named by natural key: fetch their targets too.
        target_model = m2m.related_model
        known = load.by_pk[target_model]
        unknown = sorted({pk for pks in current.values() for pk in pks} - known.keys())
        for chunk in chunks(unknown):
            for row in target_model._default_manager.filter(pk__in=chunk):
                known[row.pk] = row


def _apply(load, record):
    spec, instance = SPECS[record.model], record.instance
    for name, value in record.values.items():
        field_ = spec.plain[name]
        if record.is_new:
            setattr(instance, field_.attname, value)
        elif field_.editable:  # bookkeeping fields (updated_at) are never "changes"
            old = getattr(instance, field_.attname)
            if _comparable(field_, old) != _comparable(field_, value):
                record.changes.append((name, f"{name}: {show(old)} → {show(value)}"))
            setattr(instance, field_.attname, value)
    for name, ref in record.refs.items():
        fk = spec.fks[name]
        target = None
        if ref is not None:
            target = load.known[fk.related_model].get(ref)
            if target is None:
                _missing(load, record, name, fk.related_model, ref)
                continue
        if not record.is_new:
            old_pk = getattr(instance, fk.attname)
            new_pk = target.pk if target is not None else None
            if old_pk != new_pk or (target is not None and new_pk is None):
                old = load.by_pk[fk.related_model].get(old_pk)
                old_shown = show_key(old.natural_key()) if old else show(old_pk)
                new_shown = show_key(ref) if ref else "null"
                record.changes.append((name, f"{name}: {old_shown} → {new_shown}"))
        # The id and the cached target, without the descriptor's checks (bulk_create fills in
        # the id of a target created in the same load).
        setattr(instance, fk.attname, target.pk if target is not None else None)
        fk.set_cached_value(instance, target)
    for name, refs in record.m2m_refs.items():
        target_model = spec.m2m[name].related_model
        targets = {}
        for ref in refs:
            target = load.known[target_model].get(ref)
            if target is None:
                _missing(load, record, name, target_model, ref)
            else:
                targets[ref] = target
        record.m2m[name] = list(targets.values())
        if not record.is_new:
            current = record.current_m2m[name]
            wanted = {t.pk for t in targets.values() if t.pk is not None}
            added = [ref for ref, t in targets.items() if t.pk is None or t.pk not in current]
            adding = name in record.m2m_add
            removed = [
                load.by_pk[target_model][pk].natural_key()
                if pk in load.by_pk[target_model]
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
            errors[name] = [_message(record, name, error) for error in field_errors]
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
                    f"{show(value)} is not in the media storage; upload the picture there "
                    "first (its path is relative to the media folder), or leave it empty."
                ]
    check_constraints(record, errors)
    for name, messages in errors.items():
        load.problem(
            record.file, " ".join(messages), record, None if name == NON_FIELD_ERRORS else name
        )


def _message(record, name, error):
    """A ValidationError's text; an invalid choice also lists the valid ones."""
    if error.code == "invalid_choice" and name in SPECS[record.model].plain:
        field_ = SPECS[record.model].plain[name]
        choices = ", ".join(show(value) for value, _ in field_.flatchoices)
        return f"{show(record.values.get(name))} is not a valid choice; the choices are: {choices}."
    return " ".join(error.messages)


def _missing(load, record, name, model, ref):
    load.problem(
        record.file,
        f"refers to {model._meta.label_lower} {show_key(ref)}, which is neither in the "
        "files being loaded nor in the database. Check the spelling, or add that record.",
        record,
        name,
    )


def _check_unique(load, model):
    """Unique fields other than the natural key (a forum's name...), in bulk."""
    records = [r for r in load.by_model[model].values() if r.ok]
    for field_ in SPECS[model].unique:
        seen = {}
        for record in records:
            value = getattr(record.instance, field_.attname)
            if value is None:
                continue  # NULLs never clash (a missing translation, e.g. name_ja)
            other = seen.get(value)
            if other is not None:
                load.problem(
                    record.file,
                    f"{show(value)} is already used by {other.file}, record {other.index}; "
                    f"each {model._meta.verbose_name} needs its own {field_.verbose_name}.",
                    record,
                    field_.name,
                )
            else:
                seen[value] = record
        for chunk in chunks(sorted(seen)):
            for pk, slug, value in model._default_manager.filter(
                **{f"{field_.attname}__in": chunk}
            ).values_list("pk", "slug", field_.attname):
                record = seen[value]
                if record.instance.pk != pk:
                    load.problem(
                        record.file,
                        f"{show(value)} is already the {field_.verbose_name} of "
                        f"{model._meta.label_lower} {show_key((slug,))} in the database.",
                        record,
                        field_.name,
                    )


def refuse_updates(load):
    """A record that exists with other values is a problem unless the load may update."""
    for record in load.records:
        if record.key is not None and not record.is_new and record.changes:
            load.problem(
                record.file,
                "already exists with different values ("
                + "; ".join(text for _, text in record.changes)
                + "). Nothing is overwritten silently: load with --update (in the admin, "
                "tick “Apply updates”) to apply these changes.",
                record,
            )


def _comparable(field_, value):
    if isinstance(field_, models.FileField):
        return (value.name if hasattr(value, "name") else value) or ""
    if value is None and isinstance(field_, models.CharField | models.TextField):
        return ""  # a missing translation is NULL in one place and "" in another: no change
    return value
