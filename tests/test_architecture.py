"""The layout rules of docs/architecture.md, checked so that they cannot drift.

The import direction is checked by import-linter (the contract in pyproject.toml); the rest are
greps over archive/ for the places a rule must be written exactly once.
"""

import ast
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


def test_natural_keys_are_declared_once_per_model():
    # natural_key_fields on the model; natural_key(), get_by_natural_key() and the loader read it.
    assert [p.split(":")[0] for p in lines_matching(r"def get_by_natural_key\(")] == [
        "archive/models/base.py"
    ]
    keys = lines_matching(r"def natural_key\(")
    assert keys and all(place.startswith("archive/models/") for place in keys), keys
    assert len(lines_matching(r"return natural_key_of\(self\)$")) == len(keys)


def test_the_loader_names_no_model_for_its_keys_or_constraints():
    # Key shapes come from natural_key_fields, checks from Meta.constraints: the loader's steps
    # import the load order and no model, except the write step's Edition (first publication,
    # which Edition.save() notes and bulk writes skip).
    loader = ARCHIVE / "services" / "loading"
    imported = {
        (path.name, alias.name)
        for path in loader.glob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and node.module == "archive.models"
        for alias in node.names
    }
    assert imported == {("state.py", "LOAD_ORDER"), ("write.py", "Edition")}
    assert lines_matching(r"__dict__\[", loader) == []


def test_no_test_module_imports_another():
    # Shared code lives in tests/helpers.py, tests/builders.py, tests/factories.py, conftest.py.
    tests = ROOT / "tests"
    found = []
    for path in sorted(tests.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        package = path.parent.relative_to(ROOT).parts
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                base = package[: len(package) - node.level + 1] if node.level else ()
                module = (*base, *(node.module or "").split(".")) if node.module else base
                names = [(*module, alias.name) for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [tuple(alias.name.split(".")) for alias in node.names]
            else:
                continue
            for name in names:
                if any(part.startswith("test_") for part in name):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {'.'.join(name)}")
    assert found == []


def test_breadcrumbs_are_built_in_one_module():
    """The visible trail and the JSON-LD BreadcrumbList come from the view's `breadcrumbs`
    (archive/http/breadcrumbs.py); a page template with its own trail would drift from it."""
    own_trail = [
        f"{path.relative_to(ROOT)}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        if "{% block breadcrumbs %}" in path.read_text(encoding="utf-8")
        and "admin" not in path.parts  # Django's admin keeps its own
    ]
    assert own_trail == ["templates/404.html", "templates/base.html"]
    made = [place.split(":")[0] for place in lines_matching(r'"BreadcrumbList"')]
    assert made == ["archive/opendata/jsonld.py"]
