"""Pictures on pages: <picture> with WebP and a JPEG/PNG fallback, placeholders, og:image.

    {% load images %}
    {% portrait participant %}                 photo, or initials on a colour when there is none
    {% cover edition %}                        an edition's cover picture, or nothing
    {% picture some_image_field alt size="thumb" css_class="..." %}

Every <img> carries width, height (so the page does not jump while it loads), srcset, sizes,
loading="lazy" and decoding="async". A picture whose file is missing or unreadable falls back to
the placeholder (or to nothing) instead of breaking the page; the failure is logged.

Rendering never decodes a picture or writes a file: renditions are made when a picture is saved
(archive/models/image_fields.py) and by `manage.py rebuild_renditions`. A picture whose
renditions are missing is shown from its original, and the warning names the command.
"""

import logging

from django import template
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from .. import images

register = template.Library()
logger = logging.getLogger(__name__)

SIZES = {"thumb": images.RENDITION_WIDTHS[0], "medium": images.RENDITION_WIDTHS[1]}


def _srcset(renditions):
    return format_html_join(", ", "{} {}w", ((r.url, r.width) for r in renditions))


def picture_html(file, alt, *, size="medium", css_class=""):
    """The <picture> for a stored original, or "" when it cannot be shown."""
    if not file:
        return ""
    try:
        plan = images.rendition_plan(file.name, storage=file.storage)
        complete = all(file.storage.exists(r.name) for items in plan.values() for r in items)
    except (OSError, ValueError, ValidationError, SuspiciousOperation):
        logger.warning("Cannot show picture %s", file.name, exc_info=True)
        return ""
    index = images.RENDITION_WIDTHS.index(SIZES[size])
    if not complete:
        logger.warning(
            "Renditions of %s are missing; run `manage.py rebuild_renditions`", file.name
        )
        return _original_html(file, plan, index, alt, css_class)
    webp = plan.pop("WEBP")
    (fallback,) = plan.values()
    shown = fallback[index]
    sizes = f"(max-width: {shown.width}px) 100vw, {shown.width}px"
    return format_html(
        '<picture><source type="image/webp" srcset="{}" sizes="{}">'
        '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}"{} '
        'loading="lazy" decoding="async"></picture>',
        _srcset(webp),
        sizes,
        shown.url,
        _srcset(fallback),
        sizes,
        shown.width,
        shown.height,
        alt,
        format_html(' class="{}"', css_class) if css_class else "",
    )


def _original_html(file, plan, index, alt, css_class):
    """The stored original, sized as its rendition would be, while renditions are missing."""
    (fallback,) = (items for fmt, items in plan.items() if fmt != "WEBP")
    shown = fallback[index]
    return format_html(
        '<img src="{}" width="{}" height="{}" alt="{}"{} loading="lazy" decoding="async">',
        file.storage.url(file.name),
        shown.width,
        shown.height,
        alt,
        format_html(' class="{}"', css_class) if css_class else "",
    )


def placeholder_html(name, alt, *, size="medium", css_class=""):
    side = SIZES[size]
    return format_html(
        '<img src="{}" width="{}" height="{}" alt="{}"{} loading="lazy" decoding="async">',
        images.placeholder_data_uri(name, side),
        side,
        side,
        alt,
        format_html(' class="{}"', css_class) if css_class else "",
    )


@register.simple_tag
def picture(file, alt, size="medium", css_class=""):
    """A stored picture (an ImageField's value) at `size` ("thumb" or "medium")."""
    return picture_html(file, alt, size=size, css_class=css_class)


@register.simple_tag
def portrait(participant, size="medium", css_class="portrait"):
    """A participant's photo, or their initials on a colour derived from their name."""
    alt = _("Portrait of %(name)s") % {"name": participant.name}
    html = picture_html(participant.photo, alt, size=size, css_class=css_class)
    if html:
        return html
    return placeholder_html(
        participant.name,
        _("Initials of %(name)s (no portrait)") % {"name": participant.name},
        size=size,
        css_class=f"{css_class} placeholder".strip(),
    )


@register.simple_tag
def cover(edition, size="medium", css_class="cover"):
    """An edition's cover picture, or nothing when it has none."""
    alt = _("Cover picture of the %(title)s") % {"title": edition.title}
    return picture_html(edition.cover, alt, size=size, css_class=css_class)


@register.simple_tag
def face(participant):
    """A small face beside a name in a list: the photo's thumbnail or the initials, with an empty
    alt text, since the name beside it already says who it is."""
    html = picture_html(participant.photo, "", size="thumb", css_class="face")
    return html or placeholder_html(
        participant.name, "", size="thumb", css_class="face placeholder"
    )
