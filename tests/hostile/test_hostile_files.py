"""Hostile files through the CLI: every file the CLI reads is refused with exit 2 and
`file:line: message` — quickly (alias bombs and deep nesting run in a subprocess under a generous
timeout, so a hang fails the test instead of stalling the suite)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli import main

ROOT = Path(__file__).resolve().parents[2]
PASS_ASL = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}


def alias_bomb() -> str:
    text, prev = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n', "a"
    for name in "bcdefghi":
        text += f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]\n"
        prev = name
    return text


HOSTILE = {
    "bomb.yaml": (alias_bomb().encode(), ":6: invalid YAML: more than", "aliases are expanded"),
    "deep.yaml": (b"name: x\nsteps: " + b"[" * 5000 + b"]" * 5000 + b"\n", ":2: invalid YAML: nested deeper", "levels"),
    "deep.json": (b"\n" + b"[" * 5000 + b"]" * 5000, ":2: ", "nested deeper than 100 levels"),
    "nul.yaml": (b"name: x\nsteps: []\x00\n", ":2: a NUL byte", ""),
    "utf16.yaml": ("name: x\nsteps: []\n".encode("utf-16"), ":1: the file is UTF-16", ""),
    "utf16nobom.json": ('{"a": 1}\n'.encode("utf-16-le"), ":1: the file looks like UTF-16", ""),
    "latin1.yaml": (b"name: x\nsteps: [caf\xe9]\n", ":2: invalid UTF-8: byte 0xe9 at column 12", ""),
}


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True, timeout=120,
                          env=env, cwd=ROOT)


def _write(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(HOSTILE[name][0])
    return path


def _argv(verb: str, bad: Path, tmp_path: Path) -> list[str]:
    asl = tmp_path / "pass.asl.json"
    asl.write_text(json.dumps(PASS_ASL))
    return {"run": ["run", str(bad)],
            "asl-run": ["asl", "run", str(bad)],
            "asl-validate": ["asl", "validate", str(bad)],
            "asl-input": ["asl", "run", str(asl), "--input", f"@{bad}"],
            "asl-mock": ["asl", "run", str(asl), "--mock", str(bad)],
            "replay": ["replay", str(bad), "--dry-run"],
            "replay-deliveries": ["replay", str(asl), "--deliveries", str(bad), "--dry-run"]}[verb]


VERBS = ["run", "asl-run", "asl-validate", "asl-input", "asl-mock", "replay", "replay-deliveries"]


@pytest.mark.parametrize("name", ["bomb.yaml", "deep.yaml", "deep.json"])
@pytest.mark.parametrize("verb", ["run", "asl-mock", "asl-run", "replay"])
def test_bombs_and_deep_nesting_exit_2_quickly(tmp_path, verb, name):
    bad = _write(tmp_path, name)
    done = _cli(*_argv(verb, bad, tmp_path))
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert f"{bad}:" in done.stderr
    if verb in ("run", "asl-mock") or name == "deep.json":  # the YAML readers, and JSON for every verb
        _, where_message, rest = HOSTILE[name]
        assert f"{bad}{where_message}" in done.stderr and rest in done.stderr


@pytest.mark.parametrize("name", ["nul.yaml", "utf16.yaml", "utf16nobom.json", "latin1.yaml"])
@pytest.mark.parametrize("verb", VERBS)
def test_bad_text_exits_2_with_file_and_line(tmp_path, capsys, verb, name):
    bad = _write(tmp_path, name)
    assert main(_argv(verb, bad, tmp_path)) == 2
    err = capsys.readouterr().err
    assert f"{bad}{HOSTILE[name][1]}" in err, err


@pytest.mark.parametrize("body, message", [
    ('{"StateMachines": [1]}', "StateMachines must be an object, got list"),
    ('{"StateMachines": {"M": {"TestCases": {"c": {"A": 5}}}}}', "StateMachines.M.TestCases.c.A must name"),
    ('{"MockedResponses": {"R": {"0": {"Throw": 5}}}}', "MockedResponses.R.0.Throw must be an object"),
    ('["a"', ":2: invalid YAML"),
])
def test_broken_mock_files_exit_2(tmp_path, capsys, body, message):
    asl = tmp_path / "pass.asl.json"
    asl.write_text(json.dumps(PASS_ASL))
    mock = tmp_path / "m.json"
    mock.write_text(body + "\n")
    assert main(["asl", "run", str(asl), "--mock", str(mock)]) == 2
    err = capsys.readouterr().err
    assert f"{mock}" in err and message in err, err


def test_storm_option_errors_name_the_option_and_write_nothing(tmp_path, capsys):
    out = tmp_path / "storm.yaml"
    assert main(["storm", "--reorder-window", "abc", "--emit", str(out)]) == 2
    assert "--reorder-window:" in capsys.readouterr().err
    assert not out.exists()
