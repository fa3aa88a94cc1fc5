"""Export one edition, with the shared records it needs, as a natural-key fixture.

The output is what ``load_edition`` reads: loading it into an empty database gives the same
records. Drafts export too: this is an editors' tool, not a public download.
"""

from django.core import serializers

from archive.models import Appearance, Edition, Forum, OrganizationName, Statement, SubForum


def edition_records(forum_slug, number):
    """Every record an edition's fixture holds, parents before children.

    Raises ``Edition.DoesNotExist`` when there is no such edition.
    """
    edition = Edition.objects.select_related("forum").get(forum__slug=forum_slug, number=number)
    forum = edition.forum
    sub_forums = list(
        SubForum.objects.filter(edition=edition)
        .select_related("edition__forum")
        .prefetch_related("topics")
        .order_by("order", "slug")
    )
    appearances = list(
        Appearance.objects.filter(edition=edition)
        .select_related(
            "participant", "edition__forum", "sub_forum__edition__forum", "organization"
        )
        .order_by("sub_forum__order", "sub_forum__slug", "order", "participant__slug", "role")
    )
    statements = list(
        Statement.objects.filter(appearance__edition=edition)
        .select_related(
            "appearance__participant",
            "appearance__edition__forum",
            "appearance__sub_forum",
            "source",
        )
        .order_by("appearance__sub_forum__order", "appearance__order", "appearance__pk", "number")
    )
    organizations = {
        *forum.organizers.all(),
        *edition.co_organizers.all(),
        *(a.organization for a in appearances if a.organization),
    }
    topics = {*edition.topics.all(), *(t for s in sub_forums for t in s.topics.all())}
    sources = {*edition.sources.all(), *(s.source for s in statements)}
    participants = {a.participant for a in appearances}

    def by_slug(records):
        return sorted(records, key=lambda record: record.slug)

    forum = Forum.objects.prefetch_related("organizers").get(pk=forum.pk)
    edition = (
        Edition.objects.select_related("forum")
        .prefetch_related("co_organizers", "sources", "topics")
        .get(pk=edition.pk)
    )
    names = OrganizationName.objects.filter(organization__in=organizations).select_related(
        "organization"
    )
    return [
        *by_slug(organizations),
        *sorted(names, key=lambda entry: entry.natural_key()),
        *by_slug(topics),
        *by_slug(sources),
        forum,
        *by_slug(participants),
        edition,
        *sub_forums,
        *appearances,
        *statements,
    ]


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
