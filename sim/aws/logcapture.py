"""Lambda's log capture: what a function writes to stdout/stderr becomes its log lines.

One process-wide proxy stands in for sys.stdout and sys.stderr whenever a Lambda task runs
(`enter_task` on each switch into one, `exit_task` on the way out). A write made inside a
Lambda task goes to the active `LogSink` (the world's: its `logs`, one record per line, tagged
with the function and request id, JSON lines parsed), and so does every `logging` record
emitted inside one; any other write passes through to the stream that was there before. The
proxy stays valid after the world closes, since a handler's logging handler may keep a reference
to it.
"""

from __future__ import annotations

import io
import json
import logging
import sys
from typing import Any


class LogSink:
    """Where the log lines of a world's functions go: `logs`, as CloudWatch keeps them, timed
    by `clock`; `current_task()` tells a function's writes from the harness's."""

    def __init__(self, scheduler, clock, logs: list[dict]):
        self.scheduler = scheduler
        self.clock = clock
        self.logs = logs

    def current_task(self):
        return self.scheduler.current_task()

    def capture(self, task, stream: str, line: str, level: str | None = None) -> None:
        """One line a function wrote (stdout, stderr or the root logger)."""
        parsed = parse_line(line)
        self.logs.append({"function": task.meta.get("function"), "requestId": task.meta.get("request_id"),
                          "stream": stream, "level": level or parsed["level"], "message": line,
                          "text": parsed["text"], "fields": parsed["fields"], "time": self.clock.now()})


_sink: LogSink | None = None  # the active world's


class _Proxy(io.TextIOBase):
    def __init__(self, name: str, fallback):
        self.name = name
        self.fallback = fallback
        self._partial: dict[int, str] = {}

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        sink = _sink
        task = sink.current_task() if sink is not None else None
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
                sink.capture(task, self.name, line)
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
    sink = _sink
    task = sink.current_task() if sink is not None else None
    if task is not None and "function" in task.meta:
        sink.capture(task, "logging", record.getMessage(), level=record.levelname)
        return
    _original_call_handlers(self, record)


logging.Logger.callHandlers = _call_handlers


def activate(sink: LogSink) -> None:
    global _sink
    _sink = sink


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
