"""Lambda's log capture: what a function writes to stdout/stderr becomes its log lines.

One process-wide proxy stands in for sys.stdout and sys.stderr whenever a Lambda task runs
(`enter_task` on each switch into one, `exit_task` on the way out). A write made inside a
Lambda task goes to the active world's `logs` (one record per line, tagged with the function and
request id, JSON lines parsed), and so does every `logging` record emitted inside one; any
other write passes through to the stream that was there
before. The proxy stays valid after the world closes, since a handler's logging handler may keep
a reference to it.
"""

from __future__ import annotations

import io
import json
import logging
import sys
from typing import Any

_sink: Any = None  # the active world


class _Proxy(io.TextIOBase):
    def __init__(self, name: str, fallback):
        self.name = name
        self.fallback = fallback
        self._partial: dict[int, str] = {}

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        world = _sink
        task = world.scheduler.current_task() if world is not None else None
        if task is None or "function" not in task.meta:
            try:
                return self.fallback.write(text)
            except ValueError:  # a closed stream (e.g. a finished test's capture)
                return getattr(sys, f"__{self.name}__").write(text)
        key = id(task)
        buf = self._partial.pop(key, "") + text
        *lines, rest = buf.split("\n")
        if rest:
            self._partial[key] = rest
        for line in lines:
            if line.strip():
                world.capture_log(task, self.name, line)
        return len(text)

    def flush(self) -> None:
        try:
            self.fallback.flush()
        except ValueError:
            pass

    def isatty(self) -> bool:
        return False


_proxies: dict[str, _Proxy] = {}
_original_call_handlers = logging.Logger.callHandlers


def _call_handlers(self: logging.Logger, record: logging.LogRecord) -> None:
    """Records logged inside a Lambda task are the function's log lines, whatever the logger
    (propagating or not, whichever stream its handler bound when it was configured)."""
    world = _sink
    task = world.scheduler.current_task() if world is not None else None
    if task is not None and "function" in task.meta:
        world.capture_log(task, "logging", record.getMessage(), level=record.levelname)
        return
    _original_call_handlers(self, record)


logging.Logger.callHandlers = _call_handlers


def activate(world) -> None:
    global _sink
    _sink = world


def deactivate() -> None:
    global _sink
    _sink = None


def enter_task() -> tuple:
    """Point sys.stdout/sys.stderr at the proxies; returns what `exit_task` restores."""
    saved = (sys.stdout, sys.stderr)
    for name, current in (("stdout", saved[0]), ("stderr", saved[1])):
        proxy = _proxies.get(name)
        if proxy is None:
            proxy = _proxies[name] = _Proxy(name, current)
        elif current is not proxy:
            proxy.fallback = current
        setattr(sys, name, proxy)
    return saved


def exit_task(saved: tuple) -> None:
    sys.stdout, sys.stderr = saved


def parse_line(line: str) -> dict[str, Any]:
    """A log record: JSON lines keep their fields; `text` is the human message either way."""
    try:
        data = json.loads(line)
    except ValueError:
        data = None
    if isinstance(data, dict):
        return {"fields": data, "text": str(data.get("message", line)), "level": data.get("level")}
    return {"fields": {}, "text": line, "level": None}
