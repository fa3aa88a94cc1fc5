"""The site's URLs plus /bench/hello/, the baseline every page is measured against.

The hello-world view goes through the same middleware as every page (security headers, CSP,
sessions, the page cache when it is on) but touches no database and renders no template, so
page / hello is the cost our code adds on top of Django and the server.
"""

from django.http import HttpResponse
from django.urls import path

from forumarchive.urls import urlpatterns as site_urlpatterns

HELLO_PATH = "/bench/hello/"


def hello(request):
    return HttpResponse(b"Hello, world.\n", content_type="text/plain; charset=utf-8")


urlpatterns = [
    path(HELLO_PATH.strip("/") + "/", hello, name="bench-hello"),
    # The site's own patterns, not include(): i18n_patterns must stay at the root URLconf.
    *site_urlpatterns,
]
