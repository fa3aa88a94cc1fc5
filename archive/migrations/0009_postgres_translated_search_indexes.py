"""Trigram indexes for search on the translated columns, PostgreSQL only (nothing on SQLite).

Search reads every language's column (text_en, text_zh_hans, text_ja...), but 0004 indexed only
the original columns, so on PostgreSQL each search scanned every statement and session: 3.3 s
at 250,000 statements. archive/search.py finds candidates with icontains (UPPER(col) LIKE) and
pg_trgm's %> operator; these GIN indexes serve both.
"""

from django.conf import settings
from django.db import migrations

LANGUAGES = [code.replace("-", "_") for code, _name in settings.LANGUAGES]
TRANSLATED = [
    ("archive_statement", "text"),
    ("archive_subforum", "title"),
    ("archive_subforum", "description"),
    ("archive_organization", "name"),
]


def _columns():
    for table, field in TRANSLATED:
        for language in LANGUAGES:
            yield table, f"{field}_{language}"


def _names(table, column):
    return f"{table}_{column}_trgm", f"{table}_{column}_utrgm"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column in _columns():
        plain, upper = _names(table, column)
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{plain}" ON "{table}" USING gin ("{column}" gin_trgm_ops)'
        )
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{upper}" ON "{table}" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in _columns():
        for name in _names(table, column):
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0008_sqlite_statement_search"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
