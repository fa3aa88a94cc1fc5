"""The output of every public page type, normalised, to check that a change meant to make pages
faster changes none of them (issue 21: "every output byte-for-byte equivalent").

Every page the benchmark measures (bench/inprocess.py's discovery: each list with each filter and
its deepest page, every record page, search, the API, feeds, calendars, CSV, sitemaps), in each
language for the pages under a language prefix, is requested through Django's WSGI handler with
the page cache off, and its status, content type and body written to one file per page. Bodies
are normalised only where two identical renderings differ by design: the CSP nonce of each
response and iCalendar's DTSTAMP (the time the file was made), and in HTML the lines holding
only whitespace. Everything else, other whitespace included, must be equal.

    DJANGO_SETTINGS_MODULE=bench.settings BENCH_PAGE_CACHE=0 BENCH_DATABASE_URL=... \\
        python bench/snapshot.py --out /tmp/before
    ... change the code ...
    python bench/snapshot.py --out /tmp/after --compare /tmp/before

`--compare` prints the pages that differ (with the first differing line) and exits 1 if any does.
"""

import argparse
import difflib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

NORMALISE = (
    (re.compile(rb'nonce="[^"]*"'), b'nonce="-"'),
    (re.compile(rb"'nonce-[^']*'"), b"'nonce-'"),
    (re.compile(rb"DTSTAMP:[0-9TZ]+"), b"DTSTAMP:-"),
)


BLANK_LINES = re.compile(rb"\n[ \t]*(?=\n)")


def normalise(body, content_type=""):
    """The body without what differs by design; HTML also without whitespace-only lines (two
    template engines lay out the same markup with different blank lines, which no browser or
    parser tells apart)."""
    for pattern, replacement in NORMALISE:
        body = pattern.sub(replacement, body)
    if content_type.startswith("text/html"):
        body = BLANK_LINES.sub(b"", body)
    return body


def localized_urls(url, languages):
    """The page in every language when it has a language prefix, else once."""
    prefix = f"/{languages[0]}/"
    if not url.startswith(prefix):
        return [url]
    return [f"/{language}/{url[len(prefix) :]}" for language in languages]


def file_name(url):
    return re.sub(r"[^A-Za-z0-9._-]+", "_", url).strip("_") or "root"


def snapshot(out):
    """Write every page's normalised output into `out`; returns {file name: url}."""
    from django.conf import settings

    from bench.inprocess import Requester, discover_pages

    languages = [code for code, _ in settings.LANGUAGES]
    requester = Requester()
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for page in discover_pages():
        if page.url is None:
            continue
        for url in localized_urls(page.url, languages):
            status, headers, content = requester.get(url)
            kind = headers.get("Content-Type", "")
            name = file_name(url)
            (out / name).write_bytes(
                f"{url}\n{status} {kind}\n\n".encode() + normalise(bytes(content), kind)
            )
            written[name] = url
    return written


def compare(before, after):
    """[(file name, first differing line)] of the pages that differ or exist in only one."""
    names = {path.name for path in before.iterdir()} | {path.name for path in after.iterdir()}
    differences = []
    for name in sorted(names):
        old, new = before / name, after / name
        if not old.exists() or not new.exists():
            differences.append((name, "only in " + ("after" if new.exists() else "before")))
            continue
        old_text, new_text = old.read_bytes(), new.read_bytes()
        if old_text != new_text:
            diff = difflib.unified_diff(
                old_text.decode(errors="replace").splitlines(),
                new_text.decode(errors="replace").splitlines(),
                lineterm="",
                n=0,
            )
            changed = [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]
            differences.append((name, changed[0][:300] if changed else "(whitespace)"))
    return differences


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="folder to write the pages into")
    parser.add_argument("--compare", help="an earlier snapshot's folder to compare with")
    args = parser.parse_args(argv)
    import django

    django.setup()
    written = snapshot(Path(args.out))
    print(f"{len(written)} pages written to {args.out}")
    if args.compare:
        differences = compare(Path(args.compare), Path(args.out))
        for name, line in differences:
            print(f"differs: {name}: {line}")
        print(f"{len(differences)} of {len(written)} pages differ")
        return 1 if differences else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
