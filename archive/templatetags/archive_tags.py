"""Highlighting search hits and "Cite this page" blocks.

Both build HTML or text from stored data and user input: every piece is escaped before it is
joined, and only the joined, escaped result is marked safe.
"""

import re

from django import template
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from ..models.languages import shorten
from ..models.search import term_regex, terms

register = template.Library()


def archive_name():
    """The site's name in the active language ("Forum Archive", 论坛档案库, …)."""
    return _("Forum Archive")


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


def _bibtex_value(value):
    return "".join(
        "\\textbackslash{}" if char == "\\" else f"\\{char}" if char in "{}&%$#_" else char
        for char in str(value)
    )


def _source_text(source):
    parts = [source.title]
    if source.publisher:
        parts.append(source.publisher)
    if source.published_on:
        parts.append(source.published_on.isoformat())
    if source.url:
        parts.append(source.url)
    return ", ".join(parts)


def build_citation(*, title, url, key, sources=(), accessed=None):
    """A plain-text and a BibTeX citation of one archive record."""
    accessed = accessed or timezone.localdate()
    sources = list(sources)
    lines = [
        _("%(archive)s. “%(title)s”. %(url)s")
        % {"archive": archive_name(), "title": title, "url": url}
    ]
    if sources:
        lines.append(
            _("Sources: %(sources)s.") % {"sources": "; ".join(_source_text(s) for s in sources)}
        )
    lines.append(_("Accessed %(date)s.") % {"date": accessed.isoformat()})
    text = " ".join(lines)
    fields = [
        ("title", _bibtex_value(title)),
        ("howpublished", _bibtex_value(archive_name())),
        ("url", url),
        ("urldate", accessed.isoformat()),
    ]
    if sources:
        fields.append(
            (
                "note",
                _bibtex_value(
                    _("Sources: %(sources)s")
                    % {"sources": "; ".join(_source_text(s) for s in sources)}
                ),
            )
        )
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    bibtex = f"@misc{{{re.sub(r'[^A-Za-z0-9:-]', '-', key)},\n{body}\n}}"
    return {"text": text, "bibtex": bibtex}


@register.simple_tag(takes_context=True)
def citation(context, record, sources=None):
    """Citation of an edition, sub-forum or participant page (`record` has get_absolute_url)."""
    request = context["request"]
    url = request.build_absolute_uri(record.get_absolute_url())
    model = record._meta.model_name
    if model == "subforum":
        title = f"{record.title}, {record.edition.title}"
        key = f"forumarchive:{record.edition.key}-{record.slug}"
    elif model == "edition":
        title = record.title
        key = f"forumarchive:{record.key}"
    else:
        title = str(record)
        key = f"forumarchive:{model}-{record.slug}"
    return build_citation(title=title, url=url, key=key, sources=sources or ())


@register.simple_tag(takes_context=True)
def statement_citation(context, statement, appearance, edition, page_url):
    """Citation of one statement, linking to its #statement-<pk> anchor on `page_url`."""
    request = context["request"]
    url = request.build_absolute_uri(f"{page_url}#statement-{statement.pk}")
    excerpt = shorten(statement.shown_text.value, 80)
    kind = statement.get_shown_kind_display()
    title = f"{appearance.participant.name}: {excerpt} ({kind}), {edition.title}"
    return build_citation(
        title=title,
        url=url,
        key=f"forumarchive:statement-{statement.pk}",
        sources=[statement.source],
    )


@register.filter
def host_class(edition, hosts):
    """The CSS class of an edition's host country on the timeline ("host-0", "host-1", ...)."""
    return f"host-{hosts.get(edition.country, 0)}"
