"""Property-based fuzzing: no query string, path or fixture file makes the site fail with a 500.

Every example is a real request through Django's test client (or a real call of the loader), with
a bounded, derandomized profile so the suite stays fast and repeatable.
"""

import json
import tempfile
from pathlib import Path
from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.services.loading import MODELS, FixtureError, load_edition

from . import factories

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # hypothesis runs hundreds of cases

settings.register_profile(
    "archive-fuzz",
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    # The records are made once per test and every example only reads them (GET requests or
    # a loader that writes all or nothing), so sharing the function-scoped fixtures is safe.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FUZZ = settings.get_profile("archive-fuzz")

ALLOWED_STATUSES = {200, 301, 302, 400, 404}
LIST_PAGES = ["/en/", "/en/editions/", "/en/participants/", "/en/organizations/", "/en/search/"]
PARAMETERS = [
    "forum",
    "year",
    "year_from",
    "year_to",
    "city",
    "country",
    "topic",
    "organization",
    "edition",
    "role",
    "ordering",
    "page",
    "q",
]

# Any text that can be sent (no lone surrogates: they cannot be UTF-8 encoded), NUL included.
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
long_text = st.text(st.characters(exclude_categories=("Cs",)), min_size=500, max_size=5000)
numbers = st.integers(min_value=-(2**70), max_value=2**70).map(str)
tricky = st.sampled_from(
    ["", "\x00", "%00", "0", "-1", "1e9", "NaN", "' OR 1=1 --", "../../etc/passwd", "名前", "😀"]
)
values = st.one_of(any_text, numbers, tricky, long_text)
queries = st.dictionaries(st.sampled_from(PARAMETERS), values, max_size=6)
# Raw query strings, percent-encoding included, valid or not ("%zz", "%C3", "%%").
raw_queries = st.text(alphabet=st.sampled_from("%=&+;?#/ aZ09%C3%A9%00%zz%FF%u00e9"), max_size=80)


@pytest.fixture
def archive_records(db):
    """A published edition with a session, a speaker, a statement and a topic."""
    sub_forum = factories.SubForumFactory()
    sub_forum.edition.topics.add(factories.TopicFactory())
    factories.StatementFactory(appearance=factories.AppearanceFactory(sub_forum=sub_forum))
    return sub_forum


def detail_pages(sub_forum):
    edition = sub_forum.edition
    appearance = sub_forum.appearances.get()
    return [
        edition.get_absolute_url(),
        sub_forum.get_absolute_url(),
        appearance.participant.get_absolute_url(),
        appearance.organization.get_absolute_url(),
        edition.topics.get().get_absolute_url(),
    ]


@FUZZ
@given(page=st.sampled_from(LIST_PAGES), params=queries)
def test_list_pages_never_fail_on_any_query(archive_records, page, params):
    response = Client().get(page, params)
    assert response.status_code in ALLOWED_STATUSES, (page, params)


@FUZZ
@given(index=st.integers(min_value=0, max_value=4), params=queries)
def test_detail_pages_never_fail_on_any_query(archive_records, index, params):
    page = detail_pages(archive_records)[index]
    response = Client().get(page, params)
    assert response.status_code in ALLOWED_STATUSES, (page, params)


@FUZZ
@given(page=st.sampled_from(LIST_PAGES), raw=raw_queries)
def test_pages_never_fail_on_raw_percent_encoded_queries(archive_records, page, raw):
    response = Client().get(f"{page}?{raw}")
    assert response.status_code in ALLOWED_STATUSES, (page, raw)


@FUZZ
@given(
    prefix=st.sampled_from(
        [
            "/en/editions/",
            "/en/participants/",
            "/en/organizations/",
            "/en/topics/",
            "/en/search/",
            "/en/",
        ]
    ),
    tail=any_text,
)
def test_arbitrary_paths_never_fail(archive_records, prefix, tail):
    response = Client().get(prefix + quote(tail.encode(), safe="/-") + "/")
    assert response.status_code in ALLOWED_STATUSES, (prefix, tail)


# --- The fixture loader ---------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | any_text,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(any_text, children, max_size=4)
    ),
    max_leaves=12,
)
field_names = st.sampled_from(
    sorted(
        {field.name for model in MODELS for field in model._meta.get_fields()}
        | {"slug", "forum", "edition", "participant", "appearance", "sub_forum"}
    )
)
labels = st.sampled_from([model._meta.label_lower for model in MODELS]) | any_text
records = st.fixed_dictionaries(
    {"model": labels, "fields": st.dictionaries(field_names, json_values, max_size=8)}
)
fixture_texts = st.one_of(
    st.lists(records, max_size=5).map(json.dumps),
    json_values.map(json.dumps),
    any_text,
)


def _load(content: bytes, dry_run: bool):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.json"
        path.write_bytes(content)
        try:
            load_edition([path], dry_run=dry_run)
        except FixtureError as error:
            assert error.problems != []
            assert str(error).splitlines()[0].endswith("nothing was loaded.")


@FUZZ
@given(content=st.binary(max_size=2000), dry_run=st.booleans())
def test_loader_raises_only_its_own_error_on_random_bytes(db, content, dry_run):
    _load(content, dry_run)


@FUZZ
@given(text=fixture_texts, dry_run=st.booleans())
def test_loader_raises_only_its_own_error_on_json_like_files(db, text, dry_run):
    _load(text.encode("utf-8"), dry_run)
