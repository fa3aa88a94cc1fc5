"""Versioned history (django-reversion, archive/services/history.py): what an editor reads under
History after an admin edit, a file load with --update, an admin import and a restore; comparing
two versions; restoring one through the admin."""

import re

import pytest
import reversion
from django.contrib import admin
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils.html import strip_tags
from reversion.models import Revision, Version

from archive.admin import HistoryAdmin
from archive.models import Edition, Participant, Statement, Topic
from archive.services import load_edition
from archive.services.history import MODELS as HISTORY_MODELS

from . import factories
from .builders import edition_records, find, series_records, upload, write
from .helpers import admin_form_data

IMPORT_URL = "/admin/archive/edition/import/"

pytestmark = pytest.mark.django_db


def history_url(obj):
    return reverse(f"admin:archive_{obj._meta.model_name}_history", args=[obj.pk])


def history_lines(client, obj):
    """The History page's versions as an editor reads them: one line of plain text each."""
    page = client.get(history_url(obj))
    assert page.status_code == 200
    rows = re.findall(r'<tr class="version">(.*?)</tr>', page.text, flags=re.S)
    return [" ".join(strip_tags(row).split()) for row in rows]


def edit_in_admin(client, obj, **changes):
    url = reverse(f"admin:archive_{obj._meta.model_name}_change", args=[obj.pk])
    data = admin_form_data(client.get(url))
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    return settings.VAR_DIR


def test_admin_edit_shows_who_when_and_the_old_and_new_value(editor_client, editor):
    participant = factories.ParticipantFactory(name="Wang Before")

    edit_in_admin(editor_client, participant, name="Wang After")

    newest, first = history_lines(editor_client, participant)
    assert editor.username in newest
    assert "name: Wang Before → Wang After" in newest
    assert "First recorded version" in first  # its state before the edit


def test_admin_edit_of_a_translation_and_a_list_shows_both_values(editor_client):
    edition = factories.EditionFactory(theme="Trade")
    trade, media = (
        Topic.objects.create(slug="trade", name="Trade"),
        Topic.objects.create(slug="media", name="Media"),
    )
    edition.topics.set([trade])

    edit_in_admin(editor_client, edition, theme_ja="貿易", topics=[str(media.pk)])

    newest = history_lines(editor_client, edition)[0]
    assert "theme [ja]: — → 貿易" in newest
    assert "areas discussed: Trade → Media" in newest
    assert "summary" not in newest  # empty before and after: not a change


def test_load_edition_update_shows_the_old_and_new_value_and_the_files(editor_client, tmp_path):
    series = write(tmp_path, "series.json", series_records())
    records = edition_records(1)
    path = write(tmp_path, "edition-01.json", records)
    call_command("load_edition", str(series), str(path), verbosity=0)
    find(records, "archive.edition", number=1)["fields"]["theme"] = "A corrected theme"
    write(tmp_path, "edition-01.json", records)

    call_command("load_edition", "--update", str(path), verbosity=0)

    edition = Edition.objects.get()
    newest, first = history_lines(editor_client, edition)
    assert "theme [en]: Theme 1 → A corrected theme" in newest
    assert "theme: " not in newest  # the plain column repeats English: shown once
    assert f"manage.py load_edition --update: {path} — 0 created, 1 updated" in newest
    assert "(a command or a file load)" in newest
    assert "First recorded version" in first


def test_plain_load_records_one_revision_with_a_version_of_each_written_record(tmp_path):
    series = write(tmp_path, "series.json", series_records())
    path = write(tmp_path, "edition-01.json", edition_records(1))

    report = load_edition([series, path])

    (revision,) = Revision.objects.all()
    assert revision.comment == f"Loaded from {series}, {path}"
    assert revision.version_set.count() == report.created
    load_edition([series, path])  # unchanged: no new revision
    assert Revision.objects.count() == 1


def test_admin_import_is_one_revision_naming_the_files_and_the_totals(
    editor_client, editor, var_dir
):
    checked = editor_client.post(
        IMPORT_URL,
        {
            "files": [
                upload("series.json", series_records()),
                upload("edition-01.json", edition_records(1)),
            ]
        },
    )
    token = checked.context["confirm_form"].initial["token"]

    editor_client.post(IMPORT_URL, {"token": token})

    (revision,) = Revision.objects.all()
    assert revision.user == editor
    assert revision.comment == (
        "Import edition: series.json, edition-01.json — 10 created, 0 updated, 0 unchanged"
    )
    assert revision.version_set.count() == 10
    statement = Statement.objects.get()
    line = history_lines(editor_client, statement)[0]
    assert "Import edition: series.json, edition-01.json" in line
    assert editor.username in line


def test_admin_import_with_updates_shows_old_and_new_values(editor_client, var_dir, tmp_path):
    load_edition([write(tmp_path, "s.json", series_records())])
    records = edition_records(1)
    load_edition([write(tmp_path, "e.json", records)])
    find(records, "archive.participant", slug="person-00001")["fields"]["name"] = "Renamed"
    checked = editor_client.post(IMPORT_URL, {"files": [upload("edition-01.json", records)]})
    token = checked.context["confirm_form"].initial["token"]

    editor_client.post(IMPORT_URL, {"token": token, "update": "on"})

    participant = Participant.objects.get()
    line = history_lines(editor_client, participant)[0]
    assert "name: Person-00001 → Renamed" in line
    assert "Import edition: edition-01.json — 0 created, 1 updated, 4 unchanged" in line


