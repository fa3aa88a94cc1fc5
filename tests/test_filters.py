"""Each FilterSet returns exactly the right records; invalid input is a message, not an error."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.test import RequestFactory

from archive.filters import EditionFilter, OrganizationFilter, ParticipantFilter
from archive.models import Appearance, Edition, Forum, Organization, Participant

from . import factories

pytestmark = pytest.mark.django_db


def filtered(filterset_class, queryset, **params):
    request = RequestFactory().get("/", params)
    request.user = AnonymousUser()
    filterset = filterset_class(request.GET, queryset=queryset, request=request)
    return filterset, set(filterset.qs)


def edition_on(year, **kwargs):
    return factories.EditionFactory(start_date=datetime.date(year, 12, 3), **kwargs)


# --- Editions ---------------------------------------------------------------------------


def test_edition_filter_by_forum_returns_only_that_forums_editions():
    wanted = factories.EditionFactory(forum__slug="wanted-forum")
    factories.EditionFactory()
    _, editions = filtered(EditionFilter, Edition.objects.all(), forum="wanted-forum")
    assert editions == {wanted}


def test_edition_filter_by_year_returns_only_that_year():
    wanted = edition_on(2024)
    edition_on(2023)
    edition_on(2025)
    _, editions = filtered(EditionFilter, Edition.objects.all(), year="2024")
    assert editions == {wanted}


def test_edition_filter_by_year_range_includes_both_ends():
    editions_by_year = {year: edition_on(year) for year in range(2019, 2026)}
    _, editions = filtered(EditionFilter, Edition.objects.all(), year_from="2020", year_to="2022")
    assert editions == {editions_by_year[2020], editions_by_year[2021], editions_by_year[2022]}


def test_edition_filter_by_city_ignores_case():
    wanted = factories.EditionFactory(city="Beijing", country="China")
    factories.EditionFactory(city="Tokyo")
    _, editions = filtered(EditionFilter, Edition.objects.all(), city="beijing")
    assert editions == {wanted}


def test_edition_filter_by_country_returns_only_that_country():
    wanted = factories.EditionFactory(city="Beijing", country="China")
    factories.EditionFactory(country="Japan")
    _, editions = filtered(EditionFilter, Edition.objects.all(), country="China")
    assert editions == {wanted}


def test_edition_filter_by_topic_finds_sessions_and_edition_topics_once_each():
    topic = factories.TopicFactory(slug="trade")
    through_sessions = factories.EditionFactory()
    for _ in range(2):
        factories.SubForumFactory(edition=through_sessions).topics.add(topic)
    as_a_whole = factories.EditionFactory()
    as_a_whole.topics.add(topic)
    factories.SubForumFactory()  # an edition with another session, no topic
    _, editions = filtered(EditionFilter, Edition.objects.all(), topic="trade")
    assert editions == {through_sessions, as_a_whole}
    filterset, _ = filtered(EditionFilter, Edition.objects.all(), topic="trade")
    assert filterset.qs.count() == 2


def test_edition_ordering_by_number():
    forum = factories.ForumFactory()
    third = factories.EditionFactory(forum=forum, number=3)
    first = factories.EditionFactory(forum=forum, number=1)
    filterset, _ = filtered(EditionFilter, Edition.objects.all(), ordering="number")
    assert list(filterset.qs) == [first, third]
    filterset, _ = filtered(EditionFilter, Edition.objects.all(), ordering="-number")
    assert list(filterset.qs) == [third, first]


@pytest.mark.parametrize(
    "params",
    [
        {"year": "abc"},
        {"year": "2024.5"},
        {"year": "99999999999"},
        {"year_from": "x"},
        {"forum": "no-such-forum"},
        {"topic": "no-such-topic"},
        {"ordering": "secret"},
    ],
)
def test_edition_filter_invalid_input_is_an_error_and_is_ignored(params):
    edition = factories.EditionFactory()
    filterset, editions = filtered(EditionFilter, Edition.objects.all(), **params)
    assert list(filterset.errors) == list(params)
    assert editions == {edition}


@pytest.mark.parametrize(
    "query",
    ["year=abc", "forum=no-such-forum", "topic=nope", "year=99999999999&page=abc", "ordering=x"],
)
def test_edition_list_with_invalid_filters_is_a_200_with_a_message(client, query):
    factories.EditionFactory()
    response = client.get(f"/en/editions/?{query}")
    assert response.status_code == 200
    assert "Some filters could not be used" in response.content.decode()


# --- Participants -----------------------------------------------------------------------


def test_participant_filter_by_country_returns_only_that_country():
    wanted = factories.AppearanceFactory(participant__country="Japan").participant
    factories.AppearanceFactory(participant__country="China")
    _, people = filtered(ParticipantFilter, Participant.objects.all(), country="japan")
    assert people == {wanted}


def test_participant_filter_by_organization_returns_who_appeared_for_it():
    wanted = factories.AppearanceFactory(organization__slug="think-tank").participant
    factories.AppearanceFactory()
    _, people = filtered(ParticipantFilter, Participant.objects.all(), organization="think-tank")
    assert people == {wanted}


def test_participant_filter_by_edition_key_returns_who_appeared_there():
    edition = factories.EditionFactory(forum__slug="example-forum", number=7)
    wanted = factories.AppearanceFactory(edition=edition).participant
    factories.AppearanceFactory(edition=factories.EditionFactory(forum=edition.forum, number=8))
    _, people = filtered(ParticipantFilter, Participant.objects.all(), edition="example-forum-7")
    assert people == {wanted}


def test_participant_filter_by_forum_and_number_uses_the_same_appearance():
    forum_a = factories.ForumFactory(slug="forum-a")
    forum_b = factories.ForumFactory(slug="forum-b")
    wanted = factories.AppearanceFactory(
        edition=factories.EditionFactory(forum=forum_a, number=5)
    ).participant
    # Number 5 of another forum and another number of this forum: not a match together.
    mixed = factories.AppearanceFactory(
        edition=factories.EditionFactory(forum=forum_b, number=5)
    ).participant
    factories.AppearanceFactory(
        participant=mixed, edition=factories.EditionFactory(forum=forum_a, number=6)
    )
    _, people = filtered(ParticipantFilter, Participant.objects.all(), forum="forum-a", number="5")
    assert people == {wanted}


def test_participant_filter_by_role_returns_only_that_role():
    wanted = factories.AppearanceFactory(role=Appearance.Role.MODERATOR).participant
    factories.AppearanceFactory(role=Appearance.Role.SPEAKER)
    _, people = filtered(ParticipantFilter, Participant.objects.all(), role="moderator")
    assert people == {wanted}


def test_participant_filter_by_draft_edition_is_unknown_to_a_visitor():
    draft = factories.EditionFactory(
        forum__slug="example-forum", number=3, status=Edition.Status.DRAFT
    )
    factories.AppearanceFactory(edition=draft)
    filterset, people = filtered(
        ParticipantFilter, Participant.objects.all(), edition="example-forum-3"
    )
    assert list(filterset.errors) == ["edition"]


@pytest.mark.parametrize(
    "params",
    [
        {"edition": "not an edition"},
        {"edition": "no-such-forum-1"},
        {"organization": "nobody"},
        {"role": "emperor"},
        {"number": "-4"},
    ],
)
def test_participant_filter_invalid_input_is_an_error_and_is_ignored(params):
    person = factories.AppearanceFactory().participant
    filterset, people = filtered(ParticipantFilter, Participant.objects.all(), **params)
    assert list(filterset.errors) == list(params)
    assert people == {person}


def test_participant_list_with_invalid_filters_is_a_200_with_a_message(client):
    factories.AppearanceFactory()
    response = client.get("/en/participants/?edition=zzz&role=emperor&page=999")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Some filters could not be used" in html
    assert "There is no page" in html


# --- Organizations ----------------------------------------------------------------------


def test_organization_filter_by_kind_returns_only_that_kind():
    wanted = factories.OrganizationFactory(kind=Organization.Kind.MEDIA)
    factories.OrganizationFactory(kind=Organization.Kind.ACADEMIA)
    _, organizations = filtered(OrganizationFilter, Organization.objects.all(), kind="media")
    assert organizations == {wanted}


def test_organization_filter_by_country_returns_only_that_country():
    wanted = factories.OrganizationFactory(country="China")
    factories.OrganizationFactory(country="Japan")
    _, organizations = filtered(OrganizationFilter, Organization.objects.all(), country="china")
    assert organizations == {wanted}


def test_organization_list_with_an_invalid_kind_is_a_200_with_a_message(client):
    response = client.get("/en/organizations/?kind=secret-society")
    assert response.status_code == 200
    assert "Some filters could not be used" in response.content.decode()


@pytest.mark.parametrize("path", ["/en/participants/", "/en/organizations/"])
def test_lists_order_by_name_both_ways(client, path):
    for name in ("Beta", "Alpha", "Gamma"):
        organization = factories.OrganizationFactory(name=f"{name} Institute")
        factories.AppearanceFactory(
            participant=factories.ParticipantFactory(name=f"{name} Person"),
            organization=organization,
        )
    ascending = [o.name for o in client.get(path, {"ordering": "name"}).context["object_list"]]
    descending = [o.name for o in client.get(path, {"ordering": "-name"}).context["object_list"]]
    assert [name.split()[0] for name in ascending] == ["Alpha", "Beta", "Gamma"]
    assert descending == ascending[::-1]


# --- The same filter finds the same records in every language -------------------------------


@pytest.mark.parametrize("language", ["en", "zh-hans", "ja"])
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"country": "Japan"}, ["kyoto"]),
        ({"country": "日本"}, ["kyoto"]),
        ({"city": "京都"}, ["kyoto"]),
        ({"country": "China"}, ["beijing"]),  # no translation: matched by the original
        ({"city": "beijing"}, ["beijing"]),
    ],
)
def test_edition_text_filters_give_the_same_records_in_every_language(
    client, db, language, query, expected
):
    forum = factories.ForumFactory(slug="f")
    factories.EditionFactory(
        forum=forum, number=1, city="Kyoto", city_ja="京都", country="Japan", country_ja="日本"
    )
    factories.EditionFactory(forum=forum, number=2, city="Beijing", country="China")
    keys = {"f-1": "kyoto", "f-2": "beijing"}
    page = client.get(f"/{language}/editions/", query)
    assert [keys[edition.key] for edition in page.context["object_list"]] == expected
    api = client.get("/api/editions/", query, HTTP_ACCEPT_LANGUAGE=language).json()
    assert [keys[row["key"]] for row in api["results"]] == expected


@pytest.mark.parametrize("language", ["en", "zh-hans", "ja"])
def test_participant_country_filter_gives_the_same_people_in_every_language(client, db, language):
    translated = factories.ParticipantFactory(slug="ja-person", country="Japan", country_ja="日本")
    original_only = factories.ParticipantFactory(slug="en-person", country="Japan")
    for person in (translated, original_only):
        factories.AppearanceFactory(participant=person)
    page = client.get(f"/{language}/participants/", {"country": "Japan"})
    assert sorted(p.slug for p in page.context["object_list"]) == ["en-person", "ja-person"]
    api = client.get("/api/participants/", {"country": "Japan"}, HTTP_ACCEPT_LANGUAGE=language)
    assert sorted(row["slug"] for row in api.json()["results"]) == ["en-person", "ja-person"]


# --- Filters for people: names or keys, the same records everywhere (issue 19 §1) -----------

LANGUAGES = ["en", "zh-hans", "ja"]


@pytest.fixture
def people(db):
    """Two forums, each with an edition 20, and three organizations, two of them "Institutes"."""
    forum = factories.ForumFactory(
        name="Example Forum", name_zh_hans="示例论坛", name_ja="例のフォーラム", slug="example"
    )
    other = factories.ForumFactory(name="Other Forum", slug="other")
    twentieth = factories.EditionFactory(forum=forum, number=20)
    nineteenth = factories.EditionFactory(forum=forum, number=19)
    other_20 = factories.EditionFactory(forum=other, number=20)
    sakura = factories.OrganizationFactory(
        name="Sakura Research Institute", name_ja="さくら総合研究所", slug="sakura-ri"
    )
    lotus = factories.OrganizationFactory(name="Lotus Institute", slug="lotus")
    daily = factories.OrganizationFactory(name="Morning Daily", slug="morning-daily")
    for slug, edition, organization in [
        ("ada", twentieth, sakura),
        ("bo", nineteenth, sakura),
        ("cy", twentieth, lotus),
        ("di", other_20, daily),
    ]:
        factories.AppearanceFactory(
            participant=factories.ParticipantFactory(slug=slug),
            edition=edition,
            organization=organization,
        )


def listed(client, path, query, language):
    """The slugs the page lists, following the redirect from a name to its key (rendered
    afresh: a page the whole-page cache answers has no template context)."""
    cache.clear()
    response = client.get(f"/{language}{path}", query, follow=True)
    assert response.status_code == 200
    return sorted(row.slug for row in response.context["object_list"]), response


def from_api(client, query, language):
    response = client.get("/api/participants/", query, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, response.content
    return sorted(row["slug"] for row in response.json()["results"])


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("by_name", "key", "expected"),
    [
        ({"organization": "Sakura"}, {"organization": "sakura-ri"}, ["ada", "bo"]),
        (
            {"organization": "sakura research institute"},
            {"organization": "sakura-ri"},
            ["ada", "bo"],
        ),
        ({"organization": "さくら総合研究所"}, {"organization": "sakura-ri"}, ["ada", "bo"]),
        ({"organization": "Daily"}, {"organization": "morning-daily"}, ["di"]),
        ({"edition": "19"}, {"edition": "example-19"}, ["bo"]),
        ({"edition": "20th Example Forum"}, {"edition": "example-20"}, ["ada", "cy"]),
        ({"edition": "第20届示例论坛"}, {"edition": "example-20"}, ["ada", "cy"]),
        ({"edition": "第20回例のフォーラム"}, {"edition": "example-20"}, ["ada", "cy"]),
        ({"edition": "20 other"}, {"edition": "other-20"}, ["di"]),
    ],
)
def test_a_filter_by_name_and_by_key_gives_the_same_people_in_every_language_and_the_api(
    client, people, language, by_name, key, expected
):
    assert listed(client, "/participants/", by_name, language)[0] == expected
    assert listed(client, "/participants/", key, language)[0] == expected
    assert from_api(client, by_name, language) == expected
    assert from_api(client, key, language) == expected


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_name_in_the_address_redirects_to_the_key_and_the_box_shows_the_name(
    client, people, language
):
    response = client.get(
        f"/{language}/participants/", {"organization": "Sakura", "role": "speaker"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/{language}/participants/?organization=sakura-ri&role=speaker"
    page = client.get(response["Location"])
    box = page.context["filterset"].form["organization"]
    shown = {"en": "Sakura Research Institute", "zh-hans": "Sakura Research Institute"}
    assert box.value() == shown.get(language, "さくら総合研究所")
    assert page.context["filterset"].errors == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_name_several_records_match_is_an_error_on_its_field_naming_them(
    client, people, language
):
    response = client.get(f"/{language}/participants/", {"organization": "Institute"})
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        'aria-invalid="true" aria-describedby="id_organization_helptext id_organization_error"'
        in html
    )
    assert 'id="id_organization_error"' in html
    assert 'id="id_organization_helptext"' in html
    error = response.context["filterset"].errors["organization"][0]
    sakura = "さくら総合研究所" if language == "ja" else "Sakura Research Institute"
    assert "Lotus Institute" in error and sakura in error
    assert "Morning Daily" not in error
    # The list is not filtered by it: everyone is shown, as with any ignored filter.
    assert sorted(p.slug for p in response.context["object_list"]) == ["ada", "bo", "cy", "di"]


def test_an_edition_number_several_forums_share_is_an_error_naming_both(client, people):
    response = client.get("/en/participants/", {"edition": "20"})
    assert response.status_code == 200
    [error] = response.context["filterset"].errors["edition"]
    named = error.removeprefix("“20” matches several editions: ").removesuffix(
        ". Choose one from the list."
    )
    assert sorted(named.split(", ")) == ["20th Example Forum", "20th Other Forum"]
    api = client.get("/api/participants/", {"edition": "20"})
    assert api.status_code == 400


def test_a_name_nothing_matches_is_an_error_quoting_it(client, people):
    response = client.get("/ja/participants/", {"organization": "Nobody"})
    assert response.context["filterset"].errors["organization"] == [
        "「Nobody」という名前の、またはそれを名前に含む組織はありません。"
    ]


def test_name_boxes_offer_the_names_in_the_page_language(client, people):
    html = client.get("/ja/participants/").content.decode()
    assert '<datalist id="id_organization_names">' in html
    assert '<option value="さくら総合研究所"></option>' in html
    assert '<option value="Lotus Institute" lang="en"></option>' in html
    assert '<option value="第20回例のフォーラム"></option>' in html
    assert 'list="id_edition_names"' in html


def test_kept_names_and_counts_follow_an_edit_in_every_language(client, people):
    """The name boxes' datalists and the selects' counts are kept until the content changes
    (archive.cache.cached_value): an organization renamed and an edition added show on the next
    request, as the list itself does."""
    for language in LANGUAGES:
        client.get(f"/{language}/participants/")
        client.get(f"/{language}/editions/")
    lotus = Organization.objects.get(slug="lotus")
    lotus.name_en, lotus.name_ja = "Lotus Foundation", "ロータス財団"
    lotus.save()
    factories.EditionFactory(
        forum=Forum.objects.get(slug="other"), number=21, city_en="Nara", country="Japan"
    )
    ja = client.get("/ja/participants/").content.decode()
    assert '<option value="ロータス財団"></option>' in ja
    assert "Lotus Institute" not in ja
    en = client.get("/en/participants/").content.decode()
    assert '<option value="Lotus Foundation"></option>' in en
    editions = client.get("/en/editions/").content.decode()
    assert '<option value="Nara">Nara (1)</option>' in editions


@pytest.mark.parametrize(("language", "count"), [("en", "2024 (2)"), ("ja", "2024（2）")])
def test_edition_selects_show_names_and_counts(client, db, language, count):
    forum = factories.ForumFactory(name="Example Forum", slug="example")
    factories.EditionFactory(
        forum=forum,
        number=1,
        start_date=datetime.date(2024, 1, 5),
        city="Kyoto",
        city_ja="京都",
        country="Japan",
    )
    factories.EditionFactory(
        forum=forum,
        number=2,
        start_date=datetime.date(2024, 9, 5),
        city="Kyoto",
        city_ja="京都",
        country="Japan",
    )
    factories.EditionFactory(
        forum=forum, number=3, start_date=datetime.date(2023, 9, 5), city="Beijing", country="China"
    )
    html = client.get(f"/{language}/editions/").content.decode()
    assert f'<option value="2024">{count}</option>' in html
    if language == "ja":
        assert '<option value="Kyoto">京都（2）</option>' in html
        assert '<option value="Beijing" lang="en">Beijing（1）</option>' in html
    else:
        assert '<option value="Example Forum">' not in html  # forums are chosen by slug
        assert '<option value="example">Example Forum (3)</option>' in html
    # "京都" in the address chooses Kyoto in every language.
    page = client.get(f"/{language}/editions/", {"city": "京都"}).content.decode()
    assert '<option value="Kyoto" selected>' in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_bad_number_is_an_error_on_its_field_and_shown_as_text(client, people, language):
    editions = client.get(f"/{language}/editions/", {"year": "abc"}).content.decode()
    assert 'type="number"' not in editions
    assert (
        '<select name="year" aria-invalid="true" aria-describedby="id_year_error" id="id_year">'
        in editions
    )
    assert 'id="id_year_error"' in editions
    people_page = client.get(f"/{language}/participants/", {"number": "abc"}).content.decode()
    assert (
        '<input type="text" name="number" value="abc" aria-invalid="true" '
        'aria-describedby="id_number_error" id="id_number" inputmode="numeric">'
    ) in people_page
    assert 'id="id_number_error"' in people_page


def test_each_filter_in_use_is_a_chip_that_removes_only_it(client, people):
    response = client.get(
        "/en/participants/", {"organization": "sakura-ri", "role": "speaker", "page": "1"}
    )
    chips = {
        chip["filter"].label: (chip["filter"].value, chip["remove_url"])
        for chip in response.context["active_filters"]
    }
    assert chips == {
        "Organization they appeared for": (
            "Sakura Research Institute",
            "/en/participants/?role=speaker",
        ),
        "Role": ("Speaker", "/en/participants/?organization=sakura-ri"),
    }
    html = response.content.decode()
    assert (
        '<a class="chip" href="/en/participants/?role=speaker"><span class="visually-hidden">'
        "Remove filter </span>Organization they appeared for: "
    ) in html


def test_a_chip_in_japanese_marks_an_english_value(client, people):
    response = client.get("/ja/participants/", {"organization": "lotus"})
    [chip] = response.context["active_filters"]
    assert (chip["filter"].value, chip["filter"].language) == ("Lotus Institute", "en")
    html = response.content.decode()
    assert '<span class="chip__value" lang="en">Lotus Institute</span>' in html
    # The box shows the name too, marked as English.
    assert (
        '<input type="text" name="organization" value="Lotus Institute" '
        'aria-describedby="id_organization_helptext" id="id_organization" '
        'list="id_organization_names" autocomplete="off" spellcheck="false" lang="en">'
    ) in html


def test_the_api_answers_a_name_with_the_same_records_and_no_redirect(client, people):
    response = client.get("/api/participants/", {"organization": "Lotus"})
    assert response.status_code == 200
    assert [row["slug"] for row in response.json()["results"]] == ["cy"]


@pytest.mark.parametrize("path", ["/en/participants/", "/en/organizations/"])
def test_counts_include_drafts_only_for_those_who_preview_them(client, staff_client, db, path):
    draft = factories.EditionFactory(status=Edition.Status.DRAFT)
    factories.AppearanceFactory(
        edition=draft,
        participant__country="Atlantis",
        organization=factories.OrganizationFactory(country="Atlantis"),
    )
    factories.AppearanceFactory(
        participant__country="Japan", organization=factories.OrganizationFactory(country="Japan")
    )
    staff = staff_client.get(path).content.decode()
    assert '<option value="Atlantis">Atlantis (1)</option>' in staff
    client.logout()
    public = client.get(path).content.decode()
    assert "Atlantis" not in public
    assert '<option value="Japan">Japan (1)</option>' in public
