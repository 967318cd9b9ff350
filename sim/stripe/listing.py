"""List endpoints: Stripe's filters (`created` ranges, `type`/`types`, `delivery_success`) and
cursor pagination (`limit`, `starting_after`, `ending_before`), newest first."""

from __future__ import annotations

from sim.stripe import errors, params
from sim.stripe.events import types_match


def created_filter(value):
    """`created=<int>` or `created[gt|gte|lt|lte]=<int>` as a predicate on unix seconds."""
    if value is None:
        return lambda t: True
    if isinstance(value, dict):
        bounds = {}
        for op, raw in value.items():
            if op not in ("gt", "gte", "lt", "lte"):
                raise errors.unknown_param(f"created[{op}]")
            bounds[op] = params.integer(f"created[{op}]", raw)
        return lambda t: (("gt" not in bounds or t > bounds["gt"]) and ("gte" not in bounds or t >= bounds["gte"])
                          and ("lt" not in bounds or t < bounds["lt"]) and ("lte" not in bounds or t <= bounds["lte"]))
    exact = params.integer("created", value)
    return lambda t: t == exact


def event_filter(query: dict):
    """A predicate for `GET /v1/events` filters (types, created, delivery_success)."""
    if query.get("type") is not None and query.get("types") is not None:
        raise errors.invalid("types", "You may only specify one of these parameters: type, types.")
    patterns = None
    if query.get("type") is not None:
        patterns = [params.string("type", query["type"])]
    elif query.get("types") is not None:
        types = query["types"]
        if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
            raise errors.invalid("types", "Invalid array")
        if len(types) > 20:
            raise errors.invalid("types", "You may specify at most 20 types.")
        patterns = types
    created = created_filter(query.get("created"))
    success = query.get("delivery_success")
    success = None if success is None else params.boolean("delivery_success", success)

    def keep(event: dict) -> bool:
        if patterns is not None and not types_match(patterns, event["type"]):
            return False
        if not created(event["created"]):
            return False
        if success is not None and (event["pending_webhooks"] == 0) != success:
            return False
        return True

    return keep


def paginate(items: list, order_of, query: dict, kind: str) -> tuple[list, bool]:
    """One page of `items` (sorted newest first); `order_of(id)` gives a cursor's position key
    (larger = newer) or None if it does not exist."""
    limit = params.integer("limit", query.get("limit", 10), minimum=1, maximum=100)
    after, before = query.get("starting_after"), query.get("ending_before")
    if after is not None and before is not None:
        raise errors.invalid("ending_before", "You may only specify one of these parameters: ending_before, "
                                              "starting_after.")
    if after is not None:
        key = order_of(after)
        if key is None:
            raise errors.missing(kind, after, "starting_after")
        rest = [o for o in items if order_of(o["id"]) < key]
        return rest[:limit], len(rest) > limit
    if before is not None:
        key = order_of(before)
        if key is None:
            raise errors.missing(kind, before, "ending_before")
        newer = [o for o in items if order_of(o["id"]) > key]
        return newer[-limit:], len(newer) > limit
    return items[:limit], len(items) > limit


def list_object(url: str, data: list, has_more: bool) -> dict:
    return {"object": "list", "data": data, "has_more": has_more, "url": url}
