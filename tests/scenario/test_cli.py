"""`sim run` exit codes and outputs: 2 for bad input (nothing runs), 0/1 from the scenarios."""

import json

from sim.cli import main

GOOD = """# yaml-language-server: $schema=../sim/scenario/schema.json
name: time passes
tags: [smoke]
world: {customers: 0, providers: 0, services: 0}
steps:
  - note: nothing happens
  - advance: 26h
"""


def test_bad_scenario_exits_2_and_names_the_line(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("advance: 26h", "advance: soon"))
    assert main(["run", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:7: steps[1].advance: expected a duration like 26h" in err


def test_missing_path_and_bad_arguments_exit_2(tmp_path, capsys):
    assert main(["run", str(tmp_path / "nope.yaml")]) == 2
    (tmp_path / "ok.yaml").write_text(GOOD)
    assert main(["run", str(tmp_path), "--backend", "ftp://x"]) == 2
    assert main(["run", str(tmp_path), "--tag", "nothing-has-this"]) == 2
    assert "no scenario has the tag" in capsys.readouterr().err


def test_a_passing_run_writes_every_report(tmp_path):
    (tmp_path / "ok.yaml").write_text(GOOD)
    out = tmp_path / "out"
    code = main(["run", str(tmp_path / "ok.yaml"), "--seed", "3", "-j", "1", "--json", str(out / "r.json"),
                 "--junit", str(out / "j.xml"), "--report", str(out / "md"), "--check-every-step"])
    assert code == 0
    data = json.loads((out / "r.json").read_text())
    assert data["scenarios"][0]["status"] == "passed"
    assert data["scenarios"][0]["sim_time_s"] == 26 * 3600
    assert (out / "md" / "ok.md").exists() and (out / "md" / "README.md").exists()
    assert (out / "j.xml").read_text().count("<testcase") == 1


def test_a_failing_expectation_exits_1(tmp_path, capsys):
    (tmp_path / "f.yaml").write_text(GOOD + "expect:\n  bus: {Booking Confirmed: 1}\n")
    assert main(["run", str(tmp_path / "f.yaml"), "-j", "1"]) == 1
    out = capsys.readouterr().out
    assert "replay" in out and "--seed 1" in out
