"""Drivers and the CLI: the same seed and runs give the same findings whatever -j; the outputs."""

import json
import xml.etree.ElementTree as ET

import pytest

from sim.cli import main
from sim.explore import drivers

# seed 7's run 0 is a short fault-free story (1 booking, paid): `fee-rounding` breaks money-adds-up
SEED = 7


def _key(exploration):
    return [(o.index, o.seed, o.invariant, o.detail, o.steps, o.kinds) for o in exploration.outcomes]


def test_the_same_seed_gives_the_same_runs_and_findings_whatever_jobs():
    one = drivers.explore(seed=SEED, kinds=(), runs=2, jobs=1, shrink=False, mutant="fee-rounding")
    two = drivers.explore(seed=SEED, kinds=(), runs=2, jobs=2, shrink=False, mutant="fee-rounding")
    assert _key(one) == _key(two)
    assert [f.doc for f in one.findings] == [f.doc for f in two.findings]
    assert one.outcomes[0].invariant == "money-adds-up"


def test_time_bounded_search_plays_a_prefix_of_the_same_runs():
    timed = drivers.explore(seed=SEED, kinds=(), time_s=0.001, jobs=1, shrink=False, mutant="fee-rounding")
    counted = drivers.explore(seed=SEED, kinds=(), runs=timed.runs, jobs=1, shrink=False, mutant="fee-rounding")
    assert timed.runs >= 1 and _key(timed) == _key(counted)


def test_cli_writes_the_finding_json_and_junit_and_exits_1(tmp_path, capsys):
    out, js, ju = tmp_path / "found", tmp_path / "x.json", tmp_path / "x.xml"
    code = main(["explore", "--runs", "1", "--seed", str(SEED), "--faults", "none", "--no-shrink", "-j", "1",
                 "--mutant", "fee-rounding", "--out", str(out), "--json", str(js), "--junit", str(ju), "-q"])
    assert code == 1
    report = json.loads(js.read_text())
    assert {"runs", "seed", "violations", "fault_kinds"} <= set(report)
    assert report["runs"] == 1 and report["seed"] == SEED
    (v,) = report["violations"]
    assert set(v) >= {"seed", "invariant", "detail", "scenario", "steps"}
    assert v["invariant"] == "money-adds-up" and v["scenario"].endswith(f"money-adds-up-{v['seed']}.yaml")
    assert (out / f"money-adds-up-{v['seed']}.yaml").exists()
    cases = ET.parse(ju).getroot().findall(".//testcase")
    assert len(cases) == 1 and cases[0].find("failure") is not None
    assert "sim run" in capsys.readouterr().out


def test_cli_exit_0_when_nothing_is_found(tmp_path):
    js = tmp_path / "x.json"
    assert main(["explore", "--runs", "1", "--seed", str(SEED), "--faults", "none", "-j", "1", "-q",
                 "--out", str(tmp_path), "--json", str(js)]) == 0
    assert json.loads(js.read_text())["violations"] == []


@pytest.mark.parametrize("argv,needle", [
    (["--faults", "drop,teleport"], "teleport"),
    (["--runs", "0"], "--runs"),
    (["--time", "soon"], "--time"),
    (["--mutant", "nope"], "nope"),
    (["--runs", "2", "--time", "1m"], "not allowed with"),
])
def test_bad_arguments_exit_2_naming_them(argv, needle, capsys, tmp_path):
    try:
        code = main(["explore", "--out", str(tmp_path), *argv])
    except SystemExit as exc:  # argparse's own errors (exit 2 too)
        code = exc.code
    assert code == 2
    assert needle in capsys.readouterr().err
