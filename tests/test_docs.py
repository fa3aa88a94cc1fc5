"""The README and docs/ name only things that exist, so that they cannot go stale unnoticed.

Checked in README.md and every docs/*.md: the README's size; relative links and their #anchors;
repository paths (`archive/http/page_cache.py`, `fixtures/*/*.json`); dotted Python names
(`archive.http.login_throttle.client_ip`); `manage.py` commands and `make` targets; and that
docs/dependencies.md lists exactly the packages of pyproject.toml. Each failure names the file
and the stale token.
"""

import glob
import importlib
import re
import tomllib

import pytest
from django.apps import apps
from django.core.management import get_commands

from .helpers import ROOT

README = ROOT / "README.md"
README_LIMIT = 10_240  # bytes
DOCS = [README, *sorted((ROOT / "docs").glob("*.md"))]

#: Top-level folders of the repository: a token starting with one of them is a path to check.
TOP_LEVEL = ("archive", "forumarchive", "templates", "static", "tests", "bench", "fixtures",
             "locale", "docs", r"\.ci")  # fmt: skip
PATH = re.compile(rf"(?<![\w/.\-~])(?:{'|'.join(TOP_LEVEL)})/[\w.*\-/]*")
#: Written by a run, git-ignored: named in the docs, absent from a clean clone.
GENERATED = ("bench/out/",)

FENCE = re.compile(r"^```.*?^```", re.S | re.M)
INLINE_CODE = re.compile(r"`([^`\n]+)`")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$", re.M)
DOTTED = re.compile(r"(?<![\w./:\-])(?:archive|forumarchive)(?:\.[A-Za-z_]\w*)+")
MANAGE = re.compile(r"manage\.py[ \t]+([a-z_]+)")
MAKE = re.compile(r"(?:^|[ \t;&(])make[ \t]+([a-z][\w-]*)", re.M)


def ids(paths):
    return [path.relative_to(ROOT).as_posix() for path in paths]


def name(doc):
    return doc.relative_to(ROOT).as_posix()


def code_of(text):
    """The text inside fenced blocks and inline code spans."""
    blocks = FENCE.findall(text)
    inline = INLINE_CODE.findall(FENCE.sub("", text))
    return "\n".join(blocks + inline)


def slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]{1,2}(?=\S)|(?<=\S)[`*_]{1,2}", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path):
    seen, result = {}, set()
    for _hashes, heading in HEADING.findall(FENCE.sub("", path.read_text(encoding="utf-8"))):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if count == 0 else f"{base}-{count}")
    return result


def test_readme_is_at_most_10_kb():
    size = len(README.read_bytes())
    assert size <= README_LIMIT, (
        f"README.md is {size:,} bytes (at most {README_LIMIT:,}): move prose to docs/"
    )


@pytest.mark.parametrize("doc", DOCS, ids=ids(DOCS))
def test_relative_links_point_to_files_and_headings_that_exist(doc):
    stale = []
    for target in LINK.findall(FENCE.sub("", doc.read_text(encoding="utf-8"))):
        if re.match(r"[a-z][a-z0-9+.\-]*:", target):  # https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        linked = (doc.parent / path).resolve() if path else doc
        if not linked.exists():
            stale.append(f"{name(doc)}: link to a missing file: {target}")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            stale.append(f"{name(doc)}: link to a missing heading: {target}")
    assert not stale, "\n".join(stale)


def repository_paths(text):
    for match in PATH.findall(text):
        token = match.rstrip(".")
        if token and not token.startswith(GENERATED):
            yield token


@pytest.mark.parametrize("doc", DOCS, ids=ids(DOCS))
def test_every_repository_path_exists(doc):
    stale = sorted(
        {
            f"{name(doc)}: no such path in the repository: {token}"
            for token in repository_paths(doc.read_text(encoding="utf-8"))
            if not glob.glob(str(ROOT / token), include_hidden=True)
        }
    )
    assert not stale, "\n".join(stale)


def resolve(dotted):
    """The object a dotted name names: the longest importable module, then attributes; or, for
    "archive.forum" (a fixture's "model"), the model with that label."""
    parts = dotted.split(".")
    if len(parts) == 2:
        try:
            return apps.get_model(dotted)
        except LookupError:
            pass
    for cut in range(len(parts), 0, -1):
        module_name = ".".join(parts[:cut])
        try:
            target = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and not module_name.startswith(exc.name):
                raise  # a module that exists failed to import something else
            continue
        for attribute in parts[cut:]:
            target = getattr(target, attribute)
        return target
    raise ModuleNotFoundError(dotted)


@pytest.mark.parametrize("doc", DOCS, ids=ids(DOCS))
def test_every_dotted_python_name_resolves(doc):
    stale = []
    for dotted in sorted(set(DOTTED.findall(code_of(doc.read_text(encoding="utf-8"))))):
        try:
            resolve(dotted)
        except (ImportError, AttributeError) as exc:
            stale.append(f"{name(doc)}: {dotted} does not resolve ({exc})")
    assert not stale, "\n".join(stale)


def make_targets():
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set()
    for line in text.splitlines():
        match = re.match(r"^([^\s#=:][^=:]*?)\s*::?(?!=)", line)
        if match:
            targets.update(match.group(1).split())
    return targets


@pytest.mark.parametrize("doc", DOCS, ids=ids(DOCS))
def test_every_manage_py_command_and_make_target_exists(doc):
    text = code_of(doc.read_text(encoding="utf-8"))
    commands, targets = set(get_commands()), make_targets()
    stale = [
        f"{name(doc)}: no such management command: manage.py {command}"
        for command in sorted(set(MANAGE.findall(text)) - commands)
    ] + [
        f"{name(doc)}: no such make target: make {target}"
        for target in sorted(set(MAKE.findall(text)) - targets)
    ]
    assert not stale, "\n".join(stale)


def normalised(package):
    return re.sub(r"[-_.]+", "-", package).lower()


def test_dependencies_doc_lists_exactly_the_packages_of_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        specs += extra
    declared = {normalised(re.match(r"[A-Za-z0-9_.\-]+", spec).group()) for spec in specs}
    doc = ROOT / "docs" / "dependencies.md"
    listed = {
        normalised(package)
        for package in re.findall(r"^\| `([^`]+)` \|", doc.read_text(encoding="utf-8"), re.M)
    }
    assert listed == declared, (
        f"docs/dependencies.md: missing {sorted(declared - listed)}, "
        f"not in pyproject.toml {sorted(listed - declared)}"
    )
