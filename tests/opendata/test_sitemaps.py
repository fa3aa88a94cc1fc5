"""sitemap.xml (an index) and its section sitemaps, validated against the sitemaps.org 0.9
schemas; robots.txt."""

from pathlib import Path
from xml.etree import ElementTree

import pytest
import xmlschema

from archive.models import Participant
from archive.opendata import sitemaps

from .. import factories
from ..builders import make_archive

DATA = Path(__file__).parent.parent / "data"
XSD = xmlschema.XMLSchema(DATA / "sitemap.xsd")
INDEX_XSD = xmlschema.XMLSchema(DATA / "siteindex.xsd")
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def fetch(client, url):
    response = client.get(url.removeprefix("http://testserver"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    return response.content


def index(client):
    """The sitemap addresses /sitemap.xml names, after checking it against the index schema."""
    content = fetch(client, "/sitemap.xml")
    INDEX_XSD.validate(content.decode())
    root = ElementTree.fromstring(content)
    return [entry.findtext("s:loc", namespaces=NS) for entry in root.findall("s:sitemap", NS)]


def sitemap(client):
    """Every page address of every sitemap the index names, with its lastmod."""
    urls = {}
    for address in index(client):
        content = fetch(client, address)
        XSD.validate(content.decode())
        for url in ElementTree.fromstring(content).findall("s:url", NS):
            loc = url.findtext("s:loc", namespaces=NS)
            assert loc not in urls, f"{loc} is listed twice"
            urls[loc] = url.findtext("s:lastmod", namespaces=NS)
    return urls


PUBLIC_PATHS = [
    "",
    "editions/",
    "editions/example-forum-3/",
    "editions/example-forum-3/economy/",
    "forums/example-forum/",
    "organizations/",
    "organizations/ex-inst/",
    "participants/",
    "participants/aiko-example/",
    "participants/bo-example/",
    "topics/trade/",
]


def test_sitemap_lists_every_public_page_and_no_draft(client, db):
    make_archive()
    assert sorted(sitemap(client)) == sorted(
        f"http://testserver/{language}/{path}"
        for language in ["en", "zh-hans", "ja"]
        for path in PUBLIC_PATHS
    )


def test_sitemap_index_names_one_sitemap_per_section(client, db):
    make_archive()
    assert index(client) == [
        f"http://testserver/sitemap-{section}.xml"
        for section in [
            "pages",
            "forums",
            "editions",
            "sub-forums",
            "participants",
            "organizations",
            "topics",
        ]
    ]


def test_big_sections_are_paged_and_every_record_is_listed_once(client, db, monkeypatch):
    monkeypatch.setattr(sitemaps, "ITEMS_PER_PAGE", 2)
    archive = make_archive()
    for n in range(3):
        factories.AppearanceFactory(
            participant=factories.ParticipantFactory(slug=f"extra-{n}"),
            edition=archive["edition"],
            sub_forum=None,
        )
    people = Participant.objects.visible_to(None).count()  # two from make_archive, three here
    assert people == 5
    pages = [a for a in index(client) if "/sitemap-participants.xml" in a]
    assert pages == [
        "http://testserver/sitemap-participants.xml",
        "http://testserver/sitemap-participants.xml?p=2",
        "http://testserver/sitemap-participants.xml?p=3",
    ]
    listed = [url for url in sitemap(client) if "/en/participants/" in url]
    assert len(listed) == people + 1  # and the list page
    assert client.get("/sitemap-participants.xml?p=4").status_code == 404
    assert client.get("/sitemap-participants.xml?p=x").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


@pytest.mark.parametrize("records", [1, 6])
def test_sitemap_page_query_count_is_fixed(client, db, django_assert_num_queries, records):
    edition = make_archive()["edition"]
    for n in range(records):
        factories.AppearanceFactory(
            participant=factories.ParticipantFactory(slug=f"p-{n}"), edition=edition
        )
    # count, the page of participants, their lastmod
    with django_assert_num_queries(3):
        fetch(client, "/sitemap-participants.xml")


def test_sitemap_names_each_pages_other_languages(client, db):
    make_archive()
    root = ElementTree.fromstring(fetch(client, "/sitemap-pages.xml"))
    xhtml = "{http://www.w3.org/1999/xhtml}link"
    for url in root.findall("s:url", NS):
        if url.findtext("s:loc", namespaces=NS) == "http://testserver/ja/editions/":
            links = {link.get("hreflang"): link.get("href") for link in url.iter(xhtml)}
    assert links == {
        "en": "http://testserver/en/editions/",
        "zh-hans": "http://testserver/zh-hans/editions/",
        "ja": "http://testserver/ja/editions/",
        "x-default": "http://testserver/editions/",
    }


def test_sitemap_lastmod_is_the_edition_change(client, db):
    edition = make_archive()["edition"]
    urls = sitemap(client)
    expected = edition.updated_at.date().isoformat()
    for path in ["editions/example-forum-3/", "editions/example-forum-3/economy/"]:
        assert urls[f"http://testserver/en/{path}"] == expected
    assert urls["http://testserver/en/participants/aiko-example/"] == expected
    assert urls["http://testserver/en/organizations/ex-inst/"] == expected


def test_sitemap_escapes_addresses_it_cannot_contain_raw(client, db):
    make_archive(hostile=True)
    # 11 pages (the forum's among them) in three languages: hostile names change no address,
    # and the XML stays valid.
    assert len(sitemap(client)) == 33


def test_robots_allows_all_but_admin_and_names_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == (
        "User-agent: *\nAllow: /\nDisallow: /admin/\n\nSitemap: http://testserver/sitemap.xml\n"
    )
