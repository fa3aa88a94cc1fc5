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


PUBLIC_PATHS = [
    "",
    "editions/",
    "editions/example-forum-3/",
    "editions/example-forum-3/economy/",
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


def test_sitemap_names_each_pages_other_languages(client, db):
    make_archive()
    root = ElementTree.fromstring(client.get("/sitemap.xml").content)
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
    assert len(sitemap(client)) == 30  # hostile names change no address; the XML stays valid


def test_robots_allows_all_but_admin_and_names_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == (
        "User-agent: *\nAllow: /\nDisallow: /admin/\n\nSitemap: http://testserver/sitemap.xml\n"
    )
