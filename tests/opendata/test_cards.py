"""Open Graph images (archive/opendata/cards.py): drawn with Pillow in Noto Sans CJK, by text."""

import io
import os

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from archive.opendata import cards as social

from .. import factories

LATIN = "Beijing–Tokyo Forum: Peace, Cooperation and Trust"
CHINESE = "第二十届北京—东京论坛 和平与合作"
JAPANESE = "第20回東京－北京フォーラム 平和と協力をめざして"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_cards():
    if not default_storage.exists(social.CARDS_DIR):
        return []
    return sorted(default_storage.listdir(social.CARDS_DIR)[1])


def card_url(edition):
    return f"/en/editions/{edition.forum.slug}-{edition.number}/card.png"


@pytest.mark.parametrize("face", [social.FACE_CHINESE, social.FACE_JAPANESE])
def test_card_font_has_glyphs_for_latin_chinese_and_japanese(face):
    font = social.load_font(68, face)
    assert social.missing_glyphs(LATIN + CHINESE + JAPANESE, font) == []


def test_missing_glyph_check_detects_a_character_the_font_lacks():
    font = social.load_font(68)
    # Linear B and Ogham are not in Noto Sans CJK: both would be drawn as the .notdef box.
    assert social.missing_glyphs("A\U00010000\u1681", font) == ["\U00010000", "\u1681"]


def test_japanese_text_is_set_in_the_japanese_face():
    assert social.face_for(JAPANESE) == social.FACE_JAPANESE
    assert social.face_for(CHINESE + LATIN) == social.FACE_CHINESE


def test_card_with_three_scripts_renders_every_line_with_real_glyphs():
    card = social.Card(social.SITE_NAME, f"{LATIN} {CHINESE}", (JAPANESE, "3 – 5 December 2024"))
    png = social.render(card)
    image = Image.open(io.BytesIO(png))
    assert (image.format, image.size) == ("PNG", (1200, 630))
    font = social.load_font(68, social.face_for(" ".join((card.title, *card.facts))))
    assert social.missing_glyphs(card.kicker + card.title + "".join(card.facts), font) == []
    # Text was drawn: the card is not only its background and accent bar.
    assert len(image.getcolors(maxcolors=100_000)) > 50


def test_long_title_wraps_and_ends_with_an_ellipsis():
    font = social.load_font(56)
    lines = social.wrap("合作" * 200, font, 1056, 3)
    assert len(lines) == 3
    assert lines[-1].endswith("…")
    assert all(font.getlength(line) <= 1056 for line in lines)


def test_edition_card_text_is_title_theme_dates_and_place(db):
    edition = factories.EditionFactory(
        forum__name="Example Forum",
        number=3,
        theme=CHINESE,
        venue="Example Hall",
        city="Tokyo",
        country="Japan",
        start_date="2024-12-03",
        end_date="2024-12-05",
    )
    edition.refresh_from_db()
    assert social.edition_card(edition) == social.Card(
        "Forum Archive",
        "3rd Example Forum",
        (CHINESE, "3–5 December 2024", "Example Hall, Tokyo, Japan"),
    )


def test_edition_card_is_served_as_a_1200_by_630_png_with_long_cache_headers(client, db):
    edition = factories.EditionFactory(theme=JAPANESE)
    digest = social.edition_card(edition).digest
    response = client.get(card_url(edition), {"v": digest})
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    image = Image.open(io.BytesIO(response.content))
    assert (image.format, image.size) == ("PNG", (1200, 630))


def test_card_without_the_current_version_is_cached_briefly(client, db):
    edition = factories.EditionFactory()
    response = client.get(card_url(edition), {"v": "stale"})
    assert response["Cache-Control"] == "public, max-age=600"


def test_card_is_stored_once_and_reused(client, db):
    edition = factories.EditionFactory()
    client.get(card_url(edition))
    (name,) = stored_cards()
    path = default_storage.path(f"{social.CARDS_DIR}/{name}")
    os.utime(path, (1, 1))
    client.get(card_url(edition))
    assert stored_cards() == [name]
    assert os.stat(path).st_mtime == 1


def test_card_is_redrawn_after_the_record_changes(client, db):
    edition = factories.EditionFactory(theme="First theme")
    first_url = social.card_url(edition)
    first = client.get(card_url(edition)).content

    edition.theme = "Second theme"
    edition.save()

    second_url = social.card_url(edition)
    second = client.get(card_url(edition)).content
    assert first_url != second_url
    assert first != second
    assert stored_cards() == sorted(
        [f"{social.edition_card(edition).digest}.png", first_url.split("?v=")[1] + ".png"]
    )


def test_draft_edition_card_is_hidden_from_the_public(client, db):
    edition = factories.EditionFactory(status="draft")
    assert client.get(card_url(edition)).status_code == 404
    assert stored_cards() == []


def test_staff_see_draft_cards_without_shared_caching(staff_client, db):
    edition = factories.EditionFactory(status="draft")
    response = staff_client.get(card_url(edition))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, max-age=0"


def test_sub_forum_and_participant_cards_are_served(client, db):
    appearance = factories.AppearanceFactory(sub_forum=factories.SubForumFactory())
    sub_forum = appearance.sub_forum
    edition = sub_forum.edition
    for url in (
        f"/en/editions/{edition.forum.slug}-{edition.number}/{sub_forum.slug}/card.png",
        f"/en/participants/{appearance.participant.slug}/card.png",
    ):
        response = client.get(url)
        assert response.status_code == 200
        image = Image.open(io.BytesIO(response.content))
        assert image.size == (1200, 630)


def test_participant_card_of_someone_not_yet_public_is_404(client, db):
    participant = factories.ParticipantFactory()
    assert client.get(f"/en/participants/{participant.slug}/card.png").status_code == 404


def test_edition_page_gives_the_absolute_versioned_card_address_to_its_template(client, db):
    edition = factories.EditionFactory()
    response = client.get(edition.get_absolute_url())
    digest = social.edition_card(edition).digest
    assert response.context["og"]["image"] == f"http://testserver{card_url(edition)}?v={digest}"


def test_edition_page_links_its_card_as_og_image(client, db):
    edition = factories.EditionFactory()
    content = client.get(edition.get_absolute_url()).content.decode()
    digest = social.edition_card(edition).digest
    expected = (
        f'<meta property="og:image" content="http://testserver{card_url(edition)}?v={digest}">'
    )
    assert content.count(expected) == 1


def test_a_japanese_card_says_its_title_and_dates_in_japanese(db):
    """issue 17: the Japanese card read "Dec. 3, 2024 – Dec. 5, 2024"."""
    from django.utils import translation

    edition = factories.EditionFactory(
        forum__name="Example Forum",
        number=3,
        city="Tokyo",
        country="Japan",
        start_date="2024-12-03",
        end_date="2024-12-05",
    )
    edition.refresh_from_db()
    with translation.override("ja"):
        card = social.edition_card(edition)
    assert card.title.startswith("第3回")
    dates = card.facts[1]
    assert "2024年12月3日" in dates and "Dec" not in dates
