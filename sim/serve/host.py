"""One long-lived world on one thread; every request is a job run there, one at a time.

The world is single-threaded: its tasks are greenlets (bound to the thread that made them) and
moto's backends are unsynchronised. So the HTTP threads never touch it: they `call()` a function
and wait for its result, and the world thread runs jobs in arrival order — one lock, held by
construction. Between jobs the host moves time:

- `virtual`: the clock moves only when a job moves it (`POST /_sim/advance`); after every job the
  world settles (everything due at the current instant runs, e.g. a started execution up to its
  first Wait);
- `real`: virtual time follows the wall clock from the start instant, scaled by `time_scale`
  (`time.monotonic()`, the one use of real time in serve mode); due work (Waits, Stripe retries,
  the 02:00 reconciliation) runs from this thread as the wall clock reaches it.
"""

from __future__ import annotations

import queue
import sys
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future
from datetime import timedelta
from typing import Any

TICK_S = 0.05


class WorldHost:
    def __init__(self, make_world: Callable[[], Any], *, clock: str = "virtual", time_scale: float = 1.0,
                 on_ready: Callable[[Any], None] | None = None, on_job: Callable[[Any], None] | None = None):
        if clock not in ("real", "virtual"):
            raise ValueError(f"clock is 'real' or 'virtual', got {clock!r}")
        self.make_world = make_world
        self.mode = clock
        self.time_scale = float(time_scale)
        self.on_ready = on_ready
        self.world = None
        self.ready = threading.Event()
        self.failed: BaseException | None = None
        self._jobs: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._main, name="sim-world", daemon=True)
        self._origin: tuple[float, Any] | None = None
        self.jobs_run = 0

    # -- life cycle ------------------------------------------------------------------------------
    def start(self) -> WorldHost:
        self._thread.start()
        self.ready.wait()
        if self.failed is not None:
            raise self.failed
        return self

    def stop(self) -> None:
        self._stop.set()
        self._jobs.put(None)
        self._thread.join()

    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run fn(world, *args) on the world thread; its result (or its exception)."""
        if threading.current_thread() is self._thread:
            return fn(self.world, *args)
        fut: Future = Future()
        if self._stop.is_set() or not self._thread.is_alive():
            raise RuntimeError("the world is shutting down")
        self._jobs.put((fn, args, fut))
        return fut.result()

    # -- the world thread ------------------------------------------------------------------------
    def _main(self) -> None:
        try:
            self.world = self.make_world()
            if self.on_ready is not None:
                self.on_ready(self.world)
            self.world.settle()
            self._origin = (time.monotonic(), self.world.now())
        except BaseException as exc:  # noqa: BLE001 - handed to the thread that started us
            self.failed = exc
            self.ready.set()
            if self.world is not None:
                self.world.close()
            return
        self.ready.set()
        try:
            while not self._stop.is_set():
                try:
                    job = self._jobs.get(timeout=TICK_S)
                except queue.Empty:
                    job = None
                try:
                    self._move_time()
                except Exception:  # noqa: BLE001 - due work that crashed is logged; the world keeps serving
                    traceback.print_exc(file=sys.stderr)
                if job is None:
                    continue
                fn, args, fut = job
                if not fut.set_running_or_notify_cancel():
                    continue
                try:
                    result = fn(self.world, *args)
                    self.world.settle()
                except BaseException as exc:  # noqa: BLE001 - the caller turns it into an error answer
                    fut.set_exception(exc)
                else:
                    fut.set_result(result)
                self.jobs_run += 1
        finally:
            self._drain_jobs()
            self.world.close()

    def _drain_jobs(self) -> None:
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                return
            if job is not None:
                job[2].set_exception(RuntimeError("the world is shutting down"))

    def _move_time(self) -> None:
        w = self.world
        if self.mode == "real" and self._origin is not None:
            began, start = self._origin
            target = start + timedelta(seconds=(time.monotonic() - began) * self.time_scale)
            if target > w.now():
                due = w.scheduler.next_due()
                if due is not None and due <= target:
                    w.advance_to(target)  # due work runs, then the TTL sweep
                else:
                    w.settle()
                    w.scheduler.run_until(target)  # nothing due: the clock just moves
                return
        w.settle()

    def resync(self) -> None:
        """After a job moved virtual time itself (advance in real mode): real time continues from there."""
        if self.world is not None and self._origin is not None:
            self._origin = (time.monotonic(), self.world.now())
