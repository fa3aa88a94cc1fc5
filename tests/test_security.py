"""Security: response headers, admin throttling and permissions, CSRF, hosts, errors, escaping."""

import json
import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse

from archive import models
from archive.security import PERMISSIONS_POLICY

from . import factories

pytestmark = pytest.mark.django_db

EXPECTED_CSP = {
    "default-src": ["'none'"],
    "base-uri": ["'none'"],
    "connect-src": ["'self'"],
    "font-src": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "img-src": ["'self'", "data:"],
    "manifest-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
}
EXPECTED_HEADERS = {
    "Content-Security-Policy": EXPECTED_CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
}


def parse_csp(value):
    """The policy as {directive: [sources]}; django-csp does not keep the directives' order."""
    directives = (part.split() for part in value.split(";") if part.strip())
    return {name: sources for name, *sources in directives}


def security_headers(response):
    headers = {name: response.headers.get(name) for name in EXPECTED_HEADERS}
    if headers["Content-Security-Policy"]:
        headers["Content-Security-Policy"] = parse_csp(headers["Content-Security-Policy"])
    return headers


# --- Headers ------------------------------------------------------------------------------


def test_public_pages_carry_every_security_header(client):
    edition = factories.EditionFactory()
    for url in ["/en/", edition.get_absolute_url(), "/en/editions/?year=abc", "/no-such-page/"]:
        response = client.get(url)
        assert security_headers(response) == EXPECTED_HEADERS, url


def test_cached_page_keeps_every_security_header(client):
    first = client.get("/en/")
    second = client.get("/en/")
    assert first.status_code == second.status_code == 200
    assert security_headers(second) == EXPECTED_HEADERS


def test_admin_pages_carry_every_security_header(client, editor_client):
    assert security_headers(Client().get("/admin/login/")) == EXPECTED_HEADERS
    for url in ["/admin/", reverse("admin:archive_edition_add")]:
        assert security_headers(editor_client.get(url)) == EXPECTED_HEADERS, url


def test_api_paths_may_be_embedded_cross_origin(client):
    response = client.get("/api/no-such-endpoint/")
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"


def test_static_files_from_whitenoise_carry_nosniff_and_corp(settings):
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    response = Client().get("/static/css/site.css")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/css")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"
    response.close()


