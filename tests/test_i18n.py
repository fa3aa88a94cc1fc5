"""Three languages: catalogs, language-prefixed URLs, the switcher, hreflang, dates per locale,
record translations with a marked English fallback, and search across translations."""

import datetime
import gettext
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from archive import models
from archive.services.exporting import export_edition
from archive.services.loading import load_edition
from archive.templatetags.i18n_extras import date_range

from . import factories
from .builders import make_archive

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = {
    "zh-hans": ROOT / "locale" / "zh_Hans" / "LC_MESSAGES",
    "ja": ROOT / "locale" / "ja" / "LC_MESSAGES",
}
PAGES = [
    "",
    "editions/",
    "editions/example-forum-3/",
    "editions/example-forum-3/economy/",
    "participants/",
    "participants/aiko-example/",
    "organizations/",
    "organizations/ex-inst/",
    "topics/trade/",
    "search/?q=Example",
]
NAV = {
    "en": ["Editions", "Participants", "Organizations"],
    "zh-hans": ["历届论坛", "参会者", "机构"],
    "ja": ["開催一覧", "参加者", "組織"],
}


class _Links(HTMLParser):
    """<a> texts inside <nav class="site-nav">, language-switcher links, hreflang alternates."""

    def __init__(self):
        super().__init__()
        self.nav, self.switcher, self.alternates = [], [], {}
        self._in = None
        self._text = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav":
            self._in = attrs.get("class")
        elif tag == "a" and self._in in ("site-nav", "language-switcher"):
            self._text = ""
            if self._in == "language-switcher":
                self.switcher.append(attrs["href"])
        elif tag == "link" and attrs.get("rel") == "alternate" and "hreflang" in attrs:
            self.alternates[attrs["hreflang"]] = attrs["href"]

    def handle_data(self, data):
        if self._text is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "a" and self._text is not None:
            if self._in == "site-nav":
                self.nav.append(self._text.strip())
            self._text = None
        elif tag == "nav":
            self._in = None


def links(response):
    parser = _Links()
    parser.feed(response.content.decode())
    return parser


# --- Catalogs -------------------------------------------------------------------------------
@pytest.mark.parametrize("language", CATALOGS)
def test_catalog_has_no_empty_or_fuzzy_entry(language):
    po = polib.pofile(str(CATALOGS[language] / "django.po"))
    assert len(po) > 250
    assert [entry.msgid for entry in po.untranslated_entries()] == []
    assert [entry.msgid for entry in po.fuzzy_entries()] == []
    assert [entry.msgid for entry in po.obsolete_entries()] == []
    assert po.metadata["Plural-Forms"] == "nplurals=1; plural=0;"


@pytest.mark.parametrize("language", CATALOGS)
def test_shipped_mo_is_compiled_from_the_current_po(language, tmp_path):
    """A .po edited without recompiling (msgfmt is not on every machine) fails here."""
    compiled = tmp_path / "django.mo"
    polib.pofile(str(CATALOGS[language] / "django.po")).save_as_mofile(str(compiled))
    with open(compiled, "rb") as fresh, open(CATALOGS[language] / "django.mo", "rb") as shipped:
        expected = gettext.GNUTranslations(fresh)._catalog
        actual = gettext.GNUTranslations(shipped)._catalog
    expected.pop("", None)  # the header: compilers differ in what they keep of it
    actual.pop("", None)
    assert actual == expected


@pytest.mark.parametrize("language", CATALOGS)
def test_every_template_string_is_translated(language):
    catalog = {
        entry.msgid: entry.msgstr for entry in polib.pofile(str(CATALOGS[language] / "django.po"))
    }
    pattern = re.compile(r"""\{% (?:translate|trans) (["'])(.+?)\1""")
    used = {
        match.group(2)
        for template in (ROOT / "templates").rglob("*.html")
        for match in pattern.finditer(template.read_text())
    }
    assert len(used) > 50
    assert sorted(msgid for msgid in used if not catalog.get(msgid)) == []


# --- Language in the URL --------------------------------------------------------------------
@pytest.mark.parametrize("language", ["en", "zh-hans", "ja"])
def test_every_page_renders_in_each_language_with_translated_navigation(client, db, language):
    make_archive()
    for page in PAGES:
        response = client.get(f"/{language}/{page}")
        assert response.status_code == 200, page
        html = response.content.decode()
        assert f'<html lang="{language}">' in html
        assert links(response).nav == NAV[language], page


