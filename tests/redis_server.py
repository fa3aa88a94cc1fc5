"""A private redis-server for fault tests: started on a free port, stopped and frozen at will.

The Redis on 127.0.0.1:6379 is shared and must never be stopped or frozen; tests that take Redis
away start their own with this class (no persistence, nothing written to disk).
"""

import shutil
import signal
import socket
import subprocess
import time

import pytest


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    def __init__(self, port=None):
        self.port = port or free_port()
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout=10):
        binary = shutil.which("redis-server")
        if binary is None:  # fail, not skip: the fault tests must not pass by not running
            pytest.fail("redis-server is not installed (apt-get install redis-server)")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--daemonize", "no"]
            + ["--save", "", "--appendonly", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.ping():
                    return self
            except Exception:  # noqa: BLE001 - not up yet
                pass
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self):
        """Stop it for good (a crash, or an operator's restart)."""
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)  # a frozen server cannot exit
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def freeze(self):
        """SIGSTOP: connections are accepted by the kernel, nothing ever answers."""
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self):
        self.process.send_signal(signal.SIGCONT)

    def client(self):
        import redis  # the `redis` extra
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        return redis.Redis(
            port=self.port,
            socket_timeout=2,
            socket_connect_timeout=2,
            retry=Retry(NoBackoff(), 0),  # its default retries for up to 10 s
        )

    def ping(self):
        client = self.client()
        try:
            return client.ping()
        finally:
            client.close()

    def dbsize(self):
        client = self.client()
        try:
            return client.dbsize()
        finally:
            client.close()

    def used_memory(self):
        client = self.client()
        try:
            return int(client.info("memory")["used_memory"])
        finally:
            client.close()
