"""The data package of the whole public archive (archive/services/data_package.py): read back
with frictionless, loaded back with load_edition, served from a pre-built file."""

import csv
import io
import json
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import frictionless
import pytest
from django.core.cache import cache
from django.core.management import call_command

from archive.models import LOAD_ORDER, Participant, Statement
from archive.services import data_package, load_edition

from .. import factories
from ..builders import FORMULA, HOSTILE, make_archive

ROOT = Path(__file__).resolve().parent.parent.parent
SHIPPED = sorted((ROOT / "fixtures").glob("*/*.json"))
URL = "/en/open-data/archive.zip"


def download(client, url=URL):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response.streaming
    return response, b"".join(response.streaming_content)


def extract(content, directory):
    with zipfile.ZipFile(io.BytesIO(content)) as bundle:
        bundle.extractall(directory)
    return directory


def assert_valid(directory):
    """frictionless on datapackage.json (every row of every CSV table, keys, sizes and hashes),
    and each JSON copy against its table's schema, row for row the same as the CSV."""
    report = frictionless.validate(directory / "datapackage.json")
    assert report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"]) == []
    assert report.valid
    package = frictionless.Package(directory / "datapackage.json")
    tables = [r for r in package.resources if r.name and not r.name.endswith("-json")]
    copies = []
    for table in tables:
        rows = json.loads((directory / f"data/{table.name}.json").read_text(encoding="utf-8"))
        if not rows:  # frictionless cannot read an empty inline table: nothing to compare
            assert read_rows(table) == []
            continue
        schema = frictionless.Schema.from_descriptor(table.schema.to_descriptor())
        copies.append(frictionless.Resource(data=rows, schema=schema, name=table.name))
    report = frictionless.Package(resources=copies).validate()  # foreign keys included
    assert report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"]) == []
    for copy in copies:
        assert read_rows(package.get_resource(copy.name)) == [
            {name: guarded(value) for name, value in row.items()} for row in read_rows(copy)
        ]
    return json.loads((directory / "datapackage.json").read_text(encoding="utf-8"))


def read_rows(resource):
    with resource:
        return [row.to_dict() for row in resource.row_stream]


def guarded(value):
    """A JSON cell as the CSV shows it: formula-like text behind an apostrophe."""
    if isinstance(value, str) and value.startswith(data_package.FORMULA_PREFIXES):
        return "'" + value
    return value


def table(directory, name):
    return json.loads((directory / f"data/{name}.json").read_text(encoding="utf-8"))


def translated_archive():
    """make_archive()'s hostile edition and draft, plus translations, nulls and a statement."""
    records = make_archive(hostile=True)
    edition, session = records["edition"], records["session"]
    edition.theme_ja = f"協力 {HOSTILE}"
    edition.theme_zh_hans = "合作"
    edition.save()
    session.title_ja = "経済"
    session.save()
    appearance = edition.appearances.get(sub_forum=session)
    source = factories.SourceFactory(slug="a-report", title="A Report", url="", publisher="")
    factories.StatementFactory(
        appearance=appearance,
        number=1,
        text=f"{FORMULA} said {HOSTILE}",
        text_ja="日本語訳",
        kind=Statement.Kind.QUOTE,
        source=source,
    )
    edition.sources.add(source)
    return records


# --- Validity --------------------------------------------------------------------------------
def test_package_of_the_shipped_fixtures_validates(client, db, tmp_path):
    load_edition(SHIPPED)
    _, content = download(client)
    descriptor = assert_valid(extract(content, tmp_path))
    assert descriptor["name"] == "forum-archive"
    assert descriptor["version"] == data_package.current_package().version
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", descriptor["created"])
    names = [r["name"] for r in descriptor["resources"] if r["profile"] == "tabular-data-resource"]
    assert names == [
        "forums",
        "organizations",
        "organization-names",
        "topics",
        "sources",
        "participants",
        "editions",
        "sub-forums",
        "appearances",
        "statements",
        "forum-organizers",
        "edition-co-organizers",
        "edition-topics",
        "edition-sources",
        "sub-forum-topics",
    ]
    assert [row["key"] for row in table(tmp_path, "editions")] == ["beijing-tokyo-forum-20"]
    assert len(table(tmp_path, "statements")) == Statement.objects.count()
    assert sorted(p.name for p in (tmp_path / "fixtures/beijing-tokyo-forum").iterdir()) == [
        "edition-20.json"
    ]
    assert (tmp_path / "README.md").read_text().startswith("# Forum Archive")