@pytest.mark.parametrize(
    ("accept", "path", "expected"),
    [
        ("ja", "/", "/ja/"),
        ("ja,en;q=0.5", "/editions/", "/ja/editions/"),
        ("zh-CN,zh;q=0.9", "/participants/", "/zh-hans/participants/"),
        ("fr", "/organizations/", "/en/organizations/"),
        ("", "/search/?q=Tokyo", "/en/search/?q=Tokyo"),
    ],
)
def test_unprefixed_address_redirects_to_the_visitors_language(client, db, accept, path, expected):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 302
    assert response["Location"] == expected


def test_admin_and_api_stay_unprefixed(client, db):
    assert client.get("/api/").status_code == 200
    assert client.get("/admin/login/").status_code == 200
    assert client.get("/ja/admin/login/").status_code == 404


def test_switcher_links_to_the_same_page_in_each_language(client, db):
    make_archive()
    response = client.get("/ja/editions/?year=2024")
    assert links(response).switcher == [
        "/en/editions/?year=2024",
        "/zh-hans/editions/?year=2024",
        "/ja/editions/?year=2024",
    ]
    html = response.content.decode()
    assert '<a href="/ja/editions/?year=2024" hreflang="ja" lang="ja" aria-current="true">' in html


def test_hreflang_alternates_name_every_language_and_each_resolves(client, db):
    make_archive()
    alternates = links(client.get("/zh-hans/editions/example-forum-3/economy/")).alternates
    assert alternates == {
        "en": "http://testserver/en/editions/example-forum-3/economy/",
        "zh-hans": "http://testserver/zh-hans/editions/example-forum-3/economy/",
        "ja": "http://testserver/ja/editions/example-forum-3/economy/",
        "x-default": "http://testserver/editions/example-forum-3/economy/",
    }
    for hreflang, url in alternates.items():
        response = client.get(url, follow=True)
        assert response.status_code == 200, hreflang
    assert (
        client.get(alternates["x-default"])["Location"] == "/en/editions/example-forum-3/economy/"
    )


# --- Dates ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("language", "start", "end", "expected"),
    [
        ("en", (2024, 12, 3), (2024, 12, 5), "3–5 December 2024"),
        ("en", (2024, 12, 3), (2024, 12, 3), "3 December 2024"),
        ("en", (2024, 11, 28), (2024, 12, 2), "28 November – 2 December 2024"),
        ("en", (2024, 12, 30), (2025, 1, 2), "30 December 2024 – 2 January 2025"),
        ("zh-hans", (2024, 12, 3), (2024, 12, 5), "2024年12月3日至5日"),
        ("zh-hans", (2024, 11, 28), (2024, 12, 2), "2024年11月28日至12月2日"),
        ("ja", (2024, 12, 3), (2024, 12, 5), "2024年12月3日～5日"),
        ("ja", (2024, 12, 3), (2024, 12, 3), "2024年12月3日"),
        ("ja", (2024, 12, 30), (2025, 1, 2), "2024年12月30日～2025年1月2日"),
    ],
)
def test_date_range_is_written_the_way_each_language_writes_it(language, start, end, expected):
    with translation.override(language):
        assert date_range(datetime.date(*start), datetime.date(*end)) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "2–3 December 2024"), ("zh-hans", "2024年12月2日至3日"), ("ja", "2024年12月2日～3日")],
)
def test_edition_page_shows_its_dates_in_the_page_language(client, db, language, expected):
    make_archive()
    html = client.get(f"/{language}/editions/example-forum-3/").content.decode()
    assert f"<dd>{expected}</dd>" in html


# --- Record translations --------------------------------------------------------------------
def test_untranslated_text_falls_back_to_english_marked_as_such(client, db):
    make_archive()
    html = client.get("/ja/editions/example-forum-3/").content.decode()
    assert (
        '<dd><span lang="en">Working together</span> <span class="fallback">(英語原文)</span></dd>'
        in html
    )
    english = client.get("/en/editions/example-forum-3/").content.decode()
    assert "<dd>Working together</dd>" in english
    assert 'class="fallback"' not in english


def test_translated_record_shows_in_japanese_without_a_marker(client, db):
    edition = make_archive()["edition"]
    edition.theme_ja = "共に働く"
    edition.save()
    html = client.get("/ja/editions/example-forum-3/").content.decode()
    assert "<dd>共に働く</dd>" in html
    assert "Working together" not in html.split("<main", 1)[1].split("</main>")[0]
    assert (
        "<dd>Working together</dd>" in client.get("/en/editions/example-forum-3/").content.decode()
    )


