"""Every uploaded picture goes through this module: checked, cleaned, stored, resized.

Uploads (portraits and cover pictures) are judged by Pillow from their content, never by their
file name: only JPEG, PNG and WebP are opened at all (``Image.open(f, formats=...)``). The size
in bytes and the pixel count from the header are checked before any pixel is decoded, so a
decompression bomb is refused without using memory. What is stored is a re-encoding of the
pixels, turned upright by its EXIF orientation, without EXIF, GPS, XMP or comments, under a name
the server chooses.

Every picture Pillow can decode either becomes a valid portrait or cover, or is refused with a
message: a multi-picture JPEG (MPO, as phones and cameras write) is stored as its first picture,
16-bit, CMYK and palette pictures are converted, animated ones keep their first frame, and a
picture more than MAX_ASPECT times taller than wide (or wider than tall) is refused, since no
page could show it and WebP cannot hold its renditions. JPEGs are decoded at a reduced scale
when they are larger than MAX_STORED_SIDE (libjpeg's draft mode), and every stored original is
at most MAX_STORED_SIDE pixels on its long side, which bounds a worker's memory
(docs/images.md has the measurement).

Renditions (smaller copies for pages) are made with Pillow: two widths, each as WebP and as a
JPEG (or PNG when the picture has transparency) fallback. Their names derive from the original's
name and the width, so a page finds them without a database lookup; they are made when the
picture is stored, and again, if missing, by ``manage.py rebuild_renditions``. If making them
fails, nothing of the upload is left in storage.

Placeholders for records without a picture are small SVG documents (the initials on a colour
derived from the name) inlined as ``data:`` URIs; see docs/images.md for why.
"""

import hashlib
import io
import logging
import math
import posixpath
import uuid
import warnings
from dataclasses import dataclass
from urllib.parse import quote

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
#: The long side of a stored original, in pixels: larger uploads are scaled down to it.
MAX_STORED_SIDE = 3000
#: At most this many times taller than wide, or wider than tall.
MAX_ASPECT = 10
#: Pillow's formats that are one of ours under another name: MPO is a JPEG with more pictures.
FORMAT_ALIASES = {"MPO": "JPEG"}
# Widths of the derived copies, in CSS pixels of the largest use: a thumbnail and a medium size.
RENDITION_WIDTHS = (160, 640)
RENDITIONS_DIR = "renditions"
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MIME_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
JPEG_QUALITY = 88
WEBP_QUALITY = 82

MESSAGES = {
    "too_big": _(
        "This file is %(size)s MB; pictures may be at most %(limit)s MB. "
        "Save it at a smaller size and upload it again."
    ),
    "not_image": _(
        "This file is not a JPEG, PNG or WebP picture, or it is damaged. "
        "Other formats (GIF, SVG, HEIC, PDF ...) are not accepted: save it as JPEG, PNG or WebP."
    ),
    "truncated": _(
        "This picture is incomplete or damaged (it may not have finished uploading or "
        "downloading). Open it on your computer, save it again and upload the new file."
    ),
    "too_many_pixels": _(
        "This picture is %(width)s × %(height)s pixels; at most %(limit)s megapixels are "
        "accepted. Reduce its size and upload it again."
    ),
    "bomb": _(
        "This picture declares far more than %(limit)s megapixels and was not opened. "
        "Reduce its size and upload it again."
    ),
    "empty": _("This picture has no pixels."),
    "aspect": _(
        "This picture is %(width)s × %(height)s pixels: more than %(limit)s times as tall as it "
        "is wide (or as wide as it is tall). Crop it and upload it again."
    ),
}


def _error(key, **params):
    code = "too_many_pixels" if key == "bomb" else key
    return ValidationError(MESSAGES[key], code=code, params=params or None)


@dataclass(frozen=True)
class CleanImage:
    """A re-encoded upload ready to store: its bytes, its format and its pixel size."""

    content: bytes
    format: str
    width: int
    height: int

    @property
    def extension(self):
        return EXTENSIONS[self.format]

    def as_file(self):
        return ContentFile(self.content, name=f"{uuid.uuid4().hex}.{self.extension}")


def _rewind(file):
    if hasattr(file, "seek"):
        file.seek(0)


