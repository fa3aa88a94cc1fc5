"""Over HTTP: gunicorn in its production configuration, loaded by wrk, page against hello-world.

gunicorn runs with gunicorn.conf.py (sync workers, one per core plus one) and bench.settings on
127.0.0.1 only. For each page, wrk (bounded: ``-d`` seconds, 2 threads, 8 connections) first
loads /bench/hello/ and then the page, alternating, so both see the same machine; throughput
ratio = page requests/s / hello requests/s. Latency percentiles come from ``wrk --latency``.
With the page cache on, each page is requested once before its wrk run, so "warm" is warm.

The pre-built downloads (``measure_files``: the participants CSV and the archive ZIP of the data
package) are measured against a static file of the same size instead: a copy of the same bytes
written into the collected static folder before gunicorn starts, served by WhiteNoise under the
same server; ratio = download requests/s / static file requests/s.
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

    def __init__(self, engine, size, *, page_cache, **extra_env):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        cache_dir = datasets.OUT / "cache" / f"{engine}-{size}"
        if cache_dir.is_dir():
            shutil.rmtree(cache_dir)  # a warm run starts cold and warms itself
        self.env = datasets.bench_env(
            engine, size, page_cache=page_cache, BIND=f"127.0.0.1:{self.port}", **extra_env
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


# --- Pre-built downloads against a static file of the same size --------------------------------
#: (key, address) of each pre-built download; its static twin is a copy of the same bytes.
FILES = (
    ("participants.csv (pre-built)", "/en/participants.csv"),
    ("archive.zip (data package)", "/en/open-data/archive.zip"),
)
SAME_SIZE = "bench-same-size"  # the folder of the copies, under STATIC_ROOT


def _fetch(url):
    with urllib.request.urlopen(url, timeout=300) as response:
        return dict(response.headers), response.read()


def measure_files(engine, size, *, duration, say=print):
    """wrk each pre-built download after a static file of its size, alternating, on one server.

    The server's SITE_URL is its own address and its package folder its own, so the package
    build (``build_data_package``, run before the server starts: no request waits for it)
    writes the participants list for the address wrk asks; each download is checked to come
    from the package (its ETag is the package's) before it is measured.
    """
    package_dir = datasets.OUT / "data-package" / f"{engine}-{size}"
    if package_dir.is_dir():
        shutil.rmtree(package_dir)
    static_dir = datasets.OUT / "static" / SAME_SIZE
    results = []
    server = Server(engine, size, page_cache=True, DATA_PACKAGE_DIR=str(package_dir))
    server.env["SITE_URL"] = server.base
    datasets.manage(engine, size, "build_data_package", "-v", "0", **_overrides(server.env))
    (zip_path,) = package_dir.glob("forum-archive-*.zip")
    version = zip_path.stem.removeprefix("forum-archive-")
    participants = next((package_dir / f"forum-archive-{version}" / "downloads").glob("*-en-*"))
    static_dir.mkdir(parents=True, exist_ok=True)
    twins = {}
    for (key, _url), source in zip(FILES, (participants, zip_path), strict=True):
        twin = static_dir / f"same-size-as{source.suffix}"
        shutil.copyfile(source, twin)
        twins[key] = (f"/static/{SAME_SIZE}/{twin.name}", twin.stat().st_size)
    try:
        with server:
            wrk(server.base + HELLO, duration=1)  # warm the workers up
            for key, url in FILES:
                static_url, size_bytes = twins[key]
                headers, content = _fetch(server.base + url)
                if version not in headers.get("ETag", "") or len(content) != size_bytes:
                    raise RuntimeError(f"{url} is not the pre-built file ({headers.get('ETag')})")
                _fetch(server.base + static_url)
                drain(server)
                static = wrk(server.base + static_url, duration=duration)
                drain(server)
                served = wrk(server.base + url, duration=duration)
                ratio = served["rps"] / static["rps"] if static["rps"] else None
                results.append(
                    {
                        "key": key,
                        "url": url,
                        "static_url": static_url,
                        "bytes": size_bytes,
                        "static": static,
                        "page": served,
                        "ratio": ratio,
                    }
                )
                say(
                    f"  {key:32} {size_bytes / 1000:9.1f} KB {served['rps']:8.1f} req/s "
                    f"(static {static['rps']:.1f}) "
                    f"{'–' if ratio is None else f'{100 * ratio:5.1f}%'}  "
                    f"p99 {served['p99_ms']} ms (static {static['p99_ms']} ms)"
                )
    finally:
        shutil.rmtree(static_dir, ignore_errors=True)  # the collected files stay as collected
    return results


def _overrides(env):
    """What ``datasets.manage`` must add to bench_env() for the server's own environment."""
    return {name: env[name] for name in ("SITE_URL", "DATA_PACKAGE_DIR", "BENCH_CACHE_DIR")}
