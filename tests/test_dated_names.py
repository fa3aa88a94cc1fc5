"""Renamed organizations (issue 15 §3): dated names, and the name at the time derived on every
past appearance and organizer list — pages in three languages, API, CSV, JSON-LD, the loader and
the editors' export — without anyone typing "name then" on each appearance."""

import datetime
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from archive.models import Organization, OrganizationName
from archive.services import FixtureError, load_edition
from archive.services.exporting import export_edition

from . import factories
from .helpers import jsonld

pytestmark = pytest.mark.django_db

OLD, NOW = "Old Institute of Studies", "Example Institute"


@pytest.fixture
def renamed():
    organization = factories.OrganizationFactory(name=NOW, slug="ex-inst")
    OrganizationName.objects.create(
        organization=organization,
        name=OLD,
        name_ja="旧研究所",
        valid_until=datetime.date(2010, 3, 31),
    )
    forum = factories.ForumFactory(name="Example Forum", slug="example-forum")
    old = factories.EditionFactory(forum=forum, number=4, start_date=datetime.date(2008, 9, 1))
    new = factories.EditionFactory(forum=forum, number=9, start_date=datetime.date(2024, 12, 2))
    for edition in (old, new):
        edition.co_organizers.add(organization)
        factories.AppearanceFactory(
            edition=edition,
            organization=organization,
            participant=factories.ParticipantFactory(name="Aiko Example", slug="aiko"),
        )
    return organization, old, new


def test_past_edition_shows_the_name_then_and_today_s_name_beside_it(client, renamed):
    _, old, new = renamed
    html = client.get(old.get_absolute_url()).content.decode()
    assert f'>{OLD}</a> <span class="name-now">(now {NOW})</span>' in html
    assert html.count(OLD) >= 2  # the organizer list and the appearance
    assert OLD not in client.get(new.get_absolute_url()).content.decode()


@pytest.mark.parametrize(("language", "name"), [("ja", "旧研究所"), ("zh-hans", OLD)])
def test_the_name_then_is_translated_where_a_translation_exists(client, renamed, language, name):
    _, old, _ = renamed
    path = old.get_absolute_url().replace("/en/", f"/{language}/", 1)
    assert name in client.get(path).content.decode()


def test_participant_and_organization_pages_name_it_as_it_was(client, renamed):
    organization, _, _ = renamed
    participant = client.get("/en/participants/aiko/").content.decode()
    assert OLD in participant and NOW in participant
    page = client.get(organization.get_absolute_url()).content.decode()
    assert "Names over time" in page and f"({OLD})" in page


def test_api_csv_and_json_ld_derive_the_name_then(client, renamed):
    _, old, new = renamed
    appearances = client.get("/api/appearances/?organization=ex-inst").json()["results"]
    labels = {a["edition"]["number"]: a["organization_label"] for a in appearances}
    assert labels == {4: OLD, 9: NOW}
    csv = client.get(f"{old.get_absolute_url()}appearances.csv").content.decode()
    assert OLD in csv
    _, data = jsonld(client, old.get_absolute_url())
    assert [o["name"] for o in data[0]["organizer"]] == [OLD]


def test_a_name_typed_on_the_appearance_still_wins(renamed):
    organization, old, _ = renamed
    appearance = old.appearances.get()
    appearance.organization_name = "Institute (as printed in the programme)"
    assert appearance.organization_label == "Institute (as printed in the programme)"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "Give at least one of the dates"),
        (
            {"valid_from": datetime.date(2010, 1, 1), "valid_until": datetime.date(2009, 1, 1)},
            "cannot be before",
        ),
    ],
)
def test_a_dated_name_needs_a_sane_period_in_the_form_and_the_database(renamed, fields, message):
    organization, _, _ = renamed
    entry = OrganizationName(organization=organization, name="Another", **fields)
    with pytest.raises(ValidationError, match=message):
        entry.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        entry.save()


def test_export_carries_the_dated_names_and_loads_back(renamed, tmp_path):
    _, old, _ = renamed
    stream = io.StringIO()
    export_edition("example-forum", 4, stream)
    records = json.loads(stream.getvalue())
    names = [r for r in records if r["model"] == "archive.organizationname"]
    assert [r["fields"]["name"] for r in names] == [OLD]
    OrganizationName.objects.all().delete()
    path = tmp_path / "edition.json"
    path.write_text(stream.getvalue(), encoding="utf-8")
    report = load_edition([path], missing_only=True)
    assert report.models["archive.organizationname"].created == [("ex-inst", OLD)]
    assert Organization.objects.get(slug="ex-inst").name_on(old.start_date) == OLD


def test_loader_refuses_an_undated_name(renamed, tmp_path):
    path = tmp_path / "names.json"
    path.write_text(
        json.dumps(
            [
                {
                    "model": "archive.organizationname",
                    "fields": {"organization": ["ex-inst"], "name": "Undated"},
                }
            ]
        ),
        encoding="utf-8",
    )
    with pytest.raises(FixtureError) as caught:
        load_edition([path])
    assert "valid_from" in str(caught.value) and "Give at least one of the dates" in str(
        caught.value
    )
    assert not OrganizationName.objects.filter(name="Undated").exists()
