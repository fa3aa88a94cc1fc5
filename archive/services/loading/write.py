"""Write: the validated records with bulk writes, parents first, their many-to-many links, one
history revision and the visibility flags; then tell the page cache and PostgreSQL's planner."""

from django.apps import apps
from django.db import DatabaseError, connections
from django.utils import timezone

from archive.models import Edition
from archive.services import visibility
from archive.services.history import record_revision

from .parse import SPECS
from .report import FixtureError, Problem
from .state import CHUNK_SIZE, MODELS


def write(load):
    try:
        _write(load)
    except DatabaseError as exc:
        raise FixtureError(
            [
                Problem(
                    load.file_names(),
                    f"the database refused the data ({exc}). Nothing was loaded.",
                )
            ]
        ) from exc


def _write(load):
    now = timezone.now()
    for model in MODELS:  # parents first, so children find their parents' ids
        records = load.by_model[model].values()
        new = [r.instance for r in records if r.is_new]
        if model is Edition:  # bulk writes skip save(): note first publication here
            published = [r for r in records if r.instance.note_publication(now)]
        if new:
            model._default_manager.bulk_create(new)
        changed = [r for r in records if not r.is_new and r.changes]
        fields = {name for r in changed for name, _ in r.changes if name not in SPECS[model].m2m}
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
            load.say(f"{model._meta.label_lower}: {len(new)} created, {len(changed)} updated")
    for model in MODELS:
        for name, m2m in SPECS[model].m2m.items():
            through = m2m.remote_field.through
            source, target = m2m.m2m_field_name() + "_id", m2m.m2m_reverse_field_name() + "_id"
            links = []
            for record in load.by_model[model].values():
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
        model: [r.instance.pk for r in load.by_model[model].values() if r.is_new or r.changes]
        for model in MODELS
    }
    record_revision(written, comment="Loaded from " + load.file_names())
    # Visibility flags (archive/services/visibility.py), likewise: one UPDATE per model over the
    # rows whose flag the load changed, whichever records it touched.
    if any(written.values()):
        visibility.refresh_all()


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
