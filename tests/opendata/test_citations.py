"""Citations (issue 18 §8): RIS and CSL-JSON beside BibTeX for every edition, session,
participant and statement, as downloads; the citation_* meta tags reference managers read.
CSL-JSON is checked against the CSL-JSON schema (tests/data/csl-data.json), RIS by reading its
tag lines back."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest

from archive.models import Statement

from .. import factories
from ..builders import HOSTILE, make_archive

pytestmark = pytest.mark.django_db

CSL_SCHEMA = json.loads((Path(__file__).parent.parent / "data" / "csl-data.json").read_text())
RIS_LINE = re.compile(r"^([A-Z][A-Z0-9])  - (.*)$")


def read_ris(response):
    """[(tag, value), ...] of one RIS record; fails unless every line is a tag line, TY first
    and ER last."""
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    lines = response.content.decode().split("\r\n")
    assert lines[-1] == "" and lines[-2] == "ER  - "
    tags = []
    for line in lines[:-1]:
        match = RIS_LINE.match(line)
        assert match, f"not a RIS tag line: {line!r}"
        tags.append((match[1], match[2]))
    assert tags[0][0] == "TY" and [t for t, _ in tags].count("TY") == 1
    assert [t for t, _ in tags].count("ER") == 1
    return tags


def read_csl(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.citationstyles.csl+json"
    items = response.json()
    jsonschema.Draft7Validator(CSL_SCHEMA).validate(items)
    (item,) = items
    assert {"id", "type", "title"} <= set(item)
    return item


@pytest.fixture
def archive():
    data = make_archive()
    speaker = data["session"].appearances.get()
    data["statement"] = factories.StatementFactory(
        appearance=speaker, number=1, kind=Statement.Kind.QUOTE, text="Trade builds trust."
    )
    data["statement"].text_ja = "貿易は信頼を築く。"
    data["statement"].save()
    forum = data["forum"]
    forum.name_zh_hans, forum.name_ja = "示例论坛", "例のフォーラム"
    forum.save()
    return data


def record_paths(data):
    pk = data["statement"].pk
    return {
        "edition": "/{lang}/editions/example-forum-3/cite",
        "session": "/{lang}/editions/example-forum-3/economy/cite",
        "participant": "/{lang}/participants/aiko-example/cite",
        "statement": f"/{{lang}}/statements/{pk}/cite",
    }


TITLES = {
    "en": {
        "edition": "3rd Example Forum",
        "session": "Economy, 3rd Example Forum",
        "participant": "Aiko Example",
        "statement": "Direct quote by Aiko Example at the 3rd Example Forum",
    },
    "zh-hans": {
        "edition": "第3届示例论坛",
        "session": "Economy, 第3届示例论坛",
        "participant": "Aiko Example",
        "statement": "Aiko Example在第3届示例论坛上的发言（直接引语）",
    },
    "ja": {
        "edition": "第3回例のフォーラム",
        "session": "Economy, 第3回例のフォーラム",
        "participant": "Aiko Example",
        "statement": "第3回例のフォーラムにおけるAiko Exampleの発言（直接引用の翻訳）",
    },
}


@pytest.mark.parametrize("language", ["en", "zh-hans", "ja"])
@pytest.mark.parametrize("record", ["edition", "session", "participant", "statement"])
def test_every_record_downloads_as_ris_and_csl_json_with_its_whole_title(
    client, archive, language, record
):
    base = record_paths(archive)[record].format(lang=language)
    title = TITLES[language][record]
    ris = dict(read_ris(client.get(f"{base}.ris")))
    item = read_csl(client.get(f"{base}.json"))
    assert ris["TI"] == item["title"] == title  # never cut
    assert ris["TY"] == "ELEC"
    assert item["type"] == ("speech" if record == "statement" else "webpage")
    assert ris["UR"] == item["URL"]
    assert item["URL"].startswith(f"http://testserver/{language}/")
    assert ris["PB"] == item["publisher"]
    bibtex = client.get(f"{base}.bib")
    assert bibtex["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert bibtex.content.decode().startswith("@misc{forumarchive:")
    assert "attachment" in bibtex["Content-Disposition"]
    assert "<" not in "".join(ris.values())  # no markup in RIS


def test_a_statement_names_its_speaker_its_words_and_where_it_was_said(client, archive):
    pk = archive["statement"].pk
    ris = read_ris(client.get(f"/en/statements/{pk}/cite.ris"))
    assert ("AU", "Aiko Example") in ris
    assert ("AB", "Trade builds trust.") in ris
    assert ("T2", "3rd Example Forum") in ris
    assert ("DA", "2024/12/02") in ris
    assert ("UR", f"http://testserver/en/editions/example-forum-3/#statement-{pk}") in ris
    item = read_csl(client.get(f"/ja/statements/{pk}/cite.json"))
    assert item["author"] == [{"literal": "Aiko Example"}]
    assert item["abstract"] == "貿易は信頼を築く。"
    assert item["language"] == "ja"
    assert item["issued"] == {"date-parts": [[2024, 12, 2]]}


def test_a_statement_on_a_later_page_of_its_edition_points_there(client, archive):
    edition = archive["edition"]
    for order in range(30):
        factories.AppearanceFactory(edition=edition, sub_forum=None, order=order)
    pk = archive["statement"].pk  # its session comes after the 31 people at the forum
    item = read_csl(client.get(f"/en/statements/{pk}/cite.json"))
    assert item["URL"] == f"http://testserver/en/editions/example-forum-3/?page=2#statement-{pk}"
    html = client.get("/en/editions/example-forum-3/?page=2").content.decode()
    assert f'id="statement-{pk}"' in html


def test_hostile_text_stays_text_and_on_one_line(client, db):
    data = make_archive(hostile=True)
    speaker = data["session"].appearances.get()
    statement = factories.StatementFactory(
        appearance=speaker, number=1, text=f"Line one\nER  - \nTY  - JOUR {HOSTILE}"
    )
    ris = read_ris(client.get(f"/en/statements/{statement.pk}/cite.ris"))  # one record
    assert ("AB", f"Line one ER - TY - JOUR {HOSTILE}") in ris
    assert "&lt;" not in str(ris)  # text, not HTML
    item = read_csl(client.get("/en/editions/example-forum-3/economy/cite.json"))
    assert item["title"] == f"Economy {HOSTILE}, 3rd Example Forum"


@pytest.mark.parametrize(
    "path",
    [
        "/en/editions/example-forum-4/cite.ris",
        "/en/editions/example-forum-4/secret/cite.json",
        "/en/participants/hidden-person/cite.ris",
        "/en/statements/{draft}/cite.json",
        "/en/statements/999999/cite.ris",
        "/en/editions/example-forum-3/cite.pdf",
    ],
)
def test_drafts_and_unknown_records_have_no_citation_even_for_staff(staff_client, archive, path):
    appearance = archive["draft"].sub_forums.get().appearances.get()
    draft = factories.StatementFactory(appearance=appearance, number=1)
    assert staff_client.get(path.format(draft=draft.pk)).status_code == 404


class MetaTags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and attrs.get("name", "").startswith("citation_"):
            self.tags.append((attrs["name"], attrs["content"]))


def citation_meta(client, path):
    parser = MetaTags()
    parser.feed(client.get(path).content.decode())
    return dict(parser.tags)


@pytest.mark.parametrize("language", ["en", "zh-hans", "ja"])
@pytest.mark.parametrize(
    ("page", "record"),
    [
        ("/{lang}/editions/example-forum-3/", "edition"),
        ("/{lang}/editions/example-forum-3/economy/", "session"),
        ("/{lang}/participants/aiko-example/", "participant"),
    ],
)
def test_record_pages_carry_the_citation_meta_tags(client, archive, language, page, record):
    page = page.format(lang=language)
    tags = citation_meta(client, page)
    published = archive["edition"].published_at.strftime("%Y/%m/%d")
    assert tags == {
        "citation_title": TITLES[language][record],
        "citation_author": tags["citation_publisher"],
        "citation_publication_date": published,
        "citation_date": published,
        "citation_publisher": {
            "en": "Forum Archive",
            "zh-hans": "论坛档案库",
            "ja": "フォーラム・アーカイブ",
        }[language],
        "citation_public_url": f"http://testserver{page}",
        "citation_language": language,
    }


def test_pages_link_the_downloads_and_render_each_citation_once(client, archive):
    html = client.get("/en/editions/example-forum-3/").content.decode()
    pk = archive["statement"].pk
    for path in [
        "/en/editions/example-forum-3/cite.ris",
        "/en/editions/example-forum-3/cite.json",
        f"/en/statements/{pk}/cite.ris",
        f"/en/statements/{pk}/cite.json",
        f"/en/statements/{pk}/cite.bib",
    ]:
        assert f'href="{path}"' in html, path
    assert html.count(f"@misc{{forumarchive:statement-{pk},") == 1  # BibTeX only, inline
    assert "TY  - " not in html and '"date-parts"' not in html


def test_a_staff_preview_of_a_draft_offers_no_citation_downloads(staff_client, archive):
    html = staff_client.get("/en/editions/example-forum-4/").content.decode()
    assert "cite.ris" not in html
    assert "citation_title" not in html
