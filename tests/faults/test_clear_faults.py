"""`clear_faults` clears every kind of fault, whichever consumer holds it (the bug: Lambda
throttles/errors and mocked tasks used to survive it)."""

from pathlib import Path

from sim.scenario.runner import run_scenario

HERE = Path(__file__).resolve().parent


def test_clear_faults_removes_lambda_throttles_and_task_mocks():
    result = run_scenario(HERE / "clear-faults-every-kind.yaml")
    assert result.status == "passed", [f.__dict__ for f in result.failures]