def test_package_of_a_generated_archive_validates_without_drafts(client, db, tmp_path):
    translated_archive()
    _, content = download(client)
    directory = extract(content, tmp_path)
    descriptor = assert_valid(directory)
    everything = b"".join(p.read_bytes() for p in directory.rglob("*") if p.is_file())
    for secret in ("Draft theme", "Hidden Person", "hidden-person", "example-forum-4", "Secret"):
        assert secret.encode() not in everything
    (edition,) = table(directory, "editions")
    assert edition["key"] == "example-forum-3"
    assert edition["theme_en"] == f"Working together {HOSTILE}"
    assert edition["theme_ja"] == f"協力 {HOSTILE}"
    assert edition["theme_zh_hans"] == "合作"
    statements = table(directory, "statements")
    assert [(s["key"], s["text_en"], s["text_ja"], s["text_zh_hans"]) for s in statements] == [
        (
            "example-forum-3/economy/aiko-example/speaker/1",
            f"{FORMULA} said {HOSTILE}",
            "日本語訳",
            None,
        )
    ]
    appearances = {row["participant"]: row for row in table(directory, "appearances")}
    assert appearances["bo-example"]["sub_forum"] is None
    assert appearances["bo-example"]["organization"] is None
    assert appearances["bo-example"]["key"] == "example-forum-3/bo-example/participant"
    (source,) = table(directory, "sources")
    assert (source["url"], source["published_on"]) == ("", None)
    # The CSV: hostile text as text, the formula behind an apostrophe.
    with (directory / "data/appearances.csv").open(encoding="utf-8-sig", newline="") as stream:
        rows = {row["participant"]: row for row in csv.DictReader(stream)}
    assert rows["aiko-example"]["position_en"] == "'" + FORMULA
    assert rows["bo-example"]["position_en"] == "'-1+1"
    assert "licenses" not in descriptor  # none stated: LICENCE.md says so
    assert "not stated a licence" in (directory / "LICENCE.md").read_text()


def test_licence_settings_reach_the_package(client, db, tmp_path, settings):
    settings.OPEN_DATA_LICENCE_NAME = "CC-BY-4.0"
    settings.OPEN_DATA_LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
    make_archive()
    _, content = download(client)
    descriptor = assert_valid(extract(content, tmp_path))
    assert descriptor["licenses"] == [
        {
            "name": "CC-BY-4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/",
            "title": "CC-BY-4.0",
        }
    ]
    assert "<https://creativecommons.org/licenses/by/4.0/>" in (tmp_path / "LICENCE.md").read_text()


# --- Round trip ------------------------------------------------------------------------------
class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") or ""
        if tag == "a" and href.startswith("/") and not href.startswith("//"):
            self.links.append(href.split("#")[0])


def normalised(html):
    """The page with runs of white space as one space, and database ids (which a reload
    changes: anchors such as "statement-<id>", "appearance-<id>") numbered in order of first
    appearance, so the comparison still sees which anchor links to which."""
    ids = {}
    html = re.sub(
        r"\b(statement|appearance)-(\d+)\b",
        lambda m: f"{m[1]}-#{ids.setdefault(m[0], len(ids))}",
        html,
    )
    # A statement's citation downloads are addressed by its id too: /statements/<id>/cite.ris.
    html = re.sub(
        r"/statements/(\d+)/",
        lambda m: f"/statements/#{ids.setdefault(f'statement-{m[1]}', len(ids))}/",
        html,
    )
    return re.sub(r"\s+", " ", html).strip()


