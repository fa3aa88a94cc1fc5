"""A trigram full-text index of statements for search on SQLite. Does nothing on PostgreSQL.

Search finds a statement whose text (in any language) contains every word of the query. On
SQLite that was a LIKE scan of every statement (0.2 s at 250,000 statements); an FTS5 table
with the trigram tokenizer (SQLite 3.34 or later) finds the candidates for words of three
characters or more, and the same LIKE then runs on those rows only (archive/search.py).

The index is an external-content FTS5 table kept in step by triggers. Django remakes a table
on SQLite for some schema changes (copy, drop, rename), which drops its triggers: a migration
that does so to archive_statement must run TRIGGERS again. tests/test_search.py fails if the
index stops following inserts, updates or deletes.
"""

from django.db import migrations

TABLE = "archive_statement_fts"
COLUMNS = ("text_en", "text_zh_hans", "text_ja")


def _triggers():
    columns = ", ".join(COLUMNS)
    new = ", ".join(f"new.{column}" for column in COLUMNS)
    old = ", ".join(f"old.{column}" for column in COLUMNS)
    insert = f"INSERT INTO {TABLE}(rowid, {columns}) VALUES (new.id, {new});"
    delete = f"INSERT INTO {TABLE}({TABLE}, rowid, {columns}) VALUES ('delete', old.id, {old});"
    return [
        f"CREATE TRIGGER {TABLE}_insert AFTER INSERT ON archive_statement BEGIN {insert} END",
        f"CREATE TRIGGER {TABLE}_delete AFTER DELETE ON archive_statement BEGIN {delete} END",
        f"CREATE TRIGGER {TABLE}_update AFTER UPDATE ON archive_statement "
        f"BEGIN {delete} {insert} END",
    ]


TRIGGERS = _triggers()


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(
        f"CREATE VIRTUAL TABLE {TABLE} USING fts5({', '.join(COLUMNS)}, "
        f"content='archive_statement', content_rowid='id', tokenize='trigram')"
    )
    for trigger in TRIGGERS:
        schema_editor.execute(trigger)
    schema_editor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for action in ("insert", "delete", "update"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{action}")
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0007_order_by_original_names"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
