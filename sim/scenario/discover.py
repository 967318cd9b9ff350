"""Find scenario files (a file, or every *.yaml / *.yml under a folder, sorted), load them all, and
filter by tag. Every problem in every file is reported at once (exit status 2); nothing runs."""

from __future__ import annotations

from pathlib import Path

from sim.errors import InputError
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.loader import load_scenario
from sim.scenario.model import Scenario

SUFFIXES = (".yaml", ".yml")


def find(paths: list[str]) -> list[str]:
    out: list[str] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            out += sorted(str(f) for f in p.rglob("*") if f.suffix in SUFFIXES and f.is_file())
        elif p.is_file():
            out.append(str(p))
        else:
            raise InputError("no such file or folder", where=raw)
    seen, unique = set(), []
    for f in out:
        if f not in seen:
            seen.add(f)
            unique.append(f)
    if not unique:
        raise InputError(f"no scenarios (*.yaml) in {', '.join(paths)}")
    return unique


def load_all(files: list[str]) -> list[Scenario]:
    problems: list[Problem] = []
    scenarios = []
    for f in files:
        try:
            scenarios.append(load_scenario(f))
        except ScenarioError as exc:
            problems += exc.problems
    if problems:
        raise ScenarioError(problems)
    return scenarios


def with_tags(scenarios: list[Scenario], tags: list[str] | None) -> list[Scenario]:
    if not tags:
        return scenarios
    chosen = [s for s in scenarios if set(s.tags) & set(tags)]
    if not chosen:
        known = sorted({t for s in scenarios for t in s.tags})
        raise InputError(f"no scenario has the tag {' or '.join(tags)}; tags in use: {', '.join(known)}",
                         field="--tag")
    return chosen
