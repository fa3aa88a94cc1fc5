"""Open Graph images ("social cards"): a 1200 × 630 PNG for each edition, session and person.

The card is drawn with Pillow from the record's own text (title, theme, dates, place) in Noto Sans
CJK, which the pip package ``noto-cjk-sans-otc`` ships (SIL Open Font License 1.1), so Chinese,
Japanese and Latin text all render on a machine with nothing but Python installed. Text with kana
is set in the Japanese face of the collection, everything else in the Simplified Chinese face.

Each card is stored once under ``social/`` with a name made from a hash of the text on it (and of
this module's layout version): a change to the record changes the text, hence the name, and the
next request draws the new card. The page links the card with ``?v=<hash>``, so the image can be
cached for a year by browsers and proxies.
"""

import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from PIL import Image, ImageDraw, ImageFont

from ..addresses import path_for
from ..http.lookups import visible_edition_or_404, visible_sub_forum_or_404
from ..models import Edition, Participant, SubForum
from ..models.base import can_preview
from ..models.languages import date_range, edition_place

WIDTH, HEIGHT = 1200, 630
MARGIN = 72
LAYOUT_VERSION = "1"  # bump to redraw every card after a change of layout
CARDS_DIR = "social"
SITE_NAME = "Forum Archive"
LONG_MAX_AGE = 60 * 60 * 24 * 365
SHORT_MAX_AGE = 60 * 10

# Indexes in NotoSansCJK-Regular.ttc: 0 JP, 1 KR, 2 SC, 3 TC, 4 HK.
FACE_JAPANESE = 0
FACE_CHINESE = 2
KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")

BACKGROUND = (23, 42, 58)
ACCENT = (201, 162, 39)
TEXT = (255, 255, 255)
MUTED = (196, 208, 218)


def font_path():
    import noto_cjk_sans_otc

    return str(noto_cjk_sans_otc.FONT_PATH)


@lru_cache(maxsize=16)
def load_font(size, face=FACE_CHINESE):
    return ImageFont.truetype(font_path(), size, index=face)


def face_for(text):
    """Japanese glyph forms for text with kana; Simplified Chinese forms otherwise."""
    return FACE_JAPANESE if KANA.search(text) else FACE_CHINESE


@lru_cache(maxsize=16)
def _notdef_mask(font):
    # U+10FFFF is a noncharacter: no font maps it, so FreeType draws the .notdef glyph.
    return bytes(font.getmask("\U0010ffff"))


def missing_glyphs(text, font):
    """The characters of `text` the font has no glyph for (drawn as .notdef, the empty box)."""
    notdef = _notdef_mask(font)
    missing = []
    for char in dict.fromkeys(text):
        if char.isspace() or unicodedata.category(char) in ("Cc", "Cf"):
            continue
        if bytes(font.getmask(char)) == notdef:
            missing.append(char)
    return missing


@dataclass(frozen=True)
class Card:
    """What goes on a card: a kicker line, the title, and up to three lines of facts."""

    kicker: str
    title: str
    facts: tuple = ()

    @property
    def digest(self):
        text = "\x1f".join((LAYOUT_VERSION, self.kicker, self.title, *self.facts))
        return hashlib.blake2b(text.encode(), digest_size=10).hexdigest()

    @property
    def name(self):
        return f"{CARDS_DIR}/{self.digest}.png"


def _date_range(edition):
    """The dates in the active language's style ("3–5 December 2024", "2024年12月3日～5日")."""
    return date_range(edition.start_date, edition.end_date)


def _place(edition):
    return edition_place(edition)


def edition_card(edition):
    facts = [edition.theme, _date_range(edition), _place(edition)]
    return Card(SITE_NAME, edition.title, tuple(fact for fact in facts if fact))


def sub_forum_card(sub_forum):
    edition = sub_forum.edition
    facts = [
        f"{sub_forum.get_kind_display()} · {edition.title}",
        _date_range(edition),
        _place(edition),
    ]
    return Card(SITE_NAME, sub_forum.title, tuple(facts))


def participant_card(participant):
    facts = [participant.native_name, participant.country]
    return Card(SITE_NAME, participant.name, tuple(fact for fact in facts if fact))


CJK = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
TOKEN = re.compile(rf"[{CJK}]|[^\s{CJK}]+|\s+")