def _size_of(file):
    size = getattr(file, "size", None)
    if size is None:
        position = file.tell()
        file.seek(0, io.SEEK_END)
        size = file.tell()
        file.seek(position)
    return size


def open_image(file):
    """Open an upload as a decoded Pillow image, or raise ValidationError saying why not.

    The checks run from cheapest to dearest: bytes on disk, what the header says (format,
    width × height), and only then the decoding of the pixels.
    """
    size = _size_of(file)
    if size > MAX_UPLOAD_BYTES:
        raise _error(
            "too_big",
            size=f"{size / 1024 / 1024:.1f}",
            limit=MAX_UPLOAD_BYTES // 1024 // 1024,
        )
    _rewind(file)
    try:
        with warnings.catch_warnings():
            # Pillow warns past ~89 MP and refuses past ~179 MP: both are refusals here, in
            # production as under pytest (which turns warnings into errors anyway).
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(file, formats=ACCEPTED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _error("bomb", limit=MAX_PIXELS // 1_000_000) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _error("not_image") from exc
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise _error("too_many_pixels", width=width, height=height, limit=MAX_PIXELS // 1_000_000)
    if width == 0 or height == 0:
        raise _error("empty")
    if max(width, height) > MAX_ASPECT * min(width, height):
        raise _error("aspect", width=width, height=height, limit=MAX_ASPECT)
    scale = MAX_STORED_SIDE / max(width, height)
    if format_of(image) == "JPEG" and scale < 1:
        # libjpeg decodes at 1/2, 1/4 or 1/8 scale, never below the size asked: far less memory
        # for what is scaled down to MAX_STORED_SIDE anyway.
        image.draft("RGB", (math.ceil(width * scale), math.ceil(height * scale)))
    try:
        image.load()
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _error("truncated") from exc
    return image


def format_of(image):
    """The accepted format an opened picture is stored as ("MPO" is a JPEG)."""
    return FORMAT_ALIASES.get(image.format, image.format)


CHECKED_MARK = "_archive_image_checked"


def validate_image(value):
    """Model field validator: check a newly assigned upload; stored files are left alone.

    Files already in storage were checked when they were uploaded; reopening them on every
    save would make a record whose file went missing impossible to edit.
    """
    if not value or getattr(value, "_committed", False):
        return
    if getattr(getattr(value, "file", None), CHECKED_MARK, False):
        return  # the form field has just decoded this very upload
    open_image(value)  # not closed: Image.close() would close the caller's file too
    _rewind(value)


def _upright(image):
    """Apply the EXIF orientation, then drop everything but the pixels (and transparency)."""
    image = ImageOps.exif_transpose(image) or image
    if image.mode in ("CMYK", "YCbCr", "I", "F") or image.mode.startswith("I;16"):
        image = image.convert("RGB")
    kept = {key: image.info[key] for key in ("transparency",) if key in image.info}
    clean = image.copy()
    clean.info = kept
    return clean


def _has_alpha(image):
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def _encode(image, fmt):
    """Encode without any metadata: no exif=, icc_profile=, comment= or pnginfo= is passed."""
    buffer = io.BytesIO()
    if fmt == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    elif fmt == "PNG":
        image.save(buffer, "PNG", optimize=True)
    else:
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if _has_alpha(image) else "RGB")
        image.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
    return buffer.getvalue()


def clean_image(file):
    """Validate an upload and return it re-encoded, upright and without metadata."""
    image = open_image(file)
    fmt = format_of(image)
    if max(image.size) > MAX_STORED_SIDE:
        # In place and before any copy: the full-size pixels are dropped as early as possible.
        image.thumbnail((MAX_STORED_SIDE, MAX_STORED_SIDE), Image.Resampling.LANCZOS)
    clean = _upright(image)
    content = _encode(clean, fmt)
    return CleanImage(content=content, format=fmt, width=clean.width, height=clean.height)


# --- Renditions ------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendition:
    name: str
    width: int
    height: int
    mime: str

    @property
    def url(self):
        return default_storage.url(self.name)


def _fallback_format(name):
    return "PNG" if name.lower().endswith(".png") else "JPEG"


def rendition_name(original_name, width, fmt):
    """`portraits/ab12.jpg`, 160, WEBP -> `renditions/portraits/ab12-160w.webp`."""
    stem, _ext = posixpath.splitext(original_name)
    return f"{RENDITIONS_DIR}/{stem}-{width}w.{EXTENSIONS[fmt]}"


def _size_cache_key(name):
    return "archive:image-size:" + hashlib.blake2b(name.encode(), digest_size=16).hexdigest()


def original_size(name, storage=None):
    """Width and height of a stored original, from its header (cached: names never change)."""
    storage = storage or default_storage
    key = _size_cache_key(name)
    size = cache.get(key)
    if size is None:
        with storage.open(name, "rb") as handle, Image.open(handle, formats=ACCEPTED_FORMATS) as im:
            size = im.size
        cache.set(key, size, timeout=None)
    return tuple(size)


def rendition_plan(name, storage=None):
    """What the renditions of `name` are (names and sizes), without touching their files."""
    width, height = original_size(name, storage)
    fallback = _fallback_format(name)
    plan = {"WEBP": [], fallback: []}
    for target in RENDITION_WIDTHS:
        w = min(target, width)
        h = max(1, round(height * w / width))
        for fmt in plan:
            plan[fmt].append(Rendition(rendition_name(name, target, fmt), w, h, MIME_TYPES[fmt]))
    return plan


def make_renditions(name, *, force=False, storage=None):
    """Write the missing renditions of a stored original (all of them with force).

    Returns the names written. The original is decoded once, and only when something is
    missing.
    """
    storage = storage or default_storage
    plan = rendition_plan(name, storage)
    todo = [(fmt, r) for fmt, items in plan.items() for r in items]
    if not force:
        todo = [(fmt, r) for fmt, r in todo if not storage.exists(r.name)]
    if not todo:
        return []
    with storage.open(name, "rb") as handle:
        source = open_image(handle)
    source = _upright(source)
    if source.mode not in ("RGB", "RGBA", "L"):
        source = source.convert("RGBA" if _has_alpha(source) else "RGB")
    written = []
    resized_by_size = {}
    for fmt, rendition in todo:
        size = (rendition.width, rendition.height)
        if size not in resized_by_size:
            # reducing_gap: shrink by whole factors first (fast), then Lanczos for the rest.
            resized_by_size[size] = source.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        resized = resized_by_size[size]
        if fmt == "JPEG" and _has_alpha(resized):
            resized = resized.convert("RGB")
        if storage.exists(rendition.name):
            storage.delete(rendition.name)
        saved = storage.save(rendition.name, ContentFile(_encode(resized, fmt)))
        if saved != rendition.name:  # pragma: no cover - a storage that renames on conflict
            logger.warning("Rendition %s was stored as %s", rendition.name, saved)
        written.append(saved)
    return written


def delete_renditions(name, storage=None):
    storage = storage or default_storage
    for items in rendition_plan(name, storage).values():
        for rendition in items:
            if storage.exists(rendition.name):
                storage.delete(rendition.name)


# --- Placeholders ----------------------------------------------------------------------


def initials(name):
    """Up to two initials: "Fukuda Yasuo" -> "FY"; a name in CJK script -> its first character."""
    words = [word for word in (name or "").replace("-", " ").split() if word]
    if not words:
        return "?"
    first = words[0][0]
    if len(words) == 1 or not first.isascii():
        return first.upper()
    return (first + words[-1][0]).upper()


def placeholder_colour(name):
    """A colour derived from the name: stable, and dark enough for white text (WCAG AA)."""
    digest = hashlib.blake2b((name or "").encode(), digest_size=2).digest()
    hue = int.from_bytes(digest, "big") % 360
    return f"hsl({hue}, 45%, 34%)"


def placeholder_svg(name, size):
    text = escape(initials(name))
    colour = placeholder_colour(name)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 100 100"><rect width="100" height="100" fill="{colour}"/>'
        f'<text x="50" y="50" dy=".35em" text-anchor="middle" fill="#fff" '
        f'font-family="system-ui, sans-serif" font-size="40">{text}</text></svg>'
    )


def placeholder_data_uri(name, size=160):
    return "data:image/svg+xml," + quote(placeholder_svg(name, size), safe=":/=,()")
