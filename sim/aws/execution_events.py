"""Step Functions "Execution Status Change" events on the default bus, as AWS sends them.

AWS puts an event on the account's default bus whenever a Standard execution changes status
(source `aws.states`, detail-type `Step Functions Execution Status Change`, detail with
executionArn, stateMachineArn, name, status, startDate/stopDate in epoch milliseconds, input,
output, error, cause). The interpreter's service calls `status_changed(record)` for each
finished execution; the event goes through the EventBridge router, so rules on the default bus (the
stack's `workflow-execution-failures` → critical-system-alerts) see it. Only terminal statuses
are sent (the RUNNING event is left out: nothing in the stack listens for it).
"""

from __future__ import annotations

from datetime import datetime

DETAIL_TYPE = "Step Functions Execution Status Change"
SOURCE = "aws.states"


def _ms(value) -> int | None:
    if isinstance(value, datetime):
        return int(value.timestamp() * 1000)
    if isinstance(value, (int, float)):
        return int(value * 1000) if value < 10_000_000_000 else int(value)
    return None


def event_for(record, *, event_id: str, now: datetime, account: str, region: str) -> dict:
    detail = {"executionArn": record.arn, "stateMachineArn": record.sm_arn, "name": record.name,
              "status": record.status, "startDate": _ms(record.start), "stopDate": _ms(record.stop),
              "input": record.input_text, "output": record.output_text,
              "inputDetails": {"included": True}, "outputDetails": {"included": record.output_text is not None},
              "error": record.error, "cause": record.cause}
    return {"version": "0", "id": event_id, "detail-type": DETAIL_TYPE,
            "source": SOURCE, "account": account, "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": region, "resources": [record.arn], "detail": detail}


def attach(service, *, publish, rng, clock, account: str, region: str) -> None:
    """Make `service` (sim.asl.service.StepFunctionsService) announce finished executions through
    `publish(bus, event, caller=...)` (the router's), event ids drawn from `rng`."""
    def status_changed(record) -> None:
        event = event_for(record, event_id=rng.uuid4(), now=clock.now(), account=account, region=region)
        publish("default", event, caller="states")

    service.status_listeners.append(status_changed)
