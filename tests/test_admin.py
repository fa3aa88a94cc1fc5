"""The editors' admin: every page opens for an editor, and permissions hold."""

import pytest
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from archive.models import Edition

from . import factories

pytestmark = pytest.mark.django_db

ARCHIVE_MODELS = list(apps.get_app_config("archive").get_models())

RECORD_FACTORIES = {
    "organization": factories.OrganizationFactory,
    "organizationname": factories.OrganizationNameFactory,
    "forum": factories.ForumFactory,
    "topic": factories.TopicFactory,
    "source": factories.SourceFactory,
    "edition": factories.EditionFactory,
    "subforum": factories.SubForumFactory,
    "participant": factories.ParticipantFactory,
    "appearance": lambda: factories.AppearanceFactory(sub_forum=factories.SubForumFactory()),
    "statement": factories.StatementFactory,
}


def test_every_archive_model_is_in_the_admin():
    assert sorted(RECORD_FACTORIES) == sorted(model._meta.model_name for model in ARCHIVE_MODELS)


@pytest.mark.parametrize("model_name", sorted(RECORD_FACTORIES))
def test_editor_opens_changelist_add_change_and_history_pages(editor_client, model_name):
    record = RECORD_FACTORIES[model_name]()
    urls = [
        reverse(f"admin:archive_{model_name}_changelist"),
        reverse(f"admin:archive_{model_name}_changelist") + "?q=a",
        reverse(f"admin:archive_{model_name}_add"),
        reverse(f"admin:archive_{model_name}_change", args=[record.pk]),
        reverse(f"admin:archive_{model_name}_history", args=[record.pk]),
    ]
    for url in urls:
        assert editor_client.get(url).status_code == 200, url


def test_edition_changelist_filters_by_year_and_state(editor_client):
    factories.EditionFactory(theme="Kept", start_date="2024-12-03", end_date="2024-12-05")
    factories.EditionFactory(theme="Other year", start_date="2019-10-01", end_date="2019-10-02")
    url = reverse("admin:archive_edition_changelist")
    response = editor_client.get(url, {"year": "2024", "status__exact": "published"})
    assert [edition.theme for edition in response.context["cl"].result_list] == ["Kept"]


def test_editors_group_has_exactly_the_archive_permissions():
    group = Group.objects.get(name="Editors")
    expected = Permission.objects.filter(content_type__app_label="archive")
    assert set(group.permissions.all()) == set(expected)
    assert len(expected) == 4 * len(ARCHIVE_MODELS)


def test_editor_cannot_manage_users_or_groups(editor_client):
    for url in (reverse("admin:auth_user_changelist"), reverse("admin:auth_group_changelist")):
        assert editor_client.get(url).status_code == 403


def test_staff_outside_editors_cannot_change_archive_data(staff_client):
    edition = factories.EditionFactory()
    change_url = reverse("admin:archive_edition_change", args=[edition.pk])
    assert staff_client.get(change_url).status_code == 403
    response = staff_client.post(change_url, {"theme": "Vandalised"})
    assert response.status_code == 403
    edition.refresh_from_db()
    assert edition.theme != "Vandalised"


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(reverse("admin:archive_edition_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_publish_and_unpublish_actions_change_state_and_are_logged(editor_client):
    draft = factories.EditionFactory(status=Edition.Status.DRAFT)
    url = reverse("admin:archive_edition_changelist")
    editor_client.post(url, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Edition.Status.PUBLISHED
    editor_client.post(url, {"action": "unpublish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Edition.Status.DRAFT
    assert LogEntry.objects.filter(object_id=str(draft.pk)).count() == 2


def test_appearance_inline_offers_only_this_editions_subforums(editor_client):
    own = factories.SubForumFactory(title="Own session")
    factories.SubForumFactory(title="Foreign session")
    response = editor_client.get(reverse("admin:archive_edition_change", args=[own.edition.pk]))
    inline_formset = response.context["inline_admin_formsets"][1].formset
    choices = list(inline_formset.empty_form.fields["sub_forum"].queryset)
    assert choices == [own]


def test_saving_in_admin_records_history(editor_client):
    participant = factories.ParticipantFactory(name="Before")
    url = reverse("admin:archive_participant_change", args=[participant.pk])
    response = editor_client.post(
        url,
        {
            "name": "After",
            "native_name": "",
            "slug": participant.slug,
            "country_en": participant.country,
            "bio_en": "",
            "appearances-TOTAL_FORMS": "0",
            "appearances-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    entry = LogEntry.objects.get(object_id=str(participant.pk))
    assert entry.get_change_message() == "Changed Name."
    history = editor_client.get(reverse("admin:archive_participant_history", args=[participant.pk]))
    (latest, _change), (_baseline, _first) = history.context["entries"]
    assert latest.revision.user.username == entry.user.username
