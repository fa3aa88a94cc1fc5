"""The admin's "Import edition" page: upload, dry-run report, confirm; permissions and limits."""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from archive.models import Edition, Statement

from .builders import edition_records, find, row_counts, series_records, upload

URL = "/admin/archive/edition/import/"
TEMPLATES = Path(django_settings.BASE_DIR) / "templates" / "admin" / "archive" / "edition"


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    return settings.VAR_DIR


def staged(var_dir):
    imports = var_dir / "imports"
    return sorted(p.name for p in imports.iterdir()) if imports.exists() else []


def check_files(client, *files):
    return client.post(URL, {"files": list(files)})


def test_url_is_the_admin_route():
    assert reverse("admin:archive_edition_import") == URL


def test_editor_sees_the_upload_form_and_the_changelist_button(editor_client):
    page = editor_client.get(URL)
    changelist = editor_client.get(reverse("admin:archive_edition_changelist"))

    assert page.status_code == 200
    assert page.context["title"] == "Import edition"
    assert 'enctype="multipart/form-data"' in page.text
    assert f'<a href="{URL}">Import edition</a>' in changelist.text


def test_upload_shows_the_dry_run_report_and_writes_nothing(editor_client, var_dir):
    before = row_counts()

    response = check_files(
        editor_client,
        upload("series.json", series_records()),
        upload("edition-01.json", edition_records(1)),
    )

    assert response.status_code == 200
    report = response.context["report"]
    assert report.dry_run is True
    assert report.files == ["series.json", "edition-01.json"]
    assert (report.created, report.updated, report.unchanged) == (10, 0, 0)
    assert row_counts() == before
    token = response.context["confirm_form"].initial["token"]
    assert staged(var_dir) == [token]
    assert sorted(p.name for p in (var_dir / "imports" / token).iterdir()) == [
        "001.json",
        "002.json",
        "names.json",
    ]


def test_confirm_loads_the_files_and_removes_the_staged_copy(editor_client, var_dir):
    checked = check_files(
        editor_client,
        upload("series.json", series_records()),
        upload("edition-01.json", edition_records(1)),
    )
    token = checked.context["confirm_form"].initial["token"]

    response = editor_client.post(URL, {"token": token, "confirm": "Load these files"})

    assert response.status_code == 302
    assert response.url == reverse("admin:archive_edition_changelist")
    assert Edition.objects.get().natural_key() == ("synthetic-forum", 1)
    assert staged(var_dir) == []
    again = editor_client.post(URL, {"token": token}, follow=True)
    assert [str(m) for m in again.context["messages"]] == [
        "Loaded: 10 created, 0 updated, 0 unchanged.",
        "This import has expired or was already done; upload the files again.",
    ]


def test_bad_file_shows_every_problem_and_stages_nothing(editor_client, var_dir):
    records = edition_records(1)
    find(records, "archive.edition")["fields"]["end_date"] = "2001-12-01"
    find(records, "archive.statement")["fields"]["text"] = ""

    response = check_files(
        editor_client, upload("series.json", series_records()), upload("ed.json", records)
    )

    assert response.status_code == 200
    assert [str(p) for p in response.context["problems"]] == [
        'ed.json, record 2 (archive.edition ["synthetic-forum", 1]), field “end_date”: The end '
        "date cannot be before the start date.",
        'ed.json, record 5 (archive.statement ["person-00001", "synthetic-forum", 1, "economy", '
        '"speaker", 1]), field “text”: This field cannot be blank.',
    ]
    assert "confirm_form" not in response.context
    assert staged(var_dir) == []
    assert Edition.objects.count() == 0


def test_update_needs_the_explicit_checkbox(editor_client, tmp_path):
    check = check_files(
        editor_client,
        upload("series.json", series_records()),
        upload("edition-01.json", edition_records(1)),
    )
    editor_client.post(URL, {"token": check.context["confirm_form"].initial["token"]})
    records = edition_records(1)
    find(records, "archive.statement")["fields"]["text"] = "<b>A corrected</b> remark."
    check = check_files(editor_client, upload("edition-01.json", records))
    token = check.context["confirm_form"].initial["token"]

    refused = editor_client.post(URL, {"token": token})
    applied = editor_client.post(URL, {"token": token, "update": "on"})

    assert check.context["report"].models["archive.statement"].updated == [
        (("person-00001", "synthetic-forum", 1, "economy", "speaker", 1), ["text"])
    ]
    assert [p.message.split(" (")[0] for p in refused.context["problems"]] == [
        "already exists with different values"
    ]
    assert applied.status_code == 302
    assert Statement.objects.get().text == "<b>A corrected</b> remark."


def test_cancel_discards_the_staged_files(editor_client, var_dir):
    check = check_files(editor_client, upload("series.json", series_records()))
    token = check.context["confirm_form"].initial["token"]

    response = editor_client.post(URL, {"token": token, "cancel": "Cancel"})

    assert response.status_code == 302
    assert staged(var_dir) == []
    assert row_counts()["archive.forum"] == 0


def test_token_of_another_session_is_refused(editor_client, editor, var_dir):
    check = check_files(editor_client, upload("series.json", series_records()))
    token = check.context["confirm_form"].initial["token"]
    other = Client()
    other.force_login(editor)

    response = other.post(URL, {"token": token})

    assert response.status_code == 302
    assert row_counts()["archive.forum"] == 0
    assert staged(var_dir) == [token]


def test_file_over_the_size_limit_is_a_form_error(editor_client, settings, var_dir):
    settings.FIXTURE_MAX_BYTES = 1024

    response = check_files(editor_client, upload("big.json", [{"x": "y" * 2000}]))

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "files": [
            "“big.json” is 2,011 bytes; the limit is 1,024 bytes. Split it into smaller files."
        ]
    }
    assert staged(var_dir) == []


def test_staff_without_add_edition_permission_gets_403(staff_client, var_dir):
    assert staff_client.get(URL).status_code == 403
    response = check_files(staff_client, upload("series.json", series_records()))
    assert response.status_code == 403
    assert staged(var_dir) == []
    changelist = staff_client.get(reverse("admin:archive_edition_changelist"))
    assert changelist.status_code == 403


def test_upload_without_csrf_token_is_refused(editor, var_dir):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)

    response = check_files(client, upload("series.json", series_records()))

    assert response.status_code == 403
    assert staged(var_dir) == []


@pytest.mark.parametrize("name", ["import.html", "change_list.html"])
def test_templates_hold_no_inline_script_or_style(name):
    text = (TEMPLATES / name).read_text(encoding="utf-8")

    assert re.findall(r"<script|<style|\sstyle=|\son[a-z]+=", text) == []
