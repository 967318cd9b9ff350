"""Start a real LocalStack (its Python runtime, host mode, no Docker) on 127.0.0.1 for backend tests.

LocalStack 2026.3 needs Python 3.13; its environment is built once from the committed constraints
(`localstack/constraints-py313.txt`) into `build/localstack-venv` and reused while the constraints
are unchanged. Readiness is read from LocalStack's own "Ready." log line (select on its pipe with
a deadline), as `tests/moto_server.py` does for moto, so no test sleeps.

`find_python313()` says where a Python 3.13 is, or None with the reason the tests are skipped.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.moto_server import await_line, free_port, stop

ROOT = Path(__file__).resolve().parents[1]
CONSTRAINTS = ROOT / "localstack" / "constraints-py313.txt"
VENV = ROOT / "build" / "localstack-venv"
# what runs on LocalStack here; DynamoDB and Cognito go to a moto server beside it (docs/backends.md)
SERVICES = "events,sns,sqs,s3,iam,sts,cloudwatch,logs,stepfunctions,lambda"


def find_python313() -> tuple[str | None, str]:
    """(path to a Python 3.13, "") or (None, why not)."""
    candidates = [os.environ.get("LOCALSTACK_PYTHON"), shutil.which("python3.13")]
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    if pyenv.is_dir():
        candidates += [str(p / "bin" / "python") for p in sorted(pyenv.glob("3.13*"))]
    for exe in filter(None, candidates):
        try:
            out = subprocess.run([exe, "-c", "import sys; print(sys.version_info[:2] == (3, 13))"],
                                 capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if out.stdout.strip() == "True":
            return exe, ""
    return None, ("LocalStack 2026.3 needs Python 3.13 and none was found (set LOCALSTACK_PYTHON, or put "
                  "python3.13 on PATH / in pyenv)")


def localstack_python(python313: str) -> Path:
    """The LocalStack environment's interpreter, built from the constraints on first use (a lock
    keeps parallel test workers from building it twice)."""
    VENV.parent.mkdir(parents=True, exist_ok=True)
    stamp = VENV / ".constraints-sha256"
    want = hashlib.sha256(CONSTRAINTS.read_bytes()).hexdigest()
    with open(VENV.parent / "localstack-venv.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (stamp.is_file() and stamp.read_text() == want):
            shutil.rmtree(VENV, ignore_errors=True)
            subprocess.run([python313, "-m", "venv", str(VENV)], check=True)
            built = subprocess.run([str(VENV / "bin" / "python"), "-m", "pip", "install", "--quiet",
                                    "-r", str(CONSTRAINTS)], capture_output=True, text=True)
            if built.returncode:
                raise RuntimeError(f"building {VENV} failed:\n{built.stdout[-2000:]}{built.stderr[-2000:]}")
            stamp.write_text(want)
    return VENV / "bin" / "python"


@contextlib.contextmanager
def localstack_server(python: Path, timeout: float = 90.0):
    """A fresh LocalStack on a free port (its state in a temporary folder); yields its URL."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="localstack-") as root:
        env = {**os.environ, "GATEWAY_LISTEN": f"127.0.0.1:{port}", "SERVICES": SERVICES,
               "EAGER_SERVICE_LOADING": "0", "SKIP_SSL_CERT_DOWNLOAD": "1", "DISABLE_EVENTS": "1",
               "OVERRIDE_IN_DOCKER": "0", "FILESYSTEM_ROOT": root, "PYTHONUNBUFFERED": "1"}
        for name in [k for k in env if k.startswith(("AWS_ENDPOINT_URL", "VIRTUAL_ENV", "PYTHONPATH"))]:
            del env[name]
        proc = subprocess.Popen([str(python), "-m", "localstack.runtime.main"], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, env=env, cwd=root)
        try:
            await_line(proc, b"Ready.", timeout, "LocalStack")
            yield f"http://127.0.0.1:{port}"
        finally:
            stop(proc)