class _InlineCode(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, style attributes, handlers."""

    def __init__(self):
        super().__init__()
        self.found = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self._in_inline_script = True
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name == "href" and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} href={value!r}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline_script = False

    def handle_data(self, data):
        if self._in_inline_script and data.strip():
            self.found.append(f"inline script: {data.strip()[:60]!r}")


def inline_code(html):
    parser = _InlineCode()
    parser.feed(html)
    return parser.found


def test_admin_pages_need_no_inline_script_or_style(editor_client):
    """The CSP forbids inline code, so the admin must work without it (Django 5.2 has none)."""
    statement = factories.StatementFactory(
        appearance=factories.AppearanceFactory(sub_forum=factories.SubForumFactory())
    )
    edition = statement.appearance.edition
    urls = [
        "/admin/",
        reverse("admin:archive_edition_changelist"),
        reverse("admin:archive_edition_add"),
        reverse("admin:archive_edition_change", args=[edition.pk]),
        reverse("admin:archive_appearance_change", args=[statement.appearance.pk]),
        reverse("admin:archive_statement_change", args=[statement.pk]),
        reverse("admin:archive_participant_add"),
        reverse("admin:archive_source_add"),
        reverse("admin:archive_edition_delete", args=[edition.pk]),
        reverse("admin:archive_edition_history", args=[edition.pk]),
        reverse("admin:password_change"),
    ]
    found = {}
    for url in urls:
        response = editor_client.get(url)
        assert response.status_code == 200, url
        if inline := inline_code(response.content.decode()):
            found[url] = inline
    assert found == {}
    assert inline_code(Client().get("/admin/login/").content.decode()) == []


# --- Admin: throttling, permissions, CSRF ---------------------------------------------------


def _login(client, username, password):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
    )


def test_five_failed_logins_lock_the_account_out_with_429(caplog):
    factories.EditorFactory(username="editor-a")
    client = Client()
    statuses = [_login(client, "editor-a", f"wrong-{n}").status_code for n in range(5)]
    locked = _login(client, "editor-a", "a-long-test-password")
    assert statuses == [200, 200, 200, 200, 429]
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert any("after repeated login failures" in record.getMessage() for record in caplog.records)


def test_lockout_applies_to_the_username_from_that_address_only():
    factories.EditorFactory(username="editor-b")
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(5):
        _login(attacker, "editor-b", f"wrong-{n}")
    colleague = Client(REMOTE_ADDR="198.51.100.7")
    response = _login(colleague, "editor-b", "a-long-test-password")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"


def test_a_correct_login_after_four_failures_succeeds():
    factories.EditorFactory(username="editor-c")
    client = Client()
    for n in range(4):
        _login(client, "editor-c", f"wrong-{n}")
    assert _login(client, "editor-c", "a-long-test-password").status_code == 302


def _admin_urls():
    """Every admin URL pattern, with sample values for its parameters."""
    samples = {"app_label": "archive", "content_type_id": "1", "object_id": "1"}

    def walk(patterns, prefix):
        for entry in patterns:
            route = str(entry.pattern).lstrip("^").rstrip("$")
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + route)
            elif isinstance(entry, URLPattern):
                yield entry.name, prefix + route

    for name, route in walk(admin.site.get_urls(), "/admin/"):
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: samples.get(m.group(1), "1"), route)
        url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: samples.get(m.group(1), "x"), url)
        url = url.replace(".*", "anything/")
        yield name, url


def test_anonymous_visitors_are_sent_to_login_from_every_admin_page(client):
    factories.EditionFactory()
    not_redirected = {}
    checked = 0
    for name, url in _admin_urls():
        if name in {"login", "logout"}:
            continue
        response = client.get(url)
        checked += 1
        location = response.headers.get("Location", "")
        if response.status_code != 302 or not location.startswith("/admin/login/?next="):
            not_redirected[url] = response.status_code
    assert not_redirected == {}
    assert checked > 9 * 5  # five pages per archive model, at least


def test_admin_login_without_csrf_token_is_refused():
    factories.EditorFactory(username="editor-d")
    client = Client(enforce_csrf_checks=True)
    response = _login(client, "editor-d", "a-long-test-password")
    assert response.status_code == 403


def test_admin_change_form_without_csrf_token_is_refused(editor):
    topic = factories.TopicFactory(name="Before")
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    url = reverse("admin:archive_topic_change", args=[topic.pk])
    response = client.post(url, {"name": "After", "slug": topic.slug})
    assert response.status_code == 403
    topic.refresh_from_db()
    assert topic.name == "Before"


def test_search_form_is_a_get_form(client):
    html = client.get("/en/editions/").content.decode()
    assert re.findall(r'<form class="site-search"[^>]*method="(\w+)"', html) == ["get"]
    # The home page has its own search box instead of the header's.
    html = client.get("/en/").content.decode()
    assert re.findall(r'<form[^>]*action="/en/search/"[^>]*method="(\w+)"', html) == ["get"]


# --- Hosts, request size, errors ------------------------------------------------------------


def test_foreign_host_header_gets_400(client, settings):
    settings.ALLOWED_HOSTS = ["archive.example.org"]
    assert client.get("/en/", HTTP_HOST="evil.example.com").status_code == 400
    assert client.get("/admin/login/", HTTP_HOST="evil.example.com").status_code == 400
    assert client.get("/en/", HTTP_HOST="archive.example.org").status_code == 200


def test_oversized_form_body_gets_400(client, settings):
    body = {"username": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1), "password": "y"}
    assert client.post("/admin/login/", body).status_code == 400


@pytest.mark.urls("tests.urls_errors")
def test_server_error_page_shows_no_traceback(settings):
    assert settings.DEBUG is False
    client = Client(raise_request_exception=False)
    response = client.get("/broken/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Server error</h1>" in html
    assert "Traceback" not in html
    assert "hunter2" not in html
    assert "RuntimeError" not in html
    assert security_headers(response)["X-Content-Type-Options"] == "nosniff"


# --- Hostile input --------------------------------------------------------------------------

PAYLOAD = '<script>alert(1)</script>"><img src=x onerror=alert(1)></script><script>'
ESCAPED = (
    "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
    "&lt;/script&gt;&lt;script&gt;"
)
URL_PAYLOAD = 'https://example.org/?"><script>alert(1)</script>'
ESCAPED_URL = "https://example.org/?&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
RAW_FRAGMENTS = ["<script>alert(1)", "<img src=x", "</script><script>", 'href="javascript:']


def make_record_set():
    """One of each archive record, all linked, so every public page shows something."""
    organization = factories.OrganizationFactory()
    topic = factories.TopicFactory()
    source = factories.SourceFactory(url="https://example.org/report")
    forum = factories.ForumFactory()
    forum.organizers.add(organization)
    edition = factories.EditionFactory(forum=forum)
    edition.co_organizers.add(organization)
    edition.topics.add(topic)
    edition.sources.add(source)
    sub_forum = factories.SubForumFactory(edition=edition)
    sub_forum.topics.add(topic)
    appearance = factories.AppearanceFactory(sub_forum=sub_forum, organization=organization)
    statement = factories.StatementFactory(appearance=appearance, source=source)
    return {
        "organization": organization,
        "forum": forum,
        "topic": topic,
        "source": source,
        "participant": appearance.participant,
        "edition": edition,
        "subforum": sub_forum,
        "appearance": appearance,
        "statement": statement,
    }


def public_pages(records):
    edition, sub_forum = records["edition"], records["subforum"]
    return [
        "/en/",
        "/en/editions/",
        edition.get_absolute_url(),
        sub_forum.get_absolute_url(),
        "/en/participants/",
        records["participant"].get_absolute_url(),
        "/en/organizations/",
        records["organization"].get_absolute_url(),
        records["topic"].get_absolute_url(),
        "/en/search/?q=alert",
        "/en/search/?q=" + PAYLOAD,
    ]


def assert_only_escaped(client, urls):
    raw_found, escaped_on = {}, []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        if found := [fragment for fragment in RAW_FRAGMENTS if fragment in html]:
            raw_found[url] = found
        if ESCAPED in html:
            escaped_on.append(url)
    assert raw_found == {}
    return escaped_on


class _FormFields(HTMLParser):
    """The fields of one admin change form, as a browser would submit them."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.in_form = form_id, False
        self.fields = []  # (name, value, kind)
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_form = attrs.get("id") == self.form_id
        if not self.in_form or not attrs.get("name") and tag != "option":
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "file", "image"}:
                return
            if kind == "checkbox" and "checked" not in attrs:
                return
            if "vDateField" in attrs.get("class", "") or "vTimeField" in attrs.get("class", ""):
                kind = "date"
            self.fields.append((attrs["name"], attrs.get("value", ""), kind))
        elif tag == "textarea":
            self._textarea = [attrs["name"], ""]
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append((self._select, attrs.get("value", ""), "select"))

    def handle_data(self, data):
        if self._textarea:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea[0], self._textarea[1].lstrip("\n"), "textarea"))
            self._textarea = None
        elif tag == "select":
            self._select = None


