"""Fixture loading rate: our loader against ``loaddata`` and a plain ``bulk_create``.

Each method loads the same files into its own freshly migrated, empty database; only the load
itself is timed (wall clock, so the database server's work counts too), inside this process after
Django has started. Objects are the fixture records (many-to-many links are not counted).

* ``loader``: archive.services.load_edition (validates everything, then bulk writes),
* ``loaddata``: Django's ``loaddata`` (no validation, one save per object, natural-key lookups),
* ``bulk``: the records turned into model instances with their natural keys resolved from
  dictionaries, then ``bulk_create`` per model in one transaction: no validation at all, the
  fastest a loader could write through the ORM.

Run as a script (by bench/run.py) with DJANGO_SETTINGS_MODULE=bench.settings::

    python bench/loadrate.py --method loader --json out.json FILE...
"""

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
METHODS = ("loader", "loaddata", "bulk")


def read_records(files):
    records = []
    for path in files:
        records += json.loads(Path(path).read_text(encoding="utf-8"))
    return records


def _key(model, fields):
    """A record's natural key, from its own fields (no query, no related object), read along
    the model's `natural_key_fields` as the loader reads them."""
    from archive.models.base import natural_key_parts

    key = ()
    for name in model.natural_key_fields:
        head, _, own = name.partition("__")
        field = model._meta.get_field(head)
        value = fields.get(head)
        if not field.is_relation:
            key += (value,)
        elif own:  # one field of the target's key: an appearance's sub-forum slug, or ""
            parts = [(p.model, p.name) for p in natural_key_parts(field.related_model)]
            key += (value[parts.index((field.related_model, own))] if value else "",)
        else:
            key += tuple(value)
    return key


def bulk_load(records):
    """Load natural-key records with bulk_create alone: no validation, no existing rows."""
    from django.apps import apps
    from django.db import transaction

    by_label = {}
    for record in records:
        by_label.setdefault(record["model"], []).append(record["fields"])
    keys = {}  # model label -> {natural key: pk}
    with transaction.atomic():
        for label in _dependency_order(by_label):
            model = apps.get_model(label)
            fields_of = {f.name: f for f in model._meta.concrete_fields}
            m2m_of = {f.name: f for f in model._meta.many_to_many}
            objects, links = [], []
            for fields in by_label[label]:
                values, m2m = {}, {}
                for name, value in fields.items():
                    if name in m2m_of:
                        m2m[name] = value
                        continue
                    field = fields_of[name]
                    if field.is_relation:
                        target = field.related_model._meta.label_lower
                        values[field.attname] = (
                            None if value is None else keys[target][tuple(value)]
                        )
                    else:
                        values[name] = field.to_python(value)
                objects.append(model(**values))
                links.append(m2m)
            model.objects.bulk_create(objects)
            keys[label] = {
                _key(model, fields): obj.pk
                for fields, obj in zip(by_label[label], objects, strict=True)
            }
            for name, field in m2m_of.items():
                through = field.remote_field.through
                target = field.related_model._meta.label_lower
                source_column = field.m2m_field_name() + "_id"
                target_column = field.m2m_reverse_field_name() + "_id"
                through.objects.bulk_create(
                    through(**{source_column: obj.pk, target_column: keys[target][tuple(ref)]})
                    for obj, m2m in zip(objects, links, strict=True)
                    for ref in m2m.get(name, ())
                )


def _dependency_order(by_label):
    from archive.services.loading import MODELS

    order = [model._meta.label_lower for model in MODELS]
    return [label for label in order if label in by_label]


def run(method, files):
    """Load ``files`` with one method; returns (objects, seconds)."""
    from django.core.management import call_command

    from archive.services import load_edition

    records = read_records(files)
    started = time.perf_counter()
    if method == "loader":
        load_edition(files)
    elif method == "loaddata":
        call_command("loaddata", *map(str, files), verbosity=0)
    elif method == "bulk":
        bulk_load(read_records(files))  # reading the files is part of every method's work
    else:
        raise ValueError(method)
    return len(records), time.perf_counter() - started


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--method", choices=METHODS, required=True)
    parser.add_argument("--json", required=True)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from archive.models import Appearance

    objects, seconds = run(args.method, args.files)
    payload = {
        "method": args.method,
        "objects": objects,
        "seconds": seconds,
        "rate": objects / seconds,
        "appearances_in_database": Appearance.objects.count(),
    }
    Path(args.json).write_text(json.dumps(payload), encoding="utf-8")


if __name__ == "__main__":
    main()
