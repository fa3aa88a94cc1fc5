"""The `is_public` columns (archive/services/visibility.py) follow the visibility rule through
every write: model saves and deletes, many-to-many lists, the admin, the loader and the
refresh_visibility command. After each operation the flags equal the rule, computed here
independently with the Exists queries the rule was before it became a column, and the public
list, sitemap and API show exactly the people and organizations the rule makes public.

The archive is generated (seeded): two forums, published and draft editions, people seen at
drafts only, people with no appearance at all, organizations reached only through drafts, and
hostile text in names.
"""

import importlib
import io
import json
import random
import re

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.db.models import Exists, OuterRef
from django.test import Client
from django.urls import reverse

from archive.models import Appearance, Edition, Forum, Organization, Participant

from . import factories
from .builders import HOSTILE, edition_records, series_records, write
from .helpers import admin_form_data

pytestmark = pytest.mark.django_db

PUBLISHED = "published"


def rule_participants():
    """The participants the rule makes public, by the rule's own query (not the column)."""
    published = Appearance.objects.filter(edition__status=PUBLISHED, participant=OuterRef("pk"))
    return set(Participant.objects.filter(Exists(published)).values_list("slug", flat=True))


def rule_organizations():
    editions = Edition.objects.filter(status=PUBLISHED)
    forums = Forum.objects.filter(
        Exists(Edition.objects.filter(status=PUBLISHED, forum=OuterRef("pk")))
    )
    condition = (
        Exists(Appearance.objects.filter(edition__status=PUBLISHED, organization=OuterRef("pk")))
        | Exists(editions.filter(co_organizers=OuterRef("pk")))
        | Exists(forums.filter(organizers=OuterRef("pk")))
    )
    return set(Organization.objects.filter(condition).values_list("slug", flat=True))


def flagged(model):
    return set(model.objects.filter(is_public=True).values_list("slug", flat=True))


def slugs_in(text, kind):
    return set(re.findall(rf"/{kind}/([a-z0-9-]+)/", text))


def shown_publicly(client, kind):
    """The slugs of `kind` ("participants", "organizations") that the public list (every page),
    the sitemap section and the API list name."""
    pages, page = set(), 1
    while True:
        response = client.get(f"/en/{kind}/", {"page": page})
        assert response.status_code == 200
        pages |= slugs_in(response.text, kind)
        if f"page={page + 1}" not in response.text:  # no link to a next page
            break
        page += 1
    sitemap = slugs_in(client.get(f"/sitemap-{kind}.xml").text, kind)
    api, url = set(), f"/api/{kind}/"
    while url:
        data = json.loads(client.get(url).content)
        api |= {row["slug"] for row in data["results"]}
        url = data["next"]
    return pages, sitemap, api


def assert_follows_rule():
    """Flags equal the rule, and an anonymous visitor (a fresh client: the `client` fixture is
    the editors' in admin tests) is shown exactly the rule's records."""
    client = Client()
    people, organizations = rule_participants(), rule_organizations()
    assert flagged(Participant) == people
    assert flagged(Organization) == organizations
    for kind, expected in (("participants", people), ("organizations", organizations)):
        pages, sitemap, api = shown_publicly(client, kind)
        assert pages == expected, kind
        assert sitemap == expected, kind
        assert api == expected, kind


@pytest.fixture
def archive(db):
    """A seeded random archive: 2 forums, 5 editions (2 drafts), 40 people of whom some appear
    at drafts only and some nowhere, 12 organizations used in every way or not at all."""
    rng = random.Random(2026)
    forums = [
        factories.ForumFactory(name=f"Forum {n} {HOSTILE}", slug=f"forum-{n}") for n in range(2)
    ]
    organizations = [
        factories.OrganizationFactory(name=f"Org {n:02} {HOSTILE}", slug=f"org-{n:02}")
        for n in range(12)
    ]
    forums[0].organizers.add(organizations[0])
    forums[1].organizers.add(organizations[1])  # forum 1 has only a draft: stays hidden
    statuses = [PUBLISHED, Edition.Status.DRAFT, PUBLISHED, PUBLISHED, Edition.Status.DRAFT]
    editions = []
    for number, status in enumerate(statuses, start=1):
        forum = forums[1] if number == 5 else forums[0]
        edition = factories.EditionFactory(forum=forum, number=number, status=status)
        edition.co_organizers.add(organizations[1 + number])
        editions.append(edition)
    people = [
        factories.ParticipantFactory(name=f"Person {n:02} {HOSTILE}", slug=f"person-{n:02}")
        for n in range(40)
    ]
    for person in people[:34]:  # the last 6 appear nowhere
        for edition in rng.sample(editions, rng.randint(1, 2)):
            factories.AppearanceFactory(
                participant=person,
                edition=edition,
                organization=rng.choice([None, *organizations[7:11]]),
            )
    # organizations[11] is used by nothing
    return {"forums": forums, "editions": editions, "people": people, "orgs": organizations}


