"""Turn jsonschema errors into one-line, human messages: `expected an integer >= 1, got "three"`."""

from __future__ import annotations

import difflib
import json
import re

from jsonschema import ValidationError

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TYPE_NAMES = {"integer": "an integer", "number": "a number", "string": "a string", "boolean": "true or false",
               "object": "a mapping", "array": "a list", "null": "nothing (null)"}


def render_path(path) -> str:
    """(steps, 3, deliver, copies) → steps[3].deliver.copies; odd keys → expect["booking.b1"]."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENT.match(str(part)):
            out += f".{part}" if out else str(part)
        else:
            out += f"[{json.dumps(str(part))}]"
    return out


def show(value) -> str:
    """A value as the user wrote it, JSON-ish and short."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _expected(schema: dict) -> str:
    if "x-expected" in schema:
        return schema["x-expected"]
    if "enum" in schema:
        return "one of " + ", ".join(str(v) for v in schema["enum"])
    types = schema.get("type")
    types = [types] if isinstance(types, str) else list(types or [])
    words = " or ".join(_TYPE_NAMES.get(t, t) for t in types) or "a valid value"
    bounds = []
    if "minimum" in schema:
        bounds.append(f">= {schema['minimum']}")
    if "maximum" in schema:
        bounds.append(f"<= {schema['maximum']}")
    if bounds and set(types) & {"integer", "number"}:
        words += " " + " and ".join(bounds)
    return words


def _suggest(word: str, options) -> str:
    close = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


def _deepest(error: ValidationError) -> ValidationError:
    """For oneOf/anyOf, the branch error that best explains the failure."""
    if error.validator in ("oneOf", "anyOf") and error.context:
        same_type = [e for e in error.context if e.validator != "type"]
        pool = same_type or list(error.context)
        return _deepest(max(pool, key=lambda e: len(e.absolute_path)))
    return error


def describe(error: ValidationError) -> tuple[tuple, str]:
    """(path of the offending node, message) for one error."""
    error = _deepest(error)
    path = tuple(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    v, val = error.validator, error.validator_value
    inst = error.instance
    if v in ("type", "pattern", "minimum", "maximum", "enum", "exclusiveMinimum", "format"):
        return path, f"expected {_expected(schema)}, got {show(inst)}"
    if v == "required":
        missing = [k for k in val if isinstance(inst, dict) and k not in inst]
        names = ", ".join(f'"{k}"' for k in missing)
        return path, f"missing required field{'s' if len(missing) > 1 else ''} {names}"
    if v == "additionalProperties":
        known = list(schema.get("properties", {}))
        extra = [k for k in inst if k not in known and not _pattern_match(schema, k)]
        kind = schema.get("x-kind", "field")
        key = extra[0] if extra else "?"
        hint = _suggest(key, known)
        msg = f'unknown {kind} "{key}"{hint}'
        if kind != "field" or not hint:
            if known and kind != "expectation":
                msg += "; expected one of: " + ", ".join(known)
            elif kind == "expectation":
                msg += "; expected bus, workflows, metrics, alerts, stripe, logs, or booking.<alias>, " \
                       "customer.<ref>, provider.<ref>, service.<ref>, webhooks.<event>, stripe.<alias>, table.<Table>"
        return (*path, key), msg
    if v in ("minProperties", "maxProperties") and "x-kind" in schema:
        keys = list(inst) if isinstance(inst, dict) else []
        got = f"got {len(keys)} keys: {', '.join(map(str, keys))}" if keys else "got none"
        return path, f"a {schema['x-kind'].split()[0]} has exactly one key, its kind; {got}"
    if v == "minItems":
        return path, f"expected at least {val} item{'s' if val != 1 else ''}, got {len(inst)}"
    if v == "uniqueItems":
        return path, "items must be unique"
    if v in ("minProperties", "maxProperties"):
        return path, f"expected {_expected(schema)}, got {show(inst)}"
    return path, error.message


def _pattern_match(schema: dict, key: str) -> bool:
    return any(re.search(p, str(key)) for p in schema.get("patternProperties", {}))
