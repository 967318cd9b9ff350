"""Task tokens (`.waitForTaskToken`, activities): SendTaskSuccess / Failure / Heartbeat resolve them."""

from __future__ import annotations

import base64
from typing import Any

from sim.asl.errors import StatesError
from sim.asl.integrations.calls import TaskCall
from sim.scheduler import WaitTimeout


class TaskTokens:
    """Outstanding .waitForTaskToken tokens: SendTaskSuccess/Failure/Heartbeat resolve them."""

    def __init__(self):
        self._pending: dict[str, dict] = {}
        self._closed: dict[str, str] = {}

    def new_token(self, rng) -> str:
        raw = rng.getrandbits(8 * 48).to_bytes(48, "big")
        return base64.b64encode(raw).decode()

    def register(self, token: str, future, scheduler) -> dict:
        entry = {"future": future, "beat": scheduler.clock.now(), "scheduler": scheduler}
        self._pending[token] = entry
        return entry

    def close(self, token: str, why: str = "done") -> None:
        if self._pending.pop(token, None) is not None:
            self._closed[token] = why
            if len(self._closed) > 100_000:
                self._closed.clear()

    def _entry(self, token: str) -> dict:
        entry = self._pending.get(token)
        if entry is None:
            if self._closed.get(token) == "timeout":
                raise LookupError("TaskTimedOut")
            raise KeyError(token)
        return entry

    def success(self, token: str, output: Any) -> None:
        entry = self._entry(token)
        self.close(token)
        entry["future"].set_result(output)

    def failure(self, token: str, error: str | None, cause: str | None) -> None:
        entry = self._entry(token)
        self.close(token)
        entry["future"].set_exception(StatesError(error if error is not None else "", cause))

    def is_pending(self, token: str) -> bool:
        return token in self._pending

    def heartbeat(self, token: str) -> None:
        entry = self._entry(token)
        entry["beat"] = entry["scheduler"].clock.now()

    def wait(self, call: TaskCall) -> Any:
        """Park the task until its token is answered; States.HeartbeatTimeout when HeartbeatSeconds pass silent."""
        sched = call.run.scheduler
        fut = sched.future(name=f"token:{call.state_name}")
        entry = self.register(call.token, fut, sched)
        try:
            while True:
                if call.heartbeat is None:
                    return sched.wait(fut)
                due = entry["beat"].timestamp() + call.heartbeat - sched.clock.now().timestamp()
                try:
                    return sched.wait(fut, timeout=max(due, 0))
                except WaitTimeout:
                    if entry["beat"].timestamp() + call.heartbeat <= sched.clock.now().timestamp():
                        self.close(call.token, "timeout")
                        raise StatesError("States.HeartbeatTimeout", None) from None
        finally:
            if self.is_pending(call.token):
                self.close(call.token, "timeout")
