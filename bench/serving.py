"""Over HTTP: gunicorn in its production configuration, loaded by wrk, page against hello-world.

gunicorn runs with gunicorn.conf.py (sync workers, one per core plus one) and bench.settings on
127.0.0.1 only. For each page, wrk (bounded: ``-d`` seconds, 2 threads, 8 connections) first
loads /bench/hello/ and then the page, alternating, so both see the same machine; throughput
ratio = page requests/s / hello requests/s. Latency percentiles come from ``wrk --latency``.
With the page cache on, each page is requested once before its wrk run, so "warm" is warm.
"""

import re
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from bench import datasets

HELLO = "/bench/hello/"
WRK_INSTALL = "wrk is not installed: `apt-get install wrk` (Debian package), then run again."
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def check_wrk():
    if shutil.which("wrk") is None:
        raise SystemExit(WRK_INSTALL)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving bench.settings on one database, page cache on or off."""

    def __init__(self, engine, size, *, page_cache):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        cache_dir = datasets.OUT / "cache" / f"{engine}-{size}"
        if cache_dir.is_dir():
            shutil.rmtree(cache_dir)  # a warm run starts cold and warms itself
        self.env = datasets.bench_env(
            engine, size, page_cache=page_cache, BIND=f"127.0.0.1:{self.port}"
        )
        self.process = None

    def __enter__(self):
        gunicorn = Path(datasets.PYTHON).with_name("gunicorn")
        self.process = subprocess.Popen(
            [str(gunicorn), "-c", str(datasets.ROOT / "gunicorn.conf.py"), "forumarchive.wsgi"],
            cwd=datasets.ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,  # the access log: written as in production, not kept
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base + HELLO, timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
            if self.process.poll() is not None:
                break
        self.__exit__()
        raise RuntimeError("gunicorn did not start: run it by hand with bench.settings to see why")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _milliseconds(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


def parse_wrk(output):
    """Requests/s, p50 and p99 (ms) and the count of non-2xx/3xx answers from wrk --latency."""
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    for percent in ("50", "99"):
        match = re.search(rf"^\s+{percent}(?:\.000)?%\s+(\S+)", output, re.MULTILINE)
        result[f"p{percent}_ms"] = _milliseconds(match.group(1)) if match else None
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    result["non_2xx"] = int(errors.group(1)) if errors else 0
    socket_errors = re.search(r"Socket errors: (.*)", output)
    result["socket_errors"] = socket_errors.group(1) if socket_errors else ""
    return result


def wrk(url, *, duration, connections=8, threads=2):
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency"]
    command += ["--timeout", "30s", url]  # slow pages are measured, not counted as timeouts
    completed = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=duration + 60
    )
    return parse_wrk(completed.stdout)


def drain(server, *, quick=0.05, timeout=120):
    """Wait until the workers have finished what the last wrk run left queued.

    wrk stops sending after its duration, but sync workers still answer the requests already
    queued (8 connections of a page of a second or more): without this, the next run measures
    that backlog instead of its own URL.
    """
    deadline = time.monotonic() + timeout
    fast = 0
    while fast < 3 and time.monotonic() < deadline:
        started = time.monotonic()
        with urllib.request.urlopen(server.base + HELLO, timeout=timeout) as response:
            response.read()
        fast = fast + 1 if time.monotonic() - started < quick else 0


def measure(engine, size, pages, *, page_cache, duration, say=print):
    """wrk each page after hello-world on one server; ``pages`` are (key, url) pairs."""
    results = []
    with Server(engine, size, page_cache=page_cache) as server:
        wrk(server.base + HELLO, duration=1)  # warm the workers up
        for key, url in pages:
            drain(server)
            if page_cache:
                # "Warm" means the page is in the cache: one request puts it there first, so
                # wrk's 8 connections don't all render a slow page at once and time out on it.
                with urllib.request.urlopen(server.base + url, timeout=120) as response:
                    response.read()
            hello = wrk(server.base + HELLO, duration=duration)
            drain(server)
            page = wrk(server.base + url, duration=duration)
            ratio = page["rps"] / hello["rps"] if hello["rps"] else None
            results.append({"key": key, "url": url, "hello": hello, "page": page, "ratio": ratio})
            say(
                f"  {key:36} {page['rps']:8.1f} req/s (hello {hello['rps']:.1f}) "
                f"{'–' if ratio is None else f'{100 * ratio:5.1f}%'}  "
                f"p50 {page['p50_ms']} ms  p99 {page['p99_ms']} ms"
            )
    return results
