"""Shared fictional data for the open-data format tests: one published edition and one draft,
with hostile text in every text field of the published one."""

import datetime

from archive.models import Appearance, Edition

from . import factories

HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(1)> </script><script>'
FORMULA = '=HYPERLINK("http://x.test")'


def make_archive(hostile=False):
    text = (lambda value: f"{value} {HOSTILE}") if hostile else (lambda value: value)
    forum = factories.ForumFactory(name="Example Forum", slug="example-forum")
    organization = factories.OrganizationFactory(name=text("Example Institute"), slug="ex-inst")
    topic = factories.TopicFactory(name=text("Trade"), slug="trade")
    edition = factories.EditionFactory(
        forum=forum,
        number=3,
        theme=text("Working together"),
        summary=text("A fictional meeting."),
        city=text("Tokyo"),
        country="Japan",
        venue=text("Example Hall"),
        start_date=datetime.date(2024, 12, 2),
        end_date=datetime.date(2024, 12, 3),
    )
    edition.co_organizers.add(organization)
    edition.topics.add(topic)
    session = factories.SubForumFactory(
        edition=edition, title=text("Economy"), slug="economy", description=text("On trade.")
    )
    session.topics.add(topic)
    speaker = factories.ParticipantFactory(
        name=text("Aiko Example"), slug="aiko-example", bio=text("A researcher.")
    )
    factories.AppearanceFactory(
        participant=speaker,
        sub_forum=session,
        organization=organization,
        position=FORMULA if hostile else "Director",
    )
    attendee = factories.ParticipantFactory(name="Bo Example", slug="bo-example", country="China")
    factories.AppearanceFactory(
        participant=attendee,
        edition=edition,
        role=Appearance.Role.ATTENDEE,
        organization=None,
        organization_name="Former Name Institute",
        position="-1+1",
    )
    draft = factories.EditionFactory(
        forum=forum,
        number=4,
        theme="Draft theme",
        status=Edition.Status.DRAFT,
        start_date=datetime.date(2025, 5, 1),
        end_date=datetime.date(2025, 5, 2),
    )
    draft_session = factories.SubForumFactory(edition=draft, title="Secret", slug="secret")
    hidden = factories.ParticipantFactory(name="Hidden Person", slug="hidden-person")
    factories.AppearanceFactory(participant=hidden, sub_forum=draft_session)
    return {"edition": edition, "session": session, "draft": draft, "forum": forum}
