"""The shipped fixtures: faithful to the source article, and lossless through natural keys."""

import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from archive.models import (
    Appearance,
    Edition,
    Forum,
    Organization,
    Participant,
    Source,
    Statement,
    Topic,
)

from . import helpers

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = [
    ROOT / "fixtures/beijing-tokyo-forum" / name for name in ("series.json", "edition-20.json")
]
ARTICLE = ROOT.parent / "shared" / "sources" / "beijing-tokyo-forum-20th-article.txt"


def fixture_records(model):
    records = []
    for path in FIXTURES:
        records += [r["fields"] for r in json.loads(path.read_text("utf-8")) if r["model"] == model]
    return records


@pytest.fixture(scope="module")
def article():
    helpers.need(
        ARTICLE.is_file(),
        f"the source article is not here ({ARTICLE}); it lives in ../shared/sources/",
    )
    return re.sub(r"\s+", " ", ARTICLE.read_text("utf-8"))


def test_fixtures_use_natural_keys_only():
    for path in FIXTURES:
        for record in json.loads(path.read_text("utf-8")):
            assert "pk" not in record, path


@pytest.mark.parametrize(
    ("model", "field"),
    [
        ("archive.participant", "name"),
        ("archive.organization", "name"),
        ("archive.appearance", "position"),
        ("archive.edition", "theme"),
        ("archive.edition", "city"),
        ("archive.edition", "country"),
        ("archive.edition", "summary"),
        ("archive.subforum", "description"),
        ("archive.source", "title"),
        ("archive.forum", "name"),
    ],
)
def test_every_name_position_and_theme_appears_in_the_article_word_for_word(article, model, field):
    values = [record[field] for record in fixture_records(model) if record[field]]
    assert values, f"no {model}.{field} in the fixtures"
    for value in values:
        assert value in article, f"{model}.{field} {value!r} is not in the article"


def test_topic_names_are_the_articles_words(article):
    for record in fixture_records("archive.topic"):
        assert record["name"].lower() in article.lower(), record["name"]


def test_direct_quotes_are_word_for_word_and_paraphrases_are_marked(article):
    statements = fixture_records("archive.statement")
    quotes = [s["text"] for s in statements if s["kind"] == "quote"]
    assert quotes == [
        "The economic interests and industrial and supply chains of China and Japan have been "
        "deeply intertwined. Both sides should cherish the cooperation that has already been "
        "formed, and jointly maintain the stability and smooth operation of the global free "
        "trade system and industrial and supply chains"
    ]
    for quote in quotes:
        assert quote in article
    assert {s["kind"] for s in statements} == {"quote", "paraphrase"}
    for paraphrase in (s["text"] for s in statements if s["kind"] == "paraphrase"):
        assert paraphrase not in article, "a verbatim sentence must be marked as a quote"


def test_the_initiatives_xu_zhilong_named_are_in_his_statements(article):
    texts = " ".join(
        s["text"]
        for s in fixture_records("archive.statement")
        if s["appearance"][0] == "xu-zhilong"
    )
    for name in (
        "Global AI Governance Initiative",
        '"AI for good',
        "Global Cross-Border Data Flow Cooperation Initiative",
    ):
        assert name in texts
        assert name in article


def test_the_only_fact_not_in_the_article_is_the_labelled_year(article):
    (edition,) = fixture_records("archive.edition")
    assert (edition["start_date"], edition["end_date"]) == ("2024-12-03", "2024-12-05")
    assert "December 3 to 5" in article
    assert "2024" not in article
    (source,) = fixture_records("archive.source")
    assert "2024" in source["note"] and "inference" in source["note"]
    assert source["url"] == source["publisher"] == ""
    assert source["published_on"] is None
    # No invented native-script names, venues or addresses.
    for model in ("archive.participant", "archive.organization"):
        assert all(record["native_name"] == "" for record in fixture_records(model))
    assert edition["venue"] == ""


@pytest.mark.django_db
def test_fixture_loads_the_people_and_roles_the_article_gives():
    call_command("loaddata", *FIXTURES, verbosity=0)
    edition = Edition.objects.get_by_natural_key("beijing-tokyo-forum", 20)
    assert edition.title == "20th Beijing-Tokyo Forum"
    rows = {
        (a.participant.name, a.role, a.position, a.organization_label, a.sub_forum_id is not None)
        for a in Appearance.objects.select_related("participant", "organization")
    }
    assert rows == {
        ("Wang Yi", "video-address", "Chinese Foreign Minister", "", False),
        ("Xu Zhilong", "speaker", "editor-in-chief", "Science and Technology Daily", True),
        (
            "Gao Shaolin",
            "speaker",
            "advisor",
            "Peking University's Legal Artificial Intelligence Research Center",
            True,
        ),
        ("Fumihiko Kamio", "speaker", "director of research", "Nomura Research Institute", True),
    }
    assert Statement.objects.exclude(source__in=edition.sources.all()).count() == 0


def _dump():
    out = io.StringIO()
    call_command(
        "dumpdata", "archive", natural_primary=True, natural_foreign=True, indent=1, stdout=out
    )
    return out.getvalue()


@pytest.mark.django_db
def test_natural_key_dump_reloads_into_an_empty_database_identically(tmp_path):
    call_command("loaddata", *FIXTURES, verbosity=0)
    first = _dump()
    for model in (Statement, Appearance, Edition, Forum, Participant, Organization, Source, Topic):
        model.objects.all().delete()
    assert json.loads(_dump()) == []
    dump_file = tmp_path / "dump.json"
    dump_file.write_text(first, "utf-8")
    call_command("loaddata", dump_file, verbosity=0)
    assert _dump() == first
