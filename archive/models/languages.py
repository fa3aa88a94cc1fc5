"""Which language a piece of text is in, and the compositions every output writes once: a record
field in the active language (or its marked original), the place "venue, city, country" and an
edition's date range, each in the active language's style.

Pages (through the i18n_extras template tags), the feed, calendars, JSON-LD,
social cards, citations and the API all call these functions, so they say the same thing.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.dateformat import format as date_format
from django.utils.translation import get_language
from modeltranslation.utils import build_localized_fieldname

CJK_LANGUAGES = ("zh-hans", "ja")


def active_language():
    return get_language() or settings.LANGUAGE_CODE


def original_language():
    """The language of the original columns (`name`, `text_en`): English."""
    return settings.MODELTRANSLATION_DEFAULT_LANGUAGE


def is_cjk(language):
    return (language or "").lower() in CJK_LANGUAGES


@dataclass(frozen=True)
class Translation:
    value: str
    fallback: bool  # True when the active language had none and the original is shown
    language: str  # the language of `value`

    @property
    def original(self):
        """True when `value` is the original (untranslated) text."""
        return self.language == original_language()


def translation_of(obj, field, language=None):
    """The field in `language` (the active one by default), else in the original language."""
    active = language or active_language()
    default = original_language()
    value = getattr(obj, build_localized_fieldname(field, active), None)
    if value:
        return Translation(value, False, active)
    original = getattr(obj, build_localized_fieldname(field, default), None)
    if original is None:
        original = getattr(obj, field, "") or ""
    return Translation(original, bool(original) and active != default, default)


def translations_of(obj, field):
    """The field in every language, {"en": ..., "zh-hans": ..., "ja": ...}: each language's own
    text, None where it has none (no fallback: a client asking for every language sees which
    translations exist). The API's `?lang=all` (archive/api/serializers.py)."""
    return {
        language: getattr(obj, build_localized_fieldname(field, language), None) or None
        for language in settings.MODELTRANSLATION_LANGUAGES
    }


LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

#: The language of Han-only names by the person's or organization's (English) country name.
HAN_BY_COUNTRY = {
    "china": "zh-Hans",
    "people's republic of china": "zh-Hans",
    "japan": "ja",
    "taiwan": "zh-Hant",
    "hong kong": "zh-Hant",
    "macau": "zh-Hant",
    "macao": "zh-Hant",
    "singapore": "zh-Hans",
    "korea": "ko",
    "south korea": "ko",
    "republic of korea": "ko",
}


def script_language(text, country=""):
    """The language of a native-script name where it can be told, else "".

    Kana means Japanese and Hangul Korean; a name in Han characters only is Chinese or
    Japanese by the country given in English ("China", "Japan"); anything else is unknown.
    """
    text = text or ""
    if KANA.search(text):
        return "ja"
    if HANGUL.search(text):
        return "ko"
    if HAN.search(text):
        return HAN_BY_COUNTRY.get((country or "").strip().lower(), "")
    return ""


def has_latin_words(text):
    return bool(LATIN_WORD.search(str(text or "")))


# -- places -------------------------------------------------------------------------------------


def join_place(parts, language=None):
    """Place parts, most specific first (venue, city, country), in a language's style.

    English: "Example Hall, Tokyo, Japan". Chinese: "国家会议中心，北京，中国" (full-width
    commas). Japanese: "東京（日本）", "帝国ホテル、東京（日本）". Empty parts are left out.
    The parts may be already-escaped HTML: only fixed punctuation is added.
    """
    parts = [part for part in parts if part]
    if not parts:
        return ""
    language = (language or active_language()).lower()
    if language == "zh-hans":
        return "，".join(str(part) for part in parts)
    if language == "ja":
        if len(parts) == 1:
            return str(parts[0])
        *specific, country = parts
        return "、".join(str(part) for part in specific) + f"（{country}）"
    return ", ".join(str(part) for part in parts)


def edition_place_parts(edition, venue=True):
    """[venue, city, country] of an edition as Translations (venue left out when asked)."""
    fields = ("venue", "city", "country") if venue else ("city", "country")
    return [translation_of(edition, field) for field in fields]


def edition_place(edition, venue=True, language=None):
    """The edition's place as plain text in the active language's style."""
    parts = [part.value for part in edition_place_parts(edition, venue)]
    return join_place(parts, language)


# -- dates --------------------------------------------------------------------------------------

#: The word between two dates of a range: "2024年12月3日至5日", "2024年12月3日～5日".
RANGE_SEPARATORS = {"zh-hans": "至", "ja": "～"}


def date_range(start, end=None, language=None):
    """An edition's dates, the shared parts said once, in a language's style.

    English: "3 December 2024", "3–5 December 2024", "28 November – 2 December 2024",
    "30 December 2024 – 2 January 2025". Chinese: "2024年12月3日至5日",
    "2024年11月28日至12月2日", "2024年12月30日至2025年1月2日". Japanese: the same with "～".
    """
    if not start:
        return ""
    end = end or start
    if end < start:
        start, end = end, start
    language = (language or active_language()).lower()
    same_year = start.year == end.year
    same_month = same_year and start.month == end.month
    if is_cjk(language):
        separator = RANGE_SEPARATORS[language]
        first = f"{start.year}年{start.month}月{start.day}日"
        if start == end:
            return first
        if same_month:
            return f"{first}{separator}{end.day}日"
        if same_year:
            return f"{first}{separator}{end.month}月{end.day}日"
        return f"{first}{separator}{end.year}年{end.month}月{end.day}日"
    if start == end:
        return date_format(start, "j F Y")
    if same_month:
        return f"{start.day}–{date_format(end, 'j F Y')}"
    if same_year:
        return f"{date_format(start, 'j F')} – {date_format(end, 'j F Y')}"
    return f"{date_format(start, 'j F Y')} – {date_format(end, 'j F Y')}"


def single_date(day, language=None):
    """One day in a language's style: "3 December 2024", "2024年12月3日"."""
    return date_range(day, day, language)


def _cuts_a_word(before, after):
    """Whether a cut between these two characters splits a word: both are letters or digits of
    a script that separates its words by spaces (Han, kana and hangul may be cut anywhere)."""

    def in_word(char):
        return char.isalnum() and not (HAN.match(char) or KANA.match(char) or HANGUL.match(char))

    return in_word(before) and in_word(after)


def shorten(text, limit):
    """`text` in at most `limit` characters, ending with "…" when cut; never mid-word in Latin
    script (it steps back to the word's start), anywhere in Chinese or Japanese. The one place
    citations and excerpts are shortened. A single word longer than `limit` is cut in it."""
    text = str(text)
    if len(text) <= limit:
        return text
    cut = limit - 1  # room for the ellipsis
    start = cut
    while start > 0 and _cuts_a_word(text[start - 1], text[start]):
        start -= 1
    cut = start or cut
    return text[:cut].rstrip().rstrip(",;:-–—、，。").rstrip() + "…"
