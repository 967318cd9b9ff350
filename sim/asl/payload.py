"""JSONPath-mode payload templates (Parameters, ItemSelector, ResultSelector, Assign) and paths.

Keys ending in ``.$`` take a path (``$`` input, ``$$`` context, ``$name`` variable) or an
intrinsic function; every failure to resolve is a States.Runtime with AWS's wording.
"""

from __future__ import annotations

import re
from typing import Any

from sim.asl import intrinsics, jsonpath
from sim.asl.errors import StatesError
from sim.asl.failures import RuntimeFailure
from sim.asl.jsonutil import dumps

_PATHS: dict[str, object] = {}


def parsed(path: str):
    """jsonpath.parse with a cache (definitions repeat the same few paths)."""
    p = _PATHS.get(path)
    if p is None:
        p = jsonpath.parse(path)
        if len(_PATHS) > 8192:
            _PATHS.clear()
        _PATHS[path] = p
    return p


def render(template: Any, data: Any, context: dict, variables: dict, rng, *, input_for_errors: Any = None) -> Any:
    """Evaluate a payload template against `data` (the effective input or the result)."""
    shown = data if input_for_errors is None else input_for_errors
    return _render(template, data, context, variables, rng, shown)


def _render(tpl: Any, data: Any, context: dict, variables: dict, rng, shown: Any) -> Any:
    t = type(tpl)
    if t is dict:
        out = {}
        for key, value in tpl.items():
            if key.endswith(".$") and type(value) is str:
                out[key[:-2]] = evaluate_dollar(key, value, data, context, variables, rng, shown)
            else:
                out[key] = _render(value, data, context, variables, rng, shown)
        return out
    if t is list:
        return [_render(v, data, context, variables, rng, shown) for v in tpl]
    return tpl


def evaluate_dollar(key: str, expr: str, data: Any, context: dict, variables: dict, rng, shown: Any) -> Any:
    """The value of one ``"key.$": expr`` field."""
    if expr.startswith("$"):
        try:
            value = jsonpath.resolve(parsed(expr), data, context, variables)
        except jsonpath.PathNotFound:
            raise RuntimeFailure(
                f"The JSONPath '{expr}' specified for the field '{key}' could not be found in the input "
                f"'{dumps(shown)}'") from None
        except StatesError as exc:
            raise RuntimeFailure(exc.cause or str(exc)) from None
        return value
    if intrinsics.is_intrinsic(expr):
        return evaluate_intrinsic(expr, data, context, variables, rng, shown)
    raise RuntimeFailure(f"The value for the field '{key}' must be a valid JSONPath or a valid intrinsic "
                         f"function call")


def evaluate_intrinsic(expr: str, data: Any, context: dict, variables: dict, rng, shown: Any) -> Any:
    """An intrinsic call; a missing path argument is States.Runtime, other failures keep their name."""
    try:
        return intrinsics.evaluate(expr, data, context, variables, rng)
    except jsonpath.PathNotFound as exc:
        raise RuntimeFailure(
            f"The function '{expr}' had the following error: The JsonPath argument for the field "
            f"'{exc.path}' could not be found in the input '{dumps(shown)}'") from None
    except StatesError as exc:
        cause = exc.cause or ""
        if not cause.startswith("The function"):
            cause = f"The function '{expr}' had the following error: {cause}"
        if exc.error == "States.Runtime":
            raise RuntimeFailure(cause) from None
        raise StatesError(exc.error, cause) from None


def select_path(path: str | None, data: Any, context: dict, variables: dict, *, missing_is_runtime=True) -> Any:
    """InputPath / OutputPath / ItemsPath style selection. `None` path yields {}."""
    if path is None:
        return {}
    if path == "$":
        return data
    try:
        return jsonpath.resolve(parsed(path), data, context, variables)
    except jsonpath.PathNotFound as exc:
        raise missing_path(path, exc) from None
    except StatesError as exc:
        raise RuntimeFailure(exc.cause or str(exc)) from None


def missing_path(path: str, exc: jsonpath.PathNotFound) -> RuntimeFailure:
    """AWS's States.Runtime for a path that selects nothing, with Jayway's detail (recorded:
    "Invalid path '$.no.such.result.path' : Missing property in path $['no']", and "… : No results
    for path: $['NoSuchOutputPath']" when only the leaf is missing)."""
    detail = str(exc)
    if detail == f"No results for path: {exc.path}":
        detail = f"No results for path: {_bracketed(path)}"
    return RuntimeFailure(f"Invalid path '{path}' : {detail}")


def _bracketed(path: str) -> str:
    """$.a.b[0] -> $['a']['b'][0] (how AWS's path library echoes a path in its messages)."""
    if path.startswith("$$"):
        head, rest = "$$", path[2:]
    else:
        head, rest = "$", path[1:]
    parts = []
    for m in re.finditer(r"\.([^.\[\]]+)|\[(\d+)\]|\['([^']*)'\]|\[\*\]|\.\*", rest):
        if m.group(1) is not None:
            parts.append(f"['{m.group(1)}']")
        elif m.group(2) is not None:
            parts.append(f"[{m.group(2)}]")
        elif m.group(3) is not None:
            parts.append(f"['{m.group(3)}']")
        else:
            parts.append("[*]")
    return head + "".join(parts)


def apply_result_path(result_path: Any, raw_input: Any, result: Any, *, has_field: bool) -> Any:
    """ResultPath: "$" (default) replaces, null keeps the input, a reference path merges."""
    if not has_field or result_path == "$":
        return result
    if result_path is None:
        return raw_input
    return jsonpath.set_path(raw_input, result_path, result)
