"""The layout rules of docs/architecture.md, checked so that they cannot drift.

The import direction is checked by import-linter (the contract in pyproject.toml); the rest are
greps over archive/ for the places a rule must be written exactly once.
"""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARCHIVE = ROOT / "archive"


def sources(folder=ARCHIVE):
    return {
        path.relative_to(ROOT).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(folder.rglob("*.py"))
        if "migrations" not in path.parts
    }


def lines_matching(pattern, folder=ARCHIVE):
    regex = re.compile(pattern)
    return [
        f"{name}:{number}"
        for name, text in sources(folder).items()
        for number, line in enumerate(text.splitlines(), 1)
        if regex.search(line)
    ]


def test_import_direction_follows_the_layers():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports())",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_edition_key_is_built_in_one_function():
    # "<forum-slug>-<number>" in an f-string: only archive.models.edition.make_key builds it.
    built = lines_matching(r"slug\}-\{[\w.]*number")
    assert built == ["archive/models/edition.py:" + str(_line_of("def make_key") + 2)]


def _line_of(needle):
    text = (ARCHIVE / "models" / "edition.py").read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(text, 1) if needle in line)


def test_staff_preview_rule_is_defined_once():
    places = lines_matching(r"\.is_staff\b")
    assert len(places) == 1 and places[0].startswith("archive/models/base.py:"), places


def test_visibility_rule_lives_on_the_models():
    # Every public read starts from a model's visible_to(); no module of its own redefines it.
    assert [p.split(":")[0] for p in lines_matching(r"def visible_to\(")] == [
        "archive/models/base.py"
    ]
    conditions = lines_matching(r"def public_condition\(")
    assert conditions
    assert all(place.startswith("archive/models/") for place in conditions), conditions
    assert not (ARCHIVE / "queries.py").exists()


def test_no_view_is_recognised_by_its_class_name():
    assert lines_matching(r"type\(view\)|view\.__class__|__name__\s*==") == []


def test_template_tags_write_no_files():
    writes = r"\.save\(|open\([^)]*[\"'][wa]|storage\.delete|make_renditions|ensure_card"
    assert lines_matching(writes, ARCHIVE / "templatetags") == []


def test_no_lookup_is_registered_on_django_fields_as_an_import_side_effect():
    assert lines_matching(r"\.register_lookup\b") == []


def test_no_model_imports_a_template_tag_module():
    assert lines_matching(r"templatetags", ARCHIVE / "models") == []


def test_text_is_shortened_in_one_function():
    """Citations and excerpts go through archive.models.languages.shorten, which never cuts a
    word (issue 19: "more tha…"); Django's Truncator and |truncatechars cut mid-word."""
    assert lines_matching(r"\bTruncator\b") == []
    public = [ROOT / "templates/archive", ROOT / "templates/includes"]
    cut = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in public
        for path in sorted(folder.glob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\|truncate(chars|words)", line)
    ]
    assert cut == []
