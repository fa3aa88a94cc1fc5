from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.urls import include, path, re_path
from django.views.static import serve

from archive.http.cors import public_data
from archive.opendata.sitemaps import SITEMAPS, URLSET, robots_txt

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("archive.api.urls")),
    # A sitemap index, and one sitemap per section (paged with ?p= past ITEMS_PER_PAGE records).
    path(
        "sitemap.xml",
        public_data(sitemaps.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        public_data(sitemaps.sitemap),
        {"sitemaps": SITEMAPS, "template_name": URLSET},
        name="sitemap-section",
    ),
    path("robots.txt", robots_txt, name="robots-txt"),
]
# Public pages carry their language: /en/, /zh-hans/, /ja/. An unprefixed address such as
# /editions/ redirects to the visitor's language (Accept-Language, else English).
urlpatterns += i18n_patterns(path("", include("archive.urls")), prefix_default_language=True)

if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]

# Errors under /api/ answer JSON, every other path the site's HTML pages (archive/api/errors.py).
handler400 = "archive.api.errors.bad_request"
handler403 = "archive.api.errors.permission_denied"
handler404 = "archive.api.errors.page_not_found"
handler500 = "archive.api.errors.server_error"
