"""The world's EventBridge: PutEvents validated and enveloped as AWS does, every accepted event
recorded, and each rule whose pattern matches delivers to its targets (functions, state
machines, SQS, SNS, CloudWatch Logs, another bus) with InputPath / InputTransformer honoured.

moto's EventBridge delivers only to a few target kinds and ignores InputPath; here the rules
are read from the backend (so rules created through the API count too) and delivery is a task
on the scheduler, asynchronous like AWS's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sim.aws.eventbridge.buslog import BusLog
from sim.aws.eventbridge.matcher import compile_pattern
from sim.faults.plane import FaultPlane
from sim.faults.putevents import PutEventsFault


class EventRouter:
    def __init__(self, *, account: str, region: str, clock, trace, rng, internal_client: Callable[[str], Any],
                 deliver: Callable[[dict, Any, dict], None], faults: FaultPlane | None = None):
        self.account = account
        self.region = region
        self.clock = clock
        self.trace = trace
        self.rng = rng
        self._client = internal_client
        self._deliver = deliver          # (target dict, payload, rule info) -> None
        self._rules: dict[str, list[dict]] | None = None
        self.bus_events = BusLog()  # {"bus": name, "event": enveloped event}, packed (buslog.py)
        self.faults = faults if faults is not None else FaultPlane()  # consulted for PutEventsFault specs

    # -- rules -------------------------------------------------------------------------------------
    def invalidate(self) -> None:
        self._rules = None

    def rules(self, bus: str) -> list[dict]:
        if self._rules is None:
            self._rules = {}
        if bus not in self._rules:
            events = self._client("events")
            found = []
            for rule in events.list_rules(EventBusName=bus).get("Rules", []):
                if rule.get("State") != "ENABLED" or not rule.get("EventPattern"):
                    continue
                targets = events.list_targets_by_rule(Rule=rule["Name"], EventBusName=bus).get("Targets", [])
                found.append({"name": rule["Name"], "arn": rule["Arn"],
                              "pattern": compile_pattern(rule["EventPattern"]), "targets": targets})
            self._rules[bus] = found
        return self._rules[bus]

    # -- PutEvents ---------------------------------------------------------------------------------
    def fail_entries(self, count: int = 1, *, detail_type: str | None = None, times: int = 1,
                     code: str = "InternalFailure") -> PutEventsFault:
        """Inject partial failure: the next `count` matching entries of PutEvents calls fail with `code`."""
        return self.faults.add(PutEventsFault(count=count, detail_type=detail_type, times=times, code=code))

    @property
    def partial_failures(self) -> list[PutEventsFault]:
        return self.faults.of(PutEventsFault.KIND)

    def _injected_failure(self, entry: dict) -> str | None:
        fault = self.faults.match(PutEventsFault.KIND, entry)
        return fault.code if fault is not None else None

    def put_events(self, params: dict[str, Any], *, caller: str | None = None) -> dict:
        from sim.aws.eventbridge import put_events

        entries = params.get("Entries") or []
        errors = put_events.validate_entries(entries)
        out, failed = [], 0
        for entry, error in zip(entries, errors, strict=True):
            injected = None if error else self._injected_failure(entry)
            if error or injected:
                failed += 1
                out.append(error or {"ErrorCode": injected, "ErrorMessage": "Injected partial failure"})
                self.trace.record("eventbridge", "put.failed", None, detailType=entry.get("DetailType"),
                                  code=(error or {}).get("ErrorCode", injected))
                continue
            event_id = self.rng.uuid4()
            bus = _bus_name(entry.get("EventBusName") or "default")
            event = put_events.envelope(entry, event_id=event_id, time=self.clock.now(), account=self.account,
                                        region=self.region)
            out.append({"EventId": event_id})
            self.publish(bus, event, caller=caller)
        return {"FailedEntryCount": failed, "Entries": out}

    def publish(self, bus: str, event: dict, *, caller: str | None = None) -> None:
        """Record an accepted event and deliver it to every matching rule's targets."""
        self.bus_events.append({"bus": bus, "event": event})
        cid = correlation_of(event)
        self.trace.record("eventbridge", "event", cid, bus=bus, source=event.get("source"),
                          detailType=event.get("detail-type"), id=event["id"], caller=caller)
        for rule in self.rules(bus):
            if not rule["pattern"].matches(event):
                continue
            for target in rule["targets"]:
                payload = self._transform(target, event, rule)
                self.trace.record("eventbridge", "deliver", cid, rule=rule["name"], target=target["Arn"],
                                  detailType=event.get("detail-type"))
                self._deliver(target, payload, {"rule": rule["name"], "event": event})

    def _transform(self, target: dict, event: dict, rule: dict) -> Any:
        from sim.aws.eventbridge import put_events

        if "Input" in target:
            return json.loads(target["Input"])
        if "InputPath" in target:
            return put_events.apply_input_path(event, target["InputPath"])
        if "InputTransformer" in target:
            tr = target["InputTransformer"]
            text = put_events.apply_input_transformer(event, tr.get("InputPathsMap", {}), tr["InputTemplate"],
                                                      rule_name=rule["name"], rule_arn=rule["arn"])
            try:
                return json.loads(text)
            except json.JSONDecodeError:
                return text
        return event

    def count(self, detail_type: str | None = None, source: str | None = None) -> int:
        return sum(1 for e in self.bus_events
                   if (detail_type is None or e["event"].get("detail-type") == detail_type)
                   and (source is None or e["event"].get("source") == source))


def _bus_name(name_or_arn: str) -> str:
    return name_or_arn.rsplit("/", 1)[-1] if name_or_arn.startswith("arn:") else name_or_arn


def correlation_of(event: dict) -> str | None:
    detail = event.get("detail")
    if isinstance(detail, dict):
        for key in ("correlationId", "stripeEventId", "bookingId"):
            if isinstance(detail.get(key), str):
                return detail[key]
    return None