def public_pages(client):
    """Every HTML page reachable from the home page in each language, normalised."""
    pages, queue = {}, ["/en/", "/zh-hans/", "/ja/"]
    while queue and len(pages) < 400:
        url = queue.pop(0)
        if url in pages or url.startswith(("/admin/", "/static/", "/media/", "/api/")):
            continue
        if url.endswith((".zip", ".csv", ".ics", ".png", ".ris", ".json", ".bib")):  # downloads
            continue
        response = client.get(url)
        if "text/html" not in response.get("Content-Type", ""):
            pages[url] = response.status_code
            continue
        html = response.content.decode()
        pages[url] = (response.status_code, normalised(html))
        parser = Links()
        parser.feed(html)
        queue += [link for link in parser.links if link not in pages]
    return pages


def test_fixtures_in_the_package_load_into_an_empty_archive_as_the_same_public_pages(
    client, db, tmp_path
):
    translated_archive()
    _, content = download(client)
    directory = extract(content, tmp_path)
    before = public_pages(client)
    assert "/en/editions/example-forum-3/" in before and "/ja/participants/aiko-example/" in before
    for model in reversed(LOAD_ORDER):
        model.objects.all().delete()
    assert Participant.objects.count() == 0
    load_edition(sorted((directory / "fixtures").glob("*/*.json")))
    cache.clear()  # the loader bumps the content version on commit, which a test never reaches
    after = public_pages(client)
    assert after.keys() == before.keys()
    differing = [url for url in before if before[url] != after[url]]
    assert differing == []


