"""The load_edition and export_edition commands, called as an editor would call them: their
options, output and exit. What the loader finds wrong with a file is tests/test_loading.py's."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from archive.models import Edition, Statement
from archive.services.loading import MODELS

from .builders import (
    edition_records,
    find,
    natural_dump,
    row_counts,
    series_records,
    write,
)


def run(*args, **options):
    stdout, stderr = StringIO(), StringIO()
    call_command(*args, stdout=stdout, stderr=stderr, **options)
    return stdout.getvalue(), stderr.getvalue()


@pytest.fixture
def series(tmp_path, db):
    path = write(tmp_path, "series.json", series_records())
    run("load_edition", str(path))
    return path


EDITION_KEY = '(archive.edition ["synthetic-forum", 1])'


def test_sub_forum_of_another_edition_is_rejected_and_nothing_loaded(series, tmp_path):
    run("load_edition", str(write(tmp_path, "edition-01.json", edition_records(1))))
    records = edition_records(2, people=("person-00002",))
    find(records, "archive.appearance")["fields"]["sub_forum"] = ["synthetic-forum", 1, "economy"]
    path = write(tmp_path, "edition-02.json", records)
    before = row_counts()

    with pytest.raises(CommandError) as caught:
        run("load_edition", str(path))

    assert str(caught.value) == (
        "1 problem found; nothing was loaded.\n"
        f'- {path}, record 4 (archive.appearance ["person-00002", "synthetic-forum", 2, '
        '"economy", "speaker"]), field “sub_forum”: The sub-forum “Sub-forum on the economy” '
        "belongs to the 1st Synthetic Forum, not the 2nd Synthetic Forum."
    )
    assert row_counts() == before


def test_missing_file_is_rejected(db, tmp_path):
    path = tmp_path / "nowhere.json"

    with pytest.raises(CommandError) as caught:
        run("load_edition", str(path))

    assert str(caught.value) == (
        f"1 problem found; nothing was loaded.\n- {path}: cannot be read: No such file or "
        "directory."
    )


def test_every_problem_is_reported_not_only_the_first(series, tmp_path):
    records = edition_records(1)
    find(records, "archive.edition")["fields"].update(end_date="2001-12-01", city="")
    find(records, "archive.statement")["fields"]["kind"] = "rumour"
    path = write(tmp_path, "edition-01.json", records)
    empty = write(tmp_path, "empty.json", None, raw=b"")

    with pytest.raises(CommandError) as caught:
        run("load_edition", str(path), str(empty))
    with pytest.raises(CommandError) as caught_after_reading:
        run("load_edition", str(path))

    assert str(caught.value) == f"1 problem found; nothing was loaded.\n- {empty}: " + (
        'is empty. A fixture file holds a JSON list of records: [{"model": "archive.edition", '
        '"fields": {...}}, ...].'
    )
    assert str(caught_after_reading.value).splitlines() == [
        "3 problems found; nothing was loaded.",
        f"- {path}, record 2 {EDITION_KEY}, field “city”: This field cannot be blank.",
        f"- {path}, record 2 {EDITION_KEY}, field “end_date”: The end date cannot be before "
        "the start date.",
        f'- {path}, record 5 (archive.statement ["person-00001", "synthetic-forum", 1, '
        '"economy", "speaker", 1]), field “kind”: "rumour" is not a valid choice; the choices '
        'are: "quote", "paraphrase".',
    ]


def test_load_reports_counts_and_progress(series, tmp_path):
    path = write(tmp_path, "edition-01.json", edition_records(1))

    stdout, stderr = run("load_edition", str(path))

    assert stdout.splitlines() == [
        "Loaded:",
        "  archive.participant: 1 created, 0 updated, 0 unchanged",
        "  archive.edition: 1 created, 0 updated, 0 unchanged",
        "  archive.subforum: 1 created, 0 updated, 0 unchanged",
        "  archive.appearance: 1 created, 0 updated, 0 unchanged",
        "  archive.statement: 1 created, 0 updated, 0 unchanged",
        "Total: 5 created, 0 updated, 0 unchanged.",
    ]
    assert stderr.splitlines()[0] == f"{path}: 5 records read"
    assert "archive.statement: 1 created, 0 updated" in stderr.splitlines()


def test_second_load_changes_nothing(series, tmp_path):
    path = write(tmp_path, "edition-01.json", edition_records(1))
    run("load_edition", str(path))
    before = natural_dump()

    stdout, _ = run("load_edition", str(path), verbosity=1)

    assert stdout.splitlines()[-1] == "Total: 0 created, 0 updated, 5 unchanged."
    assert natural_dump() == before


def test_dry_run_writes_nothing_and_lists_records_at_verbosity_2(series, tmp_path):
    run("load_edition", str(write(tmp_path, "edition-01.json", edition_records(1))))
    records = edition_records(1, people=("person-00001", "person-00002"))
    find(records, "archive.edition")["fields"]["venue"] = "Hall A"
    path = write(tmp_path, "edition-01.json", records)
    before = natural_dump()

    stdout, _ = run("load_edition", str(path), "--dry-run", verbosity=2)

    assert natural_dump() == before
    assert stdout.splitlines() == [
        "Dry run: nothing was written. Loading these files would:",
        "  archive.participant: create 1, update 0, leave unchanged 1",
        '    create ["person-00002"]',
        '    leave unchanged ["person-00001"]',
        "  archive.edition: create 0, update 1, leave unchanged 0",
        '    update ["synthetic-forum", 1] (venue)',
        "  archive.subforum: create 0, update 0, leave unchanged 1",
        '    leave unchanged ["synthetic-forum", 1, "economy"]',
        "  archive.appearance: create 1, update 0, leave unchanged 1",
        '    create ["person-00002", "synthetic-forum", 1, "economy", "speaker"]',
        '    leave unchanged ["person-00001", "synthetic-forum", 1, "economy", "speaker"]',
        "  archive.statement: create 1, update 0, leave unchanged 1",
        '    create ["person-00002", "synthetic-forum", 1, "economy", "speaker", 1]',
        '    leave unchanged ["person-00001", "synthetic-forum", 1, "economy", "speaker", 1]',
        "Total: 3 to create, 1 to update, 4 unchanged.",
    ]


def test_update_is_refused_without_flag_and_applied_with_it(series, tmp_path):
    run("load_edition", str(write(tmp_path, "edition-01.json", edition_records(1))))
    records = edition_records(1)
    find(records, "archive.statement")["fields"]["text"] = "A corrected remark."
    path = write(tmp_path, "edition-01.json", records)
    before = row_counts()

    with pytest.raises(CommandError) as caught:
        run("load_edition", str(path))
    assert Statement.objects.get().text == "A fictional remark by person-00001."
    stdout, _ = run("load_edition", str(path), "--update")

    assert str(caught.value) == (
        "1 problem found; nothing was loaded.\n"
        f'- {path}, record 5 (archive.statement ["person-00001", "synthetic-forum", 1, '
        '"economy", "speaker", 1]): already exists with different values (text: "A fictional '
        'remark by person-00001." → "A corrected remark."). Nothing is overwritten silently: '
        "load with --update (in the admin, tick “Apply updates”) to apply these changes."
    )
    assert stdout.splitlines()[-1] == "Total: 0 created, 1 updated, 4 unchanged."
    assert Statement.objects.get().text == "A corrected remark."
    assert row_counts() == before


def test_export_then_load_into_an_empty_database_gives_the_same_data(series, tmp_path):
    records = edition_records(2, people=("person-00001", "person-00002"))
    find(records, "archive.edition")["fields"].update(status="draft", topics=[["trade"], ["media"]])
    moderator = find(records, "archive.appearance", participant=["person-00002"])["fields"]
    moderator.update(sub_forum=None, role="moderator", organization=None)
    statement = find(records, "archive.statement", text="A fictional remark by person-00002.")
    statement["fields"]["appearance"] = ["person-00002", "synthetic-forum", 2, "", "moderator"]
    run("load_edition", str(write(tmp_path, "edition-02.json", records)))
    exported = tmp_path / "export.json"
    expected = natural_dump()

    _, stderr = run("export_edition", "synthetic-forum", "2", "-o", str(exported))
    for model in reversed(MODELS):
        model.objects.all().delete()
    assert set(row_counts().values()) == {0}
    run("load_edition", str(exported))

    assert stderr == f"Exported the 2nd Synthetic Forum (a draft) to {exported}.\n"
    assert natural_dump() == expected
    assert Edition.objects.get().status == Edition.Status.DRAFT


def test_export_to_stdout_is_valid_fixture_json(series, tmp_path):
    run("load_edition", str(write(tmp_path, "edition-01.json", edition_records(1))))

    stdout, _ = run("export_edition", "synthetic-forum", "1")

    data = json.loads(stdout)
    assert [item["model"] for item in data] == [
        "archive.organization",
        "archive.topic",
        "archive.source",
        "archive.forum",
        "archive.participant",
        "archive.edition",
        "archive.subforum",
        "archive.appearance",
        "archive.statement",
    ]
    assert all("pk" not in item for item in data)


def test_export_of_a_missing_edition_says_so(db):
    with pytest.raises(CommandError) as caught:
        run("export_edition", "synthetic-forum", "9")

    assert str(caught.value) == (
        "There is no edition 9 of the forum “synthetic-forum”. Check the forum's slug and the "
        "edition's number."
    )
