"""Mocked task results in the layout of Step Functions Local's MockConfigFile.

    {"StateMachines": {"Checkout": {"TestCases": {"PaymentFlaky": {"ProcessPayment": "FlakyPayment"}}}},
     "MockedResponses": {"FlakyPayment": {
         "0-1": {"Throw": {"Error": "Lambda.ServiceException", "Cause": "down"}},
         "2": {"Return": {"StatusCode": 200, "Payload": {"ok": true}}}}}}

Keys of a mocked response are invocation numbers ("0") or inclusive ranges ("1-3") counted per
state per execution (retries count); past the last key the last response repeats. A Return is
the task's result (for lambda:invoke: the whole envelope, as AWS's mock files do); a Throw fails the
attempt with that Error and Cause. Load from a dict, JSON or YAML text, or a file path.
"""

from __future__ import annotations

import json
import os
from typing import Any

from sim.errors import InputError
from sim.safeinput import load_json, load_yaml, read_text


class MockConfigError(InputError):
    """A mock configuration that does not follow the MockConfigFile layout."""


class MockConfig:
    def __init__(self, data: dict):
        if not isinstance(data, dict):
            raise MockConfigError("a mock configuration must be an object with StateMachines and MockedResponses")
        self.machines: dict = _object(data.get("StateMachines"), "StateMachines")
        for machine, spec in self.machines.items():
            cases = _object(_object(spec, f"StateMachines.{machine}").get("TestCases"),
                            f"StateMachines.{machine}.TestCases")
            for case, mapping in cases.items():
                where = f"StateMachines.{machine}.TestCases.{case}"
                for state, response in _object(mapping, where).items():
                    if not isinstance(response, str):
                        raise MockConfigError(f"{where}.{state} must name a mocked response (a string)")
        self.responses: dict[str, list[tuple[int, int, dict]]] = {}
        for name, steps in _object(data.get("MockedResponses"), "MockedResponses").items():
            if not isinstance(steps, dict):
                raise MockConfigError(f"MockedResponses.{name} must be an object of invocation ranges")
            ranges = []
            for key, resp in steps.items():
                lo, _, hi = str(key).partition("-")
                try:
                    lo_i, hi_i = int(lo), int(hi or lo)
                except ValueError:
                    raise MockConfigError(f"MockedResponses.{name}: '{key}' is not an invocation number or "
                                          "range like '0' or '1-2'") from None
                if not isinstance(resp, dict) or not ({"Return", "Throw"} & set(resp)):
                    raise MockConfigError(f"MockedResponses.{name}.{key} needs Return or Throw")
                throw = resp.get("Throw", {})
                if not isinstance(throw, dict) or not all(isinstance(throw.get(k, ""), str) for k in ("Error", "Cause")):
                    raise MockConfigError(f"MockedResponses.{name}.{key}.Throw must be an object with Error and "
                                          "Cause strings")
                ranges.append((lo_i, hi_i, resp))
            self.responses[name] = sorted(ranges, key=lambda r: r[0])

    @classmethod
    def load(cls, source: Any) -> MockConfig:
        if isinstance(source, MockConfig):
            return source
        if isinstance(source, dict):
            return cls(source)
        text, file = str(source), "<mock configuration>"
        if os.path.exists(text):
            text, file = read_text(text), text
        return cls(parse_text(text, file))

    def test_case(self, machine: str | None, case: str | None) -> MockedCase | None:
        if case is None:
            return None
        candidates = [machine] if machine and machine in self.machines else list(self.machines)
        for m in candidates:
            cases = (self.machines.get(m) or {}).get("TestCases") or {}
            if case in cases:
                return MockedCase(self, cases[case])
        raise MockConfigError(f"no test case '{case}' for state machine '{machine}' in the mock configuration")


def parse_text(text: str, file: str) -> Any:
    """The JSON (or else YAML) value of a mock file's text, read with the safe loaders."""
    try:
        return load_json(text, file)
    except json.JSONDecodeError:
        return load_yaml(text, file)


def _object(value: Any, where: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MockConfigError(f"{where} must be an object, got {type(value).__name__}")
    return value


class MockedCase:
    """The mocks in force for one execution: state name -> mocked response name."""

    def __init__(self, config: MockConfig, mapping: dict[str, str]):
        self.config = config
        self.mapping = mapping

    def response(self, state_name: str, run) -> dict | None:
        name = self.mapping.get(state_name)
        if name is None:
            return None
        ranges = self.config.responses.get(name)
        if not ranges:
            raise MockConfigError(f"mocked response '{name}' is not defined")
        n = run.mock_counts.get(state_name, 0)
        run.mock_counts[state_name] = n + 1
        for lo, hi, resp in ranges:
            if lo <= n <= hi:
                return resp
        return ranges[-1][2]
