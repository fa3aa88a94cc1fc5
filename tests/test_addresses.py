"""archive.addresses.path_for gives exactly what reverse() gives, for every record address."""

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from archive import addresses
from archive.addresses import path_for

CASES = [
    ("archive:edition-detail", {"edition_key": "beijing-tokyo-forum-20"}),
    ("archive:edition-detail", {"edition_key": "forum-1-1"}),  # "1" twice: no template
    ("archive:edition-detail", {"edition_key": "forum-1"}),
    ("archive:edition-detail", {"edition_key": "editions-3"}),  # the value is also fixed text
    ("archive:sub-forum-detail", {"edition_key": "f-2", "sub_forum": "digital-economy"}),
    ("archive:participant-detail", {"slug": "wang-yi"}),
    ("archive:participant-detail", {"slug": "Ab_9"}),
    ("archive:organization-detail", {"slug": "genron-npo"}),
    ("archive:topic-detail", {"slug": "trade"}),
    ("api:edition-detail", {"key": "beijing-tokyo-forum-20"}),
    ("api:sub-forum-detail", {"key": "f-2", "slug": "s"}),
    ("api:appearance-detail", {"key": "f-2", "participant": "p", "role": "speaker"}),
    (
        "api:statement-detail-session",
        {"key": "f-2", "sub_forum": "s", "participant": "p", "role": "speaker", "number": 3},
    ),
]


@pytest.fixture(autouse=True)
def fresh_templates():
    addresses._TEMPLATES.clear()
    yield
    addresses._TEMPLATES.clear()


@pytest.mark.parametrize("language", ["en", "zh-hans", "ja"])
def test_same_as_reverse_in_every_language_and_order(language):
    with translation.override(language):
        for _ in range(2):  # the first call builds a template, the second uses it
            for name, kwargs in CASES + CASES[::-1]:
                assert path_for(name, **kwargs) == reverse(name, kwargs=kwargs), (name, kwargs)
    assert addresses._TEMPLATES  # the shortcut was taken


def test_languages_keep_their_own_prefix():
    kwargs = {"slug": "wang-yi"}
    with translation.override("ja"):
        assert path_for("archive:participant-detail", **kwargs) == "/ja/participants/wang-yi/"
    with translation.override("en"):
        assert path_for("archive:participant-detail", **kwargs) == "/en/participants/wang-yi/"


@pytest.mark.parametrize("slug", ["wang yi", "王毅", "a/b", ""])
def test_values_that_are_not_plain_go_through_reverse(slug):
    path_for("archive:participant-detail", slug="template-first")
    with pytest.raises(NoReverseMatch):
        reverse("archive:participant-detail", kwargs={"slug": slug})
    with pytest.raises(NoReverseMatch):
        path_for("archive:participant-detail", slug=slug)
