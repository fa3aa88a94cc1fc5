"""Error answers under /api/ are JSON, like every other API answer.

Django's error handlers (handler400/403/404/500 in forumarchive/urls.py) answer with HTML pages;
these wrap them: a request whose path starts with /api/ gets DRF's own shape instead,
``{"detail": "Not found."}`` with ``Content-Type: application/json``, the same body a view's own
404 has. Every other path keeps the site's HTML page (templates/404.html and 500.html).

A handler, not a catch-all URL pattern: the resolver still fails for an unknown address, so
CommonMiddleware's APPEND_SLASH redirect (/api/editions -> /api/editions/) keeps working.
"""

from django.http import JsonResponse
from django.views import defaults
from rest_framework import exceptions

from ..http.cors import open_to_other_origins

API_PREFIX = "/api/"


def _is_api(request):
    return request.path_info.startswith(API_PREFIX)


def _json(status, detail):
    # Readable cross-origin, as every API answer (OpenReadMixin)
    return open_to_other_origins(JsonResponse({"detail": str(detail)}, status=status))


def bad_request(request, exception):
    if _is_api(request):
        return _json(400, exceptions.ParseError.default_detail)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if _is_api(request):
        return _json(403, exceptions.PermissionDenied.default_detail)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if _is_api(request):
        return _json(404, exceptions.NotFound.default_detail)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return _json(500, exceptions.APIException.default_detail)
    return defaults.server_error(request)
