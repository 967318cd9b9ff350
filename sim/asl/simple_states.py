"""Pass, Choice, Wait, Succeed and Fail: the states that call nothing outside the execution."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from sim.asl import choice, intrinsics, jsonpath
from sim.asl.errors import StatesError
from sim.asl.failures import DataLimitFailure, QueryFailure, RuntimeFailure, over_data_limit
from sim.asl.jsonata_eval import Evaluator, is_expr
from sim.asl.jsonutil import dumps
from sim.asl.payload import evaluate_intrinsic, missing_path
from sim.asl.staterun import StateFailed, StateRun, next_of
from sim.clock import parse_instant


def do_pass(sr: StateRun):
    spec = sr.state.spec
    if sr.state.jsonata:
        ev = sr.evaluator()
        return _jsonata_exit(sr, ev)
    effective = sr.input_path()
    if "Result" in spec:
        result = spec["Result"]
    else:
        result = sr.parameters(effective)
    assigned = sr.assign_jsonpath(spec.get("Assign"), result)
    output = sr.output_path(sr.result_path(result))
    _check_data_limit(sr, output)
    return sr.exit(output, assigned, next_of(sr.state))


def _jsonata_exit(sr: StateRun, ev: Evaluator):
    """A JSONata Pass/Wait's exit: Assign, then Output (default: the state's input), within the quota."""
    spec = sr.state.spec
    assigned = sr.assign_jsonata(spec.get("Assign"), ev)
    output = ev.value(spec["Output"], "Output") if "Output" in spec else sr.raw_input
    _check_data_limit(sr, output)
    return sr.exit(output, assigned, next_of(sr.state))


def _check_data_limit(sr: StateRun, output: Any) -> None:
    # recorded (LocalStack test_states_errors::test_start_large_input): a Pass whose Result exceeds
    # 256 KiB ends the execution: PassStateEntered then ExecutionFailed, no state prefix in the cause
    if over_data_limit(dumps(output)):
        raise DataLimitFailure(sr.state.name)


def do_succeed(sr: StateRun):
    spec = sr.state.spec
    if sr.state.jsonata:
        output = sr.evaluator().value(spec["Output"], "Output") if "Output" in spec else sr.raw_input
        return sr.exit(output, None, None)
    return sr.exit(sr.output_path(sr.input_path()), None, None)


def do_fail(sr: StateRun):
    spec = sr.state.spec
    if sr.state.jsonata:
        ev = sr.evaluator()
        error = ev.value(spec["Error"], "Error") if "Error" in spec else None
        cause = ev.value(spec["Cause"], "Cause") if "Cause" in spec else None
    else:
        error = _fail_field(sr, spec, "Error")
        cause = _fail_field(sr, spec, "Cause")
    if error is not None and not isinstance(error, str):
        error = dumps(error)
    if cause is not None and not isinstance(cause, str):
        cause = dumps(cause)
    raise StateFailed(error, cause)


def _fail_field(sr: StateRun, spec: dict, field: str) -> Any:
    if field in spec:
        return spec[field]
    path = spec.get(field + "Path")
    if path is None:
        return None

    if intrinsics.is_intrinsic(path):
        return evaluate_intrinsic(path, sr.raw_input, sr.context(), sr.scope.variables, sr.run.rng, sr.raw_input)
    try:
        value = jsonpath.resolve(path, sr.raw_input, sr.context(), sr.scope.variables)
    except jsonpath.PathNotFound as exc:
        raise missing_path(path, exc) from None
    if not isinstance(value, str):
        raise RuntimeFailure(f"The {field}Path '{path}' must point to a string, but was '{dumps(value)}'")
    return value


def do_choice(sr: StateRun):

    spec = sr.state.spec
    rules = spec.get("Choices") or []
    if sr.state.jsonata:
        ev = sr.evaluator()
        for i, rule in enumerate(rules):
            cond = rule.get("Condition")
            ok = ev.value(cond, f"Choices[{i}]/Condition") if is_expr(cond) else cond
            if not isinstance(ok, bool):
                raise QueryFailure(f"{sr.prefix()}The Condition field at Choices[{i}] must evaluate to a boolean, "
                                   f"but was '{dumps(ok)}'", f"Choices[{i}]/Condition")
            if ok:
                assigned = sr.assign_jsonata(rule.get("Assign", spec.get("Assign")), ev,
                                             f"Choices[{i}]/Assign" if "Assign" in rule else "Assign")
                out_tpl = rule["Output"] if "Output" in rule else spec.get("Output")
                output = ev.value(out_tpl, "Output") if out_tpl is not None else sr.raw_input
                return sr.exit(output, assigned, rule.get("Next"))
        return _choice_default(sr, spec, ev)
    effective = sr.input_path()
    ctx = sr.context()
    for rule in rules:
        try:
            ok = choice.evaluate_rule(rule, effective, ctx, sr.scope.variables)
        except jsonpath.PathNotFound as exc:
            path = rule.get("Variable") or (exc.args[0] if exc.args else "?")
            raise RuntimeFailure(f"Invalid path '{path}': The choice state's condition path references an "
                                 f"invalid value.") from None
        except StatesError as exc:
            if exc.error == "States.Runtime":
                raise RuntimeFailure(exc.cause or "") from None
            raise
        if ok:
            assigned = sr.assign_jsonpath(rule.get("Assign"), effective)
            return sr.exit(sr.output_path(effective), assigned, rule.get("Next"))
    return _choice_default(sr, spec, None, effective)


def _choice_default(sr: StateRun, spec: dict, ev: Evaluator | None, effective: Any = None):
    default = spec.get("Default")
    if default is None:
        raise RuntimeFailure("Failed to transition out of the state. The state does not point to a next state.")
    if ev is not None:
        assigned = sr.assign_jsonata(spec.get("Assign"), ev)
        output = ev.value(spec["Output"], "Output") if "Output" in spec else sr.raw_input
        return sr.exit(output, assigned, default)
    assigned = sr.assign_jsonpath(spec.get("Assign"), effective)
    return sr.exit(sr.output_path(effective), assigned, default)


def do_wait(sr: StateRun):

    spec = sr.state.spec
    now = sr.run.clock.now()
    until = now
    if sr.state.jsonata:
        ev = sr.evaluator()
        if "Seconds" in spec:
            secs = ev.value(spec["Seconds"], "Seconds")
            until = now + _seconds(secs, "Seconds", sr)
        elif "Timestamp" in spec:
            until = _timestamp(ev.value(spec["Timestamp"], "Timestamp"), sr, parse_instant, "Timestamp")
        _sleep_until(sr, until)
        return _jsonata_exit(sr, ev)
    effective = sr.input_path()
    if "Seconds" in spec:
        until = now + _seconds(spec["Seconds"], "Seconds", sr)
    elif "SecondsPath" in spec:
        secs = _path_value(sr, spec["SecondsPath"], effective)
        until = now + _seconds(secs, "SecondsPath", sr, spec["SecondsPath"])
    elif "Timestamp" in spec:
        until = _timestamp(spec["Timestamp"], sr, parse_instant, "Timestamp")
    elif "TimestampPath" in spec:
        until = _timestamp(_path_value(sr, spec["TimestampPath"], effective), sr, parse_instant, "TimestampPath",
                           spec["TimestampPath"])
    _sleep_until(sr, until)
    assigned = sr.assign_jsonpath(spec.get("Assign"), effective)
    return sr.exit(sr.output_path(effective), assigned, next_of(sr.state))


def _sleep_until(sr: StateRun, until: datetime) -> None:
    if until > sr.run.clock.now():
        sr.run.scheduler.sleep_until(until)


def _path_value(sr: StateRun, path: str, effective: Any) -> Any:
    try:
        return jsonpath.resolve(path, effective, sr.context(), sr.scope.variables)
    except jsonpath.PathNotFound as exc:
        raise missing_path(path, exc) from None


def _raw(value: Any) -> str:
    return value if isinstance(value, str) else dumps(value)


# ISO-8601 extended offset date-time (Java's ISO_OFFSET_DATE_TIME): the offset is required
_OFFSET_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|z|[+-]\d{2}:\d{2})")


def _seconds(value: Any, field: str, sr: StateRun, path: str | None = None):

    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 or value != int(value):
        if sr.state.jsonata:
            raise QueryFailure(f"{sr.prefix()}The {field} field must evaluate to a non-negative integer, but was "
                               f"'{dumps(value)}'", field)
        if path is not None:
            # LocalStack's wording (its implementation; the TimestampPath sibling below is recorded)
            what = ("references a negative value" if isinstance(value, int | float) and not isinstance(value, bool)
                    and value < 0 and value == int(value) else "cannot be parsed as a long value")
            raise RuntimeFailure(f"The {field} parameter {what}: {path} == {_raw(value)}")
        raise RuntimeFailure(f"The {field} field must be a non-negative integer, but was '{dumps(value)}'")
    return timedelta(seconds=int(value))


def _timestamp(value: Any, sr: StateRun, parse, field: str, path: str | None = None) -> datetime:
    try:
        if not isinstance(value, str) or "T" not in value:
            raise ValueError(value)
        if path is not None and not _OFFSET_DATE_TIME.fullmatch(value):
            # recorded (LocalStack base/test_wait::test_wait_timestamppath): no offset → States.Runtime
            raise RuntimeFailure(f"The {field} parameter does not reference a valid ISO-8601 extended offset "
                                 f"date-time format string: {path} == {_raw(value)}")
        return parse(value)
    except (ValueError, TypeError):
        if sr.state.jsonata:
            raise QueryFailure(f"{sr.prefix()}The {field} field must evaluate to an ISO-8601 timestamp, but was "
                               f"'{dumps(value)}'", field) from None
        raise RuntimeFailure(f"The {field} field '{dumps(value)}' is not a valid ISO-8601 timestamp") from None
