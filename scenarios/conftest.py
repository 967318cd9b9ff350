"""pytest collects every scenarios/*.yaml as a test item (xdist-friendly: one world per item).

`pytest scenarios/` plays the library; `pytest scenarios/ -n auto` spreads it over processes;
`--sim-seed N` (or SIM_SEED) sets the run seed, as `sim run --seed`. A failure shows the broken
invariants, the unmet expectations and the exact command that replays the scenario.
"""

from __future__ import annotations

import os

import pytest


def pytest_addoption(parser):
    group = parser.getgroup("sim", "marketplace simulation scenarios")
    group.addoption("--sim-seed", type=int, default=None, help="run seed for scenarios (default: SIM_SEED or 1)")
    group.addoption("--sim-backend", default="embedded", help="embedded or an AWS endpoint URL")
    group.addoption("--sim-check-every-step", action="store_true", help="check invariants after every step")


def pytest_collect_file(parent, file_path):
    if file_path.suffix in (".yaml", ".yml") and file_path.parent == parent.config.rootpath / "scenarios":
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    def collect(self):
        from sim.scenario.loader import load_scenario

        # relative to the working directory, so messages and replay commands read scenarios/x.yaml
        scenario = load_scenario(os.path.relpath(self.path))  # a ScenarioError fails collection
        item = ScenarioItem.from_parent(self, name=self.path.stem)
        item.scenario = scenario
        for tag in scenario.tags:
            mark = tag.replace("-", "_")
            self.config.addinivalue_line("markers", f"{mark}: scenarios tagged {tag}")
            item.add_marker(mark)
        yield item


class ScenarioFailed(Exception):
    def __init__(self, result):
        super().__init__(result.name)
        self.result = result


class ScenarioItem(pytest.Item):
    scenario = None

    def runtest(self):
        from sim.scenario.runner import run_scenario

        config = self.config
        seed = config.getoption("--sim-seed")
        if seed is None:
            seed = int(os.environ.get("SIM_SEED", "1"))
        result = run_scenario(self.scenario, run_seed=seed, backend=config.getoption("--sim-backend"),
                              check_every_step=config.getoption("--sim-check-every-step"))
        self.user_properties.append(("trace_hash", result.trace_hash))
        if not result.passed:
            raise ScenarioFailed(result)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ScenarioFailed):
            from sim.report.junit import failure_text

            r = excinfo.value.result
            return f"scenario failed: {r.name} ({r.file})\n" + failure_text(r)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, 0, f"scenario: {self.scenario.name if self.scenario else self.name}"
