"""Public read-only data is readable from other sites' pages (issue 18 §7): the API, feeds,
calendars, CSV downloads and sitemaps answer any origin, expose their validators and answer a
preflight; pages, the admin and the login never do."""

import pytest

from .builders import make_archive

pytestmark = pytest.mark.django_db

ORIGIN = {"HTTP_ORIGIN": "https://widget.example"}

PUBLIC_DATA = [
    "/api/editions/",
    "/api/editions/example-forum-3/",
    "/en/feeds/editions/",
    "/en/calendar.ics",
    "/en/forums/example-forum/calendar.ics",
    "/en/editions/example-forum-3/calendar.ics",
    "/en/editions/example-forum-3/appearances.csv",
    "/en/participants.csv",
    "/sitemap.xml",
    "/sitemap-editions.xml",
]


@pytest.fixture
def archive():
    return make_archive()


@pytest.mark.parametrize("url", PUBLIC_DATA)
def test_public_data_is_readable_by_any_origin(client, archive, url):
    response = client.get(url, **ORIGIN)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert "ETag" in response["Access-Control-Expose-Headers"]


@pytest.mark.parametrize("url", PUBLIC_DATA)
def test_a_conditional_cross_origin_request_passes_its_preflight(client, archive, url):
    response = client.options(
        url,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
        **ORIGIN,
    )
    assert response.status_code in (200, 204)
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response["Access-Control-Allow-Methods"]
    assert "If-None-Match" in response["Access-Control-Allow-Headers"]


def test_a_cached_api_answer_revalidated_cross_origin_keeps_its_headers(client, archive):
    first = client.get("/en/feeds/editions/", **ORIGIN)
    again = client.get("/en/feeds/editions/", HTTP_IF_NONE_MATCH=first["ETag"], **ORIGIN)
    assert again.status_code == 304
    assert again["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    "url", ["/en/", "/en/editions/example-forum-3/", "/admin/login/", "/en/search/?q=trade"]
)
def test_pages_and_the_admin_stay_same_origin(client, archive, url):
    response = client.get(url, **ORIGIN)
    assert "Access-Control-Allow-Origin" not in response
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
