"""Crawl every public page type in Chinese and Japanese and fail on English a reader is shown
without being told it is English.

The archive holds English-only records plus a few translations (tests/builders.py). Every text
node with a word of two or more Latin letters must sit inside an element marked `lang="en"` (or
<script>, <style>, <code>, <pre>), be an address, or be one of the few names of formats below.
"""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.utils import translation

from archive.models import Statement

from . import factories
from .builders import make_archive

LANGUAGES = ("zh-hans", "ja")

#: Names of formats and standards, not words of a language. Keep it short: fix the page instead.
ALLOWED_TOKENS = {"API", "CSV", "iCal", "JSON", "RSS", "Atom", "BibTeX", "RIS", "CSL", "ics"}
ALLOWED_TOKENS |= {"webcal"}  # the subscribe link's URI scheme

LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
URL = re.compile(r"\b(?:https?://|www\.)\S+|\S+@\S+")
SKIPPED = {"script", "style", "code", "pre", "title", "head", "template"}
VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip


class TextWithLanguage(HTMLParser):
    """Collects (text, language of the innermost element with a lang) for visible text."""

    def __init__(self, page_language):
        super().__init__(convert_charrefs=True)
        self.stack = [("html", page_language, False)]
        self.texts = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        attrs = dict(attrs)
        _parent, language, skipped = self.stack[-1]
        language = attrs.get("lang", language)
        self.stack.append((tag, language, skipped or tag in SKIPPED))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        _tag, language, skipped = self.stack[-1]
        if not skipped and data.strip():
            self.texts.append((data.strip(), language))


def unmarked_english(html, page_language):
    """The visible strings with Latin words that are not marked as another language."""
    parser = TextWithLanguage(page_language)
    parser.feed(html)
    found = []
    for text, language in parser.texts:
        if language.lower() != page_language.lower():
            continue
        words = [w for w in LATIN_WORD.findall(URL.sub(" ", text)) if w not in ALLOWED_TOKENS]
        if words:
            found.append(text)
    return found


def test_the_checker_sees_unmarked_english_and_accepts_marked_english():
    html = (
        '<html lang="ja"><head><title>Title</title></head><body><p>会議 Example</p>'
        '<p><span lang="en">Example Forum</span> <code>x = y</code> CSV https://a.test/b</p>'
        "<script>var text = 'hello';</script><br><p>第3回<span lang=\"en\">Forum</span></p>"
    )
    assert unmarked_english(html, "ja") == ["会議 Example"]


@pytest.fixture
def archive(db):
    records = make_archive()
    edition, session = records["edition"], records["session"]
    # Some translations, the rest English only.
    edition.theme_ja = "協力"
    edition.city_ja = "東京"
    edition.country_ja = "日本"
    edition.city_zh_hans = "东京"
    edition.save()
    session.title_zh_hans = "经济"
    session.save()
    speaker = session.appearances.get().participant
    speaker.native_name = "例 愛子"
    speaker.country = "Japan"
    speaker.save()
    source = factories.SourceFactory(
        title="Conference report",
        publisher="Example Press",
        note="Checked against the recording.",
        url="https://example.org/report",
        published_on=datetime.date(2024, 12, 10),
    )
    edition.sources.add(source)
    appearance = session.appearances.get()
    factories.StatementFactory(
        appearance=appearance,
        number=1,
        kind=Statement.Kind.QUOTE,
        text="We will trade more.",
        text_ja="貿易を増やします。",
        text_zh_hans="我们将扩大贸易。",
        source=source,
    )
    factories.StatementFactory(
        appearance=appearance,
        number=2,
        kind=Statement.Kind.PARAPHRASE,
        text="She spoke about ports.",
        source=source,
    )
    return records


def page_addresses(records):
    edition, session = records["edition"], records["session"]
    return {
        "home": "/",
        "forum detail": edition.forum.get_absolute_url(),
        "edition list": "/editions/",
        "edition list, filtered and ordered": "/editions/?ordering=-date&city=Tokyo",
        "edition detail": edition.get_absolute_url(),
        "sub-forum detail": session.get_absolute_url(),
        "participant list": "/participants/",
        "participant detail": "/participants/aiko-example/",
        "organization list": "/organizations/",
        "organization detail": "/organizations/ex-inst/",
        "topic detail": "/topics/trade/",
        "search": "/search/?q=Example",
        "search, statements": "/search/?q=trade",
        "not found": "/editions/no-such-edition-99/",
    }


def _prefixed(path, language):
    for code in ("en", *LANGUAGES):
        if path.startswith(f"/{code}/"):
            path = path[len(code) + 1 :]
    return f"/{language}{path}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_unmarked_english_on_any_public_page(client, archive, language):
    problems = []
    with translation.override("en"):
        pages = page_addresses(archive)
    for name, path in pages.items():
        address = _prefixed(path, language)
        response = client.get(address)
        expected = 404 if name == "not found" else 200
        assert response.status_code == expected, (address, response.status_code)
        html = response.content.decode()
        assert f'<html lang="{language}">' in html, address
        problems += [f"{name} ({address}): {text!r}" for text in unmarked_english(html, language)]
    assert not problems, "English text not marked lang=en:\n" + "\n".join(problems)
