"""Language helpers for templates: date ranges per locale, record translations with a marked
fallback, the language switcher and hreflang alternates.

    {% load i18n_extras %}
    {{ edition.start_date|date_range:edition.end_date }}   3–5 December 2024 / 2024年12月3日～5日
    {% translated edition "theme" %}                       the theme, or English marked as such
    {% language_links as links %}                          this page in every language
"""

from dataclasses import dataclass

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import translation
from django.utils.dateformat import format as date_format
from django.utils.encoding import iri_to_uri
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext
from modeltranslation.utils import build_localized_fieldname

register = template.Library()

CJK_LANGUAGES = ("zh-hans", "ja")


def _is_cjk(language):
    return (language or "").lower() in CJK_LANGUAGES


@register.filter
def date_range(start, end=None):
    """An edition's dates, the shared parts said once, in the active language's style.

    English: "3 December 2024", "3–5 December 2024", "28 November – 2 December 2024",
    "30 December 2024 – 2 January 2025". Chinese and Japanese: "2024年12月3日",
    "2024年12月3日～5日", "2024年11月28日～12月2日", "2024年12月30日～2025年1月2日".
    """
    if not start:
        return ""
    end = end or start
    if end < start:
        start, end = end, start
    same_year = start.year == end.year
    same_month = same_year and start.month == end.month
    if _is_cjk(get_language()):
        first = f"{start.year}年{start.month}月{start.day}日"
        if start == end:
            return first
        if same_month:
            return f"{first}～{end.day}日"
        if same_year:
            return f"{first}～{end.month}月{end.day}日"
        return f"{first}～{end.year}年{end.month}月{end.day}日"
    if start == end:
        return date_format(start, "j F Y")
    if same_month:
        return f"{start.day}–{date_format(end, 'j F Y')}"
    if same_year:
        return f"{date_format(start, 'j F')} – {date_format(end, 'j F Y')}"
    return f"{date_format(start, 'j F Y')} – {date_format(end, 'j F Y')}"


@dataclass(frozen=True)
class Translation:
    value: str
    fallback: bool  # True when the active language had none and the original is shown
    language: str  # the language of `value`


def translation_of(obj, field):
    """The field in the active language, else in the default (original) language."""
    active = get_language() or settings.LANGUAGE_CODE
    default = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    value = getattr(obj, build_localized_fieldname(field, active), None)
    if value:
        return Translation(value, False, active)
    original = getattr(obj, build_localized_fieldname(field, default), None)
    if original is None:
        original = getattr(obj, field, "") or ""
    return Translation(original, bool(original) and active != default, default)


@register.simple_tag
def translated(obj, field, breaks=False):
    """The field's text in the visitor's language; the original, marked, when it has none.

    The original keeps its own `lang` for screen readers and is followed by a note in the
    visitor's language. With ``breaks=True`` new lines become <br>, as |linebreaksbr does.
    """
    text = translation_of(obj, field)
    if not text.value:
        return ""
    value = conditional_escape(text.value)
    if breaks:
        value = mark_safe(str(value).replace("\n", "<br>"))  # escaped above
    if not text.fallback:
        return value
    return format_html(
        '<span lang="{}">{}</span> <span class="fallback">({})</span>',
        text.language,
        value,
        gettext("English original"),
    )


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
