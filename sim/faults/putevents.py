"""PutEvents partial failures (the `eventbridge.putevents` kind of the fault plane), consulted by
the EventBridge router for each valid entry of a PutEvents call: the next `count` matching entries
(of `detail_type`, or any) answer `code` instead of being accepted (`times` <= 0 disables it).
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.faults.plane import FaultSpec


@dataclass(eq=False)
class PutEventsFault(FaultSpec):
    KIND = "eventbridge.putevents"

    count: int = 1
    detail_type: str | None = None
    times: int = 1
    code: str = "InternalFailure"
    fired: int = 0

    @property
    def scenario_kind(self) -> str:
        return "putevents"

    def take(self, entry: dict) -> bool:
        if self.times <= 0 or self.fired >= self.count:
            return False
        if self.detail_type and entry.get("DetailType") != self.detail_type:
            return False
        self.fired += 1
        return True

    def to_scenario(self) -> dict | None:
        body: dict = {}
        if self.detail_type:
            body["detail_type"] = self.detail_type
        if self.count < 10**9:
            body["times"] = self.count
        if self.code != "InternalFailure":
            body["error_code"] = self.code
        return {"putevents": body}
