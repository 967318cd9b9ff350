"""Validate a state machine definition the way CreateStateMachine does, reporting every problem.

`validate(definition)` returns the parsed definition or raises InvalidDefinition whose problems
read like AWS's: "<CODE>: <message> at <location>", e.g.
"MISSING_TRANSITION_TARGET: Missing 'Next' target: B at /States/A/Next". Array positions are
written as AWS does, `/States/C/Choices[0]/Next`. Schema problems come first, then the
transition graph of each (sub)machine.
"""

from __future__ import annotations

import json
from typing import Any

from sim.asl import choice, intrinsics, jsonpath
from sim.asl.errors import InvalidDefinition

__all__ = ["validate", "problems"]

SCHEMA = "SCHEMA_VALIDATION_FAILED"
TARGET = "MISSING_TRANSITION_TARGET"
NO_END = "MISSING_END_STATE"
DUPLICATE = "DUPLICATE_STATE_NAME"
BAD_JSON = "INVALID_JSON_DESCRIPTION"
BAD_JSONATA = "INVALID_JSONATA_EXPRESSION"

MAX_INT = 99_999_999
MAX_STATE_NAME = 80
JSONPATH, JSONATA = "JSONPath", "JSONata"

_COMMON = {"Type", "Comment", "QueryLanguage"}
_FLOW = {"Next", "End"}
STATE_FIELDS: dict[str, set[str]] = {
    "Pass": _COMMON | _FLOW | {"InputPath", "OutputPath", "Parameters", "Result", "ResultPath", "Assign",
                               "Output"},
    "Task": _COMMON | _FLOW | {"Resource", "InputPath", "OutputPath", "Parameters", "ResultSelector",
                               "ResultPath", "Retry", "Catch", "TimeoutSeconds", "TimeoutSecondsPath",
                               "HeartbeatSeconds", "HeartbeatSecondsPath", "Credentials", "Assign",
                               "Arguments", "Output"},
    "Choice": _COMMON | {"Choices", "Default", "InputPath", "OutputPath", "Assign", "Output"},
    "Wait": _COMMON | _FLOW | {"Seconds", "SecondsPath", "Timestamp", "TimestampPath", "InputPath",
                               "OutputPath", "Assign", "Output"},
    "Succeed": _COMMON | {"InputPath", "OutputPath", "Output"},
    "Fail": _COMMON | {"Error", "ErrorPath", "Cause", "CausePath"},
    "Parallel": _COMMON | _FLOW | {"Branches", "InputPath", "OutputPath", "Parameters", "ResultSelector",
                                   "ResultPath", "Retry", "Catch", "Assign", "Arguments", "Output"},
    "Map": _COMMON | _FLOW | {"ItemProcessor", "Iterator", "ItemsPath", "Items", "ItemSelector",
                              "Parameters", "ItemReader", "ItemBatcher", "ResultWriter", "MaxConcurrency",
                              "MaxConcurrencyPath", "ToleratedFailurePercentage",
                              "ToleratedFailurePercentagePath", "ToleratedFailureCount",
                              "ToleratedFailureCountPath", "Label", "InputPath", "OutputPath",
                              "ResultSelector", "ResultPath", "Retry", "Catch", "Assign", "Output"},
}
JSONPATH_ONLY = {"InputPath", "OutputPath", "Parameters", "ResultSelector", "ResultPath", "Result",
                 "ItemsPath", "SecondsPath", "TimestampPath", "TimeoutSecondsPath", "HeartbeatSecondsPath",
                 "ErrorPath", "CausePath", "MaxConcurrencyPath", "ToleratedFailurePercentagePath",
                 "ToleratedFailureCountPath", "Variable"}
JSONATA_ONLY = {"Arguments", "Output", "Items", "Condition"}
TOP_FIELDS = {"Comment", "StartAt", "States", "TimeoutSeconds", "Version", "QueryLanguage"}
SUB_FIELDS = {"Comment", "StartAt", "States"}
RETRY_FIELDS = {"ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds",
                "JitterStrategy", "Comment"}
CATCH_FIELDS = {"ErrorEquals", "Next", "ResultPath", "Comment", "Assign", "Output"}
RULE_FIELDS = {"Variable", "Next", "Comment", "Assign", *choice.OPERATORS, *choice.LOGICAL}
JSONATA_RULE_FIELDS = {"Condition", "Next", "Comment", "Assign", "Output"}


def validate(definition: dict | str | bytes) -> dict:
    """Return the parsed definition, or raise InvalidDefinition listing every problem found."""
    found, doc = _check(definition)
    if found:
        raise InvalidDefinition(found)
    return doc


