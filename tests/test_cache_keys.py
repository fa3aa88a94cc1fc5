"""Page-cache keys come from the parameters a page reads, so junk URLs cannot fill the cache."""

import random
import string

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from archive.api.filters import SubForumFilter
from archive.filters import EditionFilter, OrganizationFilter, ParticipantFilter
from archive.http import page_cache

from . import factories

pytestmark = pytest.mark.django_db


def page_entries():
    """The page cache's entries in the test's LocMemCache: {key: pickled bytes}."""
    return {key: value for key, value in cache._cache.items() if ":archive:page:" in key}


def cache_bytes():
    return sum(len(key) + len(value) for key, value in cache._cache.items())


def junk(length=8):
    return "".join(random.choices(string.ascii_lowercase + string.digits, k=length))


@pytest.fixture
def site():
    edition = factories.EditionFactory(start_date="2020-12-03", end_date="2020-12-05")
    factories.AppearanceFactory(edition=edition)
    return edition


def parameters(path):
    request = RequestFactory().get(path)
    return page_cache.page_parameters(request)


def test_allowed_parameters_come_from_each_pages_filterset_and_paginator():
    assert parameters("/en/editions/") == set(EditionFilter.base_filters) | {"page"}
    assert parameters("/en/participants/") == set(ParticipantFilter.base_filters) | {"page"}
    assert parameters("/en/organizations/") == set(OrganizationFilter.base_filters) | {"page"}
    assert parameters("/api/editions/") == set(EditionFilter.base_filters) | {"page", "page_size"}
    assert parameters("/api/sub-forums/") == set(SubForumFilter.base_filters) | {
        "page",
        "page_size",
    }
    assert parameters("/api/forums/") == {"page", "page_size"}
    assert parameters("/en/participants.csv") == set(ParticipantFilter.base_filters)


def test_allowed_parameters_of_pages_without_a_filterset():
    assert parameters("/en/search/") == {"q"}
    assert parameters("/ja/editions/some-forum-3/") == {"page"}
    assert parameters("/en/editions/some-forum-3/card.png") == {"v"}
    assert parameters("/sitemap-participants.xml") == {"p"}
    assert parameters("/api/editions/some-forum-3/") == set(EditionFilter.base_filters)
    assert parameters("/en/") == set()
    assert parameters("/robots.txt") == set()
    assert parameters("/api/schema/") == set()
    assert parameters("/en/no-such-page/") == set()


def test_an_unknown_parameter_bypasses_the_cache(client, site, django_assert_num_queries):
    client.get("/en/editions/?utm_source=mail")
    assert page_entries() == {}
    response = client.get("/en/editions/?utm_source=mail")
    assert response.status_code == 200
    assert "ETag" not in response


def test_known_parameters_are_sorted_and_deduplicated_into_one_key(
    client, site, django_assert_num_queries
):
    first = client.get(f"/en/editions/?year=2020&forum={site.forum.slug}")
    assert len(page_entries()) == 1
    with django_assert_num_queries(0):
        second = client.get(f"/en/editions/?forum={site.forum.slug}&year=2020&year=2020")
    assert second.content == first.content
    assert len(page_entries()) == 1


def test_a_parameter_given_twice_with_different_values_is_not_cached(client, site):
    client.get("/en/editions/?year=2020&year=2021")
    assert page_entries() == {}


def test_a_body_over_the_size_cap_is_served_but_not_stored(client, site, settings):
    settings.PAGE_CACHE_MAX_BYTES = 100
    response = client.get("/en/editions/")
    assert response.status_code == 200
    assert site.theme.encode() in response.content
    assert page_entries() == {}


def test_bodies_are_stored_compressed_and_served_whole(client, site):
    first = client.get("/en/editions/")
    (stored,) = page_entries().values()
    assert len(stored) < len(first.content) / 2
    assert client.get("/en/editions/").content == first.content


def test_each_page_keeps_a_bounded_number_of_query_variants(client, site, settings):
    settings.PAGE_CACHE_MAX_VARIANTS = 20
    client.get("/en/editions/")  # the page itself is not a variant
    for number in range(1, 61):
        assert client.get(f"/en/editions/?page={number}").status_code == 200
    assert len(page_entries()) == 1 + 20


def test_2000_requests_with_random_query_strings_grow_the_cache_by_under_1_mb(client, site):
    # Mostly cheap pages (the decision comes before rendering), every page type now and then.
    cheap = ["/robots.txt", "/api/forums/"]
    dear = ["/en/", "/en/editions/", site.get_absolute_url(), "/api/editions/", "/api/schema/"]
    for page in cheap + dear:  # the cache as a visitor leaves it: every page warm
        client.get(page)
    before = cache_bytes()
    for n in range(2000):
        page = dear[n // 40 % len(dear)] if n % 40 == 0 else cheap[n % 2]
        query = "&".join(f"{junk()}={junk(16)}" for _ in range(1 + n % 3))
        if n % 4 == 0:  # a known parameter beside the junk does not help
            query += "&page=1"
        # API lists refuse a parameter they do not take (400: issue 18), pages ignore it.
        expected = 400 if page.startswith("/api/") and page != "/api/schema/" else 200
        assert client.get(f"{page}?{query}").status_code == expected
    assert cache_bytes() - before < 1024 * 1024
    assert len(page_entries()) == len(cheap + dear)
