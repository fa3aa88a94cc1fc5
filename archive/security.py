"""Response headers that Django has no setting for, on pages and on static files alike.

Django's SecurityMiddleware sets nosniff, Referrer-Policy, Cross-Origin-Opener-Policy and HSTS;
XFrameOptionsMiddleware sets X-Frame-Options; django-csp sets the Content-Security-Policy. This
module adds Cross-Origin-Resource-Policy and Permissions-Policy to every response, and gives
WhiteNoise a function that puts the same headers on the static files it serves by itself.

It imports no models: settings import ``add_static_headers`` from here.
"""

#: Browser features the site never uses, switched off for it and for anything it embeds.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)

#: The JSON API is meant to be read by other sites' pages, so its resources may be embedded.
CROSS_ORIGIN_PREFIXES = ("/api/",)


def cross_origin_resource_policy(path):
    return "cross-origin" if path.startswith(CROSS_ORIGIN_PREFIXES) else "same-origin"


class SecurityHeadersMiddleware:
    """Add Cross-Origin-Resource-Policy and Permissions-Policy unless a view set its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault(
            "Cross-Origin-Resource-Policy", cross_origin_resource_policy(request.path)
        )
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


def add_static_headers(headers, path, url):
    """WhiteNoise's WHITENOISE_ADD_HEADERS_FUNCTION: static files are never sniffed or embedded
    by other sites."""
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