def _tokens(text):
    """Words for scripts with spaces; single characters for CJK, which may break anywhere."""
    return TOKEN.findall(text)


def wrap(text, font, width, max_lines):
    """Greedy line breaking by measured width; the last line ends with … if text was left."""
    lines, line = [], ""
    tokens = _tokens(text)
    for index, token in enumerate(tokens):
        candidate = line + token
        if font.getlength(candidate.strip()) <= width or not line.strip():
            line = candidate
            continue
        lines.append(line.strip())
        line = "" if token.isspace() else token
        if len(lines) == max_lines:
            rest = "".join(tokens[index:]).strip()
            if rest:
                last = lines[-1]
                while last and font.getlength(last + "…") > width:
                    last = last[:-1]
                lines[-1] = last.rstrip() + "…"
            return lines
    if line.strip():
        lines.append(line.strip())
    return lines[:max_lines]


def render(card):
    """Draw the card and return its PNG bytes."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 16, HEIGHT), fill=ACCENT)
    inner = WIDTH - 2 * MARGIN
    all_text = " ".join((card.kicker, card.title, *card.facts))
    face = face_for(all_text)

    kicker = load_font(30, face)
    draw.text((MARGIN, MARGIN), card.kicker.upper(), font=kicker, fill=ACCENT)

    y = MARGIN + 70
    title_size = 68 if len(card.title) <= 40 else 56
    title_font = load_font(title_size, face)
    for line in wrap(card.title, title_font, inner, 3):
        draw.text((MARGIN, y), line, font=title_font, fill=TEXT)
        y += int(title_size * 1.3)

    y += 24
    fact_font = load_font(34, face)
    for fact in card.facts:
        for line in wrap(fact, fact_font, inner, 2):
            if y > HEIGHT - MARGIN - 34:
                break
            draw.text((MARGIN, y), line, font=fact_font, fill=MUTED)
            y += 48
        y += 8

    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def ensure_card(card, storage=None):
    """The stored name of the card, drawn now if this text has never been drawn."""
    storage = storage or default_storage
    if not storage.exists(card.name):
        saved = storage.save(card.name, ContentFile(render(card)))
        if saved != card.name:  # another request drew it at the same moment
            storage.delete(saved)
    return card.name


def card_for(obj):
    """The Card of an Edition, SubForum or Participant."""
    if isinstance(obj, Edition):
        return edition_card(obj)
    if isinstance(obj, SubForum):
        return sub_forum_card(obj)
    if isinstance(obj, Participant):
        return participant_card(obj)
    raise TypeError(f"No social card for {type(obj).__name__}")


def card_url(obj):
    """The card's address, versioned by its text so that it can be cached for a year."""
    if isinstance(obj, Edition):
        path = path_for("archive:edition-card", edition_key=obj.key)
    elif isinstance(obj, SubForum):
        path = path_for("archive:sub-forum-card", edition_key=obj.edition.key, sub_forum=obj.slug)
    elif isinstance(obj, Participant):
        path = path_for("archive:participant-card", slug=obj.slug)
    else:
        return ""
    return f"{path}?v={card_for(obj).digest}"


# --- Views -----------------------------------------------------------------------------


def _card_response(request, obj):
    card = card_for(obj)
    name = ensure_card(card)
    with default_storage.open(name, "rb") as handle:
        response = HttpResponse(handle.read(), content_type="image/png")
    if request.GET.get("v") == card.digest:
        patch_cache_control(response, public=True, max_age=LONG_MAX_AGE, immutable=True)
    else:
        patch_cache_control(response, public=True, max_age=SHORT_MAX_AGE)
    if can_preview(request.user):
        # Drafts are visible to staff only: their cards must not sit in shared caches.
        response["Cache-Control"] = "private, max-age=0"
    return response


def edition_card_view(request, edition_key):
    return _card_response(request, visible_edition_or_404(request.user, edition_key))


def sub_forum_card_view(request, edition_key, sub_forum):
    return _card_response(request, visible_sub_forum_or_404(request.user, edition_key, sub_forum))


def participant_card_view(request, slug):
    participant = get_object_or_404(Participant.objects.visible_to(request.user), slug=slug)
    return _card_response(request, participant)
