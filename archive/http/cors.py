"""Cross-origin reading of the archive's public, read-only data.

The API, feeds, calendars, CSV downloads and sitemaps are meant to be read by other sites' pages
(a widget, a notebook in the browser). Their answers get ``Access-Control-Allow-Origin: *`` and
``Cross-Origin-Resource-Policy: cross-origin``; the conditional-GET and language headers are
exposed to scripts; a preflight (OPTIONS with Access-Control-Request-Method) is answered with the
methods and request headers a reader needs (GET and HEAD; Accept, Accept-Language,
If-None-Match, If-Modified-Since).

Never the admin, the login or any page a session changes: ``*`` tells browsers not to send
cookies, and only these read-only outputs are marked. Pages keep ``same-origin``
(archive.security).
"""

from functools import wraps

from django.http import HttpResponse

ALLOW_METHODS = "GET, HEAD, OPTIONS"
ALLOW_HEADERS = "Accept, Accept-Language, If-None-Match, If-Modified-Since"
EXPOSE_HEADERS = "ETag, Last-Modified, Content-Language, Content-Disposition, Link"
PREFLIGHT_MAX_AGE = "86400"


def open_to_other_origins(response, request=None):
    """Mark `response` readable by any origin; with a preflight `request`, answer it too."""
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    if request is not None and request.method == "OPTIONS":
        response["Access-Control-Allow-Methods"] = ALLOW_METHODS
        response["Access-Control-Allow-Headers"] = ALLOW_HEADERS
        response["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    return response


def public_data(view):
    """A view decorator for public read-only outputs (feeds, calendars, downloads, sitemaps)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "OPTIONS":  # a preflight: the views themselves take GET and HEAD
            response = HttpResponse(status=204)
            response["Allow"] = ALLOW_METHODS
            return open_to_other_origins(response, request)
        return open_to_other_origins(view(request, *args, **kwargs), request)

    return wrapped
