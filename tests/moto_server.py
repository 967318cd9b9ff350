"""Start a real `moto_server` on 127.0.0.1 (a free port) for endpoint-backend tests.

Readiness is read from the server's own log line (select on its pipe with a deadline), so no
test ever sleeps.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import subprocess
import sys
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
        buf = b""
        while b"Running on" not in buf:
            ready, _, _ = select.select([proc.stdout], [], [], timeout)
            if not ready:
                raise RuntimeError(f"moto_server did not start within {timeout} s: {buf.decode()[-500:]}")
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                raise RuntimeError(f"moto_server exited: {buf.decode()[-500:]}")
            buf += chunk
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
