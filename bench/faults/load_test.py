"""Load test: wrk over every public page type, with the workers' memory watched (run by hand).

Serves a fresh SQLite copy of the archive with the production gunicorn configuration (sync
workers, one per core plus one) and production settings (DEBUG off, static files collected and
served by whitenoise; HTTPS_ONLY=0, its default, so plain HTTP on 127.0.0.1 answers 200 rather
than a redirect to https). The list of addresses is built from the database (see common.py): home,
lists with and without filters, each detail page, search, calendars, CSV exports, the feed, Open
Graph cards, sitemap, robots.txt, the API root, schema, docs, every API list and detail, pages in
zh-hans and ja, and one static file. Each must answer 200 once before the load starts.

wrk then runs for DURATION seconds (default 60, 64 connections, 2 threads, --timeout 30s) with a
generated Lua script that cycles through the addresses and counts answers outside 200-399 by
status; gunicorn's access log (a file in the temporary folder) gives the same per address.
Anonymous pages come from the page cache after their first view, as in production; --bust-cache
adds a unique query parameter to every request so that every one renders (and fills the cache).

gunicorn recycles a worker after MAX_REQUESTS requests (5000 + jitter in production); this script
sets MAX_REQUESTS=0 (never) unless --max-requests is given, so that the workers' resident memory
(VmRSS, sampled every 10 s after a warm-up pass) is the same processes' from start to end. It
still counts worker PIDs that appear or disappear.

    .venv/bin/python bench/faults/load_test.py [--duration 60] [--connections 64] [--threads 2]
"""

import argparse
import json
import re
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from common import (
    WORKERS,
    build_site,
    check_urls,
    get,
    make_env,
    rss_mb,
    start_gunicorn,
    stop,
    wait_ready,
)
from common import worker_pids as children

PORT = 8432

LUA = """
paths = %(paths)s
bust = %(bust)s
threads = {}
n_threads = 0

function setup(thread)
  n_threads = n_threads + 1
  thread:set("id", n_threads)
  table.insert(threads, thread)
end

function init(args)
  i = id * 7
  sent = 0
  bad = {}
end

function request()
  i = i + 1
  sent = sent + 1
  local path = paths[(i %% #paths) + 1]
  if bust then
    local sep = string.find(path, "?", 1, true) and "&" or "?"
    path = path .. sep .. "_bust=" .. id .. "-" .. sent
  end
  return wrk.format("GET", path)
end

function response(status, headers, body)
  if status < 200 or status > 399 then
    local key = tostring(status)
    bad[key] = (bad[key] or 0) + 1
  end
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("bad")) do
      totals[status] = (totals[status] or 0) + count
    end
  end
  io.write("LUA_BAD_STATUSES")
  for status, count in pairs(totals) do io.write(" " .. status .. "=" .. count) end
  io.write("\\n")
end
"""

ACCESS = re.compile(r'"GET (\S+) HTTP/[\d.]+" (\d{3}) ')


def lua_script(paths, bust):
    quoted = ", ".join(json.dumps(path) for path in paths)  # JSON strings are Lua strings here
    return LUA % {"paths": "{" + quoted + "}", "bust": "true" if bust else "false"}


def parse_wrk(output):
    def number(pattern, default=0):
        match = re.search(pattern, output)
        return float(match.group(1)) if match else default

    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    connect, read, write, timeout = map(int, errors.groups()) if errors else (0, 0, 0, 0)
    return {
        "requests": int(number(r"(\d+) requests in")),
        "req_per_s": number(r"Requests/sec:\s+([\d.]+)"),
        "non_2xx_3xx": int(number(r"Non-2xx or 3xx responses: (\d+)")),
        "socket_errors": {"connect": connect, "read": read, "write": write},
        "timeouts": timeout,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--max-requests", type=int, default=0, help="0: workers never recycled")
    parser.add_argument("--bust-cache", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="faults-load-"))
    env = make_env(folder, MAX_REQUESTS=str(args.max_requests))
    urls = build_site(env)
    access_log = folder / "access.log"
    server = start_gunicorn(env, PORT, folder, access_log=access_log)
    samples = []
    try:
        wait_ready(server, PORT, WORKERS)
        home = get(PORT, "/en/")[1].decode()
        urls.append(re.search(r'(/static/[^"]+\.css)"', home).group(1))
        check_urls(PORT, urls)  # every address once: 200 or stop here
        check_urls(PORT, urls)  # warm-up pass: every worker has imported and cached pages
        first_pids = children(server.pid)
        seen = set(first_pids)
        samples.append((0.0, {pid: rss_mb(pid) for pid in first_pids}))
        script = folder / "pages.lua"
        script.write_text(lua_script(urls, args.bust_cache))
        access_log.write_text("")  # only the wrk run's requests from here on
        start = time.monotonic()
        wrk = subprocess.Popen(
            [
                "wrk",
                f"-t{args.threads}",
                f"-c{args.connections}",
                f"-d{args.duration}s",
                "--timeout",
                "30s",
                "--latency",
                "-s",
                str(script),
                f"http://127.0.0.1:{PORT}",
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        stop_sampling = threading.Event()

        def sample():
            while not stop_sampling.wait(10):
                pids = children(server.pid)
                seen.update(pids)
                samples.append((time.monotonic() - start, {pid: rss_mb(pid) for pid in pids}))

        sampler = threading.Thread(target=sample)
        sampler.start()
        output, _ = wrk.communicate(timeout=args.duration + 120)
        stop_sampling.set()
        sampler.join()
        last_pids = children(server.pid)
        seen.update(last_pids)
        samples.append((time.monotonic() - start, {pid: rss_mb(pid) for pid in last_pids}))
        access = access_log.read_text()
        check_urls(PORT, urls)  # still every address 200 after the load
    finally:
        stop(server)
    print(output)
    result = parse_wrk(output)
    result["lua_bad_statuses"] = output.split("LUA_BAD_STATUSES", 1)[1].split("\n", 1)[0].strip()
    statuses = Counter()
    bad_by_path = Counter()
    for match in ACCESS.finditer(access):
        path, status = match.group(1).split("?_bust=")[0].split("&_bust=")[0], match.group(2)
        statuses[status] += 1
        if not 200 <= int(status) <= 399:
            bad_by_path[f"{status} {path}"] += 1
    result["access_log_statuses"] = dict(statuses)
    result["access_log_bad_by_path"] = dict(bad_by_path)
    result["addresses"] = len(urls)
    result["workers_start"] = sorted(first_pids)
    result["workers_end"] = sorted(last_pids)
    result["worker_recycles"] = len(seen - first_pids)
    print("RSS (MB) per worker, sampled every ~10 s:")
    for elapsed, rss in samples:
        shown = " ".join(f"{pid}={mb:.1f}" for pid, mb in sorted(rss.items()) if mb is not None)
        print(f"  t={elapsed:5.1f}s {shown}")
    start_rss, end_rss = samples[0][1], samples[-1][1]
    result["rss_mb_start_to_end"] = {
        pid: f"{start_rss[pid]:.1f}->{end_rss[pid]:.1f}" for pid in start_rss if pid in end_rss
    }
    result["rss_mb_max"] = round(max(mb for _, rss in samples for mb in rss.values() if mb), 1)
    log = (folder / "gunicorn.log").read_text()
    result["server_errors_logged"] = log.count("Internal Server Error")
    result["worker_timeouts_logged"] = log.count("WORKER TIMEOUT")
    for key, value in result.items():
        print(f"{key}: {value}")
    print(f"(server folder: {folder})")


if __name__ == "__main__":
    main()
