"""A definition compiled once: states looked up by name, sub-graphs (Parallel branches, Map item
processors) prepared, query language resolved per state. Cached by definition text."""

from __future__ import annotations

import json
from typing import Any

from sim.asl.errors import InvalidDefinition
from sim.asl.validate import validate as validate_definition


class State:
    __slots__ = ("name", "type", "spec", "jsonata", "next", "end", "branches", "processor", "distributed")

    def __init__(self, name: str, spec: dict, jsonata: bool):
        self.name = name
        self.type = spec.get("Type")
        self.spec = spec
        self.jsonata = jsonata
        self.next = spec.get("Next")
        self.end = bool(spec.get("End"))
        self.branches: list[Graph] = []
        self.processor: Graph | None = None
        self.distributed = False
        if self.type == "Parallel":
            self.branches = [Graph(b, jsonata) for b in spec.get("Branches", [])]
        elif self.type == "Map":
            proc = spec.get("ItemProcessor") or spec.get("Iterator") or {}
            self.processor = Graph(proc, jsonata)
            mode = (proc.get("ProcessorConfig") or {}).get("Mode", "INLINE")
            self.distributed = mode == "DISTRIBUTED"


class Graph:
    """StartAt + States (the top level, a branch or an item processor)."""

    __slots__ = ("start_at", "states", "jsonata", "spec")

    def __init__(self, spec: dict, parent_jsonata: bool = False):
        ql = spec.get("QueryLanguage")
        jsonata = (ql == "JSONata") if ql else parent_jsonata
        self.spec = spec
        self.jsonata = jsonata
        self.start_at = spec.get("StartAt")
        self.states: dict[str, State] = {}
        for name, st in (spec.get("States") or {}).items():
            sql = st.get("QueryLanguage")
            self.states[name] = State(name, st, (sql == "JSONata") if sql else jsonata)


class Machine:
    """A validated, compiled state machine definition."""

    __slots__ = ("definition", "text", "graph", "timeout_seconds")

    def __init__(self, definition: dict, text: str):
        self.definition = definition
        self.text = text
        self.graph = Graph(definition)
        self.timeout_seconds = definition.get("TimeoutSeconds")


_CACHE: dict[str, Machine] = {}


def compile_definition(definition: dict | str, *, validate: bool = True) -> Machine:
    """Parse, validate (InvalidDefinition) and compile; the same text compiles once."""
    if isinstance(definition, str):
        text = definition
    else:
        try:
            text = json.dumps(definition, separators=(",", ":"), sort_keys=False)
        except (TypeError, ValueError) as exc:
            raise InvalidDefinition([f"INVALID_JSON_DESCRIPTION: {exc}"]) from None
    machine = _CACHE.get(text)
    if machine is not None:
        return machine
    if isinstance(definition, str):
        try:
            parsed: Any = json.loads(definition)
        except ValueError as exc:
            raise InvalidDefinition([f"INVALID_JSON_DESCRIPTION: {exc}"]) from None
    else:
        parsed = json.loads(text)  # an independent copy the caller cannot mutate
    if not isinstance(parsed, dict):
        raise InvalidDefinition(["SCHEMA_VALIDATION_FAILED: The definition must be a JSON object at /"])
    if validate:
        result = validate_definition(parsed)
        if isinstance(result, dict):
            parsed = result
    machine = Machine(parsed, text)
    if len(_CACHE) > 512:
        _CACHE.clear()
    _CACHE[text] = machine
    return machine
