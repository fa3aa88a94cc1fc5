"""The data can be found (issue 18 §1): an Open data page in three languages lists every feed,
calendar, download and the API; each edition page links its own formats; a crawl from "/"
reaches every kind of data address through visible links."""

import re
from urllib.parse import urlparse

import pytest

from ..builders import make_archive

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<a [^>]*href="([^"]+)"')


def links(html):
    return LINK.findall(html)


@pytest.mark.parametrize("language", ["en", "zh-hans", "ja"])
def test_the_open_data_page_lists_every_output(client, language):
    make_archive()
    response = client.get(f"/{language}/open-data/")
    assert response.status_code == 200
    found = links(response.content.decode())
    for expected in (
        "/api/",
        "/api/docs/",
        "/api/schema/",
        f"/{language}/feeds/editions/",
        f"/{language}/calendar.ics",
        f"/{language}/forums/example-forum/calendar.ics",
        f"/{language}/participants.csv",
        f"/{language}/editions/example-forum-3/appearances.csv",
        f"/{language}/editions/example-forum-3/calendar.ics",
        "webcal://testserver/" + f"{language}/calendar.ics",
        "/sitemap.xml",
    ):
        assert expected in found, expected
    assert "example-forum-4" not in response.content.decode()  # the draft edition


def test_the_page_states_the_licence_or_that_none_is_stated(client, settings):
    make_archive()
    assert "have not stated a licence" in client.get("/en/open-data/").content.decode()
    settings.OPEN_DATA_LICENCE_NAME = "CC BY 4.0"
    settings.OPEN_DATA_LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
    html = client.get("/en/open-data/?v=2").content.decode()
    assert "published under CC BY 4.0" in html


def test_an_edition_page_links_its_own_formats(client):
    make_archive()
    html = client.get("/en/editions/example-forum-3/").content.decode()
    found = links(html)
    assert "/en/editions/example-forum-3/calendar.ics" in found
    assert "webcal://testserver/en/editions/example-forum-3/calendar.ics" in found
    assert "/en/editions/example-forum-3/appearances.csv" in found
    assert "/api/editions/example-forum-3/" in found
    assert (
        '<link rel="alternate" type="application/json" href="/api/editions/example-forum-3/">'
        in html
    )


def test_a_crawl_from_the_home_page_reaches_every_kind_of_data(client):
    make_archive()
    seen, queue, kinds = set(), ["/en/"], set()
    while queue and len(seen) < 60:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            if response.streaming:  # a download streamed from a file (the data package):
                b"".join(response.streaming_content)  # read to the end, which closes it
            continue
        for href in links(response.content.decode()):
            parsed = urlparse(href)
            if parsed.scheme or not href.startswith("/"):
                continue
            for kind in (".ics", ".csv", "/feeds/", "/api/", "sitemap"):
                if kind in parsed.path:
                    kinds.add(kind)
            if parsed.path.startswith("/en/") and parsed.path not in seen:
                queue.append(parsed.path)
    assert kinds == {".ics", ".csv", "/feeds/", "/api/", "sitemap"}
