"""Highlighting search hits and statements' "Cite this statement" blocks.

Both build HTML or text from stored data and user input: every piece is escaped before it is
joined, and only the joined, escaped result is marked safe.
"""

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from ..addresses import path_for
from ..models import citations
from ..models.search import term_regex, terms

register = template.Library()


@register.filter
def highlight(text, query):
    """Escape `text`, wrapping each case-insensitive match of a query word in <mark>.

    Matches are found in the raw text and every slice is escaped on its own, so a word such as
    "amp" can never split an HTML entity.
    """
    if isinstance(text, (list, tuple)):
        text = ", ".join(str(item) for item in text)
    text = "" if text is None else str(text)
    words = sorted(set(terms(query or "")), key=len, reverse=True)
    if not words:
        return conditional_escape(text)
    # Where search matched: Latin words at a word start, Chinese and Japanese anywhere.
    pattern = re.compile("|".join(term_regex(word) for word in words), re.IGNORECASE)
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts.append(conditional_escape(text[last : match.start()]))
        parts.append(f"<mark>{conditional_escape(match.group())}</mark>")
        last = match.end()
    parts.append(conditional_escape(text[last:]))
    return mark_safe("".join(str(part) for part in parts))  # every part is escaped above


@register.simple_tag(takes_context=True)
def statement_citation(context, statement, appearance, edition, page_url):
    """Citation of one statement (archive.models.citations), linking to its #statement-<pk>
    anchor on `page_url`; its RIS, CSL-JSON and BibTeX downloads when the edition is public."""
    request = context["request"]
    url = request.build_absolute_uri(f"{page_url}#statement-{statement.pk}")
    cite = citations.statement_citation(statement, appearance, edition, url)
    if edition.is_published:
        cite.downloads = {
            fmt: path_for("archive:statement-cite", pk=statement.pk, fmt=fmt)
            for fmt in citations.FORMATS
        }
    return cite


@register.filter
def host_class(edition, hosts):
    """The CSS class of an edition's host country on the timeline ("host-0", "host-1", ...)."""
    return f"host-{hosts.get(edition.country, 0)}"
