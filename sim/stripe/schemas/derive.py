"""Derive the compact schema file `objects.json` from Stripe's OpenAPI spec (spec3.json).

    python -m sim.stripe.schemas.derive path/to/spec3.json

(`spec3.json` is in Stripe's OpenAPI repository, github.com/stripe/openapi, under `openapi/`.)

Keeps the object types the fake Stripe generates and every schema they reference, and rewrites
them for jsonschema's Draft 4 validator (docs/stripe.md, Schemas): `nullable: true` becomes
`anyOf: [<schema>, {"type": "null"}]`, `additionalProperties: false` is dropped (today's objects
carry fields the 2022 edition does not list), `$ref`s point at `urn:stripe:<name>`, descriptions
and `x-` keys are removed, and expandable references (`x-expansionResources`) accept an id string
or any object with an id (we never expand, so their targets need not be kept). Fields that today's
API answers as null though the spec's edition requires a value are listed in `NULLABLE_SINCE`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOTS = ("account", "account_link", "application", "application_fee", "balance", "balance_transaction",
         "bank_account", "capability", "charge", "checkout.session", "customer", "dispute", "error", "event",
         "fee_refund", "item", "payment_intent", "payout", "person", "price", "product", "refund", "transfer",
         "transfer_reversal")
OUT = Path(__file__).with_name("objects.json")
# object -> fields null in today's API: Checkout's success_url / cancel_url became optional
# (API 2023-08-16, `ui_mode`; a session created without them answers null)
NULLABLE_SINCE = {"checkout.session": ("cancel_url", "success_url")}


def rewrite(node):
    if isinstance(node, list):
        return [rewrite(v) for v in node]
    if not isinstance(node, dict):
        return node
    if "x-expansionResources" in node:
        out = {"anyOf": [{"maxLength": 5000, "type": "string"}, {"type": "object", "required": ["id"]}]}
    else:
        out = {}
        for key, value in node.items():
            if key in ("description", "nullable") or key.startswith("x-"):
                continue
            if key == "additionalProperties" and value is False:
                continue
            if key == "$ref":
                out[key] = "urn:stripe:" + value.rsplit("/", 1)[-1]
                continue
            out[key] = rewrite(value)
    if node.get("nullable"):
        out = {"anyOf": [out, {"type": "null"}]}
    return out


def derive(spec: dict) -> dict:
    components = spec["components"]["schemas"]
    keep: dict[str, dict] = {}
    todo = list(ROOTS)
    while todo:
        name = todo.pop()
        if name in keep:
            continue
        schema = components[name]
        if name in NULLABLE_SINCE:
            props = {**schema["properties"], **{f: {**schema["properties"][f], "nullable": True}
                                                for f in NULLABLE_SINCE[name]}}
            schema = {**schema, "properties": props}
        keep[name] = rewrite(schema)
        todo.extend(_refs(keep[name]))
    return {"source": f"Stripe OpenAPI spec3.json, info.version {spec['info']['version']}",
            "roots": list(ROOTS), "schemas": dict(sorted(keep.items()))}


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value.rsplit(":", 1)[-1]
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m sim.stripe.schemas.derive path/to/spec3.json", file=sys.stderr)
        return 2
    derived = derive(json.loads(Path(argv[0]).read_text()))
    OUT.write_text(json.dumps(derived, separators=(",", ":"), sort_keys=True) + "\n")
    print(f"wrote {OUT} ({len(derived['schemas'])} schemas)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
