"""Fault test: SIGKILL one gunicorn worker, then SIGHUP the master, under load (run by hand).

Serves a fresh SQLite copy of the archive with the production gunicorn configuration (sync
workers, one per core plus one, max_requests 5000) and production settings (DEBUG off, static files
collected; HTTPS_ONLY=0, its default, so plain HTTP on 127.0.0.1 answers 200). CLIENTS threads
each GET the public addresses in turn (a new connection per request, 30 s timeout) and record
every request's start, end, address and outcome. At --kill-at seconds one worker gets SIGKILL; at
--hup-at the master gets SIGHUP (graceful reload: new workers, the old ones finish what they
have); the load stops at --duration.

The claim tested: a killed sync worker loses at most the one request it was serving (the kernel's
accept queue belongs to the listening socket, not to the worker, so waiting connections go to the
other workers); the master replaces it with a new PID; a HUP loses nothing and replaces every
worker. Failures are counted by the phase in which the request ended (and for the requests in
flight at the kill and at the HUP) and listed one by one.

    .venv/bin/python bench/faults/worker_kill.py [--clients 16] [--kill-at 5] [--hup-at 15]
"""

import argparse
import os
import signal
import tempfile
import threading
import time
from pathlib import Path

from common import (
    WORKERS,
    build_site,
    check_urls,
    make_env,
    outcome,
    start_gunicorn,
    stop,
    wait_ready,
)
from common import worker_pids as children

PORT = 8433


def wait_for(condition, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--kill-at", type=float, default=5)
    parser.add_argument("--hup-at", type=float, default=15)
    parser.add_argument("--duration", type=float, default=25)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="faults-kill-"))
    env = make_env(folder)
    urls = build_site(env)
    server = start_gunicorn(env, PORT, folder)
    records = []  # (start, end, path, error or None), relative to the start of the load
    lock = threading.Lock()
    events = {}
    try:
        wait_ready(server, PORT, WORKERS)
        check_urls(PORT, urls)
        check_urls(PORT, urls)  # warm-up pass
        start = time.monotonic()
        deadline = start + args.duration

        def client(n):
            i = n * 3
            while time.monotonic() < deadline:
                path = urls[i % len(urls)]
                i += 1
                began = time.monotonic() - start
                error = outcome(PORT, path)
                with lock:
                    records.append((began, time.monotonic() - start, path, error))

        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        for thread in threads:
            thread.start()

        time.sleep(max(0, start + args.kill_at - time.monotonic()))
        before_kill = children(server.pid)
        victim = min(before_kill)
        os.kill(victim, signal.SIGKILL)
        events["kill"] = time.monotonic() - start
        replaced = wait_for(
            lambda: (
                victim not in children(server.pid) and len(children(server.pid)) == len(before_kill)
            ),
            10,
        )
        events["kill_replaced"] = time.monotonic() - start if replaced else None
        after_kill = children(server.pid)

        time.sleep(max(0, start + args.hup_at - time.monotonic()))
        before_hup = children(server.pid)
        os.kill(server.pid, signal.SIGHUP)
        events["hup"] = time.monotonic() - start
        renewed = wait_for(
            lambda: (
                len(children(server.pid)) == len(before_hup)
                and not children(server.pid) & before_hup
            ),
            30,
        )
        events["hup_all_new"] = time.monotonic() - start if renewed else None
        after_hup = children(server.pid)
        for thread in threads:
            thread.join()
        check_urls(PORT, urls)  # still every address 200
    finally:
        stop(server)

    phases = [
        ("before kill", 0, events["kill"]),
        ("kill -> HUP", events["kill"], events["hup"]),
        ("HUP -> end", events["hup"], float("inf")),
    ]
    print(f"gunicorn: {WORKERS} sync workers (gunicorn.conf.py defaults), {args.clients} clients")
    print(
        f"workers before kill: {sorted(before_kill)}; SIGKILL {victim} at t={events['kill']:.2f}s"
    )
    print(
        f"  replaced: {replaced} (at t={events['kill_replaced']}); "
        f"workers now {sorted(after_kill)}; new: {sorted(after_kill - before_kill)}"
    )
    print(f"workers before HUP: {sorted(before_hup)}; SIGHUP master at t={events['hup']:.2f}s")
    print(
        f"  all new: {renewed} (at t={events['hup_all_new']}); workers now {sorted(after_hup)}; "
        f"kept from before: {sorted(after_hup & before_hup)}"
    )
    for name, low, high in phases:
        done = [r for r in records if low <= r[1] < high]
        failed = [r for r in done if r[3] is not None]
        print(f"{name} (by end time): {len(done)} requests, {len(failed)} failed")
        for began, ended, path, error in failed:
            print(f"    started t={began:.3f}s ended t={ended:.3f}s {path}: {error}")
    for name in ("kill", "hup"):
        at = events[name]
        in_flight = [r for r in records if r[0] < at <= r[1]]
        failed = sum(r[3] is not None for r in in_flight)
        print(f"in flight at the {name}: {len(in_flight)} requests, {failed} failed")
    log = (folder / "gunicorn.log").read_text()
    print(f"server log: {log.count('Internal Server Error')} 'Internal Server Error'")
    for line in log.splitlines():
        if any(word in line for word in ("SIGKILL", "signal", "Booting", "exiting", "TIMEOUT")):
            print("   ", line)


if __name__ == "__main__":
    main()
