"""`--state DIR`: the world persists as a journal of the requests that changed it.

The world is deterministic, so replaying the same requests at the same virtual instants on a
world with the same seed and start rebuilds the same state (tables, executions, the ledger the
handlers wrote to, the trace). `DIR/world.json` holds the settings; `DIR/journal.jsonl` one line
per request ({"t": virtual ISO instant, "request": …}) and a {"t", "stop": true} line at each
clean shutdown. Requests the fake Stripe API serves directly (its own port) are not journaled.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sim.errors import InputError
from sim.serve.request import Request


class Journal:
    def __init__(self, directory: str | Path):
        self.dir = Path(directory)
        self.settings_file = self.dir / "world.json"
        self.file = self.dir / "journal.jsonl"
        self._out = None

    def settings(self) -> dict[str, Any] | None:
        """The stored settings (seed, start, clock), None for a new directory."""
        if not self.settings_file.exists():
            return None
        try:
            data = json.loads(self.settings_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read the stored world: {exc}", where=str(self.settings_file)) from None
        if not isinstance(data, dict) or not isinstance(data.get("seed"), int) or not isinstance(
                data.get("start"), str):
            raise InputError("expected {\"seed\": N, \"start\": ISO instant}", where=str(self.settings_file))
        return data

    def create(self, settings: dict[str, Any]) -> None:
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            self.settings_file.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write the world's state: {exc.strerror or exc}", where=str(self.dir)) \
                from None

    def entries(self) -> list[dict[str, Any]]:
        if not self.file.exists():
            return []
        out = []
        for number, line in enumerate(self.file.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                if "request" in entry:
                    Request.from_dict(entry["request"])
                if not isinstance(entry.get("t"), str):
                    raise ValueError("no instant 't'")
            except (ValueError, KeyError, TypeError) as exc:
                raise InputError(f"not a journal entry ({exc})", where=f"{self.file}:{number}") from None
            out.append(entry)
        return out

    def open(self) -> None:
        self._out = self.file.open("a", encoding="utf-8")

    def record(self, when: str, req: Request | None = None, **extra: Any) -> None:
        if self._out is None:
            return
        entry: dict[str, Any] = {"t": when, **extra}
        if req is not None:
            entry["request"] = req.to_dict()
        self._out.write(json.dumps(entry, separators=(",", ":")) + "\n")
        self._out.flush()

    def close(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None
