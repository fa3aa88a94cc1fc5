"""Shared fictional data: fixture records for the loader's tests (series_records(),
edition_records(), write(), natural_dump()...), for the open-data format tests one published
edition and one draft, with hostile text in every text field of the published one, and for the
browser tests the shipped 20th edition beside a fictional forum (build_site())."""

import datetime
import json
from pathlib import Path

from django.apps import apps
from django.core.management import call_command
from django.db import models

from archive.models import Appearance, Edition, Organization, Statement
from archive.services.loading import MODELS

from . import factories

ROOT = Path(__file__).resolve().parent.parent
#: The shipped fixtures of the real 20th edition.
EDITION_20_FIXTURES = [
    ROOT / "fixtures/beijing-tokyo-forum/series.json",
    ROOT / "fixtures/beijing-tokyo-forum/edition-20.json",
]

HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(1)> </script><script>'
FORMULA = '=HYPERLINK("http://x.test")'


def make_archive(hostile=False):
    text = (lambda value: f"{value} {HOSTILE}") if hostile else (lambda value: value)
    forum = factories.ForumFactory(name="Example Forum", slug="example-forum")
    organization = factories.OrganizationFactory(name=text("Example Institute"), slug="ex-inst")
    topic = factories.TopicFactory(name=text("Trade"), slug="trade")
    edition = factories.EditionFactory(
        forum=forum,
        number=3,
        theme=text("Working together"),
        summary=text("A fictional meeting."),
        city=text("Tokyo"),
        country="Japan",
        venue=text("Example Hall"),
        start_date=datetime.date(2024, 12, 2),
        end_date=datetime.date(2024, 12, 3),
    )
    edition.co_organizers.add(organization)
    edition.topics.add(topic)
    session = factories.SubForumFactory(
        edition=edition, title=text("Economy"), slug="economy", description=text("On trade.")
    )
    session.topics.add(topic)
    speaker = factories.ParticipantFactory(
        name=text("Aiko Example"), slug="aiko-example", bio=text("A researcher.")
    )
    factories.AppearanceFactory(
        participant=speaker,
        sub_forum=session,
        organization=organization,
        position=FORMULA if hostile else "Director",
    )
    attendee = factories.ParticipantFactory(name="Bo Example", slug="bo-example", country="China")
    factories.AppearanceFactory(
        participant=attendee,
        edition=edition,
        role=Appearance.Role.ATTENDEE,
        organization=None,
        organization_name="Former Name Institute",
        position="-1+1",
    )
    draft = factories.EditionFactory(
        forum=forum,
        number=4,
        theme="Draft theme",
        status=Edition.Status.DRAFT,
        start_date=datetime.date(2025, 5, 1),
        end_date=datetime.date(2025, 5, 2),
    )
    draft_session = factories.SubForumFactory(edition=draft, title="Secret", slug="secret")
    hidden = factories.ParticipantFactory(name="Hidden Person", slug="hidden-person")
    factories.AppearanceFactory(participant=hidden, sub_forum=draft_session)
    return {"edition": edition, "session": session, "draft": draft, "forum": forum}


def add_statements(archive, hostile=False):
    """What the published edition's speaker said, for the statement formats: a quote with a
    Japanese translation, and a paraphrase, from a source with a web address; and a statement
    at the draft edition that must never show."""
    text = (lambda value: f"{value} {HOSTILE}") if hostile else (lambda value: value)
    speaker = archive["edition"].appearances.get(participant__slug="aiko-example")
    source = factories.SourceFactory(
        title=text("Example Report"),
        slug="example-report",
        url="https://news.example.test/report",
        publisher=text("Example News"),
        published_on=datetime.date(2024, 12, 4),
    )
    quote = factories.StatementFactory(
        appearance=speaker,
        number=1,
        kind="quote",
        text=text("We trade in good faith."),
        text_ja="私たちは誠実に取引する。",
        source=source,
    )
    paraphrase = factories.StatementFactory(
        appearance=speaker, number=2, text=text("Trade should grow."), source=source
    )
    hidden = archive["draft"].appearances.get()
    factories.StatementFactory(appearance=hidden, text="Draft words", source=source)
    return {"source": source, "quote": quote, "paraphrase": paraphrase}


def add_people(edition, count, sub_forum=None):
    """`count` more speakers at `edition` (in `sub_forum` if given): enough for its page to have
    more than one page of people."""
    for number in range(count):
        factories.AppearanceFactory(
            edition=edition,
            sub_forum=sub_forum,
            participant=factories.ParticipantFactory(
                name=f"Crowd Person {number:03}", slug=f"crowd-person-{number:03}"
            ),
            order=number + 1,
        )


# --- fixture records for the loader (test_loading, test_commands, test_admin_import...) --
def series_records():
    """A fictional forum and the shared records its editions use."""
    return [
        {
            "model": "archive.organization",
            "fields": {"slug": "synthetic-institute", "name": "Synthetic Institute"},
        },
        {"model": "archive.topic", "fields": {"slug": "trade", "name": "Trade"}},
        {"model": "archive.topic", "fields": {"slug": "media", "name": "Media"}},
        {
            "model": "archive.source",
            "fields": {"slug": "synthetic-report", "title": "A Synthetic Report"},
        },
        {
            "model": "archive.forum",
            "fields": {
                "slug": "synthetic-forum",
                "name": "Synthetic Forum",
                "organizers": [["synthetic-institute"]],
            },
        },
    ]


