"""An invocation's log as Lambda's Python runtime writes it, for Invoke's `LogType: Tail`.

    START RequestId: <id> Version: $LATEST
    <the function's lines: stdout/stderr as written, logging records as
     "[LEVEL]\t<ISO time>\t<id>\t<message>", an unhandled error as "[ERROR] <type>: <message>" + traceback>
    END RequestId: <id>
    REPORT RequestId: <id>\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 64 MB\t
    <ISO time> <id> Task timed out after 3.00 seconds          (a timeout only)

`LogResult` is the base64 of the last 4 KB (4096 bytes) of that text, as AWS returns it. Durations
are virtual time; "Max Memory Used" is a fixed figure (we do not measure memory).
"""

from __future__ import annotations

import base64
import math
from datetime import datetime

TAIL_BYTES = 4096
MAX_MEMORY_USED_MB = 64


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def _line(record: dict, request_id: str) -> str:
    if record["stream"] == "logging":
        return f"[{record['level'] or 'INFO'}]\t{_iso(record['time'])}\t{request_id}\t{record['message']}"
    return record["message"]


def text(inv, logs: list[dict], memory_mb: int, timeout_s: float | None = None) -> str:
    """The whole log of invocation `inv` (an `Invocation`) from the world's captured `logs`."""
    rid = inv.request_id
    lines = [f"START RequestId: {rid} Version: $LATEST"]
    lines += [_line(r, rid) for r in logs if r["requestId"] == rid]
    error = inv.error or {}
    timed_out = error.get("errorType") == "Sandbox.Timedout"
    if error and not timed_out and inv.status != "throttled":
        lines.append(f"[ERROR] {error.get('errorType')}: {error.get('errorMessage')}")
        trace = error.get("stackTrace") or []
        if trace:
            lines.append("Traceback (most recent call last):")
            lines += [str(frame).rstrip("\n") for frame in trace]
    ended = inv.ended or inv.started
    duration_ms = max((ended - inv.started).total_seconds() * 1000, 0.0)
    lines.append(f"END RequestId: {rid}")
    lines.append(f"REPORT RequestId: {rid}\tDuration: {duration_ms:.2f} ms\t"
                 f"Billed Duration: {max(1, math.ceil(duration_ms))} ms\tMemory Size: {memory_mb} MB\t"
                 f"Max Memory Used: {min(memory_mb, MAX_MEMORY_USED_MB)} MB\t")
    if timed_out:
        lines.append(f"{_iso(ended)} {rid} Task timed out after {timeout_s or 0:.2f} seconds")
    return "\n".join(lines) + "\n"


def log_result(log_text: str) -> str:
    """Invoke's `LogResult`: base64 of the last 4 KB of the log."""
    return base64.b64encode(log_text.encode("utf-8")[-TAIL_BYTES:]).decode("ascii")
