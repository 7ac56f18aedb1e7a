"""A real redis-server of a test's own, on a free port, writing nothing to disk."""

import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

needs_redis_server = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="needs redis-server"
)


@contextmanager
def redis_server(*options: str) -> Iterator[tuple[subprocess.Popen, int]]:
    """Start ``redis-server`` with ``options`` (config directives as arguments);
    yield the process and its port; kill it after."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1"]
    command += ["--save", "", "--appendonly", "no", *options]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.02)
        yield process, port
    finally:
        process.send_signal(signal.SIGCONT)
        process.kill()
        process.wait()
