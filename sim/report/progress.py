"""A live progress bar for long runs (storms, replays): deliveries, deliveries/s, simulated time
and an ETA, drawn by rich on stderr. It only reads the trace (a listener counting webhook
attempts) and the virtual clock, so it changes nothing a run records; `--quiet` (or a
non-terminal stderr) turns it into nothing at all.

    with DeliveryProgress(expected=2200, enabled=not args.quiet) as progress:
        run_scenario(..., world_options={"trace_listeners": [progress.on_record]}, on_step=progress.on_step)
"""

from __future__ import annotations

import sys
import time


class DeliveryProgress:
    def __init__(self, expected: int | None, *, enabled: bool = True, label: str = "storm", console=None):
        self.expected = expected
        self.enabled = enabled and (console is not None or sys.stderr.isatty())
        self.label = label
        self.deliveries = 0
        self.sim_start = None
        self.sim_now = None
        self._console = console
        self._progress = None
        self._task = None
        self._started = 0.0

    def __enter__(self) -> DeliveryProgress:
        self._started = time.perf_counter()
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                                      TextColumn("deliveries · {task.fields[rate]}/s · simulated {task.fields[sim]}"),
                                      TextColumn("· ETA"), TimeRemainingColumn(),
                                      console=self._console or Console(stderr=True), transient=True)
            self._progress.start()
            self._task = self._progress.add_task(self.label, total=self.expected, rate="0", sim="0s")
        return self

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    # -- feeds ---------------------------------------------------------------------------------
    def on_record(self, record: dict) -> None:
        """A trace listener: one more delivery on each webhook attempt."""
        if record["kind"] == "webhook.attempt" and record["component"] == "stripe":
            self.deliveries += 1
            if self.expected is not None and self.deliveries > self.expected:
                self.expected = self.deliveries
            if self._progress is not None and self.deliveries % 10 == 0:
                self._refresh(record.get("t"))

    def on_step(self, run, item) -> None:
        self.sim_now = run.world.now()
        if self.sim_start is None:
            self.sim_start = run.scenario.start
        self._refresh(None)

    def _refresh(self, _t) -> None:
        if self._progress is None:
            return
        wall = time.perf_counter() - self._started
        sim = ""
        if self.sim_now is not None and self.sim_start is not None:
            sim = _duration((self.sim_now - self.sim_start).total_seconds())
        self._progress.update(self._task, completed=self.deliveries, total=self.expected,
                              rate=f"{self.deliveries / wall:.0f}" if wall > 0 else "0", sim=sim or "0s")


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}h{rest // 60:02d}m" if hours else f"{rest // 60}m{rest % 60:02d}s"
