"""`--backend`: an unreachable endpoint URL is exit 2 naming it (sim run, sim replay, sim stack
deploy), nothing run or written; `aws` without ambient credentials is exit 2 saying so."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
INCIDENT = ROOT / "scenarios" / "incidents" / "2026-02-17-partial-outage.events.json"


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"  # closed once the block ends


def _sim(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), "HOME": "/nonexistent",
            "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true"}
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300, env={**base, **(env or {})})


@pytest.mark.parametrize("verb", [["run", "scenarios/happy-payment.yaml", "-q"], ["replay", str(INCIDENT), "-q"],
                                  ["stack", "deploy"]])
def test_unreachable_backend_is_exit_2_naming_it(verb, tmp_path):
    url = _closed_port_url()
    extra = ["--json", str(tmp_path / "r.json")] if verb[0] == "run" else []
    out = _sim(*verb, "--backend", url, *extra)
    assert out.returncode == 2, out.stdout + out.stderr
    assert url in out.stderr and "unreachable" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "r.json").exists()


@pytest.mark.parametrize("verb", [["run", "scenarios/happy-payment.yaml", "-q"], ["stack", "deploy"]])
def test_backend_aws_without_credentials_is_exit_2(verb):
    out = _sim(*verb, "--backend", "aws")
    assert out.returncode == 2, out.stdout + out.stderr
    assert "credentials" in out.stderr and "--backend" in out.stderr and "Traceback" not in out.stderr


def test_backend_aws_with_credentials_passes_the_check(monkeypatch):
    from sim.cli.backend_arg import check_backend

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    check_backend("aws")  # no exception: the run would go on to real AWS
    from sim.errors import InputError

    with pytest.raises(InputError, match="--backend"):
        check_backend("ftp://nowhere")
