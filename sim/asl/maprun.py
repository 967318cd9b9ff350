"""Map Runs of Distributed Map states, in the shape DescribeMapRun / ListMapRuns answer (recorded on AWS).

A Map Run is named ``arn:aws:states:R:A:mapRun:<state machine>/<label>:<id>`` (label: the Map state's
`Label`, else its name); its child executions run the ItemProcessor as the state machine
``…:stateMachine:<state machine>/<label>`` and are named ``…:execution:<state machine>/<label>:<id>``.
DescribeMapRun: executionArn, mapRunArn, status, startDate, stopDate, maxConcurrency,
toleratedFailureCount, toleratedFailurePercentage (a float) and executionCounts / itemCounts with
pending, running, succeeded, failed, timedOut, aborted, total, resultsWritten.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

_COUNT_KEYS = ("pending", "running", "succeeded", "failed", "timedOut", "aborted", "total", "resultsWritten")
_STATUS_KEY = {"SUCCEEDED": "succeeded", "FAILED": "failed", "TIMED_OUT": "timedOut", "ABORTED": "aborted"}


class MapRun:
    """One Map Run: its identity, settings and the counts of its child executions and items."""

    __slots__ = ("arn", "execution_arn", "state_machine_arn", "prefix", "start", "stop", "status",
                 "max_concurrency", "tolerated_count", "tolerated_pct", "executions", "items", "children")

    def __init__(self, *, region: str, account: str, sm_name: str, label: str, run_id: str,
                 execution_arn: str, start: datetime, max_concurrency: int, tolerated_count, tolerated_pct):
        self.arn = f"arn:aws:states:{region}:{account}:mapRun:{sm_name}/{label}:{run_id}"
        self.execution_arn = execution_arn
        self.state_machine_arn = f"arn:aws:states:{region}:{account}:stateMachine:{sm_name}/{label}"
        self.prefix = f"arn:aws:states:{region}:{account}:execution:{sm_name}/{label}:"
        self.start = start
        self.stop: datetime | None = None
        self.status = "RUNNING"
        self.max_concurrency = max_concurrency
        self.tolerated_count = int(tolerated_count or 0)
        self.tolerated_pct = float(tolerated_pct or 0.0)
        self.executions = dict.fromkeys(_COUNT_KEYS, 0)
        self.items = dict.fromkeys(_COUNT_KEYS, 0)
        self.children: list[str] = []  # child execution ARNs, in start order

    def planned(self, executions: int, items: int) -> None:
        self.executions["total"] = self.executions["pending"] = executions
        self.items["total"] = self.items["pending"] = items

    def child_started(self, arn: str, items: int) -> None:
        self.children.append(arn)
        self._move("pending", "running", items)

    def child_finished(self, status: str, items: int) -> None:
        key = _STATUS_KEY.get(status, "failed")
        self._move("running", key, items)
        if key == "succeeded":
            self.executions["resultsWritten"] += 1
            self.items["resultsWritten"] += items

    def _move(self, src: str, dst: str, items: int) -> None:
        self.executions[src] -= 1
        self.executions[dst] += 1
        self.items[src] -= items
        self.items[dst] += items

    def finish(self, status: str, now: datetime) -> None:
        """End the run; children never started count as aborted when it did not succeed."""
        self.status = status
        self.stop = now
        if status != "SUCCEEDED":
            for counts in (self.executions, self.items):
                counts["aborted"] += counts["pending"] + counts["running"]
                counts["pending"] = counts["running"] = 0

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"mapRunArn": self.arn, "executionArn": self.execution_arn, "status": self.status,
                               "startDate": self.start, "maxConcurrency": self.max_concurrency,
                               "toleratedFailurePercentage": self.tolerated_pct,
                               "toleratedFailureCount": self.tolerated_count,
                               "itemCounts": dict(self.items), "executionCounts": dict(self.executions)}
        if self.stop is not None:
            out["stopDate"] = self.stop
        return out

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"executionArn": self.execution_arn, "mapRunArn": self.arn,
                               "stateMachineArn": self.state_machine_arn, "startDate": self.start}
        if self.stop is not None:
            out["stopDate"] = self.stop
        return out
