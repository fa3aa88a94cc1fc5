"""Uploads, renditions and placeholders (archive/images.py and the CleanImageField).

Every picture here is made in memory with Pillow; media goes to tmp_path.
"""

import io
import re
import struct
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.template import Context, Template
from django.urls import reverse
from PIL import ExifTags, Image

from archive import images
from archive.models import Participant

from . import factories

STORED_NAME = re.compile(r"portraits/[0-9a-f]{32}\.(jpg|png|webp)")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def image_bytes(fmt, size=(20, 10), mode="RGB", colour=(200, 30, 30), **save_kwargs):
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, fmt, **save_kwargs)
    return buffer.getvalue()


def upload(content, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def huge_png(width, height):
    """A real, valid 1-bit PNG of width × height: all zero rows, so it compresses to a few KB."""

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    row = b"\0" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    block = row * 500
    parts = [compressor.compress(block) for _ in range(height // 500)]
    parts.append(compressor.compress(row * (height % 500)))
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", b"".join(parts))
        + chunk(b"IEND", b"")
    )


def save_photo(participant, content, name="photo.jpg"):
    participant.photo = upload(content, name)
    participant.full_clean()
    participant.save()
    participant.refresh_from_db()
    return participant.photo


def stored(name):
    with default_storage.open(name, "rb") as handle:
        image = Image.open(handle)
        image.load()
    return image


def message(key, **params):
    text = str(images.MESSAGES[key])
    return text % params if params else text


# --- Accepted uploads ------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "extension"), [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp")])
def test_accepted_format_is_stored_reencoded_under_a_server_chosen_name(db, fmt, extension):
    participant = factories.ParticipantFactory()
    photo = save_photo(participant, image_bytes(fmt, (30, 20)), name="../../etc/My Photo.gif")
    assert STORED_NAME.fullmatch(photo.name)
    assert photo.name.endswith("." + extension)
    image = stored(photo.name)
    assert (image.format, image.size) == (fmt, (30, 20))


def test_format_is_judged_by_content_not_by_file_name(db):
    participant = factories.ParticipantFactory()
    photo = save_photo(participant, image_bytes("PNG"), name="actually-a-png.jpg")
    assert photo.name.endswith(".png")
    assert stored(photo.name).format == "PNG"


def exif_with_gps():
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Fictional Camera Co."
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (35.0, 41.0, 22.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (139.0, 41.0, 30.0)
    return exif


def test_exif_gps_and_comment_are_gone_after_upload(db):
    content = image_bytes("JPEG", exif=exif_with_gps(), comment=b"taken at home")
    original = Image.open(io.BytesIO(content))
    assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "N"
    assert original.info["comment"] == b"taken at home"

    photo = save_photo(factories.ParticipantFactory(), content)

    image = stored(photo.name)
    assert dict(image.getexif()) == {}
    assert image.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    assert "exif" not in image.info
    assert "comment" not in image.info


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_exif_gps_is_gone_from_png_and_webp_too(db, fmt):
    content = image_bytes(fmt, exif=exif_with_gps())
    assert dict(Image.open(io.BytesIO(content)).getexif())[ExifTags.Base.Make] == (
        "Fictional Camera Co."
    )
    photo = save_photo(factories.ParticipantFactory(), content)
    image = stored(photo.name)
    assert dict(image.getexif()) == {}
    assert "exif" not in image.info


def test_exif_orientation_is_applied_before_storing(db):
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # "rotate 90° clockwise to display"
    content = image_bytes("JPEG", (20, 10), exif=exif)

    photo = save_photo(factories.ParticipantFactory(), content)

    image = stored(photo.name)
    assert image.size == (10, 20)
    assert image.getexif().get(ExifTags.Base.Orientation) is None


def test_palette_png_with_transparency_keeps_its_transparency(db):
    content = image_bytes("PNG", (16, 16), mode="P", colour=0, transparency=0)
    photo = save_photo(factories.ParticipantFactory(), content)
    assert stored(photo.name).info["transparency"] == 0


# --- Refused uploads -------------------------------------------------------------------

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>1</script></svg>'


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (SVG, "drawing.svg"),
        (image_bytes("GIF"), "anim.gif"),
        (image_bytes("GIF"), "renamed.jpg"),
        (b"This is a text file, not a picture.\n", "notes.jpg"),
        (image_bytes("BMP"), "old.bmp"),
        (b"", "empty.jpg"),
    ],
    ids=["svg", "gif", "gif-renamed-jpg", "text-renamed-jpg", "bmp", "empty"],
)
def test_file_that_is_not_jpeg_png_or_webp_is_refused(content, name):
    with pytest.raises(ValidationError) as caught:
        images.open_image(upload(content, name))
    assert caught.value.messages == [message("not_image")]


def test_truncated_jpeg_is_refused():
    content = image_bytes("JPEG", (200, 200))
    with pytest.raises(ValidationError) as caught:
        images.open_image(upload(content[: len(content) // 2]))
    assert caught.value.messages == [message("truncated")]


def test_file_over_the_size_cap_is_refused_before_it_is_read():
    content = b"\xff\xd8\xff" + b"\0" * images.MAX_UPLOAD_BYTES
    with pytest.raises(ValidationError) as caught:
        images.open_image(upload(content))
    assert caught.value.messages == [message("too_big", size="10.0", limit=10)]


def test_picture_over_the_pixel_cap_is_refused_from_its_header():
    content = huge_png(8000, 5001)  # 40.008 MP: under Pillow's own warning, over ours
    with pytest.raises(ValidationError) as caught:
        images.open_image(upload(content, "big.png"))
    assert caught.value.messages == [message("too_many_pixels", width=8000, height=5001, limit=40)]


@pytest.mark.parametrize(("width", "height"), [(20000, 20000), (10000, 10000)])
def test_decompression_bomb_is_refused_without_decoding(width, height):
    content = huge_png(width, height)
    assert len(content) < 100_000  # 400 and 100 megapixels in a few kilobytes
    with pytest.raises(ValidationError) as caught:
        images.open_image(upload(content, "bomb.png"))
    assert caught.value.messages == [message("bomb", limit=40)]


def test_model_validator_refuses_a_bad_new_file_but_not_a_stored_one(db):
    participant = factories.ParticipantFactory()
    participant.photo = upload(image_bytes("GIF"), "anim.gif")
    with pytest.raises(ValidationError) as caught:
        participant.full_clean()
    assert caught.value.message_dict == {"photo": [message("not_image")]}

    missing = factories.ParticipantFactory(photo="portraits/gone.jpg")
    missing.full_clean()  # a stored file is not reopened, even when it has gone missing


def participant_form(participant, photo):
    return {
        "name": participant.name,
        "native_name": "",
        "slug": participant.slug,
        "country": participant.country,
        "bio": "",
        "photo": photo,
        "appearances-TOTAL_FORMS": "0",
        "appearances-INITIAL_FORMS": "0",
    }


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (image_bytes("GIF"), "anim.gif", message("not_image")),
        (SVG, "portrait.svg", message("not_image")),
        (huge_png(20000, 20000), "bomb.png", message("bomb", limit=40)),
    ],
    ids=["gif", "svg", "bomb"],
)
def test_admin_upload_of_a_bad_file_shows_a_form_error(editor_client, content, name, expected):
    participant = factories.ParticipantFactory()
    url = reverse("admin:archive_participant_change", args=[participant.pk])
    response = editor_client.post(url, participant_form(participant, upload(content, name)))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["photo"] == [expected]
    participant.refresh_from_db()
    assert participant.photo.name == ""


def test_admin_upload_of_a_good_file_is_stored_with_renditions(editor_client):
    participant = factories.ParticipantFactory()
    url = reverse("admin:archive_participant_change", args=[participant.pk])
    response = editor_client.post(
        url, participant_form(participant, upload(image_bytes("JPEG", (800, 400)), "me.jpg"))
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert STORED_NAME.fullmatch(participant.photo.name)
    stem = participant.photo.name.removesuffix(".jpg")
    assert default_storage.exists(f"renditions/{stem}-160w.webp")


def test_admin_file_input_accepts_only_the_three_formats(editor_client):
    participant = factories.ParticipantFactory()
    response = editor_client.get(reverse("admin:archive_participant_change", args=[participant.pk]))
    widget = response.context["adminform"].form.fields["photo"].widget
    assert widget.attrs["accept"] == "image/jpeg,image/png,image/webp"


# --- Renditions ------------------------------------------------------------------------


def rendition_files(photo_name):
    stem = photo_name.rsplit(".", 1)[0]
    found = {}
    for path in sorted(default_storage.listdir(f"renditions/{stem.rsplit('/', 1)[0]}")[1]):
        image = stored(f"renditions/portraits/{path}")
        found[path.removeprefix(stem.rsplit("/", 1)[1])] = (image.format, image.size)
    return found


def test_renditions_are_made_on_upload_in_webp_and_jpeg_at_two_widths(db):
    photo = save_photo(factories.ParticipantFactory(), image_bytes("JPEG", (1000, 500)))
    assert rendition_files(photo.name) == {
        "-160w.jpg": ("JPEG", (160, 80)),
        "-160w.webp": ("WEBP", (160, 80)),
        "-640w.jpg": ("JPEG", (640, 320)),
        "-640w.webp": ("WEBP", (640, 320)),
    }


def test_png_renditions_fall_back_to_png_and_are_never_enlarged(db):
    content = image_bytes("PNG", (300, 100), mode="RGBA", colour=(0, 0, 0, 0))
    photo = save_photo(factories.ParticipantFactory(), content)
    assert rendition_files(photo.name) == {
        "-160w.png": ("PNG", (160, 53)),
        "-160w.webp": ("WEBP", (160, 53)),
        "-640w.png": ("PNG", (300, 100)),
        "-640w.webp": ("WEBP", (300, 100)),
    }


def test_existing_renditions_are_reused_not_redrawn(db):
    photo = save_photo(factories.ParticipantFactory(), image_bytes("JPEG", (1000, 500)))
    assert images.make_renditions(photo.name) == []


def test_rebuild_renditions_makes_only_missing_ones(db):
    photo = save_photo(factories.ParticipantFactory(), image_bytes("JPEG", (1000, 500)))
    missing = images.rendition_name(photo.name, 640, "WEBP")
    default_storage.delete(missing)
    out = io.StringIO()
    call_command("rebuild_renditions", stdout=out)
    assert out.getvalue() == "1 pictures, 1 renditions made.\n"
    assert default_storage.exists(missing)


def test_rebuild_renditions_force_remakes_all_and_dry_run_writes_nothing(db):
    photo = save_photo(factories.ParticipantFactory(), image_bytes("JPEG", (1000, 500)))
    default_storage.delete(images.rendition_name(photo.name, 160, "JPEG"))
    out = io.StringIO()
    call_command("rebuild_renditions", "--dry-run", stdout=out)
    assert out.getvalue() == "1 pictures, 1 renditions would be made.\n"
    assert not default_storage.exists(images.rendition_name(photo.name, 160, "JPEG"))
    out = io.StringIO()
    call_command("rebuild_renditions", "--force", stdout=out)
    assert out.getvalue() == "1 pictures, 4 renditions made.\n"


def test_rebuild_renditions_names_a_missing_original(db):
    factories.ParticipantFactory(name="Lost Person", photo="portraits/gone.jpg")
    with pytest.raises(CommandError) as caught:
        call_command("rebuild_renditions", stdout=io.StringIO())
    assert str(caught.value) == (
        "Some pictures have no usable file; upload them again in the admin:\n"
        "  portrait of Lost Person: the file portraits/gone.jpg is missing"
    )


# --- Template tags and pages -----------------------------------------------------------


def render(source, **context):
    return Template("{% load images %}" + source).render(Context(context))


def test_portrait_tag_renders_picture_with_webp_srcset_size_and_lazy_loading(db):
    participant = factories.ParticipantFactory(name="Ana Example")
    photo = save_photo(participant, image_bytes("JPEG", (1000, 500)))
    stem = "/media/renditions/" + photo.name.removesuffix(".jpg")
    sizes = "(max-width: 640px) 100vw, 640px"
    assert render("{% portrait p %}", p=participant) == (
        f'<picture><source type="image/webp" srcset="{stem}-160w.webp 160w, '
        f'{stem}-640w.webp 640w" sizes="{sizes}">'
        f'<img src="{stem}-640w.jpg" srcset="{stem}-160w.jpg 160w, {stem}-640w.jpg 640w" '
        f'sizes="{sizes}" width="640" height="320" alt="Portrait of Ana Example" '
        'class="portrait" loading="lazy" decoding="async"></picture>'
    )


def test_portrait_without_photo_is_initials_on_a_colour_from_the_name(db):
    participant = factories.ParticipantFactory(name="Ana Example")
    html = render('{% portrait p size="thumb" %}', p=participant)
    uri = images.placeholder_data_uri("Ana Example", 160)
    assert html == (
        f'<img src="{uri}" width="160" height="160" alt="Initials of Ana Example (no portrait)" '
        'class="portrait placeholder" loading="lazy" decoding="async">'
    )
    assert images.initials("Ana Example") == "AE"
    assert images.initials("福田康夫") == "福"
    assert images.placeholder_colour("Ana Example") == images.placeholder_colour("Ana Example")
    assert images.placeholder_colour("Ana Example") != images.placeholder_colour("Bo Example")


def test_placeholder_escapes_the_name():
    svg = images.placeholder_svg("<script>", 160)
    assert "<script>" not in svg
    assert ">&lt;</text>" in svg


def test_portrait_with_a_missing_file_falls_back_to_the_placeholder(db, caplog):
    participant = factories.ParticipantFactory(name="Ana Example", photo="portraits/gone.jpg")
    html = render("{% portrait p %}", p=participant)
    assert html.startswith('<img src="data:image/svg+xml,')
    assert caplog.messages == ["Cannot show picture portraits/gone.jpg"]


def test_participant_page_shows_the_portrait_renditions(client, db):
    participant = factories.ParticipantFactory(name="Ana Example")
    factories.AppearanceFactory(participant=participant)
    photo = save_photo(participant, image_bytes("JPEG", (1000, 500)))
    response = client.get(participant.get_absolute_url())
    assert 'alt="Portrait of Ana Example"' in response.content.decode()
    stem = "/media/renditions/" + photo.name.removesuffix(".jpg")
    assert response.content.decode().count(f'srcset="{stem}-160w.webp 160w, ') == 1
    assert 'loading="lazy"' in response.content.decode()


def test_participant_page_without_photo_shows_the_placeholder(client, db):
    participant = factories.ParticipantFactory(name="Ana Example")
    factories.AppearanceFactory(participant=participant)
    response = client.get(participant.get_absolute_url())
    content = response.content.decode()
    assert content.count(images.placeholder_data_uri("Ana Example", 640)) == 1


def test_participant_model_field_uses_the_clean_image_field():
    assert images.validate_image in Participant._meta.get_field("photo").validators


def test_edition_page_shows_the_cover_with_webp_srcset_and_size(client, db):
    edition = factories.EditionFactory()
    edition.cover = upload(image_bytes("PNG", (1280, 720)), "cover.png")
    edition.save()
    content = client.get(edition.get_absolute_url()).content.decode()
    stem = "/media/renditions/" + edition.cover.name.removesuffix(".png")
    assert (
        content.count(
            '<picture><source type="image/webp" '
            f'srcset="{stem}-160w.webp 160w, {stem}-640w.webp 640w"'
        )
        == 1
    )
    assert (
        content.count(
            f'width="640" height="360" alt="Cover picture of the {edition.title}" class="cover" '
            'loading="lazy" decoding="async"></picture>'
        )
        == 1
    )


def test_edition_page_without_cover_has_no_picture(client, db):
    edition = factories.EditionFactory()
    assert "<picture>" not in client.get(edition.get_absolute_url()).content.decode()


def test_a_page_render_writes_no_file_while_renditions_are_missing(client, db, settings, caplog):
    participant = factories.ParticipantFactory(name="Ana Example")
    factories.AppearanceFactory(participant=participant)
    photo = save_photo(participant, image_bytes("JPEG", (1000, 500)))
    for width in images.RENDITION_WIDTHS:
        for fmt in ("WEBP", "JPEG"):
            default_storage.delete(images.rendition_name(photo.name, width, fmt))
    media = Path(settings.MEDIA_ROOT)
    before = sorted(path for path in media.rglob("*") if path.is_file())
    html = client.get(participant.get_absolute_url()).content.decode()
    assert sorted(path for path in media.rglob("*") if path.is_file()) == before
    # The original stands in, at the rendition's size, and the log names the fix.
    assert f'<img src="/media/{photo.name}" width="640" height="320"' in html
    assert caplog.messages == [
        f"Renditions of {photo.name} are missing; run `manage.py rebuild_renditions`"
    ]
