"""sitemap.xml validated against the sitemaps.org 0.9 schema; robots.txt."""

from pathlib import Path
from xml.etree import ElementTree

import xmlschema

from .opendata_data import make_archive

XSD = xmlschema.XMLSchema(Path(__file__).parent / "data" / "sitemap.xsd")
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    XSD.validate(response.content.decode())
    root = ElementTree.fromstring(response.content)
    return {
        url.findtext("s:loc", namespaces=NS): url.findtext("s:lastmod", namespaces=NS)
        for url in root.findall("s:url", NS)
    }


def test_sitemap_lists_every_public_page_and_no_draft(client, db):
    make_archive()
    assert sorted(sitemap(client)) == [
        "http://testserver/",
        "http://testserver/editions/",
        "http://testserver/editions/example-forum-3/",
        "http://testserver/editions/example-forum-3/economy/",
        "http://testserver/organizations/",
        "http://testserver/organizations/ex-inst/",
        "http://testserver/participants/",
        "http://testserver/participants/aiko-example/",
        "http://testserver/participants/bo-example/",
        "http://testserver/topics/trade/",
    ]


def test_sitemap_lastmod_is_the_edition_change(client, db):
    edition = make_archive()["edition"]
    urls = sitemap(client)
    expected = edition.updated_at.date().isoformat()
    for path in ["editions/example-forum-3/", "editions/example-forum-3/economy/"]:
        assert urls[f"http://testserver/{path}"] == expected
    assert urls["http://testserver/participants/aiko-example/"] == expected
    assert urls["http://testserver/organizations/ex-inst/"] == expected


def test_sitemap_escapes_addresses_it_cannot_contain_raw(client, db):
    make_archive(hostile=True)
    assert len(sitemap(client)) == 10  # hostile names change no address; the XML stays valid


def test_robots_allows_all_but_admin_and_names_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == (
        "User-agent: *\nAllow: /\nDisallow: /admin/\n\nSitemap: http://testserver/sitemap.xml\n"
    )
