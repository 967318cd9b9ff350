"""Stripe's form encoding, decoded: `metadata[booking_id]=b1`, `types[0]=a&types[1]=b`,
`created[gte]=…`, `expand[]=…` become nested dicts and lists (the way stripe-python encodes them)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from sim.stripe import errors

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_PART = re.compile(r"\[([^\[\]]*)\]")
MAX_DEPTH = 20


def decode(text: str) -> dict:
    """A form body or query string as nested params; malformed keys are a 400 naming the key."""
    root: dict = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        m = _KEY.match(key)
        if not m:
            raise errors.invalid(key, f"Invalid parameter name: {key}")
        path = [m.group(1), *_PART.findall(m.group(2))]
        if len(path) > MAX_DEPTH:
            raise errors.invalid(key[:100], f"Invalid parameter name: nested deeper than {MAX_DEPTH} levels")
        node = root
        for i, part in enumerate(path):
            last = i == len(path) - 1
            if part == "":
                part = len(node)  # `a[]=x`: append
            if last:
                node[part] = value
            else:
                nxt = node.setdefault(part, {})
                if not isinstance(nxt, dict):
                    raise errors.invalid(key, f"Invalid parameter: {key} mixes a value and an object")
                node = nxt
    return _listify(root)


def _listify(node):
    if not isinstance(node, dict):
        return node
    out = {k: _listify(v) for k, v in node.items()}
    keys = list(out)
    if keys and all(isinstance(k, int) or (isinstance(k, str) and k.isdigit()) for k in keys):
        indices = sorted(int(k) for k in keys)
        if indices == list(range(len(indices))):
            return [out[k] for k in sorted(keys, key=int)]
    return out
