"""`sim asl run` and `sim asl validate`."""

from __future__ import annotations

import json

from sim.cli import main


def test_run_prints_output_and_exit_codes(tmp_path, capsys):
    ok = tmp_path / "ok.asl.json"
    ok.write_text(json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Parameters": {"v.$": "$.x"},
                                                               "End": True}}}))
    assert main(["asl", "run", str(ok), "--input", '{"x": 3}']) == 0
    assert json.loads(capsys.readouterr().out) == {"v": 3}
    assert main(["asl", "run", str(ok), "--input", "{}"]) == 1
    assert "States.Runtime" in capsys.readouterr().out
    assert main(["asl", "run", str(ok), "--input", "{bad"]) == 2
    assert main(["asl", "run", str(ok), "--input", '{"x": 1}', "--history"]) == 0
    assert '"type":"ExecutionStarted"' in capsys.readouterr().out


def test_run_with_mock(tmp_path, capsys):
    d = tmp_path / "m.asl.json"
    d.write_text(json.dumps({"StartAt": "Pay", "States": {"Pay": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f"},
        "OutputPath": "$.Payload", "End": True}}}))
    m = tmp_path / "mock.json"
    m.write_text(json.dumps({"StateMachines": {"StateMachine": {"TestCases": {"Ok": {"Pay": "R"}}}},
                             "MockedResponses": {"R": {"0": {"Return": {"Payload": {"paid": True}}}}}}))
    assert main(["asl", "run", str(d), "--mock", str(m)]) == 0
    assert json.loads(capsys.readouterr().out) == {"paid": True}


def test_validate(tmp_path, capsys):
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Z"}}}))
    assert main(["asl", "validate", str(good)]) == 0
    assert main(["asl", "validate", str(good), str(bad)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "/States/A/Next" in err
    assert main(["asl", "validate", str(tmp_path / "missing.json")]) == 2
