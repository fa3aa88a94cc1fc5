"""The API's errors and limits (issue 20 §10): every answer under /api/ is JSON, 404s included,
and page and page_size are checked against a range the error message and the schema name."""

import pytest
from django.core.cache import cache
from django.test import Client

from . import factories

pytestmark = pytest.mark.django_db

NOT_FOUND = {"detail": "Not found."}


def get(client, url, status):
    response = client.get(url)
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json", url
    return response.json()


@pytest.fixture
def three_participants():
    """Three people seen at a published edition: two pages of two."""
    edition = factories.EditionFactory(forum__slug="example-forum", number=3)
    for slug in ("ann", "ben", "cho"):
        factories.AppearanceFactory(edition=edition, participant__slug=slug)
    return edition


def page_entries():
    return [key for key in cache._cache if ":archive:page:" in key]


# --- 404 and other errors ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/nonexistent/",
        "/api/editions/no-such-key/extra/",
        "/api/editions/example-forum-3/card.png",
        "/api/participants/ann/appearances/",
        "/api/schema.yaml",
        "/api/%E2%9C%93/",
    ],
)
def test_an_unknown_api_address_is_a_json_404(client, three_participants, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == NOT_FOUND
    assert response["Access-Control-Allow-Origin"] == "*"
    assert b"<html" not in response.content.lower()


def test_a_missing_api_record_is_a_json_404_of_the_same_shape(client, three_participants):
    assert get(client, "/api/editions/example-forum-99/", 404) == {"detail": "No such edition."}
    assert list(get(client, "/api/participants/nobody/", 404)) == ["detail"]


def test_pages_keep_the_html_404_page(client, db):
    for url in ["/en/no-such-page/", "/en/editions/no-such-key/extra/", "/en/api/nonexistent/"]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"] == "text/html; charset=utf-8"
        assert "There is no page at this address." in response.content.decode()


def test_an_api_address_without_its_slash_still_redirects(client, db):
    response = client.get("/api/editions")
    assert (response.status_code, response["Location"]) == (301, "/api/editions/")


def test_a_foreign_host_under_api_is_a_json_400(client, db):
    response = client.get("/api/editions/", HTTP_HOST="archive.attacker.example")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Malformed request."}


def test_a_write_to_the_api_is_a_json_405(client, db):
    response = client.post("/api/editions/", {})
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": 'Method "POST" not allowed.'}


@pytest.mark.urls("tests.urls_errors")
def test_a_server_error_under_api_is_json_without_a_traceback():
    client = Client(raise_request_exception=False)
    response = client.get("/api/broken/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "A server error occurred."}
    assert "hunter2" not in response.content.decode()
    assert "<h1>Server error</h1>" in client.get("/broken/").content.decode()


# --- page and page_size -----------------------------------------------------------------


def test_valid_pages_and_sizes_answer_200(client, three_participants):
    first = get(client, "/api/participants/?page_size=2", 200)
    second = get(client, "/api/participants/?page=2&page_size=2", 200)
    assert [p["slug"] for p in first["results"] + second["results"]] == ["ann", "ben", "cho"]
    assert len(get(client, "/api/participants/?page_size=100", 200)["results"]) == 3
    assert len(get(client, "/api/participants/?page=1&page_size=1", 200)["results"]) == 1


@pytest.mark.parametrize("page", ["0", "-1", "3", "999999", "abc", "1.5", " 2", "02", "last", ""])
def test_an_invalid_page_is_a_404_naming_the_pages_there_are(client, three_participants, page):
    data = get(client, f"/api/participants/?page_size=2&page={page}", 404)
    assert data == {"detail": f'Invalid page "{page}": this list has pages 1 to 2.'}


def test_an_invalid_page_of_a_one_page_list_says_so(client, three_participants):
    data = get(client, "/api/editions/?page=0", 404)
    assert data == {"detail": 'Invalid page "0": this list has one page, page 1.'}


@pytest.mark.parametrize(
    "size", ["0", "-5", "abc", "null", "101", "1000", "2.0", "%2B2", "02", "", "１０"]
)
def test_an_invalid_page_size_is_a_400_naming_the_allowed_range(client, three_participants, size):
    data = get(client, f"/api/participants/?page_size={size}", 400)
    size = size.replace("%2B", "+")
    message = f'Invalid page_size "{size}": a whole number from 1 to 100 (the default is 50).'
    assert data == {"page_size": [message]}


def test_the_schema_documents_the_ranges_of_page_and_page_size(client, db):
    schema = client.get("/api/schema/").json()
    lists = [
        operation
        for path, item in schema["paths"].items()
        for operation in item.values()
        if operation["operationId"].endswith("_list")
    ]
    assert len(lists) == 9
    for operation in lists:
        parameters = {p["name"]: p["schema"] for p in operation["parameters"]}
        assert parameters["page"] == {"type": "integer", "minimum": 1, "default": 1}
        assert parameters["page_size"] == {
            "type": "integer",
            "minimum": 1,
            "maximum": 100,
            "default": 50,
        }


# --- Junk values are never cached as a 200 -----------------------------------------------


def test_junk_page_values_are_never_stored_in_the_page_cache(client, three_participants):
    for url in [
        "/api/participants/?page_size=null",
        "/api/participants/?page=0",
        "/api/participants/?page=last",
        "/api/nonexistent/",
        "/en/participants/?page=abc",  # an HTML list shows its first page for a junk number
        "/en/participants/?page=01",
        "/en/participants/?page=%201",
    ]:
        client.get(url)
        assert page_entries() == [], url
    assert client.get("/en/participants/?page=1").status_code == 200
    assert client.get("/api/participants/?page=1&page_size=2").status_code == 200
    assert len(page_entries()) == 2
