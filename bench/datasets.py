"""The benchmark's datasets and databases: S, M and L, on SQLite and on PostgreSQL.

S is the archive's real fixtures; M and L are written by bench/generate.py (fictional, seeded).
Each database is built once with migrate + load_edition (our loader) and kept under bench/out/
(SQLite) or as forumarchive_bench_<size> (PostgreSQL); a marker file records a finished build, so
an interrupted build is redone. ``--rebuild`` on bench/run.py drops and builds again.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = sys.executable
POSTGRES = "postgres://postgres@127.0.0.1:5432"

#: generate.py arguments per size; None: the shipped real fixtures.
SIZES = {
    "S": None,
    "M": {"editions": 50, "sub-forums": 1_000, "participants": 5_000, "appearances": 25_000},
    "L": {"editions": 500, "sub-forums": 10_000, "participants": 50_000, "appearances": 250_000},
}
REAL_FIXTURES = [
    ROOT / "fixtures" / "beijing-tokyo-forum" / "series.json",
    ROOT / "fixtures" / "beijing-tokyo-forum" / "edition-20.json",
]


def fixture_files(size, out=OUT):
    """The fixture files of one size, in loading order (generating them if needed)."""
    spec = SIZES[size]
    if spec is None:
        return list(REAL_FIXTURES)
    return generate(out / "data" / size, spec)


def generate(folder, spec):
    marker = folder / "generated.json"
    if not (marker.is_file() and json.loads(marker.read_text()) == spec):
        command = [PYTHON, str(ROOT / "bench" / "generate.py"), "--out", str(folder)]
        for name, value in spec.items():
            command += [f"--{name}", str(value)]
        subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        marker.write_text(json.dumps(spec))
    editions = sorted(folder.glob("edition-*.json"))
    return [folder / "series.json", folder / "participants.json", *editions]


def database_url(engine, name):
    """``name`` is a size ("M") or any other label ("load-bulk")."""
    label = name.lower().replace("-", "_")
    if engine == "sqlite":
        return f"sqlite:///{OUT / 'db' / f'sqlite-{name}.sqlite3'}"
    return f"{POSTGRES}/forumarchive_bench_{label}"


def bench_env(engine, name, *, page_cache=True, **extra):
    """The environment for a subprocess that uses bench.settings on one database."""
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        BENCH_DATABASE_URL=database_url(engine, name),
        BENCH_CACHE_DIR=str(OUT / "cache" / f"{engine}-{name}"),
        BENCH_PAGE_CACHE="1" if page_cache else "0",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def drop_database(engine, name):
    if engine == "sqlite":
        path = Path(database_url(engine, name).removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    import psycopg

    database = database_url(engine, name).rsplit("/", 1)[1]
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{database}"')


def empty_database(engine, name):
    """A freshly migrated, empty database."""
    drop_database(engine, name)
    manage(engine, name, "migrate", "--noinput", "-v", "0")


def manage(engine, name, *args, **env):
    completed = subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=bench_env(engine, name, **env),
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode:
        raise SystemExit(
            f"manage.py {' '.join(args[:1])} failed on {engine} {name}:\n{completed.stderr[-3000:]}"
        )
    return completed


def build(engine, size, *, rebuild=False, say=print):
    """Build (or reuse) the database of one size; returns what the build recorded."""
    marker = OUT / "db" / f"{engine}-{size}.built.json"
    if marker.is_file() and not rebuild:
        manage(engine, size, "migrate", "--noinput", "-v", "0")  # the schema may have moved on
        return json.loads(marker.read_text())
    marker.unlink(missing_ok=True)
    files = fixture_files(size)
    say(f"Building {engine} {size}: migrate, then load_edition on {len(files)} files...")
    empty_database(engine, size)
    started = time.perf_counter()
    manage(engine, size, "load_edition", "-v", "0", *map(str, files))
    seconds = time.perf_counter() - started
    built = {"files": len(files), "load_seconds": round(seconds, 2), "loader": "load_edition"}
    marker.write_text(json.dumps(built))
    say(f"  loaded in {seconds:.1f} s")
    return built
