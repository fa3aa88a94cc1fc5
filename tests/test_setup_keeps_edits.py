"""`make setup` (what `make run` runs on every start) never undoes an editor's work: the shipped
fixtures seed an empty database, and afterwards only what is missing is created (issue 15 §1).

Everything goes through the real entry points in subprocesses: `make setup`, the admin (a Django
test client logged in as an Editors-group user, posting the change form a browser would post) and
`manage.py load_edition --update`.
"""

import json
import subprocess
import textwrap

import pytest

from . import helpers

pytestmark = pytest.mark.slow

SERIES = helpers.ROOT / "fixtures/beijing-tokyo-forum/series.json"

# Runs in `manage.py shell`: an editor renames an organization and unpublishes the edition in the
# admin, exactly as the change form and the changelist action post them.
EDIT_IN_ADMIN = textwrap.dedent(
    """
    from django.test.utils import setup_test_environment
    setup_test_environment()
    from django.contrib.auth.models import Group, User
    from django.test import Client
    from archive.models import Edition, Organization
    from tests.helpers import admin_form_data

    editor = User.objects.create_user("editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client = Client()
    client.force_login(editor)
    organization = Organization.objects.get(slug="genron-npo")
    url = f"/admin/archive/organization/{organization.pk}/change/"
    data = admin_form_data(client.get(url))
    data["name_en"] = "The Genron NPO (renamed by an editor)"
    data["description_en"] = "Corrected by an editor."
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    edition = Edition.objects.get()
    response = client.post(
        "/admin/archive/edition/", {"action": "unpublish", "_selected_action": [edition.pk]}
    )
    assert response.status_code == 302, response.status_code
    print("edited")
    """
)

READ_BACK = textwrap.dedent(
    """
    import json
    from archive.models import Edition, Forum, Organization
    organization = Organization.objects.get(slug="genron-npo")
    forum = Forum.objects.get()
    print(json.dumps({
        "name": organization.name_en,
        "description": organization.description_en,
        "status": Edition.objects.get().status,
        "alternative_names": forum.alternative_names_en,
        "organizations": Organization.objects.count(),
    }))
    """
)


def read_back(env):
    result = helpers.run_manage("shell", "-c", READ_BACK, env=env, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def make_setup(env):
    result = subprocess.run(
        ["make", "-s", "setup"],
        cwd=helpers.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_make_setup_keeps_changes_made_in_the_admin_and_by_load_edition_update(tmp_path):
    env = helpers.subprocess_env(
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'archive.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        DATA_PACKAGE_DIR=str(tmp_path / "data-package"),  # make setup builds the data package
    )
    seeded = make_setup(env)
    assert "0 updated" in seeded and "left as they are" not in seeded
    organizations = read_back(env)["organizations"]

    edited = helpers.run_manage("shell", "-c", EDIT_IN_ADMIN, env=env, check=True)
    assert "edited" in edited.stdout
    # An editor's later file: the series gets an alias, loaded with the explicit --update.
    series = json.loads(SERIES.read_text(encoding="utf-8"))
    forum = next(record for record in series if record["model"] == "archive.forum")
    forum["fields"]["alternative_names"] = "Tokyo-Beijing Forum"
    changed = tmp_path / "alias.json"
    changed.write_text(json.dumps([forum], ensure_ascii=False), encoding="utf-8")
    helpers.run_manage("load_edition", "--update", changed, env=env, check=True)

    again = make_setup(env)
    assert "0 updated" in again and "left as they are" in again

    assert read_back(env) == {
        "name": "The Genron NPO (renamed by an editor)",
        "description": "Corrected by an editor.",
        "status": "draft",
        "alternative_names": "Tokyo-Beijing Forum",
        "organizations": organizations,
    }
