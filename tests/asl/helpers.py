"""Small helpers shared by the engine tests."""

from __future__ import annotations


def types(ex) -> list[str]:
    return [e["type"] for e in ex.history]


def prevs(ex) -> list[int]:
    return [e["previousEventId"] for e in ex.history]


def machine(states: dict, start: str | None = None, **top) -> dict:
    return {"StartAt": start or next(iter(states)), "States": states, **top}
