"""Search indexes for PostgreSQL: pg_trgm and GIN indexes. Does nothing on SQLite."""

from django.db import migrations

# (table, column): trigram indexes on the column (for word similarity) and on UPPER(column)
# (Django's icontains on PostgreSQL is UPPER(col::text) LIKE UPPER(...)).
TRIGRAM_COLUMNS = [
    ("archive_forum", "name"),
    ("archive_forum", "alternative_names"),
    ("archive_edition", "theme"),
    ("archive_edition", "city"),
    ("archive_subforum", "title"),
    ("archive_participant", "name"),
    ("archive_participant", "native_name"),
    ("archive_organization", "name"),
    ("archive_organization", "native_name"),
    ("archive_organization", "alternative_names"),
    ("archive_statement", "text"),
]
# Full-text indexes matching SearchVector(..., config="simple") for a single column.
FULLTEXT_COLUMNS = [("archive_statement", "text"), ("archive_edition", "theme")]


def _index_names(table, column):
    return f"{table}_{column}_trgm", f"{table}_{column}_utrgm"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column in TRIGRAM_COLUMNS:
        plain, upper = _index_names(table, column)
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{plain}" ON "{table}" USING gin ("{column}" gin_trgm_ops)'
        )
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{upper}" ON "{table}" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )
    for table, column in FULLTEXT_COLUMNS:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{table}_{column}_fts" ON "{table}" '
            f"USING gin (to_tsvector('simple'::regconfig, COALESCE(\"{column}\", '')))"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in FULLTEXT_COLUMNS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{table}_{column}_fts"')
    for table, column in TRIGRAM_COLUMNS:
        for name in _index_names(table, column):
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
    # The extension stays: other databases objects may rely on it, and dropping it needs
    # more privileges than creating it.


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0003_edition_topics"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
