"""`sim iam check` and the `iam: enforce` scenario key, end to end (in this process: one file, one job)."""

from __future__ import annotations

import json

import yaml

from sim.cli import main
from tests.iam.conftest import COGNITO_EVENT


def scenario(tmp_path, **extra):
    path = tmp_path / "signup.yaml"
    path.write_text(yaml.safe_dump({
        "name": "a user confirms their sign-up", "tags": ["iam"], "seed": 2,
        "world": {"customers": 0, "providers": 0, "services": 0},
        "steps": [{"advance": "1m"}, {"invoke": {"function": "post-confirmation-trigger", "event": COGNITO_EVENT}}],
        **extra}, sort_keys=False))
    return path


def test_check_reports_the_denied_call_with_scenario_and_step(tmp_path, remove_permission, capsys):
    remove_permission("post-confirmation-trigger", "dynamodb:PutItem")
    out = tmp_path / "iam.json"
    path = scenario(tmp_path)
    assert main(["iam", "check", str(path), "--json", str(out), "-j", "1"]) == 1
    report = json.loads(out.read_text())["principals"]
    (denied,) = report["post-confirmation-trigger"]["denied"]
    assert denied["action"] == "dynamodb:PutItem"
    assert denied["resource"] == "arn:aws:dynamodb:us-east-1:123456789012:table/UserProfile"
    assert denied["scenario"] == str(path) and denied["step"] == 1
    printed = capsys.readouterr().out
    assert "DENIED post-confirmation-trigger" in printed and "dynamodb:PutItem" in printed


def test_check_passes_the_stack_as_it_is_and_lists_unused_grants(tmp_path):
    out = tmp_path / "iam.json"
    assert main(["iam", "check", str(scenario(tmp_path)), "--json", str(out), "-j", "1"]) == 0
    p = json.loads(out.read_text())["principals"]["post-confirmation-trigger"]
    assert p["denied"] == []
    assert p["used"]["dynamodb:PutItem"] == ["arn:aws:dynamodb:us-east-1:123456789012:table/UserProfile"]
    assert "dynamodb:DeleteItem" in p["unused"] and "dynamodb:PutItem" not in p["unused"]
    assert {"action": "dynamodb:Query",
            "resource": "arn:aws:dynamodb:us-east-1:123456789012:table/UserProfile/index/*"} in p["unused_grants"]


def test_iam_enforce_in_a_scenario_turns_it_red(tmp_path, remove_permission):
    remove_permission("post-confirmation-trigger", "dynamodb:PutItem")
    path = scenario(tmp_path, iam="enforce")
    assert main(["run", str(path), "-j", "1", "-q"]) == 1
    assert main(["run", str(scenario(tmp_path)), "-j", "1", "-q"]) == 0   # recorded, not enforced


def test_run_enforce_iam_flag(tmp_path, remove_permission):
    remove_permission("post-confirmation-trigger", "dynamodb:PutItem")
    assert main(["run", str(scenario(tmp_path)), "-j", "1", "-q", "--enforce-iam"]) == 1


def test_a_bad_iam_value_is_bad_input(tmp_path, capsys):
    path = scenario(tmp_path, iam="sometimes")
    assert main(["run", str(path), "-j", "1", "-q"]) == 2
    assert "iam" in capsys.readouterr().err