def post_payloads_through_admin(client, model_name, record):
    """Open the change form, put the payload into every text and URL field, and save."""
    url = reverse(f"admin:archive_{model_name}_change", args=[record.pk])
    parser = _FormFields(f"{model_name}_form")
    parser.feed(client.get(url).content.decode())
    data, filled = {}, []
    for name, value, kind in parser.fields:
        top_level = "-" not in name and name not in {"slug", "csrfmiddlewaretoken"}
        if top_level and kind in {"text", "textarea"}:
            value = PAYLOAD
            filled.append(name)
        elif top_level and kind == "url":
            value = URL_PAYLOAD
            filled.append(name)
        data.setdefault(name, []).append(value)
    response = client.post(url, data)
    errors = response.context["adminform"].form.errors if response.context else None
    assert response.status_code == 302, (model_name, errors)
    return filled


def test_payloads_entered_in_the_admin_are_escaped_on_every_public_page(editor_client):
    records = make_record_set()
    filled = {
        name: post_payloads_through_admin(editor_client, name, record)
        for name, record in records.items()
    }
    expected_text_fields = {
        "organization": {"name", "native_name", "country", "description", "alternative_names"},
        "forum": {"name", "alternative_names", "description"},
        "topic": {"name"},
        "source": {"title", "publisher", "url", "note"},
        "participant": {"name", "native_name", "country", "bio"},
        "edition": {"theme", "city", "country", "venue", "summary"},
        "subforum": {"title", "description"},
        "appearance": {"position", "organization_name"},
        "statement": {"text"},
    }
    # Translated fields appear once per language (name_en, name_zh_hans, name_ja): all count.
    filled = {
        name: {re.sub(r"_(en|zh_hans|ja)$", "", field) for field in fields}
        for name, fields in filled.items()
    }
    missing = {
        name: sorted(fields - filled[name])
        for name, fields in expected_text_fields.items()
        if fields - filled[name]
    }
    assert missing == {}
    records["source"].refresh_from_db()
    assert records["source"].url == URL_PAYLOAD
    anonymous = Client()
    escaped_on = assert_only_escaped(anonymous, public_pages(records))
    assert len(escaped_on) >= 9  # every page except the empty-ish search for "alert"
    source_links = [
        url
        for url in public_pages(records)
        if f'href="{ESCAPED_URL}"' in anonymous.get(url).content.decode()
    ]
    assert source_links != []


