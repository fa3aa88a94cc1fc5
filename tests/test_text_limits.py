"""Long texts have sane limits (issue 15 §2): a 10 MB biography made a 26 MB page and a 12 s
search. Every long text field, in every language, is refused past its limit by model validation,
and so by the admin's forms and the loader, with a message naming the limit."""

import json

import pytest
from django.core.exceptions import ValidationError

from archive.models import Participant
from archive.models.base import TEXT_LIMITS, BoundedTextField
from archive.services import FixtureError, load_edition
from archive.services.loading import MODELS

pytestmark = pytest.mark.django_db


def test_every_long_text_field_of_every_model_is_bounded():
    unbounded = [
        f"{model._meta.label_lower}.{field.name}"
        for model in MODELS
        for field in model._meta.concrete_fields
        if field.get_internal_type() == "TextField" and not isinstance(field, BoundedTextField)
    ]
    assert unbounded == []


@pytest.mark.parametrize("column", ["bio", "bio_en", "bio_zh_hans", "bio_ja"])
def test_a_biography_past_its_limit_is_refused_in_every_language(column):
    person = Participant(
        name="Long Bio", slug="long-bio", **{column: "x" * (TEXT_LIMITS["bio"] + 1)}
    )
    with pytest.raises(ValidationError) as caught:
        person.full_clean()
    assert "at most 5000 characters" in str(caught.value)


def test_the_loader_refuses_a_ten_megabyte_biography(tmp_path):
    path = tmp_path / "people.json"
    record = {
        "model": "archive.participant",
        "fields": {"slug": "huge", "name": "Huge", "bio": "x" * 10_000_000},
    }
    path.write_text(json.dumps([record]), encoding="utf-8")
    with pytest.raises(FixtureError) as caught:
        load_edition([path])
    assert "bio" in str(caught.value) and "at most 5000 characters" in str(caught.value)
    assert not Participant.objects.filter(slug="huge").exists()


def test_the_admin_form_says_the_limit_before_saving(editor_client):
    html = editor_client.get("/admin/archive/participant/add/").content.decode()
    assert 'maxlength="5000"' in html
