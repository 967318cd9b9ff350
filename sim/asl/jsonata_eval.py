"""JSONata mode: ``{% … %}`` strings in Arguments, Output, Assign, Items, Condition, … evaluated by
jsonata-python with ``$states`` (input, result, errorOutput, context), the workflow variables and
the functions Step Functions adds ($partition, $range, $hash, $random, $uuid, $parse).

Failures are States.QueryEvaluationError with AWS's cause wording and the field's location.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

import jsonata

from sim.asl.failures import QueryFailure

_CACHE: dict[str, jsonata.Jsonata] = {}
_NULL = jsonata.utils.Utils.NULL_VALUE


def is_expr(value: Any) -> bool:
    return type(value) is str and value.startswith("{%") and value.endswith("%}") and len(value) >= 4


def _compile(expr: str, location: str) -> jsonata.Jsonata:
    compiled = _CACHE.get(expr)
    if compiled is None:
        try:
            compiled = jsonata.Jsonata(expr)
            compiled.set_output_convert_nulls(False)
        except Exception as exc:  # noqa: BLE001 - a parse error is a query failure
            raise QueryFailure(f"The JSONata expression '{expr}' specified for the field '{location}' "
                               f"could not be parsed: {exc}", location) from None
        if len(_CACHE) > 4096:
            _CACHE.clear()
        _CACHE[expr] = compiled
    return compiled


def _aws_functions(rng) -> dict[str, Any]:
    J = jsonata.Jsonata.JLambda

    def partition(arr, size):
        if not isinstance(arr, list):
            arr = [arr]
        size = int(size)
        return [arr[i:i + size] for i in range(0, len(arr), size)]

    def rng_range(start, end, step=1):
        start, end, step = int(start), int(end), int(step)
        out = list(range(start, end + (1 if step > 0 else -1), step)) if step else []
        return out

    def hash_(data, algorithm="SHA-256"):
        algo = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384",
                "SHA-512": "sha512"}.get(str(algorithm))
        if algo is None:
            raise ValueError(f"unsupported hash algorithm {algorithm}")
        text = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
        return hashlib.new(algo, text.encode()).hexdigest()

    def random(seed=None):
        return rng.random()

    def uuid():
        return rng.uuid4() if hasattr(rng, "uuid4") else __import__("uuid").uuid4().__str__()

    def parse(text):
        return json.loads(text)

    return {"partition": J(partition), "range": J(rng_range), "hash": J(hash_), "random": J(random),
            "uuid": J(uuid), "parse": J(parse)}


def _normalise(value: Any) -> Any:
    """Make jsonata-python's numbers JSON-like (2.0 -> 2) and sequences plain lists."""
    if value is _NULL:
        return None
    t = type(value)
    if t is float:
        if math.isfinite(value) and value == int(value) and abs(value) < 2**53:
            return int(value)
        return value
    if t is dict:
        return {k: _normalise(v) for k, v in value.items()}
    if t is list or isinstance(value, list):
        return [_normalise(v) for v in value]
    return value


class Evaluator:
    """Evaluates JSONata fields for one state evaluation (bindings built once)."""

    __slots__ = ("bindings", "state_name", "entered_id")

    def __init__(self, states: dict, variables: dict, rng, state_name: str, entered_id: int):
        bindings = {k: (_NULL if v is None else v) for k, v in variables.items()}
        bindings.update(_aws_functions(rng))
        bindings["states"] = states
        self.bindings = bindings
        self.state_name = state_name
        self.entered_id = entered_id

    def _prefix(self) -> str:
        return (f"An error occurred while executing the state '{self.state_name}' (entered at the event id "
                f"#{self.entered_id}). ")

    def expr(self, text: str, location: str, *, allow_undefined: bool = False) -> Any:
        body = text[2:-2].strip()
        compiled = _compile(body, location)
        try:
            result = compiled.evaluate(None, self.bindings)
        except QueryFailure:
            raise
        except Exception as exc:  # noqa: BLE001 - jsonata errors become States.QueryEvaluationError
            raise QueryFailure(f"{self._prefix()}The JSONata expression '{body}' specified for the field "
                               f"'{location}' threw an error during evaluation. {exc}", location) from None
        if result is None and not allow_undefined:
            raise QueryFailure(f"{self._prefix()}The JSONata expression '{body}' specified for the field "
                               f"'{location}' returned nothing (undefined).", location)
        return _normalise(result)

    def value(self, template: Any, location: str) -> Any:
        """A field value: a ``{% %}`` string, or JSON whose string leaves may be ``{% %}``."""
        t = type(template)
        if t is str:
            return self.expr(template, location) if is_expr(template) else template
        if t is dict:
            return {k: self.value(v, f"{location}/{k}") for k, v in template.items()}
        if t is list:
            return [self.value(v, f"{location}[{i}]") for i, v in enumerate(template)]
        return template
