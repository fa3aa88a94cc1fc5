"""The draft rule (archive/models/base.py): a record whose only connection to the archive is a
draft edition appears in no public output, and a staff preview marks it.

One published edition is the public archive; beside it a forum whose only edition is a draft,
with its own organizer, participant, topic and source, all named "Zzdraft ...". Every public
output is read as a visitor and must not name any of them.
"""

import pytest
from django.test import Client

from archive.models import Edition
from archive.opendata.sitemaps import SITEMAPS

from . import factories

pytestmark = pytest.mark.django_db

DRAFT_ONLY_NAMES = [
    "Zzdraft Forum",
    "Zzdraft Organization",
    "Zzdraft Person",
    "Zzdraft Topic",
    "Zzdraft Source",
    "zzdraft-forum",
    "zzdraft-organization",
    "zzdraft-person",
    "zzdraft-topic",
    "zzdraft-source",
]


@pytest.fixture
def archive(db):
    public = factories.AppearanceFactory(
        participant__name="Public Person", organization__name="Public Organization"
    )
    factories.StatementFactory(appearance=public)
    forum = factories.ForumFactory(name="Zzdraft Forum", slug="zzdraft-forum")
    organization = factories.OrganizationFactory(
        name="Zzdraft Organization", slug="zzdraft-organization"
    )
    forum.organizers.add(organization)
    draft = factories.EditionFactory(
        forum=forum, number=1, status=Edition.Status.DRAFT, theme="A theme"
    )
    draft.co_organizers.add(organization)
    topic = factories.TopicFactory(name="Zzdraft Topic", slug="zzdraft-topic")
    source = factories.SourceFactory(title="Zzdraft Source", slug="zzdraft-source")
    draft.topics.add(topic)
    draft.sources.add(source)
    appearance = factories.AppearanceFactory(
        edition=draft,
        participant=factories.ParticipantFactory(name="Zzdraft Person", slug="zzdraft-person"),
        organization=organization,
    )
    factories.StatementFactory(appearance=appearance, source=source)
    return {"edition": draft, "public": public.edition}


def assert_names_none(text, where):
    found = [name for name in DRAFT_ONLY_NAMES if name in text]
    assert found == [], f"{where} shows {found}"


def sitemap_addresses():
    addresses = ["/sitemap.xml"] + [f"/sitemap-{section}.xml" for section in SITEMAPS]
    return addresses


PUBLIC_LISTS = [
    "/en/",
    "/zh-hans/",
    "/ja/",
    "/en/editions/",
    "/en/participants/",
    "/en/organizations/",
    "/en/search/?q=Zzdraft",
    "/en/feeds/editions/",
    "/en/calendar.ics",
    "/en/participants.csv",
    "/api/forums/",
    "/api/editions/",
    "/api/sub-forums/",
    "/api/participants/",
    "/api/organizations/",
    "/api/appearances/",
    "/api/statements/",
    "/api/topics/",
    "/api/sources/",
    "/robots.txt",
]


@pytest.mark.parametrize("address", PUBLIC_LISTS + sitemap_addresses())
def test_no_public_list_names_a_record_reached_only_through_a_draft(client, archive, address):
    response = client.get(address)
    assert response.status_code == 200, address
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = content.decode()
    if "search" in address:  # the query itself is echoed back in the search box
        text = text.replace('value="Zzdraft"', "")
    assert_names_none(text, address)


DRAFT_ONLY_RECORDS = [
    "/en/participants/zzdraft-person/",
    "/en/participants/zzdraft-person/card.png",
    "/en/organizations/zzdraft-organization/",
    "/en/topics/zzdraft-topic/",
    "/en/editions/zzdraft-forum-1/",
    "/en/editions/zzdraft-forum-1/card.png",
    "/en/editions/zzdraft-forum-1/calendar.ics",
    "/en/editions/zzdraft-forum-1/appearances.csv",
    "/en/forums/zzdraft-forum/calendar.ics",
    "/api/forums/zzdraft-forum/",
    "/api/editions/zzdraft-forum-1/",
    "/api/participants/zzdraft-person/",
    "/api/organizations/zzdraft-organization/",
    "/api/topics/zzdraft-topic/",
    "/api/sources/zzdraft-source/",
]


@pytest.mark.parametrize("address", DRAFT_ONLY_RECORDS)
def test_a_record_reached_only_through_a_draft_is_404_to_the_public(client, archive, address):
    assert client.get(address).status_code == 404


def test_the_same_records_are_public_once_the_edition_is_published(client, archive):
    archive["edition"].status = Edition.Status.PUBLISHED
    archive["edition"].save()
    for address in DRAFT_ONLY_RECORDS:
        assert client.get(address).status_code == 200, address
    assert "Zzdraft Organization" in client.get("/en/organizations/").content.decode()


@pytest.mark.parametrize(
    "address",
    [
        "/en/",
        "/en/participants/",
        "/en/organizations/",
        "/en/participants/zzdraft-person/",
        "/en/organizations/zzdraft-organization/",
        "/en/topics/zzdraft-topic/",
    ],
)
def test_staff_preview_marks_every_draft_only_record(archive, address):
    staff = Client()
    staff.force_login(factories.UserFactory(is_staff=True))
    html = staff.get(address).content.decode()
    badge = '<span class="badge badge--draft">Draft</span>'
    assert html.count(badge) >= 1, address
    # The public records next to them carry no mark.
    public_names = ("Public Person", "Public Organization")
    for name in public_names:
        at = html.find(name)
        if at != -1:
            assert badge not in html[at : at + len(name) + 120], name
