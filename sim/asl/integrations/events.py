"""EventBridge's optimized integration (`arn:aws:states:::events:putEvents`): object Details are
serialised, and a response with FailedEntryCount > 0 fails the task with EventBridge.FailedEntry."""

from __future__ import annotations

from typing import Any

from sim.asl.errors import StatesError
from sim.asl.integrations.calls import TaskCall
from sim.asl.integrations.sdk import OPTIMIZED_PREFIX, optimized, sdk_call
from sim.asl.jsonutil import dumps


def invoke(call: TaskCall) -> Any:
    params = dict(call.params) if isinstance(call.params, dict) else {}
    if call.parsed.action != "putEvents":
        return optimized(call, "events", params)
    entries = []
    for e in params.get("Entries") or []:
        e = dict(e)
        if "Detail" in e and not isinstance(e["Detail"], str):
            e["Detail"] = dumps(e["Detail"])
        entries.append(e)
    params["Entries"] = entries
    resp = sdk_call(call, "events", "put_events", params, OPTIMIZED_PREFIX["events"], False)
    if resp.get("FailedEntryCount"):
        raise StatesError("EventBridge.FailedEntry", dumps(resp))
    return resp


def register(integrations) -> None:
    integrations.register("arn:aws:states:::events:*", invoke)
