"""Export one edition, with the shared records it needs, as a natural-key fixture.

The output is what ``load_edition`` reads: loading it into an empty database gives the same
records. Drafts export too: this is an editors' tool, not a public download.
"""

from django.core import serializers

from archive.models import Appearance, Edition, OrganizationName, Statement, SubForum


def edition_records(forum_slug, number):
    """Every record an edition's fixture holds, parents before children.

    Each kind of record, and each many-to-many list, is sorted by natural key in Python: the
    same database content exports to the same bytes on SQLite and PostgreSQL, whatever the
    engine's collation and its place for NULLs (a database order would differ between them).

    Raises ``Edition.DoesNotExist`` when there is no such edition.
    """
    edition = (
        Edition.objects.select_related("forum")
        .prefetch_related("co_organizers", "sources", "topics", "forum__organizers")
        .get(forum__slug=forum_slug, number=number)
    )
    forum = edition.forum
    sub_forums = list(
        SubForum.objects.filter(edition=edition)
        .select_related("edition__forum")
        .prefetch_related("topics")
    )
    appearances = list(
        Appearance.objects.filter(edition=edition).select_related(
            "participant", "edition__forum", "sub_forum__edition__forum", "organization"
        )
    )
    statements = list(
        Statement.objects.filter(appearance__edition=edition).select_related(
            "appearance__participant",
            "appearance__edition__forum",
            "appearance__sub_forum",
            "source",
        )
    )
    for record in (forum, edition, *sub_forums):
        _sort_lists(record)
    organizations = {
        *forum.organizers.all(),
        *edition.co_organizers.all(),
        *(a.organization for a in appearances if a.organization),
    }
    topics = {*edition.topics.all(), *(t for s in sub_forums for t in s.topics.all())}
    sources = {*edition.sources.all(), *(s.source for s in statements)}
    participants = {a.participant for a in appearances}
    names = OrganizationName.objects.filter(organization__in=organizations).select_related(
        "organization"
    )
    return [
        *by_key(organizations),
        *by_key(names),
        *by_key(topics),
        *by_key(sources),
        forum,
        *by_key(participants),
        edition,
        *by_key(sub_forums),
        *by_key(appearances),
        *by_key(statements),
    ]


def by_key(records):
    """Records sorted by natural key (text before numbers never meet: the parts line up)."""
    return sorted(records, key=lambda record: record.natural_key())


def _sort_lists(record):
    """Sort the record's prefetched many-to-many lists by natural key, for the serializer."""
    for queryset in record._prefetched_objects_cache.values():
        queryset._result_cache = by_key(queryset)


def export_edition(forum_slug, number, stream):
    """Write the edition's fixture (JSON, UTF-8 text) to ``stream``; return the edition.

    Raises ``Edition.DoesNotExist`` when there is no such edition.
    """
    records = edition_records(forum_slug, number)
    serializers.serialize(
        "json",
        records,
        stream=stream,
        indent=2,
        ensure_ascii=False,
        use_natural_foreign_keys=True,
        use_natural_primary_keys=True,
    )
    stream.write("\n")
    return next(record for record in records if isinstance(record, Edition))
