"""Response headers that Django has no setting for, on pages and on static files alike.

Django's SecurityMiddleware sets nosniff, Referrer-Policy, Cross-Origin-Opener-Policy and HSTS;
XFrameOptionsMiddleware sets X-Frame-Options; django-csp sets the Content-Security-Policy. This
module adds Cross-Origin-Resource-Policy and Permissions-Policy to every response, and gives
WhiteNoise a function that puts the same headers on the static files it serves by itself.

It also holds two rules that settings need before any app loads: files with secrets under var/
are created private (``private_file``, ``private_dir``), and probes logged by django.security
(a foreign Host header, a path escaping its folder) become one rate-limited WARNING line each
(``ProbeLogFilter``).

It imports no models: settings import from here.
"""

import logging
import os
import threading
import time
from pathlib import Path

#: Browser features the site never uses, switched off for it and for anything it embeds.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)

#: The JSON API is meant to be read by other sites' pages, so its resources may be embedded.
CROSS_ORIGIN_PREFIXES = ("/api/",)


def cross_origin_resource_policy(path):
    return "cross-origin" if path.startswith(CROSS_ORIGIN_PREFIXES) else "same-origin"


class SecurityHeadersMiddleware:
    """Add Cross-Origin-Resource-Policy and Permissions-Policy unless a view set its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault(
            "Cross-Origin-Resource-Policy", cross_origin_resource_policy(request.path)
        )
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


def add_static_headers(headers, path, url):
    """WhiteNoise's WHITENOISE_ADD_HEADERS_FUNCTION: static files are never sniffed or embedded
    by other sites."""
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"


# --- Private files -------------------------------------------------------------------------
PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


def private_file(path, *, create=True):
    """Create `path` empty and 0600 if it does not exist (with `create`); tighten it to 0600 if
    it does.

    For the SQLite database: SQLite creates its -wal and -shm files with the database's mode.
    Anything that cannot be done (":memory:", a missing folder, someone else's file) is left for
    the program that opens the file to report.
    """
    path = Path(path)
    if str(path) in ("", ":memory:") or str(path).startswith("file:"):
        return
    try:
        if not create:
            raise FileExistsError
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))
    except FileExistsError:
        try:
            if path.stat().st_mode & 0o077:
                path.chmod(PRIVATE_FILE_MODE)
        except OSError:
            pass
    except OSError:
        pass


def open_private(path, mode="wb"):
    """open() for writing a new file that only its owner can read (a backup, say)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    os.fchmod(descriptor, PRIVATE_FILE_MODE)  # an existing file keeps its mode otherwise
    return os.fdopen(descriptor, mode)


def private_dir(path):
    """mkdir -p `path` with its last level 0700 (an existing one is tightened); return it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(PRIVATE_DIR_MODE)
    return path


# --- Probes in the log ---------------------------------------------------------------------
class ProbeLogFilter(logging.Filter):
    """django.security records as one WARNING line without traceback, `burst` per `interval`.

    A foreign Host header or a traversal attempt is a visitor's probe answered with a 400, not an
    error of ours: Django logs each at ERROR with a full traceback, so a scanner could fill the
    disk. Per logger (one per kind of probe), the first `burst` records in an `interval` pass;
    the rest are counted, and the next record that passes says how many were left out.
    """

    def __init__(self, burst=5, interval=60.0):
        super().__init__()
        self.burst = burst
        self.interval = interval
        self._lock = threading.Lock()
        self._windows = {}  # logger name -> [window start, passed, suppressed]

    def filter(self, record):
        now = time.monotonic()
        with self._lock:
            window = self._windows.setdefault(record.name, [now, 0, 0])
            if now - window[0] >= self.interval:
                window[0], window[1] = now, 0
            if window[1] >= self.burst:
                window[2] += 1
                return False
            window[1] += 1
            suppressed, window[2] = window[2], 0
        if record.levelno > logging.WARNING:
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info = record.exc_text = record.stack_info = None
        if suppressed:
            record.msg = f"{record.getMessage()} ({suppressed} more like it not logged)"
            record.args = ()
        return True
