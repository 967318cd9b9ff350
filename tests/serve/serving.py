"""Start `sim serve` as a subprocess on a free port and wait for it to be ready (its banner, then
GET /_sim/health), with no sleeps: readiness is read from the process's own output."""

from __future__ import annotations

import contextlib
import json
import os
import re
import select
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
START = "2026-03-02T09:00:00Z"


class Served:
    def __init__(self, proc: subprocess.Popen, url: str, output: str):
        self.proc, self.url, self.output = proc, url, output
        self.health = self.get("/_sim/health")

    def env(self) -> dict[str, str]:
        return {**os.environ, "AWS_ENDPOINT_URL": self.url, "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_PAGER": "",
                "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}

    def request(self, method: str, path: str, body=None, headers: dict | None = None) -> tuple[int, dict, bytes]:
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=120) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read()

    def get(self, path: str):
        status, _, body = self.request("GET", path)
        assert status == 200, (status, body[:500])
        return json.loads(body)

    def post(self, path: str, body=None, headers: dict | None = None) -> tuple[int, object]:
        status, _, raw = self.request("POST", path, body, headers)
        return status, json.loads(raw) if raw else None

    def state(self) -> dict:
        return self.get("/_sim/state")

    def user(self, username: str, group: str = "customers") -> dict:
        status, body = self.post("/_sim/users", {"username": username, "group": group})
        assert status == 200, body
        return body


def launch(*args: str, timeout: float = 90.0) -> tuple[subprocess.Popen, str]:
    """Start the server; return (process, banner text). Raises with its output if it exits."""
    cmd = [sys.executable, "-m", "sim", "serve", *args]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    buf = b""
    while b"Ready." not in buf:
        ready, _, _ = select.select([proc.stdout], [], [], timeout)
        if not ready:
            proc.kill()
            raise RuntimeError(f"sim serve did not start within {timeout} s: {buf.decode()[-2000:]}")
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            proc.wait()
            raise RuntimeError(f"sim serve exited with {proc.returncode}: {buf.decode()[-2000:]}")
        buf += chunk
    return proc, buf.decode()


def stop(proc: subprocess.Popen, sig: int = signal.SIGINT) -> tuple[int, str]:
    proc.send_signal(sig)
    try:
        out, _ = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        raise AssertionError(f"sim serve did not stop on {sig!r}: {out.decode()[-2000:]}") from None
    return proc.returncode, out.decode()


@contextlib.contextmanager
def serving(*args: str, sig: int = signal.SIGINT):
    """A running server (port 0: the OS picks free ports); asserts a clean exit 0 afterwards."""
    extra = list(args)
    if "--start" not in extra:
        extra += ["--start", START]
    proc, banner = launch("--port", "0", "--stripe-port", "0", *extra)
    url = re.search(r"on (http://127\.0\.0\.1:\d+)", banner).group(1)
    try:
        yield Served(proc, url, banner)
    finally:
        if proc.poll() is None:
            code, out = stop(proc, sig)
            assert code == 0, f"exit {code}: {out[-2000:]}"
            assert "Traceback" not in out, out[-3000:]
