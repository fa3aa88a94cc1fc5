"""Each record rule broken once: model validation catches it, and the database does too."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from archive.models import (
    Appearance,
    Edition,
    Forum,
    Organization,
    Participant,
    Source,
    Statement,
    SubForum,
    Topic,
)

from . import factories

pytestmark = pytest.mark.django_db


def test_edition_title_is_derived_from_number_and_forum():
    edition = factories.EditionFactory(forum__name="Beijing-Tokyo Forum", number=20)
    assert edition.title == "20th Beijing-Tokyo Forum"
    assert edition.key == f"{edition.forum.slug}-20"


def test_edition_end_before_start_is_rejected_by_validation():
    edition = factories.EditionFactory.build(
        forum=factories.ForumFactory(),
        start_date=datetime.date(2024, 12, 5),
        end_date=datetime.date(2024, 12, 3),
    )
    with pytest.raises(ValidationError) as excinfo:
        edition.full_clean()
    assert excinfo.value.message_dict["end_date"] == [
        "The end date cannot be before the start date."
    ]


def test_edition_end_before_start_is_rejected_by_the_database():
    edition = factories.EditionFactory()
    edition.end_date = edition.start_date - datetime.timedelta(days=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        edition.save()


def test_edition_number_is_unique_within_its_forum():
    first = factories.EditionFactory(number=3)
    factories.EditionFactory(number=3)  # another forum: allowed
    duplicate = factories.EditionFactory.build(forum=first.forum, number=3)
    with pytest.raises(ValidationError):
        duplicate.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_edition_number_zero_is_rejected_by_the_database():
    edition = factories.EditionFactory()
    edition.number = 0
    with pytest.raises(IntegrityError), transaction.atomic():
        edition.save()


def test_subforum_slug_is_unique_within_its_edition_only():
    first = factories.SubForumFactory(slug="digital-economy")
    factories.SubForumFactory(slug="digital-economy")  # another edition: allowed
    duplicate = SubForum(edition=first.edition, title="Again", slug="digital-economy")
    with pytest.raises(ValidationError):
        duplicate.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_appearance_in_a_subforum_of_another_edition_is_rejected():
    sub_forum = factories.SubForumFactory()
    other_edition = factories.EditionFactory()
    appearance = factories.AppearanceFactory.build(
        participant=factories.ParticipantFactory(),
        organization=None,
        edition=other_edition,
        sub_forum=sub_forum,
    )
    with pytest.raises(ValidationError) as excinfo:
        appearance.full_clean()
    assert list(excinfo.value.message_dict) == ["sub_forum"]


def test_participant_appears_once_per_role_per_subforum():
    first = factories.AppearanceFactory(sub_forum=factories.SubForumFactory())
    duplicate = Appearance(
        participant=first.participant,
        edition=first.sub_forum.edition,
        sub_forum=first.sub_forum,
        role=first.role,
    )
    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    assert excinfo.value.messages == ["This participant already has this role in this sub-forum."]
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_participant_appears_once_per_role_at_the_edition_level():
    first = factories.AppearanceFactory()
    duplicate = Appearance(participant=first.participant, edition=first.edition, role=first.role)
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_same_participant_may_take_two_roles_in_one_subforum():
    first = factories.AppearanceFactory(sub_forum=factories.SubForumFactory())
    second = Appearance(
        participant=first.participant,
        edition=first.edition,
        sub_forum=first.sub_forum,
        role=Appearance.Role.MODERATOR,
    )
    second.full_clean()
    second.save()
    assert first.participant.appearances.count() == 2


def test_statement_with_an_unknown_kind_is_rejected_by_the_database():
    statement = factories.StatementFactory()
    statement.kind = "rumour"
    with pytest.raises(ValidationError):
        statement.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        statement.save()


def test_statement_number_is_unique_within_its_appearance():
    first = factories.StatementFactory()
    duplicate = Statement(
        appearance=first.appearance,
        number=first.number,
        text="x",
        kind="quote",
        source=first.source,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_string_longer_than_its_field_is_rejected_by_validation():
    participant = Participant(name="x" * 201, slug="too-long")
    with pytest.raises(ValidationError) as excinfo:
        participant.full_clean()
    assert list(excinfo.value.message_dict) == ["name"]


def test_source_url_refuses_javascript_scheme():
    source = Source(title="A", slug="a", url="javascript:alert(1)")
    with pytest.raises(ValidationError) as excinfo:
        source.full_clean()
    assert list(excinfo.value.message_dict) == ["url"]


@pytest.mark.parametrize(
    "factory",
    [
        factories.OrganizationFactory,
        factories.ForumFactory,
        factories.TopicFactory,
        factories.SourceFactory,
        factories.EditionFactory,
        factories.SubForumFactory,
        factories.ParticipantFactory,
        lambda: factories.AppearanceFactory(sub_forum=factories.SubForumFactory()),
        factories.AppearanceFactory,
        factories.StatementFactory,
    ],
)
def test_natural_key_finds_the_same_record(factory):
    record = factory()
    manager = type(record)._default_manager
    assert manager.get_by_natural_key(*record.natural_key()) == record


def test_natural_keys_are_built_from_the_parents_keys():
    statement = factories.StatementFactory(
        appearance__participant__slug="wang-yi",
        appearance__edition__forum__slug="beijing-tokyo-forum",
        appearance__edition__number=20,
        appearance__role="video-address",
        number=3,
    )
    assert statement.natural_key() == ("wang-yi", "beijing-tokyo-forum", 20, "", "video-address", 3)


def test_every_model_declares_a_natural_key():
    for model in (
        Appearance,
        Edition,
        Forum,
        Organization,
        Participant,
        Source,
        Statement,
        SubForum,
        Topic,
    ):
        assert hasattr(model, "natural_key")
        assert hasattr(model._default_manager, "get_by_natural_key")


def test_published_queryset_hides_drafts():
    published = factories.EditionFactory()
    factories.EditionFactory(status=Edition.Status.DRAFT)
    assert list(Edition.objects.published()) == [published]
