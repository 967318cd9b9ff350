"""`sim replay` arguments and bad input: exit 2 with file, line and field, and nothing runs."""

from __future__ import annotations

import json

from sim.cli import main
from tests.replay.conftest import DELIVERIES, INCIDENT, event


def test_help_lists_the_options(capsys):
    try:
        main(["replay", "--help"])
    except SystemExit as exc:
        assert exc.code == 0
    out = capsys.readouterr().out
    for option in ("--deliveries", "--seed", "--speed", "--emit", "--json", "--report", "--no-reconcile"):
        assert option in out


def test_a_bad_file_exits_2_naming_file_line_and_field(tmp_path, capsys):
    bad = event(2)
    bad["created"] = "2026-02-17"
    path = tmp_path / "incident.jsonl"
    path.write_text(json.dumps(event(1)) + "\n" + json.dumps(bad) + "\n")
    emitted = tmp_path / "never.yaml"
    assert main(["replay", str(path), "--emit", str(emitted)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:2: created: expected unix seconds" in err
    assert not emitted.exists()


def test_bad_arguments_exit_2(tmp_path, capsys):
    assert main(["replay", str(INCIDENT), "--max-gap", "soon"]) == 2
    assert "--max-gap" in capsys.readouterr().err
    assert main(["replay", str(INCIDENT), "--seed", "-1"]) == 2
    assert main(["replay", str(tmp_path / "missing.json")]) == 2


def test_dry_run_plans_and_emits_without_running(tmp_path, capsys):
    emitted = tmp_path / "incident.yaml"
    assert main(["replay", str(INCIDENT), "--deliveries", str(DELIVERIES), "--dry-run", "--emit", str(emitted)]) == 0
    out = capsys.readouterr().out
    assert "20 events, 40 recorded attempts" in out and "never delivered (2)" in out
    text = emitted.read_text()
    assert text.startswith("# yaml-language-server: $schema=") and "stripe_import:" in text
