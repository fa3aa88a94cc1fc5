"""Tags for the open-data partial in <head>: schema.org JSON-LD and Open Graph/Twitter meta.

`{% page_jsonld %}` picks the page's description from the view that rendered it, so base.html
includes one partial and no page template has to change. Drafts shown to staff get no JSON-LD.
"""

from django import template
from django.utils.translation import gettext as _

from .. import jsonld

register = template.Library()


def _view_name(context):
    view = context.get("view")
    return type(view).__name__ if view is not None else ""


def _public(edition):
    return edition is not None and edition.is_published


@register.simple_tag(takes_context=True)
def page_jsonld(context):
    request = context.get("request")
    if request is None:
        return ""
    name = _view_name(context)
    if name == "EditionDetailView" and _public(context.get("edition")):
        data = jsonld.edition_data(context["edition"], context.get("sessions", []), request)
    elif name == "SubForumDetailView" and _public(context.get("edition")):
        data = jsonld.sub_forum_data(context["sub_forum"], context.get("appearances", []), request)
    elif name == "ParticipantDetailView" and "participant" in context:
        appearances = [a for a in context.get("appearances", []) if a.edition.is_published]
        data = jsonld.participant_data(context["participant"], appearances, request)
    elif (
        "forums" in context
        and request.resolver_match
        and (request.resolver_match.view_name == "archive:home")
    ):
        data = jsonld.series_data(context["forums"], request)
    else:
        return ""
    return jsonld.render_script(data)


@register.inclusion_tag("includes/social_meta.html", takes_context=True)
def social_meta(context):
    """og:title, og:description, og:url, og:type and twitter:card for the page.

    og:image is not set here: pages with a social card add it in their own {% block head %}
    (archive/social.py, the `og_image_url` tag).
    """
    request = context.get("request")
    name = _view_name(context)
    title, description, kind = _("Forum Archive"), "", "website"
    obj = context.get("object")
    if name == "EditionDetailView":
        edition = context["edition"]
        title, description = edition.title, edition.theme or edition.summary
    elif name == "SubForumDetailView":
        sub_forum = context["sub_forum"]
        title = f"{sub_forum.title} · {sub_forum.edition.title}"
        description = sub_forum.description
    elif name == "ParticipantDetailView":
        title, description, kind = obj.name, obj.bio, "profile"
    elif obj is not None and hasattr(obj, "name"):
        title, description = obj.name, getattr(obj, "description", "")
    if not description:
        description = _(
            "The record of a forum series: editions, sessions, participants and what they said, "
            "with sources."
        )
    has_card = name in ("EditionDetailView", "SubForumDetailView", "ParticipantDetailView")
    return {
        "og_title": title,
        "og_description": description,
        "og_type": kind,
        "og_url": request.build_absolute_uri(request.path) if request is not None else "",
        "twitter_card": "summary_large_image" if has_card else "summary",
    }
