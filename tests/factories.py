"""factory_boy factories: fictional records for tests (never the archive's real data)."""

import datetime

import factory
from django.contrib.auth.models import Group, User

from archive import models


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Organization
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"organization-{n}")
    kind = models.Organization.Kind.ACADEMIA
    country = "Japan"


class OrganizationNameFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.OrganizationName

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Former Organization {n}")
    valid_until = datetime.date(2010, 3, 31)


class ForumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Forum
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Example Forum {n}")
    slug = factory.Sequence(lambda n: f"example-forum-{n}")
    description = "A fictional forum series for tests."


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Topic
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Source
        django_get_or_create = ("slug",)

    title = factory.Sequence(lambda n: f"Report {n}")
    slug = factory.Sequence(lambda n: f"report-{n}")


class EditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Edition

    forum = factory.SubFactory(ForumFactory)
    number = factory.Sequence(lambda n: n + 1)
    theme = factory.Sequence(lambda n: f"Theme number {n}")
    city = "Tokyo"
    country = "Japan"
    start_date = factory.Sequence(lambda n: datetime.date(2000 + n % 50, 12, 3))
    end_date = factory.LazyAttribute(lambda o: o.start_date + datetime.timedelta(days=2))
    status = models.Edition.Status.PUBLISHED


class SubForumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SubForum

    edition = factory.SubFactory(EditionFactory)
    title = factory.Sequence(lambda n: f"Session {n}")
    slug = factory.Sequence(lambda n: f"session-{n}")
    kind = models.SubForum.Kind.SUB_FORUM


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Participant
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Person {n}")
    slug = factory.Sequence(lambda n: f"person-{n}")
    country = "China"


class AppearanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Appearance

    participant = factory.SubFactory(ParticipantFactory)
    sub_forum = None
    edition = factory.Maybe(
        "sub_forum",
        yes_declaration=factory.SelfAttribute("sub_forum.edition"),
        no_declaration=factory.SubFactory(EditionFactory),
    )
    role = models.Appearance.Role.SPEAKER
    position = "Researcher"
    organization = factory.SubFactory(OrganizationFactory)


class StatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Statement

    appearance = factory.SubFactory(AppearanceFactory)
    number = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"A fictional remark number {n}.")
    kind = models.Statement.Kind.PARAPHRASE
    source = factory.SubFactory(SourceFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("a-long-test-password")


class EditorFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def editors_group(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get(name="Editors"))
