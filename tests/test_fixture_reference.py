"""The fixture format an editor can write from the docs alone (issue 15 §4): the field reference
is generated from the models and must match them; the small complete example edition loads."""

import pytest
from django.core.management import CommandError, call_command

from archive.models import Appearance, Edition, SubForum
from archive.services import load_edition
from archive.services.fixture_reference import render
from archive.services.loading import MODELS

from .helpers import ROOT

REFERENCE = ROOT / "docs" / "fixture-reference.md"
EXAMPLE = ROOT / "docs" / "examples" / "small-edition.json"


def test_the_shipped_reference_is_what_the_models_say_today():
    assert REFERENCE.read_text(encoding="utf-8") == render(), (
        "docs/fixture-reference.md is out of date: run manage.py fixture_reference"
    )


def test_check_mode_notices_a_reference_that_drifted(tmp_path):
    stale = tmp_path / "reference.md"
    stale.write_text(render().replace("opening-remarks", "opening"), encoding="utf-8")
    with pytest.raises(CommandError, match="out of date"):
        call_command("fixture_reference", "--check", "-o", str(stale))
    call_command("fixture_reference", "-o", str(stale))
    call_command("fixture_reference", "--check", "-o", str(stale))


def test_every_model_role_and_delivery_an_editor_may_write_is_in_it():
    text = render()
    for model in MODELS:
        assert f"## `{model._meta.label_lower}`" in text
    for value, _label in [*Appearance.Role.choices, *Appearance.Delivery.choices]:
        assert f"`{value}`" in text
    assert "at most 200 characters" in text and "0 to 32767" in text


@pytest.mark.django_db
def test_the_example_edition_loads_into_an_empty_archive_and_shows(client):
    report = load_edition([EXAMPLE])
    assert report.created == 10 and report.updated == 0
    edition = Edition.objects.get()
    assert SubForum.objects.get().start_time.isoformat() == "09:30:00"
    html = client.get(edition.get_absolute_url()).content.decode()
    assert "Opening remarks" in html and "Room A" in html
