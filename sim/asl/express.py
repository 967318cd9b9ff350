"""Express workflows: what AWS refuses in their definitions, their ARNs and StartSyncExecution's billing.

Recorded on AWS (2024):
* executions are named ``arn:aws:states:R:A:express:<state machine>:<name>:<id>``;
* DescribeExecution, StopExecution and GetExecutionHistory of such an ARN fail with
  InvalidArn "Invalid Arn: 'Resource type not valid in this context: express'", ListExecutions of an
  Express state machine with StateMachineTypeNotSupported (nothing is kept to answer them);
* CreateStateMachine refuses `.waitForTaskToken`, `.sync` and activity resources (messages below,
  including AWS's double space before "at" in the first);
* StartSyncExecution bills the duration rounded up to 100 ms (100 for an instant run), 64 MB; a
  failed run has error and cause, no output, but still ``outputDetails: {included: true}``.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from sim.asl.errors import InvalidDefinition

EXPRESS_ARN_MESSAGE = "Invalid Arn: 'Resource type not valid in this context: express'"
NOT_SUPPORTED = "This operation is not supported by this type of state machine"


def check_definition(definition: dict) -> None:
    """Raise InvalidDefinition for what an Express state machine may not contain."""
    problems: list[str] = []
    _scan(definition.get("States") or {}, "/States", problems)
    if problems:
        raise InvalidDefinition(problems)


def _scan(states: dict, base: str, out: list[str]) -> None:
    for name, st in states.items():
        if not isinstance(st, dict):
            continue
        path = f"{base}/{name}"
        resource = st.get("Resource")
        if st.get("Type") == "Task" and isinstance(resource, str):
            if resource.endswith(".waitForTaskToken"):
                out.append("SCHEMA_VALIDATION_FAILED: Express state machine does not support "
                           f"'.waitForTaskToken' service integration  at {path}/Resource")
            elif resource.endswith(".sync") or ".sync:" in resource:
                out.append("SCHEMA_VALIDATION_FAILED: Express state machine does not support '.sync' "
                           f"service integration at {path}/Resource")
            elif ":activity:" in resource:
                out.append(f"SCHEMA_VALIDATION_FAILED: Express state machine does not support Activity ARN "
                           f"at {path}/Resource")
        for i, branch in enumerate(st.get("Branches") or []):
            if isinstance(branch, dict):
                _scan(branch.get("States") or {}, f"{path}/Branches[{i}]/States", out)
        for key in ("ItemProcessor", "Iterator"):
            proc = st.get(key)
            if isinstance(proc, dict):
                _scan(proc.get("States") or {}, f"{path}/{key}/States", out)


def execution_arn(region: str, account: str, sm_name: str, name: str, run_id: str) -> str:
    return f"arn:aws:states:{region}:{account}:express:{sm_name}:{name}:{run_id}"


def billing(start: datetime, stop: datetime | None) -> dict[str, int]:
    ms = ((stop or start) - start).total_seconds() * 1000
    return {"billedMemoryUsedInMB": 64, "billedDurationInMilliseconds": max(100, int(math.ceil(ms / 100.0)) * 100)}


def sync_response(run: Any, sm_arn: str, input_text: str) -> dict:
    """The StartSyncExecution answer for a finished run."""
    out = {"executionArn": run.arn, "stateMachineArn": sm_arn, "name": run.name, "startDate": run.start_date,
           "stopDate": run.stop_date, "status": run.status, "input": input_text,
           "inputDetails": {"included": True}, "outputDetails": {"included": True},
           "billingDetails": billing(run.start_date, run.stop_date)}
    if run.status == "SUCCEEDED":
        out["output"] = run.output_text
    else:
        if run.error is not None:
            out["error"] = run.error
        if run.cause is not None:
            out["cause"] = run.cause
    return out