def test_the_generated_archive_has_every_kind_of_record(archive):
    people, organizations = rule_participants(), rule_organizations()
    assert 0 < len(people) < 34  # some appear at drafts only
    assert "person-39" not in people  # no appearance at all
    assert "org-00" in organizations and "org-01" not in organizations
    assert "org-11" not in organizations


def test_flags_follow_the_rule_after_building(archive):
    assert_follows_rule()


def test_migration_rule_and_refresh_agree_from_scratch(archive):
    """Every flag wiped (as after a raw write): refresh_visibility puts back the rule."""
    Participant.objects.update(is_public=False)
    Organization.objects.update(is_public=True)
    with pytest.raises(CommandError, match="refresh_visibility"):
        call_command("refresh_visibility", "--check", verbosity=0)

    call_command("refresh_visibility", verbosity=0)

    call_command("refresh_visibility", "--check", verbosity=0)
    assert_follows_rule()


def test_the_migration_fills_the_flags_from_the_rule(archive):
    """0017's data migration, run on an archive whose flags are all wrong."""
    fill = importlib.import_module("archive.migrations.0017_public_flags").fill
    Participant.objects.update(is_public=False)
    Organization.objects.update(is_public=False)

    fill(django_apps, None)

    assert flagged(Participant) == rule_participants()
    assert flagged(Organization) == rule_organizations()


def test_refresh_visibility_reports_what_it_repaired(archive):
    Participant.objects.filter(slug__in=["person-00", "person-39"]).update(is_public=True)
    out = io.StringIO()

    call_command("refresh_visibility", stdout=out)

    assert out.getvalue() == "Public flags: participants: 1 repaired; organizations: 0 repaired.\n"
    assert flagged(Participant) == rule_participants()


def _publish_draft(a):
    edition = a["editions"][1]
    edition.status = PUBLISHED
    edition.save()


def _unpublish(a):
    edition = a["editions"][0]
    edition.status = Edition.Status.DRAFT
    edition.save(update_fields=["status"])


def _unpublish_all(a):
    Edition.objects.get(pk=a["editions"][2].pk).delete()
    for edition in Edition.objects.all():
        edition.status = Edition.Status.DRAFT
        edition.save()


def _delete_edition(a):
    a["editions"][0].delete()


def _move_appearances(a):
    """Every appearance of a published edition moved to a draft one, one at a time."""
    for appearance in Appearance.objects.filter(edition=a["editions"][2]):
        appearance.edition = a["editions"][1]
        appearance.role = Appearance.Role.MODERATOR  # no one is a moderator there yet
        appearance.save()


def _change_participant(a):
    """The first appearance at each published edition handed to someone who appeared nowhere."""
    nobodies = iter(a["people"][34:])
    for edition in Edition.objects.filter(status=PUBLISHED):
        appearance = Appearance.objects.filter(edition=edition).first()
        appearance.participant = next(nobodies)
        appearance.save()


def _change_organization(a):
    for appearance in Appearance.objects.filter(organization__isnull=False):
        appearance.organization = a["orgs"][11]
        appearance.save()


def _delete_appearances(a):
    for appearance in Appearance.objects.filter(edition=a["editions"][3]):
        appearance.delete()


def _delete_participant(a):
    Participant.objects.filter(appearances__edition=a["editions"][0]).first().delete()


def _co_organizers(a):
    a["editions"][1].co_organizers.add(a["orgs"][11])  # a draft: stays hidden
    a["editions"][0].co_organizers.add(a["orgs"][11])
    a["editions"][0].co_organizers.remove(a["orgs"][2])
    a["orgs"][4].co_organized_editions.clear()


def _organizers(a):
    a["forums"][0].organizers.clear()
    a["orgs"][1].forums.clear()
    a["forums"][1].organizers.set([a["orgs"][10], a["orgs"][11]])


def _edition_to_other_forum(a):
    edition = a["editions"][4]
    edition.status = PUBLISHED
    edition.forum = a["forums"][0]
    edition.save()