# --- Built once, served as a file ------------------------------------------------------------
def test_second_download_serves_the_built_file(client, db, django_assert_num_queries):
    make_archive()
    builds = data_package.builds
    first, content = download(client)
    assert data_package.builds == builds + 1
    package = data_package.current_package()
    mtime = package.path.stat().st_mtime_ns
    with django_assert_num_queries(0):
        second, again = download(client)
    assert data_package.builds == builds + 1
    assert package.path.stat().st_mtime_ns == mtime
    assert again == content
    assert second["ETag"] == first["ETag"] == f'"{package.version}"'
    assert second["Content-Disposition"] == f'attachment; filename="{package.path.name}"'
    assert second["Last-Modified"] == first["Last-Modified"]
    assert second["Access-Control-Allow-Origin"] == "*"
    assert second["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert "ETag" in second["Access-Control-Expose-Headers"]


@pytest.mark.django_db(transaction=True)  # the background build reads on its own connection
def test_an_edit_builds_a_new_package_and_removes_the_old_one(client, tmp_path):
    make_archive()
    first, _ = download(client)
    old = data_package.current_package()
    participant = Participant.objects.get(slug="bo-example")
    participant.name = "Bo Renamed"
    participant.save()  # bumps the content version
    # Served at once: the previous package, while the new one is built in the background.
    meanwhile, _ = download(client)
    assert meanwhile["ETag"] == first["ETag"]
    data_package.wait_for_build()
    second, content = download(client)
    new = data_package.current_package()
    assert new.version != old.version
    assert second["ETag"] == f'"{new.version}"' != first["ETag"]
    assert not old.path.exists() and not old.tables.exists()
    assert sorted(p.name for p in new.path.parent.iterdir() if not p.name.startswith(".")) == [
        new.path.name[: -len(".zip")],
        new.path.name,
    ]
    names = [row["name"] for row in table(extract(content, tmp_path), "participants")]
    assert "Bo Renamed" in names


def test_without_any_package_the_first_download_waits_for_the_build(client, db):
    make_archive()
    assert data_package.packages() == []
    response, _ = download(client)
    assert response["ETag"] == f'"{data_package.current_package().version}"'
    assert [p.name for p in data_package.packages()] == [data_package.current_package().path.name]


def test_a_killed_build_leaves_nothing_a_reader_can_find(db, settings):
    make_archive()
    directory = data_package.package_directory()
    stale = directory / ".forum-archive-killed"
    (stale / "package/data").mkdir(parents=True)
    (stale / "package.zip").write_bytes(b"half a zip")
    assert data_package.packages() == []  # only a complete, renamed ZIP counts
    package = data_package.build_data_package()
    assert not stale.exists()
    assert zipfile.is_zipfile(package.path)


def test_conditional_and_head_requests(client, db):
    make_archive()
    first, content = download(client)
    not_modified = client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304
    assert not_modified["ETag"] == first["ETag"]
    assert not_modified["Access-Control-Allow-Origin"] == "*"
    since = client.get(URL, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    head = client.head(URL)
    assert head.status_code == 200
    assert head["Content-Length"] == str(len(content))
    assert b"".join(head.streaming_content) == b""
    preflight = client.options(URL, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    assert preflight.status_code == 204
    assert client.post(URL).status_code == 405


# --- The editions and statements CSVs --------------------------------------------------------
@pytest.mark.parametrize("name", ["editions", "statements"])
def test_table_csv_is_the_package_table(client, db, tmp_path, name):
    translated_archive()
    _, content = download(client)
    directory = extract(content, tmp_path)
    response = client.get(f"/ja/{name}.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{name}.csv"'
    assert response["Access-Control-Allow-Origin"] == "*"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    assert body == (directory / f"data/{name}.csv").read_bytes()
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][0] == "key"
    assert len(rows) == 2  # the header and the published edition's one (drafts never)
    if name == "statements":
        assert rows[1][rows[0].index("text_en")] == f"'{FORMULA} said {HOSTILE}"
        assert rows[1][rows[0].index("text_ja")] == "日本語訳"


# --- The open-data page and the command ------------------------------------------------------
@pytest.mark.parametrize(
    ("language", "label"),
    [
        ("en", "The whole archive as a data package (ZIP)"),
        ("zh-hans", "整个档案的数据包（ZIP）"),
        ("ja", "アーカイブ全体のデータパッケージ（ZIP）"),
    ],
)
def test_open_data_page_links_the_package_and_the_csvs(client, db, language, label):
    html = client.get(f"/{language}/open-data/").content.decode()
    assert f'<a href="/{language}/open-data/archive.zip" type="application/zip">{label}</a>' in html
    assert f'href="/{language}/editions.csv"' in html
    assert f'href="/{language}/statements.csv"' in html


def test_build_data_package_command_builds_once(db, settings):
    make_archive()
    out = io.StringIO()
    call_command("build_data_package", stdout=out)
    package = data_package.current_package()
    assert out.getvalue().startswith(f"Built: {package.path} (")
    out = io.StringIO()
    call_command("build_data_package", stdout=out)
    assert out.getvalue().startswith(f"Up to date: {package.path} (")
    call_command("build_data_package", "--force", stdout=io.StringIO())
    assert data_package.current_package() == package  # same version, built again
    assert package.path.exists()


def test_build_data_package_dry_run_leaves_nothing(db, settings):
    make_archive()
    out = io.StringIO()
    call_command("build_data_package", "--dry-run", stdout=out)
    assert out.getvalue().startswith("Dry run: the package would be ")
    assert data_package.packages() == []


# --- The participants list download, written by the same build ------------------------------
def test_build_writes_the_participants_list_beside_a_package_that_stays_valid(
    client, db, tmp_path, settings
):
    settings.SITE_URL = "https://archive.example/"
    translated_archive()
    _, content = download(client)
    directory = extract(content, tmp_path)
    descriptor = assert_valid(directory)
    with zipfile.ZipFile(io.BytesIO(content)) as bundle:
        assert not [name for name in bundle.namelist() if "downloads" in name]
    assert "participants" in [resource["name"] for resource in descriptor["resources"]]
    package = data_package.current_package()
    written = sorted(p.name for p in (package.tables / data_package.DOWNLOADS).iterdir())
    assert written == sorted(
        data_package.participant_list_name(language, "https://archive.example")
        for language in ("en", "zh-hans", "ja")
    )
    ja = package.participant_list("ja", "https://archive.example").read_bytes()
    rows = list(csv.reader(io.StringIO(ja.decode("utf-8-sig"))))
    assert rows[0] == ["slug", "name", "native_name", "country", "url"]
    assert [row[4] for row in rows[1:]] == [
        "https://archive.example/ja/participants/aiko-example/",
        "https://archive.example/ja/participants/bo-example/",
    ]
    # The package's own tables are as they were: the participants table is the data.
    assert (package.tables / "participants.csv").read_bytes() == (
        directory / "data/participants.csv"
    ).read_bytes()


def test_without_site_url_the_build_writes_no_participants_list(db, settings):
    make_archive()
    package = data_package.build_data_package()
    assert not (package.tables / data_package.DOWNLOADS).exists()
