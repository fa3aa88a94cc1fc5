"""Addresses of records without resolving the URL pattern again for every row.

``reverse()`` walks the URLconf on each call (20-50 µs); the API's list of 50 editions builds
some 2,600 addresses, a page of 25 appearances some 160. ``path_for()`` gives the same result:
the first call for a URL name (in a language, URLconf and script prefix) runs ``reverse()`` and
remembers where each argument landed in the path; later calls fill in the new values.

Only plain values take the shortcut: ASCII slugs and whole numbers, which ``reverse()`` would
put in the path unchanged. Anything else, or a path where an argument's place is ambiguous,
goes through ``reverse()`` every time. tests/test_addresses.py compares both for every public
URL name.
"""

import re

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

PLAIN = re.compile(r"[-a-zA-Z0-9_]+")


def _plain(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value) if value >= 0 else None
    if isinstance(value, str) and PLAIN.fullmatch(value):
        return value
    return None


def _cut(path, values):
    """The path's fixed pieces around the values, or None when a value's place is ambiguous."""
    places = []
    for key, value in values.items():
        if path.count(value) != 1:
            return None  # e.g. number 1 also in "forum-1-1": no single place to fill in
        places.append((path.index(value), key, value))
    places.sort()
    pieces, order, cursor = [], [], 0
    for start, key, value in places:
        if start < cursor:
            return None  # overlapping values
        pieces.append(path[cursor:start])
        order.append(key)
        cursor = start + len(value)
    pieces.append(path[cursor:])
    return tuple(pieces), tuple(order)


def _fill(template, values):
    pieces, order = template
    parts = [pieces[0]]
    for key, piece in zip(order, pieces[1:], strict=True):
        parts += [values[key], piece]
    return "".join(parts)


def path_for(name, /, **kwargs):
    """reverse(name, kwargs=kwargs), without walking the URLconf after the first time."""
    plain = {key: _plain(value) for key, value in kwargs.items()}
    if not kwargs or None in plain.values():
        return reverse(name, kwargs=kwargs or None)
    key = (
        name,
        tuple(sorted(plain)),
        get_language(),
        get_urlconf() or settings.ROOT_URLCONF,
        get_script_prefix(),
    )
    template = _TEMPLATES.get(key)
    if template is not None:
        return _fill(template, plain)
    path = reverse(name, kwargs=kwargs)
    template = _cut(path, plain)
    if template is not None and _fill(template, plain) == path:
        _TEMPLATES[key] = template  # a few dozen at most: URL names x languages
    return path


_TEMPLATES = {}