def _record_saved(a):
    """A participant saved from a stale copy (as a restored version is) keeps the rule."""
    person = Participant.objects.filter(is_public=True).first()
    person.is_public = False
    person.name = "Renamed"
    person.save()


OPERATIONS = [
    _publish_draft,
    _unpublish,
    _unpublish_all,
    _delete_edition,
    _move_appearances,
    _change_participant,
    _change_organization,
    _delete_appearances,
    _delete_participant,
    _co_organizers,
    _organizers,
    _edition_to_other_forum,
    _record_saved,
]


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda f: f.__name__.strip("_"))
def test_flags_follow_the_rule_after(archive, operation):
    before = rule_participants(), rule_organizations()
    operation(archive)

    assert (rule_participants(), rule_organizations()) != before or operation is _record_saved
    assert_follows_rule()


def test_staff_still_see_everyone(staff_client, archive):
    """visible_to(staff) is every record; the list marks those the public cannot see."""
    staff = staff_client.get("/en/participants/")
    everyone = set(Participant.objects.values_list("slug", flat=True))

    assert slugs_in(staff.text, "participants") == everyone
    assert {p.slug for p in staff.context["object_list"] if not p.is_public} == (
        everyone - rule_participants()
    )


# -- through the admin, as an editor posting its forms -----------------------------------------


def test_admin_publishing_unpublishing_and_deleting_editions(editor_client, archive):
    draft, published = archive["editions"][1], archive["editions"][0]
    url = reverse("admin:archive_edition_change", args=[draft.pk])
    data = admin_form_data(editor_client.get(url))
    data["status"] = PUBLISHED
    assert editor_client.post(url, data).status_code == 302
    assert Edition.objects.get(pk=draft.pk).status == PUBLISHED
    assert_follows_rule()

    changelist = reverse("admin:archive_edition_changelist")
    response = editor_client.post(
        changelist, {"action": "unpublish", "_selected_action": [published.pk, draft.pk]}
    )
    assert response.status_code == 302
    assert_follows_rule()

    delete = reverse("admin:archive_edition_delete", args=[archive["editions"][2].pk])
    assert editor_client.post(delete, {"post": "yes"}).status_code == 302
    assert not Edition.objects.filter(pk=archive["editions"][2].pk).exists()
    assert_follows_rule()


def test_admin_moving_and_deleting_an_appearance(editor_client, archive):
    appearance = Appearance.objects.filter(edition__status=PUBLISHED).first()
    url = reverse("admin:archive_appearance_change", args=[appearance.pk])
    data = admin_form_data(editor_client.get(url))
    data["edition"] = str(archive["editions"][4].pk)  # a draft of the other forum
    data["participant"] = str(archive["people"][39].pk)
    assert editor_client.post(url, data).status_code == 302
    assert Appearance.objects.get(pk=appearance.pk).participant == archive["people"][39]
    assert_follows_rule()

    other = Appearance.objects.filter(edition__status=PUBLISHED).first()
    delete = reverse("admin:archive_appearance_delete", args=[other.pk])
    assert editor_client.post(delete, {"post": "yes"}).status_code == 302
    assert_follows_rule()


# -- through the loader ------------------------------------------------------------------------


def test_load_edition_publishes_and_unpublishes_people(
    tmp_path, db, django_capture_on_commit_callbacks
):
    write(tmp_path, "series.json", series_records())
    people = ("person-00001", "person-00002")
    records = edition_records(1, people=people)
    write(tmp_path, "edition-01.json", records)
    call_command("load_edition", str(tmp_path / "series.json"), verbosity=0)
    assert flagged(Participant) == set() and flagged(Organization) == set()

    with django_capture_on_commit_callbacks(execute=True):  # the page cache's bump
        call_command("load_edition", str(tmp_path / "edition-01.json"), verbosity=0)
    assert flagged(Participant) == set(people)
    assert_follows_rule()

    for record in records:
        if record["model"] == "archive.edition":
            record["fields"]["status"] = "draft"
    write(tmp_path, "edition-01.json", records)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_edition", "--update", str(tmp_path / "edition-01.json"), verbosity=0)

    assert flagged(Participant) == set() and flagged(Organization) == set()
    assert_follows_rule()


def test_a_fixture_cannot_set_the_flag(tmp_path, db):
    """The flag is derived: a fixture naming it is refused like any unknown field."""
    records = series_records()
    records[0]["fields"]["is_public"] = True
    write(tmp_path, "series.json", records)
    with pytest.raises(CommandError, match="is_public"):
        call_command("load_edition", str(tmp_path / "series.json"), verbosity=0)
