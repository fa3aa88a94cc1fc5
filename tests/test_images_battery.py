"""A battery of pictures an editor could upload, each through the admin's participant form as an
Editors-group user: every one is either stored with its renditions or refused with a message;
none gives a 500 and none leaves a file behind (archive/images.py, issue 20 §3)."""

import io
import struct
import subprocess
import sys
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from archive import images

from . import factories, helpers

pytestmark = pytest.mark.django_db


def encoded(fmt, size=(64, 48), mode="RGB", colour=None, **save):
    colour = colour if colour is not None else (200, 30, 30)[: len(mode)] if mode != "P" else 3
    if mode in ("L", "I", "I;16", "1", "P"):
        colour = 1 if mode == "1" else 120
    if mode in ("RGBA",):
        colour = (10, 20, 30, 128)
    if mode == "LA":
        colour = (120, 128)
    if mode == "CMYK":
        colour = (10, 200, 30, 0)
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, fmt, **save)
    return buffer.getvalue()


def animated(fmt):
    frames = [Image.new("RGB", (40, 30), (i * 60, 0, 0)) for i in range(3)]
    buffer = io.BytesIO()
    frames[0].save(buffer, fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
    return buffer.getvalue()


def mpo():
    """A multi-picture JPEG as cameras write it (Pillow writes MPO since 9.3)."""
    buffer = io.BytesIO()
    first, second = Image.new("RGB", (80, 60), (0, 90, 0)), Image.new("RGB", (80, 60), (0, 0, 90))
    first.save(buffer, "MPO", save_all=True, append_images=[second])
    return buffer.getvalue()


def png_header(width, height, depth=1, colour_type=0, body=b""):
    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + body + chunk(b"IEND", b"")


def bomb_png(width, height):
    row = b"\0" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row * 500) for _ in range(height // 500))
    data += compressor.flush()

    def chunk(tag, payload):
        return (
            struct.pack(">I", len(payload))
            + tag
            + payload
            + struct.pack(">I", zlib.crc32(tag + payload))
        )

    return png_header(width, height, body=chunk(b"IDAT", data))


JPEG = encoded("JPEG")
ACCEPTED = {
    "jpeg": (JPEG, "a.jpg"),
    "jpeg-progressive": (encoded("JPEG", progressive=True), "a.jpg"),
    "jpeg-grey": (encoded("JPEG", mode="L"), "a.jpg"),
    "jpeg-cmyk": (encoded("JPEG", mode="CMYK"), "a.jpg"),
    "jpeg-large": (encoded("JPEG", size=(5000, 3000)), "a.jpg"),
    "mpo": (mpo(), "camera.jpg"),
    "png": (encoded("PNG"), "a.png"),
    "png-rgba": (encoded("PNG", mode="RGBA"), "a.png"),
    "png-grey-alpha": (encoded("PNG", mode="LA"), "a.png"),
    "png-palette-transparent": (encoded("PNG", mode="P", transparency=0), "a.png"),
    "png-16-bit": (encoded("PNG", mode="I;16"), "a.png"),
    "png-1-bit": (encoded("PNG", mode="1"), "a.png"),
    "png-interlaced": (encoded("PNG", optimize=False), "a.png"),
    "apng-animated": (animated("PNG"), "a.png"),
    "webp": (encoded("WEBP"), "a.webp"),
    "webp-lossless": (encoded("WEBP", lossless=True), "a.webp"),
    "webp-alpha": (encoded("WEBP", mode="RGBA"), "a.webp"),
    "webp-animated": (animated("WEBP"), "a.webp"),
    "wide-10-to-1": (encoded("PNG", size=(1000, 100)), "a.png"),
    "tall-10-to-1-jpeg": (encoded("JPEG", size=(300, 3000)), "a.jpg"),
    "tiny-1x1": (encoded("PNG", size=(1, 1)), "a.png"),
    "jpeg-named-png": (JPEG, "photo.png"),
    "polyglot-jpeg-with-html": (JPEG + b"<html><script>alert(1)</script></html>", "a.jpg"),
}
REFUSED = {
    "tall-png": (encoded("PNG", size=(200, 20000)), "tall.png", "aspect"),
    "tall-jpeg": (encoded("JPEG", size=(600, 6500)), "tall.jpg", "aspect"),
    "wide-png": (encoded("PNG", size=(20000, 100)), "wide.png", "aspect"),
    "gif": (encoded("GIF"), "a.gif", "not_image"),
    "animated-gif": (animated("GIF"), "a.gif", "not_image"),
    "bmp": (encoded("BMP"), "a.bmp", "not_image"),
    "tiff": (encoded("TIFF"), "a.tif", "not_image"),
    "svg": (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "a.svg", "not_image"),
    "html": (b"<html><body>hi</body></html>", "a.jpg", "not_image"),
    "empty-file": (b"", "a.jpg", None),
    "truncated-jpeg": (JPEG[: len(JPEG) // 2], "a.jpg", "not_image"),
    "truncated-png": (encoded("PNG", size=(400, 300))[:200], "a.png", "truncated"),
    "header-only-png": (png_header(100, 100), "a.png", "truncated"),
    "bomb-png": (bomb_png(20000, 20000), "bomb.png", "bomb"),
    "over-pixel-cap": (png_header(8000, 6000), "big.png", "too_many_pixels"),
    "over-size-cap": (JPEG + b"\0" * images.MAX_UPLOAD_BYTES, "big.jpg", "too_big"),
}


def media_files(root):
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def post_portrait(editor_client, content, name):
    participant = factories.ParticipantFactory()
    url = reverse("admin:archive_participant_change", args=[participant.pk])
    form = editor_client.get(url).context["adminform"].form
    data = {key: value for key, value in form.initial.items() if value is not None}
    data.update({"name": participant.name, "slug": participant.slug, "photo": None})
    # The inline formsets of the change form, empty: only the photo changes.
    for formset in editor_client.get(url).context["inline_admin_formsets"]:
        prefix = formset.formset.prefix
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    data = {key: value for key, value in data.items() if not isinstance(value, list | tuple)}
    data["photo"] = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    response = editor_client.post(url, data)
    participant.refresh_from_db()
    return response, participant


@pytest.mark.parametrize("case", sorted(ACCEPTED))
def test_a_picture_pillow_can_use_is_stored_with_all_its_renditions(editor_client, media, case):
    content, name = ACCEPTED[case]
    response, participant = post_portrait(editor_client, content, name)
    assert response.status_code == 302, response.context["adminform"].form.errors
    stored = participant.photo.name
    plan = images.rendition_plan(stored)
    expected = sorted([stored, *(r.name for items in plan.values() for r in items)])
    assert media_files(media) == expected
    with Image.open(media / stored) as picture:
        assert max(picture.size) <= images.MAX_STORED_SIDE
        assert picture.format in images.ACCEPTED_FORMATS


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_picture_that_cannot_be_used_is_refused_with_a_message_and_leaves_nothing(
    editor_client, media, case
):
    content, name, key = REFUSED[case]
    response, participant = post_portrait(editor_client, content, name)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["photo"]
    if key is not None:
        message = str(images.MESSAGES[key]).split("%")[0]
        assert errors[0].startswith(message), errors
    else:
        assert errors  # Django's own "The submitted file is empty."
    assert participant.photo.name == ""
    assert media_files(media) == []


def test_the_battery_is_at_least_thirty_pictures():
    assert len(ACCEPTED) + len(REFUSED) >= 30


# The peak of this process's own memory: VmHWM, which starts afresh at exec. (ru_maxrss does
# not: Linux carries it over from the parent at fork, so a test run's large pytest worker made
# every picture look like 430 MB.)
MEMORY_SCRIPT = """
import sys
import django
django.setup()
from archive import images
with open(sys.argv[1], "rb") as upload:
    images.clean_image(upload)
with open("/proc/self/status") as status:
    print(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
"""


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_the_largest_accepted_picture_is_cleaned_within_a_bounded_memory(fmt, tmp_path):
    """7,700 × 5,133 is 39.5 MP, just under the 40 MP cap. A fresh worker process that cleans
    it peaks at about 150 MB (JPEG, decoded at half scale) or 300 MB (PNG) here, Django
    included; before the cap on stored size it was some 650 MB."""
    path = tmp_path / f"big.{fmt.lower()}"
    Image.linear_gradient("L").resize((7700, 5133)).convert("RGB").save(path, fmt)
    env = helpers.subprocess_env(
        DJANGO_SETTINGS_MODULE="forumarchive.settings",
        DEBUG="1",
        SECRET_KEY="memory-test",
        ALLOWED_HOSTS="testserver",
    )
    result = subprocess.run(
        [sys.executable, "-c", MEMORY_SCRIPT, str(path)],
        cwd=helpers.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    peak_mb = int(result.stdout.strip()) / 1024
    assert peak_mb < 400, f"{fmt}: {peak_mb:.0f} MB"


def test_a_failure_while_making_renditions_leaves_no_file(editor_client, media, monkeypatch):
    real = images.make_renditions

    def fail_halfway(name, **kwargs):
        real(name, **kwargs)  # writes them all, then fails as a full disk would
        raise OSError("No space left on device")

    monkeypatch.setattr(images, "make_renditions", fail_halfway)
    participant = factories.ParticipantFactory()
    participant.photo = SimpleUploadedFile("a.jpg", JPEG)
    with pytest.raises(OSError):
        participant.save()
    assert media_files(media) == []
