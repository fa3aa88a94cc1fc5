"""Fault test: stop Redis, start it again, then freeze it (SIGSTOP), under load (run by hand).

Serves a fresh SQLite copy of the archive with the production gunicorn configuration (sync
workers, one per core plus one) and production settings (DEBUG off, static files collected;
HTTPS_ONLY=0, its default, so plain HTTP on 127.0.0.1 answers 200), with the page cache on a
redis-server of its own (free port, no persistence): never the shared Redis on 6379. CLIENTS
threads each GET every public address in turn (a new connection per request, 30 s timeout), so
that warm pages come from the cache, and record each request's start, end, address and outcome.

Timeline (seconds from the start of the load, all adjustable): at --stop-at Redis gets SIGTERM;
at --start-at a new, empty redis-server starts on the same port; at --freeze-at it gets SIGSTOP
(the kernel still accepts connections, nothing answers); at --thaw-at SIGCONT; the load ends at
--duration. A monitor polls Redis's INFO every 0.1 s for keyspace_hits, which says when pages come
from the cache again.

The claims tested (docs/reliability.md): no request fails in any phase; while Redis is away
requests are served uncached and none waits more than a fraction of a second for Redis; after its
return pages are cached again within a second; the log holds a few lines per worker, no traceback.
Requests are counted by the phase in which they ended.

    python bench/faults/redis_outage.py [--clients 8] [--stop-at 5] [--start-at 10]
        [--freeze-at 15] [--thaw-at 20] [--duration 25]
"""

import argparse
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import common
from common import WORKERS, build_site, check_urls, make_env, outcome, stop, wait_ready


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Redis:
    """A private redis-server on `port`."""

    def __init__(self, port, folder):
        self.port, self.folder, self.process = port, folder, None

    def start(self):
        self.process = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--daemonize", "no"]
            + ["--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru"],
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            if self.info() is not None:
                return
            time.sleep(0.05)
        raise SystemExit(f"redis-server did not start on port {self.port}")

    def info(self, timeout=0.2):
        """INFO's fields as a dict, or None if Redis does not answer within `timeout`."""
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # No retries: redis.Redis's own default retries with a backoff of up to 10 s.
        client = redis.Redis(
            port=self.port,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
        )
        try:
            return {**client.info("stats"), **client.info("keyspace")}
        except (redis.RedisError, OSError):
            return None
        finally:
            client.close()

    def signal(self, number):
        self.process.send_signal(number)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(timeout=10)


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--stop-at", type=float, default=5)
    parser.add_argument("--start-at", type=float, default=10)
    parser.add_argument("--freeze-at", type=float, default=15)
    parser.add_argument("--thaw-at", type=float, default=20)
    parser.add_argument("--duration", type=float, default=25)
    parser.add_argument("--verbose", action="store_true", help="print every INFO sample")
    args = parser.parse_args()
    if shutil.which("redis-server") is None:
        raise SystemExit("redis-server is not installed: NOT RUN")
    # gunicorn from the interpreter's own environment (a clone may have no .venv of its own).
    common.GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
    folder = Path(tempfile.mkdtemp(prefix="faults-redis-"))
    redis_server = Redis(free_port(), folder)
    # MAX_REQUESTS=0: no worker is replaced during the run (a restart would blur the figures).
    env = make_env(folder, MAX_REQUESTS="0")
    env["REDIS_URL"] = f"redis://127.0.0.1:{redis_server.port}/0"
    port = free_port()
    server = None
    records = []  # (start, end, path, error or None), relative to the start of the load
    samples = []  # (time, keyspace_hits or None)
    lock = threading.Lock()
    events = {}
    try:
        redis_server.start()  # before loading: the loader replaces the content version
        urls = build_site(env)
        server = common.start_gunicorn(env, port, folder)
        wait_ready(server, port, WORKERS)
        check_urls(port, urls)  # every page once: the cache is warm
        log_start = (folder / "gunicorn.log").stat().st_size
        start = time.monotonic()
        deadline = start + args.duration

        def client(n):
            i = n * 7
            while time.monotonic() < deadline:
                path = urls[i % len(urls)]
                i += 1
                began = time.monotonic() - start
                error = outcome(port, path)
                with lock:
                    records.append((began, time.monotonic() - start, path, error))

        def monitor():
            while time.monotonic() < deadline:
                info = redis_server.info()
                samples.append(
                    (time.monotonic() - start, None if info is None else info["keyspace_hits"])
                )
                time.sleep(0.1)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        threads.append(threading.Thread(target=monitor))
        for thread in threads:
            thread.start()
        plan = [
            (args.stop_at, "stop", redis_server.stop),
            (args.start_at, "start", redis_server.start),
            (args.freeze_at, "freeze", lambda: redis_server.signal(signal.SIGSTOP)),
            (args.thaw_at, "thaw", lambda: redis_server.signal(signal.SIGCONT)),
        ]
        for at, name, action in plan:
            time.sleep(max(0, start + at - time.monotonic()))
            events[name] = time.monotonic() - start
            action()
        for thread in threads:
            thread.join()
        keys = redis_server.info()["db0"]["keys"]
        check_urls(port, urls)
        log = (folder / "gunicorn.log").read_text()[log_start:]
    finally:
        if server is not None:
            stop(server)
        redis_server.stop()

    print(f"gunicorn: {WORKERS} sync workers, {args.clients} clients, {len(urls)} addresses")
    print("events: " + ", ".join(f"{name} t={at:.2f}s" for name, at in events.items()))
    phases = [
        ("Redis up, cache warm", 0, events["stop"]),
        ("Redis stopped (SIGTERM)", events["stop"], events["start"]),
        ("Redis restarted, empty", events["start"], events["freeze"]),
        ("Redis frozen (SIGSTOP)", events["freeze"], events["thaw"]),
        ("Redis thawed (SIGCONT)", events["thaw"], float("inf")),
    ]
    print("phase | requests | failed | req/s | p50 ms | p99 ms | max ms")
    for label, begin, end in phases:
        group = [r for r in records if begin <= r[1] < end]
        latencies = [(r[1] - r[0]) * 1000 for r in group]
        failed = [r for r in group if r[3] is not None]
        seconds = min(end, args.duration) - begin
        print(
            f"{label} | {len(group)} | {len(failed)} | {len(group) / seconds:.0f} | "
            f"{statistics.median(latencies):.1f} | {percentile(latencies, 0.99):.1f} | "
            f"{max(latencies):.1f}"
        )
        kinds = {}
        for r in failed:
            kinds[r[3]] = kinds.get(r[3], 0) + 1
        for error, count in kinds.items():
            print(f"    {count} x {error}")
    for name in ("start", "thaw"):
        at = events[name]
        before = [hits for t, hits in samples if t < at and hits is not None]
        baseline = 0 if name == "start" else (before[-1] if before else 0)
        hit = next((t for t, hits in samples if t >= at and hits and hits > baseline), None)
        said = f"{hit - at:.2f} s after {name}" if hit is not None else "never"
        print(f"first cache hit after {name}: {said}")
    print(f"keys in Redis at the end: {keys}")
    if args.verbose:
        for t, hits in samples:
            print(f"    t={t:.2f}s keyspace_hits={hits}")
    lines = [line for line in log.splitlines() if line.strip()]
    print(
        f"server log during the load: {len(lines)} lines, {log.count('Traceback')} tracebacks, "
        f"{log.count('Internal Server Error')} 'Internal Server Error'"
    )
    for line in lines[:20]:
        print(f"    {line}")


if __name__ == "__main__":
    main()
