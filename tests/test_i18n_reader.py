"""What a Chinese or Japanese reader is shown: a translated quote is labelled as a translation,
with the original one click away; the API says the same; places and dates are composed once."""

import datetime

import pytest
from django.utils import translation

from archive.models import Statement
from archive.models.languages import date_range, join_place

from . import factories
from .builders import make_archive

LABELS = {
    "en": None,
    "zh-hans": "直接引语的译文",
    "ja": "直接引用の翻訳",
}


def archive_with_a_quote(language):
    """The builders' archive with one quote in three languages, its words as the source gives
    them in `language` (the other two are translations)."""
    records = make_archive()
    appearance = records["session"].appearances.get()
    statement = factories.StatementFactory(
        appearance=appearance,
        number=1,
        kind=Statement.Kind.QUOTE,
        language=language,
        text="We will trade more.",
        text_ja="貿易を増やします。",
        text_zh_hans="我们将扩大贸易。",
    )
    return records, statement


@pytest.fixture
def quote(db):
    return archive_with_a_quote("en")


@pytest.mark.parametrize("language", ["en", "zh-hans", "ja"])
def test_a_translated_quote_is_labelled_and_keeps_the_original(client, quote, language):
    records, statement = quote
    with translation.override("en"):
        path = records["session"].get_absolute_url().removeprefix("/en")
    html = client.get(f"/{language}{path}").content.decode()
    article = html[html.index(f'id="statement-{statement.pk}"') :]
    article = article[: article.index("</article>")]
    if language == "en":
        assert "<blockquote" in article and "We will trade more." in article
        assert "statement__original" not in article
        return
    shown = statement.text_ja if language == "ja" else statement.text_zh_hans
    assert LABELS[language] in article
    text_part = article[: article.index("statement__original")]
    assert shown in text_part and "<blockquote" not in text_part
    assert '<blockquote lang="en"><p>We will trade more.</p></blockquote>' in article


@pytest.mark.parametrize(
    ("language", "is_translation", "text"),
    [("en", False, "We will trade more."), ("ja", True, "貿易を増やします。")],
)
def test_the_api_says_when_a_quote_is_a_translation(client, quote, language, is_translation, text):
    response = client.get("/api/statements/", HTTP_ACCEPT_LANGUAGE=language)
    record = next(r for r in response.json()["results"] if r["kind"] == "quote")
    assert record["text"] == text
    assert record["is_translation"] is is_translation
    assert record["text_language"] == language
    assert record["text_original"] == "We will trade more."
    assert record["text_original_language"] == "en"


@pytest.fixture
def japanese_quote(db):
    """Words a source gives in Japanese, with an editor's English and Chinese translations."""
    return archive_with_a_quote("ja")


@pytest.mark.parametrize(
    ("language", "verbatim", "label"),
    [
        ("en", False, "Translation of a direct quote"),
        ("zh-hans", False, LABELS["zh-hans"]),
        ("ja", True, "直接引用"),
    ],
)
def test_words_recorded_in_japanese_are_the_quote_and_english_is_a_translation(
    client, japanese_quote, language, verbatim, label
):
    records, statement = japanese_quote
    with translation.override("en"):
        path = records["session"].get_absolute_url().removeprefix("/en")
    html = client.get(f"/{language}{path}").content.decode()
    article = html[html.index(f'id="statement-{statement.pk}"') :]
    article = article[: article.index("</article>")]
    assert label in article
    if verbatim:  # the Japanese page shows the recorded words themselves, as the quote
        assert "<blockquote" in article and "貿易を増やします。" in article
        assert "statement__original" not in article and LABELS["ja"] not in article
    else:  # every other language is a translation, the Japanese words one click away
        text_part = article[: article.index("statement__original")]
        assert "<blockquote" not in text_part
        assert '<blockquote lang="ja"><p>貿易を増やします。</p></blockquote>' in article


@pytest.mark.parametrize(
    ("language", "is_translation", "text"),
    [("en", True, "We will trade more."), ("ja", False, "貿易を増やします。")],
)
def test_the_api_gives_the_recorded_language_of_the_words(
    client, japanese_quote, language, is_translation, text
):
    response = client.get("/api/statements/", HTTP_ACCEPT_LANGUAGE=language)
    record = next(r for r in response.json()["results"] if r["kind"] == "quote")
    assert record["text"] == text
    assert record["is_translation"] is is_translation
    assert record["text_original"] == "貿易を増やします。"
    assert record["text_original_language"] == "ja"


def test_the_recorded_language_needs_the_words_in_its_column(japanese_quote):
    from django.core.exceptions import ValidationError

    _records, statement = japanese_quote
    statement.text_ja = ""
    with pytest.raises(ValidationError) as caught:
        statement.full_clean()
    assert caught.value.message_dict["language"] == [
        "The words as recorded go in the text in Japanese, which is empty."
    ]
    statement.text_ja = "貿易を増やします。"
    statement.language = "fr"
    with pytest.raises(ValidationError) as caught:
        statement.full_clean()
    assert "language" in caught.value.message_dict


@pytest.mark.parametrize(
    ("language", "parts", "expected"),
    [
        ("en", ["Example Hall", "Tokyo", "Japan"], "Example Hall, Tokyo, Japan"),
        ("zh-hans", ["北京", "中国"], "北京，中国"),
        ("ja", ["東京", "日本"], "東京（日本）"),
        ("ja", ["帝国ホテル", "東京", "日本"], "帝国ホテル、東京（日本）"),
        ("ja", ["東京"], "東京"),
    ],
)
def test_a_place_is_written_the_way_each_language_writes_it(language, parts, expected):
    assert join_place(parts, language) == expected


def test_chinese_date_ranges_use_zhi_and_japanese_a_wave_dash():
    start, end = datetime.date(2024, 12, 3), datetime.date(2024, 12, 5)
    assert date_range(start, end, "zh-hans") == "2024年12月3日至5日"
    assert date_range(start, end, "ja") == "2024年12月3日～5日"


@pytest.mark.parametrize("language", ["zh-hans", "ja"])
def test_ordering_and_empty_choices_are_translated(client, db, language):
    html = client.get(f"/{language}/editions/").content.decode()
    assert "(descending)" not in html and "---------" not in html


@pytest.mark.parametrize("language", ["en", "zh-hans", "ja"])
def test_the_server_error_page_is_in_the_active_language(language):
    from django.template.loader import render_to_string

    with translation.override(language):
        assert f'<html lang="{language}">' in render_to_string("500.html")
