"""The context object (``$$`` in JSONPath, ``$states.context`` in JSONata)."""

from __future__ import annotations

from typing import Any

from sim.asl.jsonutil import iso_millis


class ContextBase:
    """The parts of the context object fixed for a whole execution."""

    __slots__ = ("execution", "state_machine", "extra")

    def __init__(self, *, execution_arn: str, name: str, input_value: Any, role_arn: str, start, redrive_count=0,
                 state_machine_arn: str, state_machine_name: str, extra: dict | None = None):
        self.execution = {"Id": execution_arn, "Input": input_value, "Name": name, "RoleArn": role_arn,
                          "StartTime": iso_millis(start)}
        if redrive_count is not None:  # Express executions have no RedriveCount (recorded on AWS)
            self.execution["RedriveCount"] = redrive_count
        self.state_machine = {"Id": state_machine_arn, "Name": state_machine_name}
        self.extra = extra or {}

    def for_state(self, state_name: str, entered, retry_count: int = 0, *, token: str | None = None,
                  map_item: tuple[int, Any] | None = None) -> dict:
        ctx: dict[str, Any] = {
            "Execution": self.execution,
            "State": {"EnteredTime": iso_millis(entered), "Name": state_name, "RetryCount": retry_count},
            "StateMachine": self.state_machine,
        }
        if token is not None:
            ctx["Task"] = {"Token": token}
        if map_item is not None:
            ctx["Map"] = {"Item": {"Index": map_item[0], "Value": map_item[1]}}
        if self.extra:
            for k, v in self.extra.items():
                ctx.setdefault(k, v)
        return ctx
