"""Build a `Snapshot` from a live world: every table, the Stripe ledger, bus events, executions,
SNS messages, metrics, logs, the trace, and what the run observed (status history,
reconciliation runs). Reads only through public pieces and never moves the clock."""

from __future__ import annotations

import json
from typing import Any

from sim.scenario.packed_records import PackedRecords
from sim.scenario.snapshot import Execution, Snapshot, bus_event, plain, to_datetime
from sim.trace import of_components

DEFAULT_LOCK_TIMEOUT_S = 120.0


class LazyTables(dict):
    """Table name -> items, scanned on first use (a scan costs; most checks read two or three
    tables) and kept packed (`PackedRecords`: each read rebuilds them)."""

    def __init__(self, world):
        super().__init__()
        self._world = world
        self._names = [t.name for t in world.stack.tables]

    def __missing__(self, name):
        if name not in self._names:
            raise KeyError(name)
        items = PackedRecords.of(self._world.table_items(name))
        self[name] = items
        return items

    def __contains__(self, name) -> bool:
        return name in self._names

    def load_all(self) -> dict:
        return {name: self[name] for name in self._names}


def snapshot(world, run=None) -> Snapshot:
    tables = LazyTables(world)
    ledger = getattr(getattr(world, "stripe", None), "ledger", None)
    # the ledger's events as they are now, each rebuilt when read (sim/stripe/eventlog.py)
    events = ledger.events.frozen() if ledger is not None else []
    objects = {o["id"]: o for o in ledger.objects()} if ledger is not None else {}
    owners = {oid: ledger.owner(oid) for oid in objects} if ledger is not None else {}
    env, recon = _env(world, "stripe-webhook"), _env(world, "webhook-reconciliation")
    window_s = (float(recon.get("RECONCILIATION_WINDOW_HOURS", 24)) * 3600
                + float(recon.get("RECONCILIATION_OVERLAP_MINUTES", 60)) * 60)
    snap = Snapshot(
        now=world.now(), tables=tables, stripe_events=events, stripe_objects=objects, stripe_owners=owners,
        bus_events=PackedRecords.of(bus_event(e) for e in _bus_events(world)), executions=executions(world),
        trace=world.trace.records if getattr(world.trace, "spooled", False) else list(world.trace.records), reconciliations=reconciliations(world, run),
        status_history={k: list(v) for k, v in (run.status_history if run else {}).items()},
        sns_messages=list(getattr(world, "sns_messages", [])), metrics=list(getattr(world, "metrics", [])),
        logs=list(getattr(world, "logs", [])),
        lock_timeout_s=float(env.get("WEBHOOK_LOCK_TIMEOUT_SECONDS", DEFAULT_LOCK_TIMEOUT_S)),
        fee_percent=float(env.get("PLATFORM_FEE_PERCENT", 8)), reconciliation_window_s=window_s,
        reconciliation_max_retries=int(recon.get("RECONCILIATION_MAX_RETRIES", 3)))
    return snap


def _bus_events(world):
    """The bus's events one at a time: the router's log rebuilds each on read (buslog.py), so the
    snapshot holds the normalised events, not every envelope at once as well."""
    router = getattr(world, "router", None)
    if router is None:
        return world.bus_events
    return (entry["event"] for entry in router.bus_events)


def _env(world, function: str) -> dict:
    try:
        return world.env(function)
    except Exception:  # noqa: BLE001 - a stack without the function: defaults
        return {}


def reconciliations(world, run=None) -> list:
    """When webhook-reconciliation invocations started (from the trace, whoever triggered them)."""
    out, ends = [], []
    for rec in of_components(world.trace.records, "lambda"):
        details = rec.get("details") or {}
        if details.get("function") != "webhook-reconciliation":
            continue
        if rec["kind"] == "invoke.start":
            out.append(to_datetime(rec["t"]))
        elif rec["kind"] == "invoke.end" and details.get("status") == "succeeded":
            ends.append(to_datetime(rec["t"]))
    # only runs that finished successfully count as "reconciliation has run"
    return [s for s in out if any(e >= s for e in ends)]


def _sfn_call(world, operation: str, params: dict) -> dict | None:
    sfn = getattr(world, "sfn", None)
    if sfn is not None and hasattr(sfn, "handle"):
        try:
            return sfn.handle(operation, params)
        except Exception:  # noqa: BLE001 - missing execution etc.
            return None
    return None


def machine_timeouts(world) -> dict[str, float | None]:
    out = {}
    for sm in world.stack.state_machines:
        try:
            definition = json.loads(world.stack.definition(sm))
            out[sm.name] = definition.get("TimeoutSeconds")
        except (OSError, ValueError):
            out[sm.name] = None
    return out


def executions(world) -> list[Execution]:
    """Every Step Functions execution with its status, dates, timeout and the states it entered."""
    if getattr(world, "sfn", None) is None:
        return []
    timeouts = machine_timeouts(world)
    out = []
    for sm in world.stack.state_machines:
        arn = world.stack.state_machine_arn(sm.name)
        listing = _sfn_call(world, "ListExecutions", {"stateMachineArn": arn, "maxResults": 1000}) or {}
        for item in reversed(listing.get("executions", [])):
            desc = _sfn_call(world, "DescribeExecution", {"executionArn": item["executionArn"]}) or {}
            hist = _sfn_call(world, "GetExecutionHistory", {"executionArn": item["executionArn"],
                                                            "maxResults": 1000}) or {}
            states = [e["stateEnteredEventDetails"]["name"] for e in hist.get("events", [])
                      if "stateEnteredEventDetails" in e]
            out.append(Execution(
                arn=item["executionArn"], machine=sm.name, status=item.get("status", desc.get("status", "")),
                start=to_datetime(desc.get("startDate") or item.get("startDate")),
                stop=to_datetime(desc.get("stopDate") or item.get("stopDate")),
                timeout_s=timeouts.get(sm.name), states=states, input=_json(desc.get("input")),
                output=_json(desc.get("output")), error=desc.get("error")))
    return out


def _json(text: Any) -> Any:
    if isinstance(text, str):
        try:
            return plain(json.loads(text))
        except ValueError:
            return text
    return text


def touched(before: dict[str, list[dict]], after: dict[str, list[dict]], keys: dict[str, str]) -> dict:
    """Items new or changed between two table pictures, per table (for the Markdown report)."""
    out = {}
    for table, items in after.items():
        key = keys.get(table, "id")
        old = {str(i.get(key)): i for i in before.get(table, [])}
        changed = [i for i in items if old.get(str(i.get(key))) != i]
        if changed:
            out[table] = changed
    return out
