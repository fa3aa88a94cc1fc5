"""What editors notice while editing: autocomplete that finds editions by number, sub-forums
labelled with their edition and limited to it, organizations and people by any of their names;
the participant form (name first, portrait preview, appearances editable there); statement
numbers."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from archive.models import Appearance, OrganizationName, Participant, Statement

from . import factories
from .helpers import admin_form_data

pytestmark = pytest.mark.django_db


def autocomplete(client, model_name, field_name, term, **extra):
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "archive",
            "model_name": model_name,
            "field_name": field_name,
            "term": term,
            **extra,
        },
    )
    assert response.status_code == 200
    return [result["text"] for result in response.json()["results"]]


@pytest.fixture
def editions():
    tokyo = factories.ForumFactory(name="Beijing-Tokyo Forum", slug="beijing-tokyo-forum")
    other = factories.ForumFactory(name="Example Forum", slug="example-forum")
    return {
        "20-tokyo": factories.EditionFactory(forum=tokyo, number=20, city="Tokyo"),
        "19-beijing": factories.EditionFactory(forum=tokyo, number=19, city="Beijing"),
        "20-osaka": factories.EditionFactory(forum=other, number=20, city="Osaka"),
        "2-tokyo": factories.EditionFactory(forum=other, number=2, city="Tokyo"),
    }


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("20", {"20th Beijing-Tokyo Forum", "20th Example Forum"}),
        ("20th", {"20th Beijing-Tokyo Forum", "20th Example Forum"}),
        ("第20", {"20th Beijing-Tokyo Forum", "20th Example Forum"}),
        ("第20回", {"20th Beijing-Tokyo Forum", "20th Example Forum"}),
        ("20th Osaka", {"20th Example Forum"}),
        ("Beijing-Tokyo 20", {"20th Beijing-Tokyo Forum"}),
        ("Beijing", {"20th Beijing-Tokyo Forum", "19th Beijing-Tokyo Forum"}),
        ("Osaka", {"20th Example Forum"}),
    ],
)
def test_editions_are_found_by_number_forum_and_city(editor_client, editions, term, expected):
    assert set(autocomplete(editor_client, "appearance", "edition", term)) == expected


def test_sub_forums_show_their_edition_and_only_the_chosen_editions(editor_client, editions):
    for edition in editions.values():
        factories.SubForumFactory(edition=edition, title="Digital economy")

    every = autocomplete(editor_client, "appearance", "sub_forum", "Digital")
    chosen = autocomplete(
        editor_client, "appearance", "sub_forum", "", edition=editions["19-beijing"].pk
    )
    by_number = autocomplete(editor_client, "appearance", "sub_forum", "20th digital")

    assert len(every) == 4
    assert "Digital economy — 20th Beijing-Tokyo Forum" in every
    assert chosen == ["Digital economy — 19th Beijing-Tokyo Forum"]
    assert set(by_number) == {
        "Digital economy — 20th Beijing-Tokyo Forum",
        "Digital economy — 20th Example Forum",
    }


def test_appearance_form_labels_its_sub_forum_with_the_edition(editor_client):
    sub_forum = factories.SubForumFactory(title="Digital economy")
    appearance = factories.AppearanceFactory(sub_forum=sub_forum)

    page = editor_client.get(reverse("admin:archive_appearance_change", args=[appearance.pk]))

    assert f"Digital economy — {sub_forum.edition.title}" in page.text
    assert "admin/archive/appearance_form.js" in page.text


def test_organizations_are_found_by_any_language_and_former_names(editor_client):
    organization = factories.OrganizationFactory(
        name="Nomura Research Institute", name_ja="野村総合研究所", native_name="野村総研"
    )
    OrganizationName.objects.create(
        organization=organization, name="Nomura Old Name", valid_until="2001-12-31"
    )

    for term in ["Nomura Research", "野村総合", "野村総研", "Old Name"]:
        assert autocomplete(editor_client, "appearance", "organization", term) == [
            "Nomura Research Institute"
        ], term


def test_participants_are_found_by_name_and_native_name(editor_client):
    factories.ParticipantFactory(name="Gao Shaolin", native_name="高绍林")

    assert autocomplete(editor_client, "appearance", "participant", "高绍") == ["Gao Shaolin"]
    assert autocomplete(editor_client, "appearance", "participant", "shaolin") == ["Gao Shaolin"]


def test_participant_form_starts_with_the_name_and_prepopulates_the_slug(editor_client):
    page = editor_client.get(reverse("admin:archive_participant_add"))

    form_fields = list(page.context["adminform"].form.fields)
    assert form_fields[:2] == ["name", "slug"]
    assert page.text.index('name="name"') < page.text.index('name="slug"')
    assert "prepopulated_fields" in page.context and page.context["prepopulated_fields"]
    assert page.context["prepopulated_fields"][0]["dependencies"][0].name == "name"


def png_bytes(size=(800, 600)):
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def test_participant_form_previews_the_portrait_from_its_small_rendition(
    editor_client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    participant = factories.ParticipantFactory(name="Gao Shaolin")
    participant.photo = SimpleUploadedFile("gao.png", png_bytes(), "image/png")
    participant.save()
    empty = factories.ParticipantFactory(name="No Photo")

    page = editor_client.get(reverse("admin:archive_participant_change", args=[participant.pk]))
    without = editor_client.get(reverse("admin:archive_participant_change", args=[empty.pk]))

    assert 'class="portrait-preview"' in page.text
    assert "-160w." in page.text  # the 160 px rendition, made when the photo was saved
    assert "No portrait yet" in without.text


def test_appearances_are_editable_from_the_participant(editor_client):
    appearance = factories.AppearanceFactory(position="adviser")
    participant = appearance.participant
    url = reverse("admin:archive_participant_change", args=[participant.pk])
    data = admin_form_data(editor_client.get(url))
    assert data["appearances-0-position_en"] == "adviser"

    data["appearances-0-position_en"] = "chief adviser"
    response = editor_client.post(url, data)

    assert response.status_code == 302
    assert Appearance.objects.get().position == "chief adviser"
    assert Participant.objects.get().name == participant.name


def test_new_statement_gets_the_next_free_number(editor_client):
    appearance = factories.AppearanceFactory()
    factories.StatementFactory(appearance=appearance, number=1)
    factories.StatementFactory(appearance=appearance, number=2)

    add = editor_client.get(reverse("admin:archive_statement_add"), {"appearance": appearance.pk})
    inline = editor_client.get(reverse("admin:archive_appearance_change", args=[appearance.pk]))

    assert add.context["adminform"].form.initial["number"] == 3
    statements = inline.context["inline_admin_formsets"][0].formset
    assert statements.empty_form.initial.get("number", statements.empty_form["number"].initial) == 3


def test_a_number_already_used_is_explained_with_the_next_free_one(editor_client):
    appearance = factories.AppearanceFactory()
    existing = factories.StatementFactory(appearance=appearance, number=2)
    factories.StatementFactory(appearance=appearance, number=1)

    response = editor_client.post(
        reverse("admin:archive_statement_add"),
        {
            "appearance": appearance.pk,
            "number": 2,
            "kind": Statement.Kind.QUOTE,
            "text_en": "A new remark.",
            "source": existing.source.pk,
        },
    )

    assert response.status_code == 200
    assert (
        "Statement 2 of this appearance already exists; the next free number is 3." in response.text
    )
    assert Statement.objects.count() == 2
