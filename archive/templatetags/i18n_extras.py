"""Language helpers for templates: date ranges per locale, record translations with a marked
fallback, the language switcher and hreflang alternates.

    {% load i18n_extras %}
    {{ edition.start_date|date_range:edition.end_date }}   3–5 December 2024 / 2024年12月3日至5日
    {% translated edition "theme" %}                       the theme, or English marked as such
    {% language_links as links %}                          this page in every language
"""

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import translation
from django.utils.encoding import iri_to_uri
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from ..models import languages
from ..models.edition import edition_title as title_of
from ..models.languages import Translation, translation_of  # noqa: F401  (re-exported)

register = template.Library()


@register.filter
def shorten(text, limit):
    """`text` in at most `limit` characters, never cut mid-word (languages.shorten)."""
    return languages.shorten(text or "", int(limit))


@register.filter
def date_range(start, end=None):
    """An edition's dates in the active language's style (archive.models.languages.date_range):
    "3–5 December 2024", "2024年12月3日至5日", "2024年12月3日～5日"."""
    return languages.date_range(start, end)


def _highlighted(value, query):
    if query:
        from .archive_tags import highlight

        return highlight(value, query)
    return conditional_escape(value)


def _marked(text, value, note):
    """`value` (escaped HTML of `text.value`) with its own `lang` when it is not in the page's
    language, and, with `note`, "(English original)" after it."""
    if text.language == get_language() or not text.fallback:
        return value
    if not note:
        return format_html('<span lang="{}">{}</span>', text.language, value)
    return format_html(
        '<span lang="{}">{}</span> <span class="fallback">({})</span>',
        text.language,
        value,
        gettext("English original"),
    )


@register.simple_tag
def translated(obj, field, breaks=False, note=True, highlight="", truncate=0, lines=False):
    """The field's text in the visitor's language; the original, marked, when it has none.

    The original keeps its own `lang` for screen readers and, with ``note`` (the default), is
    followed by "(English original)" in the visitor's language; short names (places, forums,
    organizations, topics) pass ``note=False``. With ``breaks=True`` new lines become <br>, as
    |linebreaksbr does; ``highlight`` marks a search query's words; ``truncate`` cuts the text
    to that many characters; ``lines=True`` joins a one-per-line list with commas.
    """
    text = translation_of(obj, field)
    if not text.value:
        return ""
    raw = text.value
    if lines:
        raw = ", ".join(line.strip() for line in raw.splitlines() if line.strip())
    if truncate:
        raw = languages.shorten(raw, int(truncate))
    value = _highlighted(raw, highlight)
    if breaks:
        value = mark_safe(str(value).replace("\n", "<br>"))  # escaped above
    return _marked(text, value, note)


@register.filter
def original_text(value, query=""):
    """Untranslated stored text (a person's name, a publisher, an alias): marked
    `lang="en"` on a page in another language when it is written in Latin letters."""
    if value in (None, ""):
        return ""
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(item) for item in value)
    html = _highlighted(value, query)
    language = languages.original_language()
    if get_language() == language or not languages.has_latin_words(value):
        return html
    return format_html('<span lang="{}">{}</span>', language, html)


@register.filter
def typed_text(value):
    """What a visitor typed (a search query): its language is unknown, so `lang=""` says so
    and <bdi> keeps right-to-left input from reordering the sentence around it."""
    return format_html('<bdi lang="">{}</bdi>', value)


@register.simple_tag
def native_name(record, highlight=""):
    """A record's native-script name with the script's language (`lang`) where it is known."""
    value = getattr(record, "native_name", "") or ""
    if not value:
        return ""
    html = _highlighted(value, highlight)
    language = languages.script_language(value, getattr(record, "country_en", "") or "")
    if not language:
        return html
    return format_html('<span lang="{}">{}</span>', language, html)


@register.simple_tag
def place(edition, venue=False):
    """ "City, Country" (with the venue first when asked) in the active language's style
    (archive.models.languages.join_place), each untranslated part marked `lang="en"`."""
    parts = [
        _marked(part, conditional_escape(part.value), note=False)
        for part in languages.edition_place_parts(edition, venue)
        if part.value
    ]
    return mark_safe(languages.join_place(parts))  # every part is escaped above


@register.simple_tag
def edition_title(edition=None, number=None, forum_name="", forum_language="", highlight=""):
    """An edition's title ("20th …", "第20届…", "第20回…") with the forum's name marked
    `lang="en"` when it has no translation in the page's language. Either an edition or
    (number, forum_name, forum_language) as search results carry them."""
    if edition is not None:
        number = edition.number
        name = translation_of(edition.forum, "name")
    else:
        original = forum_language or languages.original_language()
        name = languages.Translation(forum_name or "", original != get_language(), original)
    rendered = _marked(name, _highlighted(name.value, highlight), note=False)
    return mark_safe(title_of(number, str(rendered)))  # the pattern adds digits and CJK only


@register.simple_tag
def crumb(step):
    """A breadcrumb's words (archive.http.breadcrumbs.Crumb), marked as the rest of the page
    marks them: a record's field by `translated`, an edition by its title, a name as written."""
    if step.record is None:
        return step.label
    if step.shown == "title":
        return edition_title(step.record)
    if step.shown == "as written":
        return original_text(getattr(step.record, step.field))
    return translated(step.record, step.field, note=False)


def _unprefixed(path):
    """The path without its language prefix ("/ja/editions/" -> "/editions/")."""
    for code, _name in settings.LANGUAGES:
        prefix = f"/{code}/"
        if path.startswith(prefix):
            return "/" + path[len(prefix) :]
    return path


def _in_language(path, code):
    """(`path` in language `code`, True), or (that language's home, False) when `path` is not
    one of this site's pages: a 404, or a probe such as "//evil.example/x" that a browser would
    read as another site. Always a path on this site."""
    try:
        match = resolve(path)
    except Resolver404:
        match = None
    with translation.override(code):
        if match is not None and match.url_name:
            try:
                return reverse(match.view_name, args=match.args, kwargs=match.kwargs), True
            except NoReverseMatch:
                pass
        return reverse("archive:home"), False


@register.simple_tag(takes_context=True)
def language_links(context):
    """This page in every language: [{code, name, url, absolute_url, current}].

    Plain links (no form, no JavaScript), so pages stay cacheable and work without scripts.
    The query string is kept: a filtered list stays filtered in the other language. Every link
    stays on this site (see _in_language).
    """
    request = context.get("request")
    if request is None:
        return []
    current = get_language()
    query_string = request.META.get("QUERY_STRING", "")
    query = "?" + iri_to_uri(query_string) if query_string else ""  # as in get_full_path()
    links = []
    for code, name in settings.LANGUAGES:
        path, same_page = _in_language(request.path, code)
        links.append(
            {
                "code": code,
                "name": name,
                "url": path + query if same_page else path,
                # Without the query, like the canonical link: what hreflang alternates name.
                "absolute_url": request.build_absolute_uri(path),
                "current": code == current,
            }
        )
    return links


@register.simple_tag(takes_context=True)
def x_default_url(context):
    """The unprefixed address, which redirects each visitor to their own language."""
    request = context["request"]
    path, _same_page = _in_language(request.path, get_language())
    return request.build_absolute_uri(_unprefixed(path))