def test_payloads_loaded_from_a_fixture_are_escaped_on_every_public_page(tmp_path):
    records = make_record_set()
    text_fields = {
        "organization": ["name", "native_name", "country", "description", "alternative_names"],
        "forum": ["name", "alternative_names", "description"],
        "topic": ["name"],
        "source": ["title", "publisher", "note"],
        "participant": ["name", "native_name", "country", "bio"],
        "edition": ["theme", "city", "country", "venue", "summary"],
        "subforum": ["title", "description"],
        "appearance": ["position", "organization_name"],
        "statement": ["text"],
    }
    for name, fields in text_fields.items():
        for field_name in fields:
            setattr(records[name], field_name, PAYLOAD)
        records[name].save()
    records["source"].url = URL_PAYLOAD
    records["source"].save()
    edition = records["edition"]
    fixture = tmp_path / "hostile.json"
    call_command("export_edition", edition.forum.slug, str(edition.number), output=str(fixture))
    assert PAYLOAD in json.loads(fixture.read_text(encoding="utf-8"))[0]["fields"].values()
    models.Edition.objects.all().delete()
    models.Participant.objects.all().delete()
    models.Forum.objects.all().delete()
    models.Source.objects.all().delete()
    models.Topic.objects.all().delete()
    models.Organization.objects.all().delete()
    call_command("load_edition", str(fixture), verbosity=0)
    loaded = {
        "edition": models.Edition.objects.get(),
        "subforum": models.SubForum.objects.get(),
        "participant": models.Participant.objects.get(),
        "organization": models.Organization.objects.get(),
        "topic": models.Topic.objects.get(),
    }
    assert loaded["edition"].theme == PAYLOAD
    escaped_on = assert_only_escaped(Client(), public_pages(loaded))
    assert len(escaped_on) >= 9


def test_url_field_rejects_javascript_urls(editor_client):
    source = factories.SourceFactory.build(url="javascript:alert(1)")
    with pytest.raises(ValidationError) as raised:
        source.full_clean()
    assert list(raised.value.message_dict) == ["url"]
    response = editor_client.post(
        reverse("admin:archive_source_add"),
        {"title_en": "A report", "slug": "a-report", "url": "javascript:alert(1)"},
    )
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["url"]
    assert models.Source.objects.filter(slug="a-report").exists() is False
