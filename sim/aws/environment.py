"""Each running Lambda task sees its own function's environment and log capture.

`TaskEnvironment.switch(task)` is the scheduler's `on_switch` hook: on the way into a task it
overlays the task's environment on `os.environ` (and points stdout/stderr at the log capture for
Lambda tasks); on the way out it restores what was there (the scheduler owes that call until it
runs anything but the next task: `Scheduler._switch_out`, so a task resumed straight away, or
another task, is switched to directly). Only the keys that differ are touched.

The switch runs on every task switch, so it works on `os.environ`'s encoded mapping directly
(`_data`, with `putenv`/`unsetenv` exactly as `os.environ`'s own `__setitem__`/`__delitem__` do)
with the encoded keys and values memoised, and skips a write that would store the value already
there: the environment seen by Python and by C code after every switch is what the plain
`os.environ` version gave.
"""

from __future__ import annotations

import os

from sim.aws import logcapture

_MEMO_LIMIT = 4096
_encoded: dict[str, bytes] = {}


def _enc(text: str) -> bytes:
    """`os.environ`'s encoding of a key or value (the same function for both on POSIX), memoised."""
    found = _encoded.get(text)
    if found is None:
        if len(_encoded) >= _MEMO_LIMIT:
            _encoded.clear()
        found = _encoded[text] = os.environ.encodevalue(text)
    return found


def _unset(data: dict, key: bytes) -> None:
    if key in data:
        os.unsetenv(key)
        del data[key]


class TaskEnvironment:
    def __init__(self):
        self._overlay: dict[str, str] = {}
        self._saved: dict[str, bytes | None] = {}   # key -> encoded value before the overlay
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
        data, saved, enc = os.environ._data, self._saved, _encoded
        for key in current:
            if key not in target:
                old = saved.pop(key, None)
                kb = enc.get(key) or _enc(key)
                if old is None:
                    _unset(data, kb)
                elif data.get(kb) != old:
                    os.putenv(kb, old)
                    data[kb] = old
        for key, value in target.items():
            fresh = key not in current
            if not fresh and current[key] == value:
                continue
            kb = enc.get(key) or _enc(key)
            if fresh and key not in saved:
                saved[key] = data.get(kb)
            vb = enc.get(value) or _enc(value)
            if data.get(kb) != vb:
                os.putenv(kb, vb)
                data[kb] = vb
        self._overlay = target

    def restore(self) -> None:
        self.switch(None)
