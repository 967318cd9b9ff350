"""The fault kinds an explored story may enable, as the scenario format spells them.

Each kind belongs to one fault of the scenario format (a top-level `faults:` entry, or for
`rotate_secret` a step). A kind is offered only when the loaded scenario schema has the fault (or
step) it needs, so kinds added to the format later (Stripe API faults) appear without a change
here beyond their entry. `parse_kinds("aws,drop")` checks a `--faults` value (`none`: no faults): unknown names are an
`InputError` naming them; group names (`delivery`, `signature`, `aws`, `lambda`) stand for their
members.
"""

from __future__ import annotations

from sim.errors import InputError

# kind → (the schema fault or step it needs, "fault" | "step")
CATALOG: dict[str, tuple[str, str]] = {
    "drop": ("drop", "fault"),
    "duplicate": ("duplicate", "fault"),
    "delay": ("delay", "fault"),
    "reorder": ("reorder", "fault"),
    "endpoint_down": ("endpoint_down", "fault"),
    "bad_signature": ("bad_signature", "fault"),
    "stale_timestamp": ("stale_timestamp", "fault"),
    "future_timestamp": ("future_timestamp", "fault"),
    "rotate_secret": ("rotate_secret", "step"),
    "aws_throttle": ("aws", "fault"),
    "aws_error": ("aws", "fault"),
    "aws_latency": ("aws", "fault"),
    "aws_crash": ("aws", "fault"),
    "lambda_timeout": ("lambda", "fault"),
    "lambda_throttle": ("lambda", "fault"),
    "lambda_error": ("lambda", "fault"),
    "putevents": ("putevents", "fault"),
    "stripe_api": ("stripe_api", "fault"),
    "strangers": ("appsync", "step"),  # not a fault: other people acting on a booking (issue 16)
}

GROUPS = {
    "delivery": ("drop", "duplicate", "delay", "reorder", "endpoint_down"),
    "signature": ("bad_signature", "stale_timestamp", "future_timestamp", "rotate_secret"),
    "aws": ("aws_throttle", "aws_error", "aws_latency", "aws_crash"),
    "lambda": ("lambda_timeout", "lambda_throttle", "lambda_error"),
}


def _schema_has(name: str, where: str) -> bool:
    from sim.scenario.loader import schema

    section = "faults" if where == "fault" else "steps"
    return name in schema()["properties"][section]["items"]["properties"]


def available() -> tuple[str, ...]:
    """The kinds the scenario format supports today, in catalog order."""
    return tuple(k for k, (name, where) in CATALOG.items() if _schema_has(name, where))


def aws_fault_options() -> set[str]:
    """The options of the `aws` fault in the schema (e.g. whether `after` exists)."""
    from sim.scenario.loader import schema

    return set(schema()["properties"]["faults"]["items"]["properties"]["aws"]["properties"])


def parse_kinds(text: str | None) -> tuple[str, ...]:
    """`--faults K,…` → the kinds (catalog order); None/empty → every available kind."""
    have = available()
    if text is None:
        return have
    if text.strip() in ("none", ""):
        return ()
    wanted: list[str] = []
    unknown: list[str] = []
    for raw in text.split(","):
        name = raw.strip()
        if not name:
            continue
        if name in GROUPS:
            wanted += [k for k in GROUPS[name] if k in have]
        elif name in have:
            wanted.append(name)
        else:
            unknown.append(name)
    if unknown:
        missing = [u for u in unknown if u in CATALOG]
        why = (f" ({', '.join(missing)} not in this scenario format yet)" if missing else "")
        raise InputError(f"unknown fault kind(s) {', '.join(unknown)}{why}; kinds are "
                         f"{', '.join(have)} (groups: {', '.join(GROUPS)})", field="--faults")
    return tuple(k for k in have if k in set(wanted))