def edition_records(number=1, *, people=("person-00001",), year=2001):
    """One edition of the synthetic forum: a sub-forum, appearances and a statement each."""
    edition_key = ["synthetic-forum", number]
    records = [
        {"model": "archive.participant", "fields": {"slug": slug, "name": slug.title()}}
        for slug in people
    ]
    records += [
        {
            "model": "archive.edition",
            "fields": {
                "forum": ["synthetic-forum"],
                "number": number,
                "theme": f"Theme {number}",
                "city": "Tokyo",
                "country": "Japan",
                "start_date": f"{year}-12-03",
                "end_date": f"{year}-12-05",
                "co_organizers": [["synthetic-institute"]],
                "sources": [["synthetic-report"]],
                "topics": [["trade"]],
                "status": "published",
            },
        },
        {
            "model": "archive.subforum",
            "fields": {
                "edition": edition_key,
                "slug": "economy",
                "title": "Sub-forum on the economy",
                "topics": [["trade"]],
                "order": 1,
            },
        },
    ]
    for order, slug in enumerate(people, start=1):
        records.append(
            {
                "model": "archive.appearance",
                "fields": {
                    "participant": [slug],
                    "edition": edition_key,
                    "sub_forum": [*edition_key, "economy"],
                    "role": "speaker",
                    "position": "Researcher",
                    "organization": ["synthetic-institute"],
                    "order": order,
                },
            }
        )
        records.append(
            {
                "model": "archive.statement",
                "fields": {
                    "appearance": [slug, *edition_key, "economy", "speaker"],
                    "number": 1,
                    "text": f"A fictional remark by {slug}.",
                    "kind": "paraphrase",
                    "source": ["synthetic-report"],
                },
            }
        )
    return records


def write(directory, name, records, *, raw=None):
    """Write records as a JSON fixture file (or raw bytes) and return its path."""
    path = Path(directory) / name
    if raw is not None:
        path.write_bytes(raw)
    else:
        path.write_text(json.dumps(records, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def upload(name, records):
    """Records as a file uploaded to the admin's import page."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, json.dumps(records).encode(), "application/json")


def find(records, model, **fields):
    """The one record of ``model`` whose fields include ``fields`` (for editing in tests)."""
    (record,) = [
        r
        for r in records
        if r["model"] == model and all(r["fields"].get(k) == v for k, v in fields.items())
    ]
    return record


def row_counts():
    """Rows per table, many-to-many tables included."""
    counts = {}
    for model in MODELS:
        counts[model._meta.label_lower] = model.objects.count()
        for m2m in model._meta.many_to_many:
            through = m2m.remote_field.through
            counts[through._meta.label_lower] = through.objects.count()
    return counts


def natural_dump():
    """Every archive record as natural keys and values: equal dumps mean equal data."""
    dump = {}
    for model in MODELS:
        rows = set()
        for obj in model.objects.all():
            values = []
            for f in model._meta.concrete_fields:
                if f.primary_key or f.name == "updated_at":
                    continue
                value = getattr(obj, f.name)
                if isinstance(value, models.Model):
                    value = value.natural_key()
                elif f.get_internal_type() in ("FileField", "ImageField"):
                    value = value.name
                values.append((f.name, value))
            for m2m in model._meta.many_to_many:
                keys = sorted(t.natural_key() for t in getattr(obj, m2m.name).all())
                values.append((m2m.name, tuple(keys)))
            rows.add((obj.natural_key(), tuple(values)))
        dump[model._meta.label_lower] = rows
    return dump


def archive_rows():
    """Every row of every archive table (many-to-many tables too), in primary-key order: equal
    results mean the database is unchanged. Cheaper than natural_dump(): one query a table."""
    tables = {}
    for model in apps.get_app_config("archive").get_models():
        for table in (model, *(f.remote_field.through for f in model._meta.local_many_to_many)):
            tables[table._meta.db_table] = list(table._base_manager.order_by("pk").values_list())
    return tables


def build_site():
    """The real 20th edition through the loader, plus a fictional forum (factory data) so that
    lists, filters and the home timeline have more than one of everything."""
    call_command("load_edition", *map(str, EDITION_20_FIXTURES), verbosity=0)
    forum = factories.ForumFactory(name="Example Forum", slug="example-forum")
    organization = factories.OrganizationFactory(
        name="Example Institute", slug="example-institute", kind=Organization.Kind.NON_PROFIT
    )
    forum.organizers.add(organization)
    places = [("Osaka", "Japan"), ("Shanghai", "China"), ("Kyoto", "Japan")]
    for number, (city, country) in enumerate(places, start=1):
        edition = factories.EditionFactory(
            forum=forum,
            number=number,
            city=city,
            country=country,
            theme=f"A fictional theme for the example edition {number}",
        )
        sub_forum = factories.SubForumFactory(
            edition=edition, title=f"Example session {number}", slug=f"example-session-{number}"
        )
        appearance = factories.AppearanceFactory(
            sub_forum=sub_forum,
            participant=factories.ParticipantFactory(
                name=f"Example Person {number}", slug=f"example-person-{number}", country=country
            ),
            organization=organization,
            role=Appearance.Role.SPEAKER,
        )
        factories.StatementFactory(appearance=appearance, kind=Statement.Kind.QUOTE)
    factories.EditionFactory(forum=forum, number=4, status=Edition.Status.DRAFT)
