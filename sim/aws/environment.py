"""Each running Lambda task sees its own function's environment and log capture.

`TaskEnvironment.switch(task)` is the scheduler's `on_switch` hook: on the way into a task it
overlays the task's environment on `os.environ` (and points stdout/stderr at the log capture for
Lambda tasks); on the way out it restores what was there. Only the keys that differ are touched.
"""

from __future__ import annotations

import os

from sim.aws import logcapture


class TaskEnvironment:
    def __init__(self):
        self._overlay: dict[str, str] = {}
        self._saved: dict[str, str | None] = {}
        self._streams: tuple | None = None

    def switch(self, task) -> None:
        if task is not None and "function" in task.meta:
            if self._streams is None:
                self._streams = logcapture.enter_task()
        elif self._streams is not None:
            logcapture.exit_task(self._streams)
            self._streams = None
        target = task.env if task is not None and task.env is not None else {}
        current = self._overlay
        if target is current:
            return
        for key in current:
            if key not in target:
                old = self._saved.pop(key, None)
                if old is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = old
        for key, value in target.items():
            if key not in self._saved and key not in current:
                self._saved[key] = os.environ.get(key)
            if current.get(key) != value or key not in current:
                os.environ[key] = value
        self._overlay = target

    def restore(self) -> None:
        self.switch(None)
