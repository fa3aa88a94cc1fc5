"""Renders the page's schema.org JSON-LD, which the view built (context["jsonld"], see
archive/opendata/jsonld.py), escaped so that stored text cannot close its <script> element."""

import json

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

# As django.utils.html.json_script does: no "<", ">" or "&" reaches the page, so stored text such
# as "</script>" cannot close the element.
_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def render_script(data):
    """<script type="application/ld+json"> holding `data`, escaped for an HTML page."""
    payload = json.dumps(data, ensure_ascii=False, sort_keys=False).translate(_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')  # escaped above


@register.simple_tag(takes_context=True)
def page_jsonld(context):
    data = context.get("jsonld")
    return render_script(data) if data else ""
