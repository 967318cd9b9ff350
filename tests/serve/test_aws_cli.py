"""The AWS CLI (`awscli`, a dev dependency) against `sim serve`: list the state machines, start
the booking lifecycle, poll it to SUCCEEDED, read its history."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.serve.workflow_input import MACHINE, booking_input


def aws_cli() -> list[str]:
    exe = Path(sys.executable).with_name("aws")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("aws")
    if not found:
        pytest.fail("the AWS CLI is not installed (pip install -e '.[dev]' installs awscli)")
    return [found]


def cli(served, *args: str) -> dict:
    out = subprocess.run([*aws_cli(), *args, "--output", "json"], env=served.env(), capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout) if out.stdout.strip() else {}


def test_aws_cli_runs_the_booking_lifecycle(served, catalogue):
    machines = cli(served, "stepfunctions", "list-state-machines")["stateMachines"]
    assert len(machines) == 4
    arn = cli(served, "stepfunctions", "start-execution", "--state-machine-arn", MACHINE,
              "--input", booking_input(catalogue, day=6))["executionArn"]
    status = None
    for _ in range(20):
        status = cli(served, "stepfunctions", "describe-execution", "--execution-arn", arn)["status"]
        if status != "RUNNING":
            break
        served.post("/_sim/advance", {"seconds": 60})
    assert status == "SUCCEEDED"
    events = cli(served, "stepfunctions", "get-execution-history", "--execution-arn", arn)["events"]
    assert events[-1]["type"] == "ExecutionSucceeded"
    assert json.loads(events[-1]["executionSucceededEventDetails"]["output"])["payment"]["status"] == "SUCCEEDED"


def test_aws_cli_error_is_the_service_error(served):
    out = subprocess.run([*aws_cli(), "stepfunctions", "describe-execution", "--execution-arn",
                          MACHINE.replace("stateMachine", "execution") + ":nope"], env=served.env(),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode != 0
    assert "ExecutionDoesNotExist" in out.stderr and "Traceback" not in out.stderr


def test_cognito_sign_up_through_the_cli_gives_a_token_graphql_accepts(served):
    pool, client = served.health["userPoolId"], served.health["userPoolClientId"]
    sub = cli(served, "cognito-idp", "sign-up", "--client-id", client, "--username", "cli-user", "--password",
              "Passw0rd!cli", "--user-attributes", "Name=email,Value=cli-user@example.com")["UserSub"]
    cli(served, "cognito-idp", "admin-confirm-sign-up", "--user-pool-id", pool, "--username", "cli-user")
    profiles = {p["id"]: p for p in served.state()["tables"]["UserProfile"]}
    assert profiles[sub]["email"] == "cli-user@example.com"  # post-confirmation-trigger ran
    token = cli(served, "cognito-idp", "initiate-auth", "--client-id", client, "--auth-flow", "USER_PASSWORD_AUTH",
                "--auth-parameters", "USERNAME=cli-user,PASSWORD=Passw0rd!cli")["AuthenticationResult"]["IdToken"]
    status, body = served.post("/graphql", {"query": f'{{ getNotifications(userId: "{sub}") }}'},
                               {"Authorization": token})
    assert status == 200 and "errors" not in body, body
