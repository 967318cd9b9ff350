"""Start a real `moto_server` on 127.0.0.1 (a free port) for endpoint-backend tests.

Readiness is read from the server's own log line (select on its pipe with a deadline), so no
test ever sleeps; after that a thread drains the pipe, so a chatty server never blocks on it.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import subprocess
import sys
import threading
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def moto_server(timeout: float = 30.0):
    port = free_port()
    exe = Path(sys.executable).with_name("moto_server")
    proc = subprocess.Popen([str(exe), "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        await_line(proc, b"Running on", timeout, "moto_server")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


def await_line(proc: subprocess.Popen, marker: bytes, timeout: float, what: str) -> None:
    """Read the process's output until `marker` (RuntimeError with its tail on a deadline or exit),
    then drain the rest in a daemon thread."""
    buf = b""
    while marker not in buf:
        ready, _, _ = select.select([proc.stdout], [], [], timeout)
        if not ready:
            raise RuntimeError(f"{what} did not start within {timeout} s: {buf.decode(errors='replace')[-800:]}")
        chunk = os.read(proc.stdout.fileno(), 4096)
        if not chunk:
            raise RuntimeError(f"{what} exited: {buf.decode(errors='replace')[-800:]}")
        buf += chunk
    fd = proc.stdout.fileno()
    threading.Thread(target=lambda: all(iter(lambda: os.read(fd, 65536), b"")), daemon=True).start()


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