def problems(definition: dict | str | bytes) -> list[str]:
    """Every problem AWS would report for `definition` (empty when it is valid)."""
    return _check(definition)[0]


def _check(definition: Any) -> tuple[list[str], Any]:
    if isinstance(definition, bytes | bytearray):
        definition = definition.decode("utf-8", errors="replace")
    if isinstance(definition, str):
        try:
            doc = json.loads(definition)
        except json.JSONDecodeError as exc:
            return [f"{BAD_JSON}: Invalid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"], None
        except RecursionError:
            return [f"{BAD_JSON}: Invalid JSON: nesting too deep"], None
    else:
        doc = definition
    v = _Validator()
    try:
        v.top(doc)
    except RecursionError:
        v.schema("", "The definition is nested too deeply")
    return v.schema_problems + v.graph_problems, doc


def _loc(path: str) -> str:
    return path or "/"


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, int):
        return "INTEGER"
    if isinstance(value, float):
        return "NUMBER"
    if isinstance(value, str):
        return "STRING"
    return "ARRAY" if isinstance(value, list) else "OBJECT"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) or (
        isinstance(value, float) and value.is_integer())


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_jsonata(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}") and len(value) >= 4


class _Validator:
    def __init__(self) -> None:
        self.schema_problems: list[str] = []
        self.graph_problems: list[str] = []
        self.top_ql = JSONPATH
        self.seen_names: dict[str, str] = {}

    # ------------------------------------------------------------ reporting

    def schema(self, path: str, message: str, code: str = SCHEMA) -> None:
        self.schema_problems.append(f"{code}: {message} at {_loc(path)}")

    def graph(self, path: str | None, message: str, code: str) -> None:
        self.graph_problems.append(f"{code}: {message} at {path if path is not None else 'null'}")

    def unsupported(self, obj: dict, allowed: set[str], path: str) -> None:
        for key in obj:
            if key not in allowed:
                self.schema(path, f"Field '{key}' is not supported")

    def required(self, obj: dict, names: list[str], path: str) -> None:
        missing = [n for n in names if n not in obj]
        if missing:
            self.schema(path, f"These fields are required: [{', '.join(missing)}]")

    def expect(self, obj: dict, name: str, path: str, kind: str, *, minimum: float | None = None,
               maximum: float | None = None, jsonata: bool = False) -> bool:
        """Type (and range) check of obj[name]; a JSONata `{% %}` string passes when `jsonata`."""
        if name not in obj:
            return False
        value = obj[name]
        where = f"{path}/{name}"
        if jsonata and isinstance(value, str):
            if _is_jsonata(value):
                self.jsonata(value, where)
                return False
        ok = {
            "string": isinstance(value, str),
            "boolean": isinstance(value, bool),
            "integer": _is_int(value),
            "number": _is_number(value),
            "object": isinstance(value, dict),
            "array": isinstance(value, list),
        }[kind]
        if not ok:
            article = "an" if kind[0] in "aeiou" else "a"
            self.schema(where, f"The value for the field '{name}' must be {article} {kind.upper()}")
            return False
        if minimum is not None and value < minimum:
            self.schema(where, f"The value for the field '{name}' must be greater than or equal to "
                               f"{_num(minimum)}")
            return False
        if maximum is not None and value > maximum:
            self.schema(where, f"The value for the field '{name}' must be less than or equal to "
                               f"{_num(maximum)}")
            return False
        return True

    def exclusive(self, obj: dict, names: tuple[str, ...], path: str, *, required: bool = False) -> None:
        present = [n for n in names if n in obj]
        if len(present) > 1:
            self.schema(path, f"Only one of the fields [{', '.join(names)}] can be specified, "
                              f"but found [{', '.join(present)}]")
        elif required and not present:
            self.schema(path, f"Exactly one of the fields [{', '.join(names)}] is required")

    # ------------------------------------------------------------ values

    def jsonata(self, text: str, path: str) -> None:
        body = text[2:-2]
        if not body.strip():
            self.schema(path, "The JSONata expression is empty", BAD_JSONATA)
            return
        try:
            import jsonata as jsonata_lib

            jsonata_lib.Jsonata(body)
        except Exception as exc:  # the library raises its own JException (and occasionally others)
            message = str(exc).split(": ", 1)[-1] if str(exc)[:1] in "ST" and ": " in str(exc)[:7] \
                else str(exc)
            self.schema(path, message or "Invalid JSONata expression", BAD_JSONATA)

    def path_value(self, obj: dict, name: str, path: str, *, reference: bool = False,
                   intrinsic: bool = False, nullable: bool = False, input_only: bool = False) -> None:
        if name not in obj:
            return
        value = obj[name]
        where = f"{path}/{name}"
        if value is None and nullable:
            return
        if not isinstance(value, str):
            self.schema(where, f"The value for the field '{name}' must be a STRING")
            return
        if intrinsic and intrinsics.is_intrinsic(value):
            try:
                intrinsics.parse(value)
            except ValueError as exc:
                self.schema(where, f"The value for the field '{name}' must be a valid JSONPath or a valid "
                                   f"intrinsic function call: {exc}")
            return
        if not value.startswith("$"):
            if reference:
                self.schema(where, "Value is not a Reference Path: Reference path didn't start with '$'")
            else:
                self.schema(where, "Value must be a valid JSONPath.")
            return
        try:
            parsed = jsonpath.parse(value)
        except ValueError:
            self.schema(where, "Value must be a valid JSONPath.")
            return
        if reference and not parsed.is_reference:
            self.schema(where, "Value is not a Reference Path: Reference path contains operators that are "
                               "not supported ('*', '..', '?', ',', ':' or '@')")
        elif input_only and parsed.root != "$":
            self.schema(where, "Value is not a Reference Path: Reference path didn't start with '$'")

    def template(self, value: Any, path: str, name: str) -> None:
        """A JSONPath-mode payload template: every `key.$` must hold a path or an intrinsic call."""
        where = f"{path}/{name}"
        if not isinstance(value, dict):
            self.schema(where, f"The value for the field '{name}' must be an OBJECT")
            return
        self._template_object(value, where)

    def _template_object(self, obj: dict, where: str) -> None:
        for key, value in obj.items():
            if key.endswith(".$"):
                if not self._dynamic_ok(value):
                    self.schema(where, f"The value for the field '{key}' must be a valid JSONPath or a valid "
                                       f"intrinsic function call")
            elif isinstance(value, dict):
                self._template_object(value, f"{where}/{key}")
            elif isinstance(value, list):
                self._template_array(value, f"{where}/{key}")

    def _template_array(self, items: list, where: str) -> None:
        for i, item in enumerate(items):
            if isinstance(item, dict):
                self._template_object(item, f"{where}[{i}]")
            elif isinstance(item, list):
                self._template_array(item, f"{where}[{i}]")

    @staticmethod
    def _dynamic_ok(value: Any) -> bool:
        if not isinstance(value, str):
            return False
        if intrinsics.is_intrinsic(value):
            try:
                intrinsics.parse(value)
            except ValueError:
                return False
            return True
        return jsonpath.is_path(value)

    def jsonata_values(self, value: Any, path: str) -> None:
        """Every `{% %}` string anywhere inside a JSONata-mode value must parse."""
        if isinstance(value, str):
            if _is_jsonata(value):
                self.jsonata(value, path)
        elif isinstance(value, dict):
            for key, item in value.items():
                self.jsonata_values(item, f"{path}/{key}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                self.jsonata_values(item, f"{path}[{i}]")

    def assign(self, state: dict, path: str, ql: str) -> None:
        if "Assign" not in state:
            return
        value = state["Assign"]
        if not isinstance(value, dict):
            self.schema(f"{path}/Assign", "The value for the field 'Assign' must be an OBJECT")
            return
        for key in value:
            name = key[:-2] if key.endswith(".$") and ql == JSONPATH else key
            if not name or not (name[0].isalpha() or name[0] == "_") or not all(
                    c.isalnum() or c == "_" for c in name):
                self.schema(f"{path}/Assign", f"The variable name '{key}' is not valid")
        if ql == JSONPATH:
            self._template_object(value, f"{path}/Assign")
        else:
            self.jsonata_values(value, f"{path}/Assign")

    # ------------------------------------------------------------ machines

    def top(self, doc: Any) -> None:
        if not isinstance(doc, dict):
            self.schema("", f"The state machine definition must be a JSON object, but was {_type_name(doc)}")
            return
        self.unsupported(doc, TOP_FIELDS, "")
        if "QueryLanguage" in doc:
            ql = doc["QueryLanguage"]
            if ql not in (JSONPATH, JSONATA):
                self.schema("/QueryLanguage", "The value for the field 'QueryLanguage' must be one of "
                                              "[JSONPath, JSONata]")
            self.top_ql = JSONPATH if ql == JSONPATH else JSONATA
        self.expect(doc, "Comment", "", "string")
        self.expect(doc, "Version", "", "string")
        self.expect(doc, "TimeoutSeconds", "", "integer", minimum=1, maximum=MAX_INT)
        self.machine(doc, "")

    def machine(self, doc: dict, path: str) -> None:
        """StartAt + States of a (sub)machine, then its transition graph."""
        self.required(doc, ["StartAt", "States"], path)
        start_ok = self.expect(doc, "StartAt", path, "string")
        states = doc.get("States")
        if "States" in doc and not isinstance(states, dict):
            self.schema(f"{path}/States", "The value for the field 'States' must be an OBJECT")
            return
        if not isinstance(states, dict):
            return
        if not states:
            self.schema(f"{path}/States", "The field 'States' must contain at least one state")
        for name, state in states.items():
            spath = f"{path}/States/{name}"
            if name in self.seen_names:
                self.schema(spath, f"Duplicate State name: {name}", DUPLICATE)
            self.seen_names.setdefault(name, spath)
            if len(name) > MAX_STATE_NAME or not name:
                self.schema(spath, f"State names must be between 1 and {MAX_STATE_NAME} characters long")
            self.state(state, spath)
        self.transitions(doc, states, path, start_ok)

    def transitions(self, doc: dict, states: dict, path: str, start_ok: bool) -> None:
        edges: dict[str, list[str]] = {}
        for name, state in states.items():
            spath = f"{path}/States/{name}"
            targets: list[tuple[str, Any]] = []
            if not isinstance(state, dict):
                continue
            if "Next" in state:
                targets.append((f"{spath}/Next", state["Next"]))
            if state.get("Type") == "Choice":
                if "Default" in state:
                    targets.append((f"{spath}/Default", state["Default"]))
                rules = state.get("Choices")
                if isinstance(rules, list):
                    for i, rule in enumerate(rules):
                        if isinstance(rule, dict) and "Next" in rule:
                            targets.append((f"{spath}/Choices[{i}]/Next", rule["Next"]))
            catchers = state.get("Catch")
            if isinstance(catchers, list):
                for i, catcher in enumerate(catchers):
                    if isinstance(catcher, dict) and "Next" in catcher:
                        targets.append((f"{spath}/Catch[{i}]/Next", catcher["Next"]))
            edges[name] = []
            for where, target in targets:
                if not isinstance(target, str):
                    continue
                if target in states:
                    edges[name].append(target)
                else:
                    self.graph(where, f"Missing 'Next' target: {target}", TARGET)
        start = doc.get("StartAt")
        if start_ok and start not in states:
            self.graph(f"{path}/StartAt", f"Missing 'Next' target: {start}", TARGET)
        terminal = any(
            isinstance(s, dict) and (s.get("Type") in ("Succeed", "Fail") or s.get("End") is True)
            for s in states.values()
        )
        if not terminal:
            self.graph(path or None, "Workflow has no terminal state", NO_END)
            return
        if not (start_ok and start in states):
            return
        reached = {start}
        todo = [start]
        while todo:
            for nxt in edges.get(todo.pop(), []):
                if nxt not in reached:
                    reached.add(nxt)
                    todo.append(nxt)
        for name in states:
            if name not in reached:
                self.graph(f"{path}/States/{name}", f'State "{name}" is not reachable.', TARGET)

    # ------------------------------------------------------------ states

    def state(self, state: Any, path: str) -> None:
        if not isinstance(state, dict):
            self.schema(path, f"The value for the state must be an OBJECT, but was {_type_name(state)}")
            return
        if "Type" not in state:
            self.required(state, ["Type"], path)
            return
        kind = state["Type"]
        if kind not in STATE_FIELDS:
            self.schema(f"{path}/Type", f"The value for the field 'Type' must be one of "
                                        f"[{', '.join(STATE_FIELDS)}], but was {json.dumps(kind)}")
            return
        ql = self.state_language(state, path)
        self.unsupported(state, STATE_FIELDS[kind], path)
        for key in state:
            if key in STATE_FIELDS[kind]:
                if ql == JSONATA and key in JSONPATH_ONLY:
                    self.schema(path, f"The QueryLanguage is set to 'JSONata', but field '{key}' is only "
                                      f"supported for the 'JSONPath' QueryLanguage")
                elif ql == JSONPATH and key in JSONATA_ONLY:
                    self.schema(path, f"The QueryLanguage is set to 'JSONPath', but field '{key}' is only "
                                      f"supported for the 'JSONata' QueryLanguage")
        self.expect(state, "Comment", path, "string")
        if kind not in ("Choice", "Succeed", "Fail"):
            self.flow(state, path)
        self.io(state, path, ql)
        self.assign(state, path, ql)
        getattr(self, f"state_{kind.lower()}")(state, path, ql)

    def state_language(self, state: dict, path: str) -> str:
        if "QueryLanguage" not in state:
            return self.top_ql
        ql = state["QueryLanguage"]
        if ql not in (JSONPATH, JSONATA):
            self.schema(f"{path}/QueryLanguage", "The value for the field 'QueryLanguage' must be one of "
                                                 "[JSONPath, JSONata]")
        if ql == JSONPATH and self.top_ql == JSONATA:
            self.schema(path, "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine")
        return JSONPATH if ql == JSONPATH else JSONATA

    def flow(self, state: dict, path: str) -> None:
        has_next, end = "Next" in state, state.get("End")
        self.expect(state, "Next", path, "string")
        self.expect(state, "End", path, "boolean")
        if has_next and end is True:
            self.schema(path, "Only one of the fields [Next, End] can be specified")
        elif not has_next and end is not True:
            self.schema(path, "These fields are required: [Next]" if "End" not in state
                        else "The field 'End' must be true when 'Next' is not specified")

    def io(self, state: dict, path: str, ql: str) -> None:
        if ql == JSONATA:
            for name in ("Output", "Arguments"):
                if name in state:
                    if name == "Arguments" and not (isinstance(state[name], dict) or _is_jsonata(state[name])):
                        self.schema(f"{path}/{name}", "The value for the field 'Arguments' must be an OBJECT "
                                                      "or a JSONata expression")
                    self.jsonata_values(state[name], f"{path}/{name}")
            return
        self.path_value(state, "InputPath", path, nullable=True)
        self.path_value(state, "OutputPath", path, nullable=True)
        self.path_value(state, "ResultPath", path, reference=True, nullable=True, input_only=True)
        for name in ("Parameters", "ResultSelector"):
            if name in state:
                self.template(state[name], path, name)

    def retry_catch(self, state: dict, path: str, ql: str) -> None:
        for field, allowed in (("Retry", RETRY_FIELDS), ("Catch", CATCH_FIELDS)):
            if field not in state:
                continue
            items = state[field]
            if not isinstance(items, list):
                self.schema(f"{path}/{field}", f"The value for the field '{field}' must be an ARRAY")
                continue
            for i, item in enumerate(items):
                ipath = f"{path}/{field}[{i}]"
                if not isinstance(item, dict):
                    self.schema(ipath, "The value must be an OBJECT")
                    continue
                self.unsupported(item, allowed, ipath)
                self.required(item, ["ErrorEquals", "Next"] if field == "Catch" else ["ErrorEquals"], ipath)
                self.error_equals(item, ipath, last=i == len(items) - 1, field=field)
                if field == "Retry":
                    self.expect(item, "IntervalSeconds", ipath, "integer", minimum=1, maximum=MAX_INT)
                    self.expect(item, "MaxAttempts", ipath, "integer", minimum=0, maximum=MAX_INT)
                    self.expect(item, "BackoffRate", ipath, "number", minimum=1.0)
                    self.expect(item, "MaxDelaySeconds", ipath, "integer", minimum=1, maximum=31_622_400)
                    if "JitterStrategy" in item and item["JitterStrategy"] not in ("FULL", "NONE"):
                        self.schema(f"{ipath}/JitterStrategy", "The value for the field 'JitterStrategy' must "
                                                               "be one of [FULL, NONE]")
                    self.expect(item, "Comment", ipath, "string")
                else:
                    self.expect(item, "Next", ipath, "string")
                    self.expect(item, "Comment", ipath, "string")
                    if ql == JSONPATH:
                        if "Output" in item:
                            self.schema(ipath, "The QueryLanguage is set to 'JSONPath', but field 'Output' is "
                                               "only supported for the 'JSONata' QueryLanguage")
                        self.path_value(item, "ResultPath", ipath, reference=True, nullable=True,
                                        input_only=True)
                    else:
                        if "ResultPath" in item:
                            self.schema(ipath, "The QueryLanguage is set to 'JSONata', but field 'ResultPath' "
                                               "is only supported for the 'JSONPath' QueryLanguage")
                        if "Output" in item:
                            self.jsonata_values(item["Output"], f"{ipath}/Output")
                    self.assign(item, ipath, ql)

    def error_equals(self, item: dict, path: str, *, last: bool, field: str) -> None:
        if "ErrorEquals" not in item:
            return
        errors = item["ErrorEquals"]
        where = f"{path}/ErrorEquals"
        if not isinstance(errors, list) or not errors:
            self.schema(where, "The value for the field 'ErrorEquals' must be a non-empty ARRAY")
            return
        if not all(isinstance(e, str) for e in errors):
            self.schema(where, "The value for the field 'ErrorEquals' must be an ARRAY of STRING")
            return
        if "States.ALL" in errors:
            if len(errors) > 1:
                self.schema(where, "States.ALL must appear alone in ErrorEquals")
            if not last:
                kind = "Retrier" if field == "Retry" else "Catcher"
                self.schema(path, f"A {kind} with States.ALL in ErrorEquals must be the last one")

    # ------------------------------------------------------------ each state type

    def state_pass(self, state: dict, path: str, ql: str) -> None:
        pass

    def state_succeed(self, state: dict, path: str, ql: str) -> None:
        pass

    def state_task(self, state: dict, path: str, ql: str) -> None:
        self.required(state, ["Resource"], path)
        self.expect(state, "Resource", path, "string")
        jn = ql == JSONATA
        self.exclusive(state, ("TimeoutSeconds", "TimeoutSecondsPath"), path)
        self.exclusive(state, ("HeartbeatSeconds", "HeartbeatSecondsPath"), path)
        t_ok = self.expect(state, "TimeoutSeconds", path, "integer", minimum=1, maximum=MAX_INT, jsonata=jn)
        h_ok = self.expect(state, "HeartbeatSeconds", path, "integer", minimum=1, maximum=MAX_INT, jsonata=jn)
        if t_ok and h_ok and state["HeartbeatSeconds"] >= state["TimeoutSeconds"]:
            self.schema(f"{path}/HeartbeatSeconds", "The value for the field 'HeartbeatSeconds' must be smaller "
                                                    "than the value for the field 'TimeoutSeconds'")
        self.path_value(state, "TimeoutSecondsPath", path, reference=True)
        self.path_value(state, "HeartbeatSecondsPath", path, reference=True)
        if "Credentials" in state:
            if ql == JSONPATH:
                self.template(state["Credentials"], path, "Credentials")
            else:
                self.jsonata_values(state["Credentials"], f"{path}/Credentials")
        self.retry_catch(state, path, ql)

    def state_wait(self, state: dict, path: str, ql: str) -> None:
        self.exclusive(state, ("Seconds", "SecondsPath", "Timestamp", "TimestampPath"), path, required=True)
        self.expect(state, "Seconds", path, "integer", minimum=0, maximum=MAX_INT, jsonata=ql == JSONATA)
        if "Timestamp" in state:
            value = state["Timestamp"]
            if ql == JSONATA and _is_jsonata(value):
                self.jsonata(value, f"{path}/Timestamp")
            elif choice.parse_timestamp(value) is None:
                self.schema(f"{path}/Timestamp", "The value for the field 'Timestamp' must be a valid "
                                                 "RFC3339 timestamp")
        self.path_value(state, "SecondsPath", path, reference=True)
        self.path_value(state, "TimestampPath", path, reference=True)

    def state_fail(self, state: dict, path: str, ql: str) -> None:
        self.exclusive(state, ("Error", "ErrorPath"), path)
        self.exclusive(state, ("Cause", "CausePath"), path)
        for name in ("Error", "Cause"):
            if self.expect(state, name, path, "string") and ql == JSONATA and _is_jsonata(state[name]):
                self.jsonata(state[name], f"{path}/{name}")
        self.path_value(state, "ErrorPath", path, intrinsic=True)
        self.path_value(state, "CausePath", path, intrinsic=True)

    def state_choice(self, state: dict, path: str, ql: str) -> None:
        self.required(state, ["Choices"], path)
        self.expect(state, "Default", path, "string")
        rules = state.get("Choices")
        if "Choices" not in state:
            return
        if not isinstance(rules, list) or not rules:
            self.schema(f"{path}/Choices", "The value for the field 'Choices' must be a non-empty ARRAY")
            return
        for i, rule in enumerate(rules):
            self.rule(rule, f"{path}/Choices[{i}]", ql, top=True)

    def rule(self, rule: Any, path: str, ql: str, *, top: bool) -> None:
        if not isinstance(rule, dict):
            self.schema(path, "A choice rule must be an OBJECT")
            return
        if ql == JSONATA:
            self.unsupported(rule, JSONATA_RULE_FIELDS, path)
            self.required(rule, ["Condition", "Next"], path)
            if "Condition" in rule:
                cond = rule["Condition"]
                if isinstance(cond, bool):
                    pass
                elif _is_jsonata(cond):
                    self.jsonata(cond, f"{path}/Condition")
                else:
                    self.schema(f"{path}/Condition", "The value for the field 'Condition' must be a JSONata "
                                                     "expression or a BOOLEAN")
            self.expect(rule, "Next", path, "string")
            self.assign(rule, path, ql)
            if "Output" in rule:
                self.jsonata_values(rule["Output"], f"{path}/Output")
            return
        allowed = RULE_FIELDS if top else RULE_FIELDS - {"Next", "Assign"}
        self.unsupported(rule, allowed | ({"Condition", "Output"} if top else set()), path)
        for key in ("Condition", "Output"):
            if top and key in rule:
                self.schema(path, f"The QueryLanguage is set to 'JSONPath', but field '{key}' is only "
                                  f"supported for the 'JSONata' QueryLanguage")
        if top:
            self.required(rule, ["Next"], path)
            self.expect(rule, "Next", path, "string")
            self.assign(rule, path, ql)
        ops = [k for k in rule if k in choice.OPERATORS or k in choice.LOGICAL]
        if len(ops) != 1:
            self.schema(path, "A choice rule must contain exactly one comparison operator or one of "
                              f"[And, Or, Not], but found {len(ops)}")
            return
        op = ops[0]
        value = rule[op]
        where = f"{path}/{op}"
        if op in ("And", "Or"):
            if "Variable" in rule:
                self.schema(path, "Field 'Variable' is not supported")
            if not isinstance(value, list) or not value:
                self.schema(where, f"The value for the field '{op}' must be a non-empty ARRAY")
                return
            for i, sub in enumerate(value):
                self.rule(sub, f"{where}[{i}]", ql, top=False)
            return
        if op == "Not":
            if "Variable" in rule:
                self.schema(path, "Field 'Variable' is not supported")
            self.rule(value, where, ql, top=False)
            return
        self.required(rule, ["Variable"], path)
        self.path_value(rule, "Variable", path, reference=True)
        if op in choice.TYPE_TESTS:
            if not isinstance(value, bool):
                self.schema(where, f"The value for the field '{op}' must be a BOOLEAN")
        elif op in choice.PATH_COMPARISONS:
            self.path_value(rule, op, path, reference=True)
        elif op == "StringMatches":
            if not isinstance(value, str):
                self.schema(where, "The value for the field 'StringMatches' must be a STRING")
            elif choice.validate_pattern(value):
                self.schema(where, f"The value for the field 'StringMatches' is not a valid pattern: "
                                   f"{choice.validate_pattern(value)}")
        else:
            family = choice.COMPARISONS[op][0]
            ok = {"String": isinstance(value, str), "Numeric": _is_number(value),
                  "Boolean": isinstance(value, bool),
                  "Timestamp": choice.parse_timestamp(value) is not None}[family]
            if not ok:
                kind = {"String": "a STRING", "Numeric": "a NUMBER", "Boolean": "a BOOLEAN",
                        "Timestamp": "a valid RFC3339 timestamp"}[family]
                self.schema(where, f"The value for the field '{op}' must be {kind}")

    def state_parallel(self, state: dict, path: str, ql: str) -> None:
        self.required(state, ["Branches"], path)
        branches = state.get("Branches")
        if "Branches" in state:
            if not isinstance(branches, list) or not branches:
                self.schema(f"{path}/Branches", "The value for the field 'Branches' must be a non-empty ARRAY")
            else:
                for i, branch in enumerate(branches):
                    self.submachine(branch, f"{path}/Branches[{i}]", SUB_FIELDS)
        self.retry_catch(state, path, ql)

    def submachine(self, doc: Any, path: str, allowed: set[str]) -> None:
        if not isinstance(doc, dict):
            self.schema(path, "The value must be an OBJECT")
            return
        self.unsupported(doc, allowed, path)
        self.expect(doc, "Comment", path, "string")
        self.machine(doc, path)

    def state_map(self, state: dict, path: str, ql: str) -> None:
        jn = ql == JSONATA
        present = [n for n in ("ItemProcessor", "Iterator") if n in state]
        if not present:
            self.schema(path, "These fields are required: [ItemProcessor]")
        elif len(present) > 1:
            self.schema(path, "Only one of the fields [ItemProcessor, Iterator] can be specified")
        for name in present:
            proc = state[name]
            self.submachine(proc, f"{path}/{name}", SUB_FIELDS | {"ProcessorConfig"})
            if isinstance(proc, dict) and "ProcessorConfig" in proc:
                self.processor_config(proc["ProcessorConfig"], f"{path}/{name}/ProcessorConfig")
        if "Parameters" in state and "ItemSelector" in state:
            self.schema(path, "Only one of the fields [ItemSelector, Parameters] can be specified")
        if "ItemSelector" in state:
            if jn:
                self.jsonata_values(state["ItemSelector"], f"{path}/ItemSelector")
            else:
                self.template(state["ItemSelector"], path, "ItemSelector")
        self.path_value(state, "ItemsPath", path, reference=True)
        if "Items" in state and jn:
            items = state["Items"]
            if _is_jsonata(items):
                self.jsonata(items, f"{path}/Items")
            elif isinstance(items, list):
                self.jsonata_values(items, f"{path}/Items")
            else:
                self.schema(f"{path}/Items", "The value for the field 'Items' must be an ARRAY or a JSONata "
                                             "expression")
        for plain, dynamic in (("MaxConcurrency", "MaxConcurrencyPath"),
                               ("ToleratedFailurePercentage", "ToleratedFailurePercentagePath"),
                               ("ToleratedFailureCount", "ToleratedFailureCountPath")):
            self.exclusive(state, (plain, dynamic), path)
            self.path_value(state, dynamic, path, reference=True)
        self.expect(state, "MaxConcurrency", path, "integer", minimum=0, maximum=MAX_INT, jsonata=jn)
        self.expect(state, "ToleratedFailurePercentage", path, "number", minimum=0, maximum=100, jsonata=jn)
        self.expect(state, "ToleratedFailureCount", path, "integer", minimum=0, maximum=MAX_INT, jsonata=jn)
        if self.expect(state, "Label", path, "string") and len(state["Label"]) > 40:
            self.schema(f"{path}/Label", "The value for the field 'Label' must be at most 40 characters long")
        self.reader_writer(state, path, ql)
        self.retry_catch(state, path, ql)

    def processor_config(self, config: Any, path: str) -> None:
        if not isinstance(config, dict):
            self.schema(path, "The value for the field 'ProcessorConfig' must be an OBJECT")
            return
        self.unsupported(config, {"Mode", "ExecutionType"}, path)
        if "Mode" in config and config["Mode"] not in ("INLINE", "DISTRIBUTED"):
            self.schema(f"{path}/Mode", "The value for the field 'Mode' must be one of [INLINE, DISTRIBUTED]")
        if "ExecutionType" in config and config["ExecutionType"] not in ("STANDARD", "EXPRESS"):
            self.schema(f"{path}/ExecutionType", "The value for the field 'ExecutionType' must be one of "
                                                 "[STANDARD, EXPRESS]")
        if config.get("Mode") == "DISTRIBUTED" and "ExecutionType" not in config:
            self.required(config, ["ExecutionType"], path)

    def reader_writer(self, state: dict, path: str, ql: str) -> None:
        specs = {
            "ItemReader": ({"Resource", "ReaderConfig", "Parameters", "Arguments"}, ["Resource"]),
            "ResultWriter": ({"Resource", "Parameters", "Arguments", "WriterConfig"}, []),
            "ItemBatcher": ({"MaxItemsPerBatch", "MaxItemsPerBatchPath", "MaxInputBytesPerBatch",
                             "MaxInputBytesPerBatchPath", "BatchInput"}, []),
        }
        for name, (allowed, required) in specs.items():
            if name not in state:
                continue
            obj = state[name]
            where = f"{path}/{name}"
            if not isinstance(obj, dict):
                self.schema(where, f"The value for the field '{name}' must be an OBJECT")
                continue
            self.unsupported(obj, allowed, where)
            self.required(obj, required, where)
            self.expect(obj, "Resource", where, "string")
            for tpl in ("Parameters", "BatchInput"):
                if tpl in obj:
                    if ql == JSONPATH:
                        self.template(obj[tpl], where, tpl)
                    else:
                        self.jsonata_values(obj[tpl], f"{where}/{tpl}")
            if "Arguments" in obj:
                self.jsonata_values(obj["Arguments"], f"{where}/Arguments")
            for plain in ("MaxItemsPerBatch", "MaxInputBytesPerBatch"):
                self.exclusive(obj, (plain, plain + "Path"), where)
                self.expect(obj, plain, where, "integer", minimum=1, jsonata=ql == JSONATA)
                self.path_value(obj, plain + "Path", where, reference=True)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
