"""Open Graph and Twitter meta of a page: views build it, templates/includes/social_meta.html
renders it. Pages with a social card (editions, sessions, participants) name its address."""

from django.utils.translation import gettext_lazy as _

SITE_NAME = _("Forum Archive")
DEFAULT_DESCRIPTION = _(
    "The record of a forum series: editions, sessions, participants and what they said, "
    "with sources."
)


def page_meta(request, *, title=None, description="", kind="website", image_path=""):
    """og:title, og:description, og:url, og:type, og:image and twitter:card of a page."""
    return {
        "title": title or SITE_NAME,
        "description": description or DEFAULT_DESCRIPTION,
        "type": kind,
        "url": request.build_absolute_uri(request.path),
        "image": request.build_absolute_uri(image_path) if image_path else "",
        "twitter_card": "summary_large_image" if image_path else "summary",
    }
