"""Fault test: restart PostgreSQL under load; the site must recover by itself (run by hand).

Creates a throwaway database forumarchive_fault_<pid> on the local PostgreSQL (127.0.0.1, user
postgres), migrates and loads every fixture into it, and serves it with the production gunicorn
configuration (sync workers, one per core plus one) and production settings (DEBUG off, static
files collected; HTTPS_ONLY=0, its default, so plain HTTP on 127.0.0.1 answers 200). The settings
keep connections for CONN_MAX_AGE seconds (60 by default) with CONN_HEALTH_CHECKS on, so a
worker's connection that the restart broke must be noticed and replaced, not reused.

CLIENTS threads GET pages that query the database (HTML pages and API resources); each request
carries a unique query parameter so that it misses the page cache and really reaches PostgreSQL.
At --restart-at seconds, `pg_ctlcluster --skip-systemctl-redirect <version> main restart -m fast`
restarts the server (ending every connection); the load goes on until --duration. Reported:
failures before the restart, while it was down (expected), the time from the restart command to
the first success, and failures after that first success (the claim: none, no gunicorn restart).

Restarting PostgreSQL disturbs everyone using it: the script first waits (polling every 30 s, at
most 10 minutes) until no other session is connected, and does not run otherwise. Whatever
happens, it ends with PostgreSQL running (pg_isready, else `pg_ctlcluster ... start`) and the
throwaway database dropped.

    .venv/bin/python bench/faults/postgres_restart.py [--clients 8] [--restart-at 5] [--duration 25]
"""

import argparse
import os
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from common import (
    WORKERS,
    build_site,
    check_urls,
    make_env,
    manage,
    outcome,
    start_gunicorn,
    stop,
    wait_ready,
    worker_pids,
)

PORT = 8434
PSQL = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-Atc"]
OTHER_SESSIONS = (
    "select datname, count(*) from pg_stat_activity "
    "where datname is not null and pid <> pg_backend_pid() group by 1 order by 1"
)


def psql(sql):
    return subprocess.run([*PSQL, sql], check=True, text=True, capture_output=True).stdout.strip()


def cluster_version():
    versions = sorted(os.listdir("/etc/postgresql"), key=float)
    return versions[-1]


def pg_ready():
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"]).returncode == 0


def wait_until_idle(wait_seconds):
    deadline = time.monotonic() + wait_seconds
    while True:
        others = psql(OTHER_SESSIONS)
        if not others:
            return True
        print(f"PostgreSQL in use by other sessions: {others.replace(chr(10), '; ')}", flush=True)
        if time.monotonic() >= deadline:
            return False
        time.sleep(30)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--restart-at", type=float, default=5)
    parser.add_argument("--duration", type=float, default=25)
    parser.add_argument("--wait-idle", type=float, default=600, help="seconds, at most")
    args = parser.parse_args()
    version = cluster_version()
    if not wait_until_idle(args.wait_idle):
        raise SystemExit("PostgreSQL still in use by others: NOT RUN (nothing was restarted)")
    name = f"forumarchive_fault_{os.getpid()}"
    folder = Path(tempfile.mkdtemp(prefix="faults-pg-"))
    env = make_env(folder, DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{name}")
    server = None
    records = []  # (start, end, path, error or None), relative to the start of the load
    lock = threading.Lock()
    try:
        psql(f"create database {name}")
        urls = build_site(env)
        settings = (
            manage(
                env,
                "shell",
                "-c",
                "from django.conf import settings as s; d = s.DATABASES['default']; "
                "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])",
                capture=True,
            )
            .splitlines()[-1]
            .split()
        )  # the last line: Django 5.2's shell first counts its imports
        database_pages = [
            url
            for url in urls
            if not url.endswith((".png", ".txt"))
            and url not in ("/api/", "/api/schema/", "/api/docs/")
        ]
        server = start_gunicorn(env, PORT, folder)
        wait_ready(server, PORT, WORKERS)
        check_urls(PORT, urls)
        workers = sorted(worker_pids(server.pid))
        start = time.monotonic()
        deadline = start + args.duration

        def client(n):
            i = n * 5
            while time.monotonic() < deadline:
                path = database_pages[i % len(database_pages)]
                i += 1
                path += ("&" if "?" in path else "?") + f"_fault={n}-{i}"
                began = time.monotonic() - start
                error = outcome(PORT, path)
                with lock:
                    records.append((began, time.monotonic() - start, path, error))

        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        for thread in threads:
            thread.start()
        time.sleep(max(0, start + args.restart_at - time.monotonic()))
        restart_began = time.monotonic() - start
        restart = subprocess.run(
            [
                "pg_ctlcluster",
                "--skip-systemctl-redirect",
                version,
                "main",
                "restart",
                "-m",
                "fast",
            ],
            text=True,
            capture_output=True,
        )
        restart_ended = time.monotonic() - start
        for thread in threads:
            thread.join()
        check_urls(PORT, urls)  # every address 200 again, same gunicorn
        workers_after = sorted(worker_pids(server.pid))
    finally:
        if server is not None:
            stop(server)
        if not pg_ready():
            subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"])
            for _ in range(60):
                if pg_ready():
                    break
                time.sleep(1)
        print(f"pg_isready at the end: {'ready' if pg_ready() else 'NOT READY'}")
        psql(f"drop database if exists {name} with (force)")

    records.sort()
    print(f"PostgreSQL {version}; CONN_MAX_AGE={settings[0]} CONN_HEALTH_CHECKS={settings[1]}")
    print(f"gunicorn: {WORKERS} sync workers, {args.clients} clients, {len(database_pages)} pages")
    print(
        f"workers before {workers}, after {workers_after} "
        f"(same processes: {workers == workers_after})"
    )
    print(
        f"restart command: t={restart_began:.2f}s -> t={restart_ended:.2f}s, "
        f"exit {restart.returncode} {restart.stderr.strip()}"
    )
    before = [r for r in records if r[1] < restart_began]
    after_start = [r for r in records if r[1] >= restart_began]
    # Recovered: the first success among requests started after the first failure (or, had none
    # failed, after the restart command returned).
    first_failure = next((r for r in after_start if r[3] is not None), None)
    since = first_failure[1] if first_failure else restart_ended
    first_ok = next((r for r in records if r[3] is None and r[0] >= since), None)
    recovered_at = first_ok[1] if first_ok else float("inf")
    during = [r for r in after_start if r[1] < recovered_at]
    after = [r for r in after_start if r[1] >= recovered_at]
    for label, group in (
        ("before restart (ended before the command)", before),
        ("during (ended between the command and the first success)", during),
        ("after recovery (ended after the first success)", after),
    ):
        failed = [r for r in group if r[3] is not None]
        print(f"{label}: {len(group)} requests, {len(failed)} failed")
        kinds = {}
        for r in failed:
            kinds[r[3]] = kinds.get(r[3], 0) + 1
        for error, count in kinds.items():
            print(f"    {count} x {error}")
        if label.startswith("after"):
            for began, ended, path, error in failed:
                print(f"    started t={began:.3f}s ended t={ended:.3f}s {path}: {error}")
    if first_failure:
        print(f"first failure after the restart began: ended t={first_failure[1]:.2f}s")
    if first_ok:
        print(
            f"first success after the restart began: t={first_ok[1]:.2f}s, "
            f"{first_ok[1] - restart_began:.2f} s after the command started, "
            f"{first_ok[1] - restart_ended:.2f} s after it returned"
        )
    log = (folder / "gunicorn.log").read_text()
    print(f"server log: {log.count('Internal Server Error')} 'Internal Server Error'")


if __name__ == "__main__":
    main()
