"""Validate objects against Stripe's OpenAPI schemas (the derived `schemas/objects.json`).

`validate(obj)` picks the schema from `obj["object"]` (or `kind=`), and for an event also
validates `data.object` against its own schema (the spec leaves it untyped). Draft 4 with a
`referencing` registry, as docs/stripe.md (Schemas) describes.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from sim.errors import InputError

SCHEMA_FILE = Path(__file__).with_name("schemas") / "objects.json"


class SchemaError(InputError):
    """An object that Stripe's schema rejects; the message names the path and the reason."""


@functools.cache
def _load() -> tuple[dict, Registry]:
    derived = json.loads(SCHEMA_FILE.read_text())
    schemas = derived["schemas"]
    registry = Registry().with_resources(
        (f"urn:stripe:{name}", Resource.from_contents(schema, default_specification=DRAFT4))
        for name, schema in schemas.items())
    return schemas, registry


@functools.cache
def validator(kind: str) -> Draft4Validator:
    schemas, registry = _load()
    if kind not in schemas:
        raise KeyError(f"no schema for {kind!r}; derived: {', '.join(sorted(schemas))}")
    return Draft4Validator({"$ref": f"urn:stripe:{kind}"}, registry=registry)


def kinds() -> list[str]:
    return list(_load()[0])


def errors(obj: dict, kind: str | None = None) -> list[str]:
    """Every schema violation, as "kind: path: message" strings (empty when valid)."""
    kind = kind or obj.get("object")
    out = [f"{kind}: {'/'.join(map(str, e.absolute_path)) or '.'}: {e.message}"
           for e in validator(kind).iter_errors(obj)]
    if kind == "event" and isinstance(obj.get("data"), dict) and isinstance(obj["data"].get("object"), dict):
        out += [f"event.data.{msg}" for msg in errors(obj["data"]["object"])]
    return out


def validate(obj: dict, kind: str | None = None) -> None:
    problems = errors(obj, kind)
    if problems:
        raise SchemaError("; ".join(problems[:5]))