def test_compare_shows_the_two_chosen_versions_side_by_side(editor_client):
    participant = factories.ParticipantFactory(name="First")
    edit_in_admin(editor_client, participant, name="Second")
    edit_in_admin(editor_client, participant, name="Third")
    newest, _middle, oldest = Version.objects.get_for_object(participant).order_by("-pk")

    page = editor_client.get(
        reverse("admin:archive_participant_compare", args=[participant.pk]),
        {"old": newest.pk, "new": oldest.pk},  # either order: shown oldest first
    )

    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", page.text, flags=re.S)
    cells = [re.findall(r">([^<>]+)<", "<x>" + row) for row in rows]
    assert cells == [["name", "First", "Third"]]
    assert [(c.old, c.new) for c in page.context["changes"] if c.field == "name"] == [
        ("First", "Third")
    ]


def test_restoring_a_version_through_the_admin_brings_back_the_old_value(editor_client, editor):
    participant = factories.ParticipantFactory(name="Original Name")
    edition = factories.EditionFactory()
    topic = Topic.objects.create(slug="trade", name="Trade")
    edition.topics.set([topic])
    edit_in_admin(editor_client, participant, name="Mistaken Name")
    edit_in_admin(editor_client, edition, topics=[])
    baseline = Version.objects.get_for_object(participant).order_by("pk").first()
    url = reverse("admin:archive_participant_revision", args=[participant.pk, baseline.pk])

    confirm = editor_client.get(url)
    assert "Mistaken Name" in confirm.text and "Original Name" in confirm.text
    assert Participant.objects.get().name == "Mistaken Name"  # looking changes nothing
    response = editor_client.post(url, follow=True)

    participant.refresh_from_db()
    assert participant.name == "Original Name"
    assert "is back as it was on" in response.text
    newest = history_lines(editor_client, participant)[0]
    assert "name: Mistaken Name → Original Name" in newest
    assert "Restored the version of" in newest and editor.username in newest
    # a list comes back too
    edition_first = Version.objects.get_for_object(edition).order_by("pk").first()
    before = Edition.objects.get().updated_at
    editor_client.post(
        reverse("admin:archive_edition_revision", args=[edition.pk, edition_first.pk])
    )
    assert list(Edition.objects.get().topics.all()) == [topic]
    assert Edition.objects.get().updated_at > before  # a restore is a change, dated now


def test_staff_outside_editors_cannot_restore(editor_client):
    participant = factories.ParticipantFactory(name="Kept")
    edit_in_admin(editor_client, participant, name="Kept Too")
    version = Version.objects.get_for_object(participant).order_by("pk").first()
    url = reverse("admin:archive_participant_revision", args=[participant.pk, version.pk])
    staff = Client()
    staff.force_login(factories.UserFactory(is_staff=True))

    assert staff.post(url).status_code == 403
    assert Participant.objects.get().name == "Kept Too"


def test_restore_archive_records_a_version_of_every_restored_record(tmp_path):
    series = write(tmp_path, "series.json", series_records())
    load_edition([series, write(tmp_path, "edition-01.json", edition_records(1))])
    backup = tmp_path / "backup.tar.gz"
    call_command("backup_archive", str(backup), verbosity=0)
    for model in reversed(HISTORY_MODELS):
        model.objects.all().delete()
    Revision.objects.all().delete()

    call_command("restore_archive", str(backup), verbosity=0)

    (revision,) = Revision.objects.all()
    assert revision.comment == "manage.py restore_archive backup.tar.gz"
    assert revision.version_set.count() == sum(m.objects.count() for m in HISTORY_MODELS) == 10


def test_history_baseline_gives_unversioned_records_a_first_version_once(db):
    participant = factories.ParticipantFactory()

    call_command("history_baseline", verbosity=0)
    call_command("history_baseline", verbosity=0)

    assert Version.objects.get_for_object(participant).count() == 1
    assert Revision.objects.count() == 1


def test_publish_action_is_in_the_history_with_the_old_and_new_state(editor_client):
    edition = factories.EditionFactory(status=Edition.Status.DRAFT)
    factories.ParticipantFactory()  # unrelated: no entry of its own

    editor_client.post(
        reverse("admin:archive_edition_changelist"),
        {"action": "publish", "_selected_action": [edition.pk]},
    )

    newest = history_lines(editor_client, edition)[0]
    assert "state: Draft → Published" in newest or "status: Draft → Published" in newest


@pytest.mark.parametrize("model", HISTORY_MODELS)
def test_every_archive_model_keeps_versions_and_shows_them_in_its_admin(editor_client, model):
    assert reversion.is_registered(model)
    assert isinstance(admin.site._registry[model], HistoryAdmin)


def test_history_page_speaks_the_editors_language(editor_client):
    participant = factories.ParticipantFactory(name="Before")
    edit_in_admin(editor_client, participant, name="After")

    page = editor_client.get(history_url(participant), HTTP_ACCEPT_LANGUAGE="ja")

    assert "変更履歴" in page.text and "最初に記録された版" in page.text
