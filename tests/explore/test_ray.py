"""`sim explore --ray`: findings on a local Ray instance are those of a local run."""

from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="ray is not installed (pip install '.[cluster]'): --ray is not tested here")

from sim.explore import drivers  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def _start_local_ray(attempts: int = 3) -> None:
    """A one-CPU local Ray instance; Ray gives its raylet a fixed 30 s to start, which a heavily
    loaded machine can miss: retry, then skip saying so (a start failure is not a finding)."""
    for attempt in range(attempts):
        try:
            ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False,
                     runtime_env={"env_vars": {"PYTHONPATH": str(ROOT)}})
            return
        except Exception as exc:  # noqa: BLE001 - Ray raises a bare Exception for this
            ray.shutdown()
            if "timed out during startup" not in str(exc) or attempt == attempts - 1:
                if "timed out during startup" in str(exc):
                    pytest.skip(f"Ray could not start a local node in its 30 s limit: {exc}")
                raise


def test_findings_on_ray_are_those_of_a_local_run():
    kwargs = dict(seed=7, kinds=(), runs=1, jobs=1, shrink=True, shrink_budget=2, mutant="fee-rounding")
    local = drivers.explore(**kwargs)
    _start_local_ray()
    try:
        remote = drivers.explore(ray="auto", **kwargs)
    finally:
        ray.shutdown()
    assert [o.to_dict() | {"wall_s": 0} for o in remote.outcomes] == \
        [o.to_dict() | {"wall_s": 0} for o in local.outcomes]
    assert [f.to_dict() | {"wall_s": 0} for f in remote.findings] == \
        [f.to_dict() | {"wall_s": 0} for f in local.findings]
    assert local.findings and local.findings[0].invariant == "money-adds-up"