def test_statement_in_japanese_is_found_by_its_japanese_text_and_shown_on_ja_pages(client, db):
    sub_forum = make_archive()["edition"].sub_forums.get()
    appearance = models.Appearance.objects.get(sub_forum=sub_forum)
    statement = factories.StatementFactory(appearance=appearance, text="Trade links us.")
    statement.text_ja = "貿易は両国を結ぶ"
    statement.save()
    for language in ["ja", "en"]:
        response = client.get(f"/{language}/search/", {"q": "両国"})
        groups = {group.key: group.hits for group in response.context["groups"]}
        assert groups["statements"] == [statement], language
    html = client.get("/ja/editions/example-forum-3/economy/").content.decode()
    assert "貿易は両国を結ぶ" in html


def test_edition_page_runs_the_same_queries_in_every_language(client, db):
    make_archive()
    counts = {}
    for language in ["en", "zh-hans", "ja"]:
        cache.clear()  # each language cold: no page or count remembered from the one before
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/{language}/editions/example-forum-3/").status_code == 200
        counts[language] = len(queries)
    assert counts["zh-hans"] == counts["en"]
    assert counts["ja"] == counts["en"]


def test_translation_columns_survive_export_and_load(db, tmp_path):
    data = make_archive()
    forum = data["edition"].forum
    forum.name_zh_hans = "示例论坛"
    forum.name_ja = "例のフォーラム"
    forum.save()
    stream = io.StringIO()
    export_edition("example-forum", 3, stream)
    records = json.loads(stream.getvalue())
    (exported,) = [r["fields"] for r in records if r["model"] == "archive.forum"]
    assert (exported["name"], exported["name_en"], exported["name_zh_hans"]) == (
        "Example Forum",
        "Example Forum",
        "示例论坛",
    )
    for model in [
        models.Statement,
        models.Appearance,
        models.SubForum,
        models.Edition,
        models.Forum,
        models.Participant,
        models.Organization,
        models.Topic,
        models.Source,
    ]:
        model.objects.all().delete()
    exported_file = tmp_path / "edition-03.json"
    exported_file.write_text(stream.getvalue(), encoding="utf-8")
    load_edition([exported_file])
    forum = models.Forum.objects.get(slug="example-forum")
    assert (forum.name_en, forum.name_zh_hans, forum.name_ja) == (
        "Example Forum",
        "示例论坛",
        "例のフォーラム",
    )
    with translation.override("zh-hans"):
        assert forum.name == "示例论坛"


def test_fixture_with_only_a_chinese_translation_loads_and_keeps_english_in_the_plain_field(
    db, tmp_path
):
    path = tmp_path / "topics.json"
    path.write_text(
        json.dumps(
            [
                {
                    "model": "archive.topic",
                    "fields": {"slug": "energy", "name": "Energy", "name_zh_hans": "能源"},
                },
                {"model": "archive.topic", "fields": {"slug": "water", "name": "Water"}},
            ]
        )
    )
    with translation.override("ja"):  # the loader reads "name" as English whatever is active
        load_edition([path])
    energy = models.Topic.objects.get(slug="energy")
    assert (energy.name_en, energy.name_zh_hans, energy.name_ja) == ("Energy", "能源", None)
    assert models.Topic.objects.get(slug="water").name_zh_hans is None


def test_real_fixtures_load_with_english_in_the_english_column(db):
    fixtures = ROOT / "fixtures" / "beijing-tokyo-forum"
    load_edition([fixtures / "series.json", fixtures / "edition-20.json"])
    edition = models.Edition.objects.get(number=20)
    assert edition.theme_en == edition.theme != ""
    assert edition.theme_ja is None
    assert settings.MODELTRANSLATION_DEFAULT_LANGUAGE == "en"


def test_organization_list_in_japanese_keeps_alphabetical_order_of_untranslated_names(client, db):
    from archive.models import Organization

    for name in ("Zeta Institute", "Alpha Daily", "Mu Group"):
        organization = factories.OrganizationFactory(name=name)
        factories.EditionFactory().co_organizers.add(organization)
    response = client.get("/ja/organizations/")
    names = [o.name for o in response.context["object_list"]]
    assert names == ["Alpha Daily", "Mu Group", "Zeta Institute"]
    assert Organization._meta.ordering == ["name_en"]
