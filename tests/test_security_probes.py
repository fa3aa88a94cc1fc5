"""Probes: an error page links only to this site, and probes are logged briefly and sparingly."""

import io
import logging
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from archive.security import ProbeLogFilter

from . import factories

pytestmark = pytest.mark.django_db

URL_ATTRIBUTES = {"href", "src", "action", "content"}


class Addresses(HTMLParser):
    """Every address in a page's attributes, and the <link rel> and <meta property> names."""

    def __init__(self):
        super().__init__()
        self.addresses, self.rels, self.properties = [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.rels.append(attrs.get("rel")) if tag == "link" else None
        self.properties.append(attrs.get("property")) if tag == "meta" else None
        for name, value in attrs.items():
            is_url = value and (value.startswith(("/", "http:", "https:")) or "//" in value)
            if name in URL_ATTRIBUTES and is_url:
                self.addresses.append(value)


def addresses_of(response):
    parser = Addresses()
    parser.feed(response.content.decode())
    return parser


def off_site(address):
    parts = urlsplit(address)
    return address.startswith("//") or parts.netloc not in ("", "testserver")


@pytest.mark.parametrize("path", ["//evil.example/x", "//evil.example/en/editions/", "/\\evil"])
@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_404_page_of_a_scheme_relative_probe_links_only_to_this_site(client, path, language):
    response = client.get("/", PATH_INFO=path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    found = addresses_of(response)
    assert [address for address in found.addresses if off_site(address)] == []
    assert "evil" not in response.content.decode()


def test_the_404_page_has_no_canonical_alternate_or_og_url(client):
    found = addresses_of(client.get("/en/no-such-page/"))
    assert [rel for rel in found.rels if rel in ("canonical", "alternate")] == []
    assert "og:url" not in found.properties


def test_the_404_language_switcher_leads_to_each_languages_home(client):
    response = client.get("/", PATH_INFO="//evil.example/x")
    switcher = response.content.decode().split('class="language-switcher"')[1].split("</nav>")[0]
    parser = Addresses()
    parser.feed(switcher)
    assert parser.addresses == ["/en/", "/zh-hans/", "/ja/"]


def test_a_real_page_still_links_to_itself_in_every_language_with_its_filters(client):
    edition = factories.EditionFactory()
    response = client.get("/en/editions/?year=2020")
    found = addresses_of(response)
    assert "/ja/editions/?year=2020" in found.addresses
    assert "http://testserver/zh-hans/editions/" in found.addresses  # hreflang alternate
    assert "http://testserver/editions/" in found.addresses  # x-default
    assert "canonical" in found.rels
    assert "og:url" in found.properties
    page = addresses_of(client.get(edition.get_absolute_url()))
    assert edition.get_absolute_url().replace("/en/", "/ja/", 1) in page.addresses


# --- Probes in the log ---------------------------------------------------------------------
@pytest.fixture
def security_log():
    """What the configured django.security handler writes."""
    (handler,) = [
        handler
        for handler in logging.getLogger("django.security").handlers
        if any(isinstance(f, ProbeLogFilter) for f in handler.filters)
    ]
    for probes in handler.filters:
        probes._windows.clear()  # other tests in this process may have used up the burst
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_foreign_host_probes_are_logged_as_a_few_warning_lines_without_traceback(
    client, security_log
):
    for n in range(50):
        assert client.get("/en/", HTTP_HOST=f"evil{n}.example").status_code == 400
    lines = security_log.getvalue().splitlines()
    assert len(lines) == 5
    assert all(" WARNING django.security.DisallowedHost: Invalid HTTP_HOST" in x for x in lines)
    assert "Traceback" not in security_log.getvalue()


def test_a_traversal_probe_is_logged_as_one_warning_line(client, settings, security_log):
    from django.core.exceptions import SuspiciousFileOperation

    logging.getLogger("django.security.SuspiciousFileOperation").error(
        "Detected path traversal attempt", exc_info=SuspiciousFileOperation("..")
    )
    assert security_log.getvalue().count("\n") == 1
    assert " WARNING django.security.SuspiciousFileOperation: Detected path" in (
        security_log.getvalue()
    )


def test_the_probe_filter_says_how_many_it_left_out_when_the_next_window_opens(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr("archive.security.time.monotonic", lambda: clock[0])
    probes = ProbeLogFilter(burst=2, interval=60)

    def record(n):
        return logging.LogRecord("django.security.X", logging.ERROR, "", 0, "probe %s", (n,), None)

    passed = [probes.filter(record(n)) for n in range(10)]
    assert passed == [True, True] + [False] * 8
    clock[0] = 61.0
    later = record(10)
    assert probes.filter(later) is True
    assert later.getMessage() == "probe 10 (8 more like it not logged)"
    assert later.levelname == "WARNING"
