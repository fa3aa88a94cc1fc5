"""Forum Archive's performance benchmark: one command, a Markdown report with met / not met.

    python bench/run.py                                   # S and M, SQLite, in process
    python bench/run.py --sizes S,M,L --engines sqlite,postgres --http --out bench/out/report.md

Steps (docs/performance.md explains each figure and target):

1. collectstatic into bench/out/static (the production storage: hashed, .gz and .br files);
2. per engine and size, build the database once (migrate + load_edition; kept under bench/out/
   or as forumarchive_bench_<size> on PostgreSQL, ``--rebuild`` redoes it);
3. in process (bench/inprocess.py, page cache off): every public page type against the
   hello-world view: SQL queries, bytes, median CPU time, ratio;
4. with ``--http``, at the largest size (or ``--http-sizes``): gunicorn (gunicorn.conf.py, sync
   workers) on 127.0.0.1 and wrk, page cache off and then on, alternating hello and page; then
   the pre-built downloads (participants CSV, archive ZIP) against a static file of the same
   size served by WhiteNoise on the same server (bench/serving.py, ``measure_files``);
5. fixture loading rate on a ~10,000-object set: load_edition vs loaddata vs bulk_create;
6. the report: bench/out/report.md (and results.json beside it).

Share the machine kindly: run one benchmark at a time; L and --http take several minutes.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import datasets, serving  # noqa: E402

LOAD_SET = {"editions": 10, "sub-forums": 200, "participants": 1_000, "appearances": 4_000}
PAGE_WEIGHT_LIMIT = 60_000  # bytes: "60 KB", counted in thousands to be safe
TARGETS = {
    "cpu_ratio": 25,  # every HTML page type, at S and L
    "http_uncached": 0.10,  # lists and every other page type
    "http_uncached_record": 0.08,  # record pages (an edition, a session, a person...)
    "http_warm": 0.80,  # pages under WARM_SIZE_LIMIT
    "http_files": 0.50,  # pre-built downloads against a same-size static file
    "deep_page": 1.5,
    "search_p99": 5.0,
    "loader_vs_bulk": 0.50,
    "loader_vs_loaddata": 5.0,
}
WARM_SIZE_LIMIT = 100_000  # bytes: the warm target is for pages under 100 KB
#: Paginated lists and sitemap sections, each measured at its first and its last page.
DEEP_LISTS = (
    "edition-list",
    "participant-list",
    "organization-list",
    "edition-detail (first)",  # its people, 25 a page
    "sitemap participants",  # ?p=<last>
    "sitemap organizations",
)


def is_record_page(key):
    """A record's own page (an edition, a session, a person, an organization, a topic, a
    series): the over-HTTP target for these is 8 % of hello-world, 10 % for the rest."""
    return key.split(" ")[0].endswith("-detail") and not key.startswith("api ")


DETAIL_FOR_SEARCH = "edition-detail (first)"
SLOW_FOR_HTTP_MS = 10_000
SEARCHES = ("search (full name)", "search (one common word)")


def say(message):
    print(message, file=sys.stderr, flush=True)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="S,M", help="any of S,M,L (default S,M)")
    parser.add_argument("--engines", default="sqlite", help="any of sqlite,postgres")
    parser.add_argument("--http", action="store_true", help="also measure over HTTP with wrk")
    parser.add_argument(
        "--http-sizes", default=None, help="sizes to load over HTTP (default: the largest)"
    )
    parser.add_argument("--duration", type=int, default=5, help="seconds of wrk per URL")
    parser.add_argument("--iterations", type=int, default=30, help="in-process requests per page")
    parser.add_argument(
        "--budget",
        type=float,
        default=30,
        help="in-process seconds per page at most (then fewer iterations, noted)",
    )
    parser.add_argument("--no-loadrate", action="store_true", help="skip the loading-rate step")
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the databases")
    parser.add_argument("--out", default=str(datasets.OUT / "report.md"))
    parser.add_argument(
        "--from-saved",
        action="store_true",
        help="measure nothing: write the report from the figures saved in bench/out/ last time",
    )
    args = parser.parse_args(argv)
    args.sizes = [s.strip().upper() for s in args.sizes.split(",") if s.strip()]
    args.engines = [e.strip().lower() for e in args.engines.split(",") if e.strip()]
    for size in args.sizes:
        if size not in datasets.SIZES:
            parser.error(f"unknown size {size!r}: use S, M or L")
    for engine in args.engines:
        if engine not in ("sqlite", "postgres"):
            parser.error(f"unknown engine {engine!r}: use sqlite or postgres")
    order = list(datasets.SIZES)
    largest = max(args.sizes, key=order.index)
    args.http_sizes = (
        [s.strip().upper() for s in args.http_sizes.split(",")] if args.http_sizes else [largest]
    )
    if args.iterations < 1 or args.duration < 1:
        parser.error("--iterations and --duration must be at least 1")
    return args


def check_postgres():
    try:
        import psycopg

        with psycopg.connect(f"{datasets.POSTGRES}/postgres", connect_timeout=5):
            pass
    except Exception as exc:
        raise SystemExit(
            f"PostgreSQL is not reachable at {datasets.POSTGRES} ({exc}); start it, or leave "
            "postgres out of --engines."
        ) from exc


def collectstatic():
    datasets.manage("sqlite", "S", "collectstatic", "--noinput", "--clear", "-v", "0")


def run_inprocess(engine, size, iterations, budget):
    path = datasets.OUT / f"inprocess-{engine}-{size}.json"
    subprocess.run(
        [datasets.PYTHON, str(ROOT / "bench" / "inprocess.py"), "--json", str(path)]
        + ["--iterations", str(iterations), "--budget", str(budget)],
        check=True,
        cwd=ROOT,
        env=datasets.bench_env(engine, size, page_cache=False),
    )
    return json.loads(path.read_text(encoding="utf-8"))


def run_loadrate(engine):
    files = datasets.generate(datasets.OUT / "data" / "load", LOAD_SET)
    rates = {}
    for method in ("loader", "loaddata", "bulk"):
        name = f"load-{method}"
        datasets.empty_database(engine, name)
        path = datasets.OUT / f"loadrate-{engine}-{method}.json"
        subprocess.run(
            [datasets.PYTHON, str(ROOT / "bench" / "loadrate.py"), "--method", method]
            + ["--json", str(path), *map(str, files)],
            check=True,
            cwd=ROOT,
            env=datasets.bench_env(engine, name),
        )
        rates[method] = json.loads(path.read_text(encoding="utf-8"))
        say(f"  {method:9} {rates[method]['rate']:10.0f} objects/s")
        if engine == "postgres":
            datasets.drop_database(engine, name)  # leaves an empty database behind
    return rates


def machine(payloads):
    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    databases = sorted({p["versions"]["database"] for p in payloads.values()})
    if shutil.which("wrk") is None:  # no HTTP rows without it; the report still gets written
        wrk_version = f"wrk not installed, HTTP not measured ({serving.WRK_INSTALL})"
    else:
        wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
        wrk_version = (wrk.stdout or wrk.stderr).split("\n")[0].strip()
    import gunicorn

    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "django": next(iter(payloads.values()))["versions"]["django"] if payloads else "",
        "databases": databases,
        "gunicorn": gunicorn.__version__,
        "wrk": wrk_version,
    }


# --- Judging ----------------------------------------------------------------------------------


def _rows(payload):
    return {row["key"]: row for row in payload["results"]}


def _measured(row):
    return row.get("cpu_ms") is not None


def judge_files(http_files):
    """The pre-built downloads against a static file of the same size (one verdict)."""
    label = "Pre-built downloads ≥ 50% of a same-size static file's throughput (HTTP)"
    rows = [
        (r["ratio"] or 0.0, engine, size, r["key"])
        for (engine, size), results in http_files.items()
        for r in results
    ]
    if not rows:
        return (label, "not measured (run with --http)", None, "")
    under = sorted(w for w in rows if w[0] < TARGETS["http_files"])
    low = min(rows)
    return (
        label,
        f"lowest {100 * low[0]:.1f}% ({low[3]}, {low[1]} {low[2]}); "
        f"{len(under)} of {len(rows)} under",
        not under,
        "; ".join(f"{k} {e} {s}: {100 * r:.1f}%" for r, e, s, k in under),
    )


def render_files(http_files):
    lines = []
    for (engine, size), results in http_files.items():
        lines += [
            "",
            f"## Over HTTP: pre-built downloads against a static file, {engine}, size {size}",
            "",
            "Each download, then a copy of its bytes served by WhiteNoise from the static "
            "folder, on the same gunicorn, alternating.",
            "",
            "| download | KB | req/s | static req/s | % of static | p99 ms | static p99 ms "
            "| errors |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for r in results:
            page, static = r["page"], r["static"]
            errors = _errors(page)
            lines.append(
                f"| {r['key']} | {r['bytes'] / 1000:.1f} | {page['rps']:.0f} | "
                f"{static['rps']:.0f} | {_fmt(r['ratio'] and 100 * r['ratio'])} | "
                f"{_fmt(page['p99_ms'], '{:.1f}')} | {_fmt(static['p99_ms'], '{:.1f}')} | "
                f"{errors} |"
            )
    return lines


def judge(args, inprocess, http, loadrates, static, too_slow=None, http_files=None):
    """Each target: (name, measured text, met: True/False/None for not measured, note)."""
    verdicts = []
    largest = max(args.sizes, key=list(datasets.SIZES).index)

    worst = []
    for (engine, size), payload in inprocess.items():
        for row in payload["results"]:
            if _measured(row) and row.get("content_type", "").startswith("text/html"):
                worst.append((row["ratio"], engine, size, row["key"]))
    if worst:
        over = sorted((w for w in worst if w[0] > TARGETS["cpu_ratio"]), reverse=True)
        top = max(worst)
        sizes = {size for _, _, size, _ in worst}
        verdicts.append(
            (
                "Every HTML page type ≤ 25× hello-world CPU, uncached (in process, S and L)",
                f"worst {top[0]:.1f}× ({top[3]}, {top[1]} {top[2]}); "
                f"{len(over)} of {len(worst)} page measurements over",
                (not over) if {"S", "L"} <= sizes else (False if over else None),
                "; ".join(f"{k} {e} {s}: {r:.0f}×" for r, e, s, k in over[:10])
                + ("" if {"S", "L"} <= sizes else " (the target is for S and L: run both)"),
            )
        )

    varying = []
    for engine in args.engines:
        counts = {}
        for size in args.sizes:
            for key, row in _rows(inprocess[(engine, size)]).items():
                if row.get("queries") is not None and row.get("status") == 200:
                    counts.setdefault(key, {})[size] = row["queries"]
        for key, by_size in counts.items():
            if len(set(by_size.values())) > 1:
                shown = ", ".join(f"{s} {n}" for s, n in by_size.items())
                varying.append(f"{engine} {key}: {shown}")
    if len(args.sizes) > 1:
        verdicts.append(
            (
                "Fixed query count (same at every size)",
                f"{len(varying)} page type(s) vary over {'/'.join(args.sizes)}",
                not varying,
                "; ".join(varying),
            )
        )
    else:
        verdicts.append(("Fixed query count (same at every size)", "one size only", None, ""))

    page_bytes = {
        (engine, size): {row["key"]: row.get("bytes") for row in payload["results"]}
        for (engine, size), payload in inprocess.items()
    }
    for mode, label in (
        ("uncached", "Over HTTP, uncached: lists ≥ 10% and record pages ≥ 8% of hello-world"),
        ("warm", "Over HTTP, warm ≥ 80% of hello-world throughput (pages under 100 KB)"),
    ):

        def target_of(key, engine, size, mode=mode):
            if mode == "warm":
                weight = page_bytes.get((engine, size), {}).get(key)
                too_big = weight is not None and weight >= WARM_SIZE_LIMIT
                return None if too_big else TARGETS["http_warm"]
            return TARGETS["http_uncached_record" if is_record_page(key) else "http_uncached"]

        rows = [
            (r["ratio"] or 0.0, engine, size, r["key"], target_of(r["key"], engine, size))
            for (engine, size, m), results in http.items()
            if m == mode
            for r in results
        ]
        if rows:
            # Pages too slow to load count as missing the target, at 0%.
            rows += [
                (0.0, engine, size, f"{key} (not loaded: over 10 s)", 1.0)
                for (engine, size), keys in (too_slow or {}).items()
                for key in keys
            ]
        rows = [row for row in rows if row[4] is not None]
        if not rows:
            verdicts.append((label, "not measured (run with --http)", None, ""))
            continue
        under = sorted(w for w in rows if w[0] < w[4])
        low = min(rows)
        verdicts.append(
            (
                label,
                f"lowest {100 * low[0]:.1f}% ({low[3]}, {low[1]} {low[2]}); "
                f"{len(under)} of {len(rows)} under",
                not under,
                "; ".join(f"{k} {e} {s}: {100 * r:.1f}%" for r, e, s, k, _ in under[:8]),
            )
        )

    verdicts.append(judge_files(http_files or {}))

    deep = []
    for engine in args.engines:
        rows = _rows(inprocess[(engine, largest)])
        for name in DEEP_LISTS:
            first, last = rows.get(name), rows.get(f"{name}?page=last")
            if first and last and _measured(first) and _measured(last):
                deep.append((last["wall_ms"] / first["wall_ms"], engine, name))
    if deep:
        verdicts.append(
            (
                f"Deepest page ≤ 1.5× first page (size {largest}, wall time in process)",
                ", ".join(f"{e} {n} {r:.2f}×" for r, e, n in deep),
                all(r <= TARGETS["deep_page"] for r, _, _ in deep),
                "",
            )
        )

    search = []
    for engine in args.engines:
        results = http.get((engine, largest, "uncached"))
        if results:
            by_key = {r["key"]: r for r in results}
            detail = by_key.get(DETAIL_FOR_SEARCH)
            source = "wrk p99, uncached"
            for name in SEARCHES:
                if (
                    detail
                    and name in by_key
                    and detail["page"]["p99_ms"]
                    and by_key[name]["page"]["p99_ms"]
                ):
                    search.append(
                        (by_key[name]["page"]["p99_ms"] / detail["page"]["p99_ms"], engine, name)
                    )
        else:
            rows = _rows(inprocess[(engine, largest)])
            detail = rows.get(DETAIL_FOR_SEARCH)
            source = "in process, slowest of the iterations (no --http)"
            for name in SEARCHES:
                row = rows.get(name)
                if detail and row and _measured(row) and _measured(detail):
                    search.append((row["wall_max_ms"] / detail["wall_max_ms"], engine, name))
    if search:
        verdicts.append(
            (
                f"Search p99 ≤ 5× detail p99 (size {largest}; {source})",
                ", ".join(f"{e} {n} {r:.2f}×" for r, e, n in search),
                all(r <= TARGETS["search_p99"] for r, _, _ in search) if largest == "L" else None,
                "" if largest == "L" else "the target is for size L",
            )
        )

    for engine, rates in loadrates.items():
        loader, loaddata, bulk = (rates[m]["rate"] for m in ("loader", "loaddata", "bulk"))
        verdicts.append(
            (
                f"Loader ≥ 50% of bulk_create and ≥ 5× loaddata ({engine})",
                f"{loader:,.0f} obj/s = {100 * loader / bulk:.0f}% of bulk_create "
                f"({bulk:,.0f}), {loader / loaddata:.1f}× loaddata ({loaddata:,.0f})",
                loader >= TARGETS["loader_vs_bulk"] * bulk
                and loader >= TARGETS["loader_vs_loaddata"] * loaddata,
                "",
            )
        )

    weights = [
        (row["gzip_bytes"] + row["css_gzip_bytes"], engine, size, row["key"])
        for (engine, size), payload in inprocess.items()
        for row in payload["results"]
        if row.get("css_gzip_bytes") is not None and row.get("gzip_bytes") is not None
    ]
    if weights:
        heaviest = max(weights)
        verdicts.append(
            (
                "HTML + its CSS < 60 KB gzipped",
                f"heaviest {heaviest[0] / 1000:.1f} KB ({heaviest[3]}, {heaviest[2]})",
                heaviest[0] < PAGE_WEIGHT_LIMIT,
                "",
            )
        )

    if static and "files" in static:
        verdicts.append(
            (
                "Static files: hashed names, far-future Cache-Control, .gz and .br",
                f"{static['files']} files, {len(static['unhashed'])} unhashed, "
                f"{len(static['missing_variants'])} missing .gz/.br; "
                f"`{static['cache_control']}`",
                not static["unhashed"]
                and not static["missing_variants"]
                and static["max_age"] >= 365 * 24 * 3600,
                "",
            )
        )
    return verdicts


# --- Report -----------------------------------------------------------------------------------


def _errors(run):
    """A wrk run's non-2xx count and socket errors, as the report's "errors" cell."""
    errors = run["non_2xx"] or ""
    if run["socket_errors"]:
        errors = f"{errors} {run['socket_errors']}".strip()
    return errors


def _fmt(value, pattern="{:.1f}", empty="–"):
    return empty if value is None else pattern.format(value)


def _mark(met):
    return {True: "**met**", False: "**not met**", None: "not judged"}[met]


def render(
    args,
    info,
    inprocess,
    http,
    loadrates,
    builds,
    verdicts,
    started,
    load_averages,
    too_slow,
    http_files=None,
):
    lines = [
        "# Forum Archive performance report",
        "",
        f"- Date: {started:%Y-%m-%d %H:%M} UTC",
        f"- Machine: {info['nproc']} cores ({info['cpu']}), load average "
        f"{load_averages[0]:.2f} at the start and {load_averages[1]:.2f} at the end "
        "(a machine shared with other work: absolute figures are noisy, ratios less so)",
        f"- Python {info['python']}, Django {info['django']}, "
        + ", ".join(info["databases"])
        + f", gunicorn {info['gunicorn']}, {info['wrk']}",
        f"- Sizes {', '.join(args.sizes)}; engines {', '.join(args.engines)}; "
        f"{args.iterations} in-process iterations per page"
        + (
            f"; wrk -t2 -c8 -d{args.duration}s per URL at {', '.join(args.http_sizes)}"
            if http
            else ""
        ),
        "- Command: `python bench/run.py " + " ".join(sys.argv[1:]) + "`",
        "",
        "## Targets",
        "",
        "| target | measured | result | pages that miss |",
        "| --- | --- | --- | --- |",
    ]
    for name, measured, met, note in verdicts:
        lines.append(f"| {name} | {measured} | {_mark(met)} | {note} |")

    lines += ["", "## Datasets", "", "| engine | size | files | load_edition time (s) |"]
    lines.append("| --- | --- | --- | --- |")
    for (engine, size), built in builds.items():
        lines.append(f"| {engine} | {size} | {built['files']} | {built['load_seconds']} |")

    for engine in args.engines:
        sizes = args.sizes
        lines += [
            "",
            f"## In process, page cache off: {engine}",
            "",
            "Median CPU time per request (ms) and its ratio to the hello-world view measured "
            "alternately in the same process; queries per request; gzipped HTML + CSS (KB).",
            "",
            "| page | "
            + " | ".join(f"queries {s}" for s in sizes)
            + " | "
            + " | ".join(f"CPU ms {s}" for s in sizes)
            + " | "
            + " | ".join(f"× hello {s}" for s in sizes)
            + f" | wall ms {sizes[-1]} | HTML+CSS gz KB | note |",
            "| --- |" + " --- |" * (3 * len(sizes) + 3),
        ]
        keys = [row["key"] for row in inprocess[(engine, sizes[0])]["results"]]
        for key in keys:
            rows = [_rows(inprocess[(engine, s)]).get(key, {}) for s in sizes]
            notes = sorted({r.get("note", "") for r in rows if r.get("note")})
            last = rows[-1]
            weight = (
                (last["gzip_bytes"] + last["css_gzip_bytes"]) / 1000
                if last.get("css_gzip_bytes") is not None and last.get("gzip_bytes")
                else None
            )
            lines.append(
                f"| {key} | "
                + " | ".join(_fmt(r.get("queries"), "{}") for r in rows)
                + " | "
                + " | ".join(_fmt(r.get("cpu_ms"), "{:.2f}") for r in rows)
                + " | "
                + " | ".join(_fmt(r.get("ratio")) for r in rows)
                + f" | {_fmt(last.get('wall_ms'), '{:.2f}')} | {_fmt(weight)} | "
                + "; ".join(notes)
                + " |"
            )
        hello = [
            statistics.median(
                r["hello_cpu_ms"] for r in inprocess[(engine, s)]["results"] if _measured(r)
            )
            for s in sizes
            if any(_measured(r) for r in inprocess[(engine, s)]["results"])
        ]
        if hello:
            lines += [
                "",
                "Hello-world CPU per request (median over the runs): "
                + ", ".join(f"{s} {h:.2f} ms" for s, h in zip(sizes, hello, strict=False)),
            ]

    for (engine, size, mode), results in http.items():
        cache_state = "on (warm)" if mode == "warm" else "off"
        lines += [
            "",
            f"## Over HTTP: {engine}, size {size}, page cache {cache_state}",
            "",
            "| page | req/s | hello req/s | % of hello | p50 ms | p99 ms | hello p99 ms | errors |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for r in results:
            page, hello = r["page"], r["hello"]
            errors = _errors(page)
            lines.append(
                f"| {r['key']} | {page['rps']:.0f} | {hello['rps']:.0f} | "
                f"{_fmt(r['ratio'] and 100 * r['ratio'])} | "
                f"{_fmt(page['p50_ms'], '{:.1f}')} | {_fmt(page['p99_ms'], '{:.1f}')} | "
                f"{_fmt(hello['p99_ms'], '{:.1f}')} | {errors} |"
            )

    lines += render_files(http_files or {})

    for (engine, size), keys in too_slow.items():
        if keys:
            lines += [
                "",
                f"Not loaded over HTTP ({engine} {size}), over "
                f"{SLOW_FOR_HTTP_MS / 1000:.0f} s a request in process: " + ", ".join(keys),
            ]

    if loadrates:
        lines += [
            "",
            "## Fixture loading rate",
            "",
            "The same generated set ("
            + ", ".join(f"{v:,} {k}" for k, v in LOAD_SET.items())
            + ") into an empty migrated database, wall time of the load alone.",
            "",
            "| engine | method | objects | seconds | objects/s |",
            "| --- | --- | --- | --- | --- |",
        ]
        for engine, rates in loadrates.items():
            for method, r in rates.items():
                name = {"loader": "load_edition", "bulk": "bulk_create"}.get(method, method)
                lines.append(
                    f"| {engine} | {name} | {r['objects']:,} | {r['seconds']:.2f} | "
                    f"{r['rate']:,.0f} |"
                )
    return "\n".join(lines) + "\n"


def _save(name, value):
    (datasets.OUT / name).write_text(json.dumps(value, indent=1), encoding="utf-8")


def _load(name):
    path = datasets.OUT / name
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def from_saved(args):
    """The figures of the last run, read back from bench/out/*.json (``--from-saved``)."""
    builds, inprocess, http, too_slow, loadrates, http_files = {}, {}, {}, {}, {}, {}
    for engine in args.engines:
        for size in args.sizes:
            builds[(engine, size)] = _load(f"db/{engine}-{size}.built.json")
            inprocess[(engine, size)] = _load(f"inprocess-{engine}-{size}.json")
        for size in args.http_sizes if args.http else ():
            for mode in ("uncached", "warm"):
                saved = _load(f"http-{engine}-{size}-{mode}.json")
                if saved is not None:
                    http[(engine, size, mode)] = saved
            too_slow[(engine, size)] = _load(f"http-{engine}-{size}-too-slow.json") or []
            saved = _load(f"http-files-{engine}-{size}.json")
            if saved is not None:
                http_files[(engine, size)] = saved
        if not args.no_loadrate:
            loadrates[engine] = {
                method: _load(f"loadrate-{engine}-{method}.json")
                for method in ("loader", "loaddata", "bulk")
            }
    return builds, inprocess, http, too_slow, loadrates, http_files


def main(argv=None):
    args = parse_args(argv)
    started = datetime.datetime.now(datetime.UTC)
    load_start = os.getloadavg()[0]
    if args.http:
        serving.check_wrk()
    if "postgres" in args.engines:
        check_postgres()
    datasets.OUT.mkdir(parents=True, exist_ok=True)
    if args.from_saved:
        builds, inprocess, http, too_slow, loadrates, http_files = from_saved(args)
        return report(
            args, started, load_start, builds, inprocess, http, too_slow, loadrates, http_files
        )
    say("collectstatic (production storage) into bench/out/static")
    collectstatic()

    builds, inprocess = {}, {}
    for engine in args.engines:
        for size in args.sizes:
            builds[(engine, size)] = datasets.build(engine, size, rebuild=args.rebuild, say=say)
            say(f"In process: {engine} {size}")
            inprocess[(engine, size)] = run_inprocess(engine, size, args.iterations, args.budget)

    http, too_slow, http_files = {}, {}, {}
    if args.http:
        for engine in args.engines:
            for size in args.http_sizes:
                if (engine, size) not in inprocess:
                    continue
                rows = [r for r in inprocess[(engine, size)]["results"] if r.get("status") == 200]
                # Pages of many seconds would only time out under load (gunicorn's timeout is
                # 30 s): the report lists them instead.
                pages = [(r["key"], r["url"]) for r in rows if r["wall_ms"] < SLOW_FOR_HTTP_MS]
                too_slow[(engine, size)] = [
                    r["key"] for r in rows if r["wall_ms"] >= SLOW_FOR_HTTP_MS
                ]
                for mode in ("uncached", "warm"):
                    say(f"Over HTTP: {engine} {size} page cache {mode}")
                    http[(engine, size, mode)] = serving.measure(
                        engine,
                        size,
                        pages,
                        page_cache=mode == "warm",
                        duration=args.duration,
                        say=say,
                    )
                    _save(f"http-{engine}-{size}-{mode}.json", http[(engine, size, mode)])
                _save(f"http-{engine}-{size}-too-slow.json", too_slow[(engine, size)])
                say(f"Over HTTP: {engine} {size} pre-built downloads against static files")
                http_files[(engine, size)] = serving.measure_files(
                    engine, size, duration=args.duration, say=say
                )
                _save(f"http-files-{engine}-{size}.json", http_files[(engine, size)])

    loadrates = {}
    if not args.no_loadrate:
        for engine in args.engines:
            say(f"Loading rate: {engine}")
            loadrates[engine] = run_loadrate(engine)

    report(args, started, load_start, builds, inprocess, http, too_slow, loadrates, http_files)


def report(
    args, started, load_start, builds, inprocess, http, too_slow, loadrates, http_files=None
):
    static = next(iter(inprocess.values()))["static"] if inprocess else {}
    verdicts = judge(args, inprocess, http, loadrates, static, too_slow, http_files)
    info = machine(inprocess)
    report = render(
        args,
        info,
        inprocess,
        http,
        loadrates,
        builds,
        verdicts,
        started,
        (load_start, os.getloadavg()[0]),
        too_slow,
        http_files,
    )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report, encoding="utf-8")
    results = {
        "machine": info,
        "inprocess": {f"{e}-{s}": p for (e, s), p in inprocess.items()},
        "http": {f"{e}-{s}-{m}": r for (e, s, m), r in http.items()},
        "http_files": {f"{e}-{s}": r for (e, s), r in (http_files or {}).items()},
        "loadrate": loadrates,
        "verdicts": verdicts,
    }
    out.with_name("results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(report)
    say(f"Written to {out}")


if __name__ == "__main__":
    main()
