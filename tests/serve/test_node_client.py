"""A Node.js client (the marketplace's own runtime): @aws-sdk/client-sfn from the committed
package.json + package-lock.json (npm ci, node_modules cached under build/serve-node), and a
GraphQL fetch creating a booking with a user-pool token."""

from __future__ import annotations

import fcntl
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.serve.serving import ROOT
from tests.serve.workflow_input import booking_input

SOURCE = Path(__file__).with_name("node")
BUILD = ROOT / "build" / "serve-node"


def node_project() -> Path:
    """build/serve-node with node_modules installed from the lockfile (reinstalled when it changes)."""
    if not shutil.which("node") or not shutil.which("npm"):
        pytest.fail("node and npm are required for the Node.js client test")
    BUILD.mkdir(parents=True, exist_ok=True)
    with open(BUILD / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel workers install once
        digest = hashlib.sha256((SOURCE / "package-lock.json").read_bytes()).hexdigest()
        stamp = BUILD / ".installed"
        for name in ("package.json", "package-lock.json", "client.mjs"):
            shutil.copyfile(SOURCE / name, BUILD / name)
        if not (stamp.exists() and stamp.read_text() == digest and (BUILD / "node_modules").is_dir()):
            out = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=BUILD, capture_output=True,
                                 text=True, timeout=600)
            assert out.returncode == 0, out.stderr[-3000:]
            stamp.write_text(digest)
    return BUILD


def test_node_sdk_and_graphql_fetch(served, catalogue):
    project = node_project()
    user = served.user("node-customer")
    service = catalogue["services"][1]
    env = {**served.env(), "SIM_URL": served.url, "SIM_INPUT": booking_input(catalogue, day=16),
           "SIM_TOKEN": user["idToken"],
           "SIM_VARIABLES": json.dumps({"s": service["id"], "st": "2026-03-17T10:00:00.000Z",
                                        "en": "2026-03-17T11:00:00.000Z"})}
    out = subprocess.run(["node", "client.mjs"], cwd=project, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert len(result["machines"]) == 4
    assert result["status"] == "SUCCEEDED" and result["lastEvent"] == "ExecutionSucceeded"
    assert result["startDateIsDate"] is True  # epoch-seconds timestamps parse as Dates in the JS SDK
    assert result["missing"] == "ExecutionDoesNotExist"
    assert result["graphqlStatus"] == 200 and result["errors"] is None
    assert result["booking"]["customerId"] == user["sub"] and result["booking"]["status"] == "confirmed"
    arns = [e["executionArn"] for e in served.state()["executions"]]
    assert result["executionArn"] in arns
