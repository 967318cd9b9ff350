"""The discrete-event scheduler: timed callbacks ordered by (due time, sequence number), and
cooperative tasks (greenlets) that park on virtual time.

Tasks never race: exactly one runs at a time, and it gives way only at a yield point
(`checkpoint()`, `sleep()`, `wait()`). Every boto3 call a handler makes is such a point (see
`sim.aws.hooks`), and when several tasks are ready at the same instant the seeded RNG picks
which goes next. Same seed, same interleaving; other seeds explore other interleavings.

Outside any task, `run_until(t)`, `run_until_idle()` and `run_until_complete(task)` drive the
loop and advance the clock; inside a task the same waits park the task instead.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from greenlet import GreenletExit, getcurrent
from greenlet import greenlet as _greenlet

from sim.clock import Clock
from sim.rng import Rng

_UNSET = object()


class WaitTimeout(Exception):
    """A `wait(..., timeout=…)` that reached its virtual deadline first."""


class Deadlock(RuntimeError):
    """`run_until_complete` found nothing left to run while the awaited future is pending."""


class Future:
    """A result that will be set once; waitable from tasks and from the top level."""

    __slots__ = ("_result", "_exc", "_callbacks", "name")

    def __init__(self, name: str | None = None):
        self._result: Any = _UNSET
        self._exc: BaseException | None = None
        self._callbacks: list[Callable[[Future], None]] = []
        self.name = name

    @property
    def done(self) -> bool:
        return self._result is not _UNSET or self._exc is not None

    def result(self) -> Any:
        if self._exc is not None:
            raise self._exc
        if self._result is _UNSET:
            raise RuntimeError(f"future {self.name or ''} is not done yet")
        return self._result

    def exception(self) -> BaseException | None:
        return self._exc

    def set_result(self, value: Any) -> None:
        self._finish(value, None)

    def set_exception(self, exc: BaseException) -> None:
        self._finish(_UNSET, exc)

    def add_done_callback(self, fn: Callable[[Future], None]) -> None:
        if self.done:
            fn(self)
        else:
            self._callbacks.append(fn)

    def _finish(self, value: Any, exc: BaseException | None) -> None:
        if self.done:
            raise RuntimeError(f"future {self.name or ''} is already done")
        if exc is None:
            self._result = value
        else:
            self._exc = exc
        callbacks, self._callbacks = self._callbacks, []
        for fn in callbacks:
            fn(self)


class Task(Future):
    """A cooperative task: a function running in its own greenlet on the scheduler."""

    __slots__ = ("_glet", "_token", "_started", "scheduler", "env", "meta")

    def __init__(self, scheduler: Scheduler, glet: _TaskGreenlet, name: str | None):
        super().__init__(name)
        self.scheduler = scheduler
        self._glet = glet
        self._token = 0
        self._started = False
        self.env: dict[str, str] | None = None   # environment applied while this task runs
        self.meta: dict[str, Any] = {}           # who the task is (e.g. {"function": "stripe-webhook"})

    def cancel(self, exc: BaseException | None = None) -> None:
        """Throw `exc` (default GreenletExit) into the task where it is parked."""
        if self.done:
            return
        exc = exc if exc is not None else GreenletExit()
        if not self._started:
            self._token += 1
            self._glet = None
            self._finish(_UNSET, exc)
            return
        self.scheduler._ready.append((self, self._token, None, exc))

    def __repr__(self) -> str:
        state = "done" if self.done else ("running" if self._started else "new")
        return f"<Task {self.name or '?'} {state}>"


class _TaskGreenlet(_greenlet):
    sim_task: Task | None = None


def _cancelled(*_args) -> None:
    """What a cancelled handle holds instead of its callback (never called)."""


class Handle:
    """A scheduled callback; `cancel()` stops it from running."""

    __slots__ = ("when", "fn", "args", "cancelled")

    def __init__(self, when: datetime, fn: Callable, args: tuple):
        self.when = when
        self.fn = fn
        self.args = args
        self.cancelled = False

    def cancel(self) -> None:
        """Never run it. What it would have called is let go now: a cancelled handle stays in the
        heap until its due time, and a Lambda watchdog's (`task.cancel`) held the finished task
        and its result, so every invocation of a storm's same-instant steps stayed alive."""
        self.cancelled = True
        self.fn, self.args = _cancelled, ()


class Scheduler:
    """Timed callbacks plus cooperative tasks on one virtual clock."""

    def __init__(self, clock: Clock, rng: Rng | None = None, *, interleave: bool = True):
        self.clock = clock
        self.rng = rng if rng is not None else Rng(0).child("scheduler")
        self.interleave = interleave
        self._heap: list[tuple[datetime, int, Handle]] = []
        self._seq = itertools.count()
        self._ready: list[tuple[Task, int, Any, BaseException | None]] = []
        self._loop_glet = None
        self._running = False
        self._live: dict[int, Task] = {}
        self.failed_tasks: list[Task] = []
        # called with the task about to run, and with None before the loop runs anything else
        # (a callback, or the code after the loop): see `_switch_out`
        self.on_switch: Callable[[Task | None], None] | None = None
        self._switched_in = False

    # -- timed callbacks ---------------------------------------------------------------------
    def now(self) -> datetime:
        return self.clock.now()

    def call_at(self, when: datetime, fn: Callable, *args: Any) -> Handle:
        when = max(when, self.clock.now())
        handle = Handle(when, fn, args)
        heapq.heappush(self._heap, (when, next(self._seq), handle))
        return handle

    def call_later(self, delay: float | timedelta, fn: Callable, *args: Any) -> Handle:
        delta = delay if isinstance(delay, timedelta) else timedelta(seconds=delay)
        return self.call_at(self.clock.now() + delta, fn, *args)

    def next_due(self) -> datetime | None:
        while self._heap and self._heap[0][2].cancelled:
            heapq.heappop(self._heap)
        return self._heap[0][0] if self._heap else None

    # -- tasks -------------------------------------------------------------------------------
    def spawn(self, fn: Callable, *args: Any, name: str | None = None, **kwargs: Any) -> Task:
        glet = _TaskGreenlet(self._task_body)
        task = Task(self, glet, name or getattr(fn, "__name__", "task"))
        glet.sim_task = task
        glet._sim_call = (fn, args, kwargs)  # type: ignore[attr-defined]
        self._live[id(task)] = task
        self._ready.append((task, 0, None, None))
        return task

    def future(self, name: str | None = None) -> Future:
        return Future(name)

    def current_task(self) -> Task | None:
        task = getattr(getcurrent(), "sim_task", None)
        return task if task is not None and task.scheduler is self else None

    def in_task(self) -> bool:
        return self.current_task() is not None

    def checkpoint(self) -> None:
        """A yield point: let any other ready task run first (seeded choice). No-op outside tasks."""
        task = self.current_task()
        if task is None:
            return
        self._ready.append((task, task._token, None, None))
        self._park()

    def sleep(self, seconds: float | timedelta) -> None:
        delta = seconds if isinstance(seconds, timedelta) else timedelta(seconds=seconds)
        self.sleep_until(self.clock.now() + delta)

    def sleep_until(self, when: datetime) -> None:
        task = self.current_task()
        if task is None:
            self.run_until(when)
            return
        token = task._token
        self.call_at(when, self._wake, task, token, None, None)
        self._park()

    def wait(self, fut: Future, timeout: float | timedelta | None = None) -> Any:
        """The future's result, parking the current task (or running the loop) until it is done."""
        if fut.done:
            return fut.result()
        task = self.current_task()
        if task is None:
            return self.run_until_complete(fut, timeout=timeout)
        token = task._token
        handle = None
        if timeout is not None:
            err = WaitTimeout(f"{fut.name or 'future'} not done after {timeout} s")
            handle = self.call_later(timeout, self._wake, task, token, None, err)
        fut.add_done_callback(lambda _f: self._wake(task, token, None, None))
        try:
            self._park()
        finally:
            if handle is not None:
                handle.cancel()
        return fut.result()

    def _wake(self, task: Task, token: int, value: Any, exc: BaseException | None) -> None:
        if not task.done and task._token == token:
            self._ready.append((task, token, value, exc))

    def _park(self) -> Any:
        loop = self._loop_glet
        if loop is None:
            raise RuntimeError("a task parked while no scheduler loop is running")
        return loop.switch()

    def _task_body(self) -> None:
        glet = getcurrent()
        task: Task = glet.sim_task
        fn, args, kwargs = glet._sim_call
        del glet._sim_call
        try:
            result = fn(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - a task's failure is its result
            self._live.pop(id(task), None)
            if not isinstance(exc, GreenletExit):
                self.failed_tasks.append(task)
            task._finish(_UNSET, exc)
        else:
            self._live.pop(id(task), None)
            task._finish(result, None)

    def _resume(self, task: Task, value: Any, exc: BaseException | None) -> None:
        task._token += 1
        hook = self.on_switch
        if hook is not None:
            hook(task)
            self._switched_in = True
        self._switch_into(task, value, exc)

    def _switch_out(self) -> None:
        """`on_switch(None)`, owed since the last task parked. It is put off until the loop runs
        anything but its own wake-ups and the next task (a callback, or code after the loop):
        between two tasks the loop only picks, and a task that runs again straight away (a
        handler's next AWS call) is not switched out and in again for nothing."""
        if self._switched_in:
            self._switched_in = False
            hook = self.on_switch
            if hook is not None:
                hook(None)

    def _switch_into(self, task: Task, value: Any, exc: BaseException | None) -> None:
        glet = task._glet
        glet.parent = getcurrent()
        if not task._started:
            task._started = True
            if exc is not None:
                glet.throw(exc)
            else:
                glet.switch()
        elif exc is not None:
            glet.throw(exc)
        else:
            glet.switch(value)

    # -- the loop ----------------------------------------------------------------------------
    def _step(self, limit: datetime | None) -> bool:
        """Run one unit of work; False when nothing is due up to `limit`."""
        now = self.clock.now()
        heap = self._heap
        # callbacks due now run before any ready task is picked, so that every task woken at
        # this instant is in the ready set when the seeded choice is made
        while heap and (heap[0][0] <= now or heap[0][2].cancelled):
            _, _, handle = heapq.heappop(heap)
            if not handle.cancelled:
                if getattr(handle.fn, "__func__", None) is not Scheduler._wake:
                    self._switch_out()
                handle.fn(*handle.args)
        ready = self._ready
        while ready:
            idx = self.rng.randrange(len(ready)) if self.interleave and len(ready) > 1 else 0
            task, token, value, exc = ready.pop(idx)
            if task.done or token != task._token:
                continue
            self._resume(task, value, exc)
            return True
        due = self.next_due()
        if due is None or (limit is not None and due > limit):
            return False
        self.clock.set(due)
        return True

    def _run(self, stop: Callable[[], bool], limit: datetime | None) -> None:
        if self._running:
            raise RuntimeError("the scheduler loop is already running: spawn a task instead of blocking "
                               "inside a callback")
        self._running = True
        previous = self._loop_glet
        self._loop_glet = getcurrent()
        try:
            while not stop():
                if not self._step(limit):
                    break
        finally:
            self._switch_out()
            self._running = False
            self._loop_glet = previous

    def run_until(self, when: datetime) -> None:
        if self.in_task():
            self.sleep_until(when)
            return
        self._run(lambda: False, when)
        if when > self.clock.now():
            self.clock.set(when)

    def run_until_idle(self) -> None:
        """Run everything due at or before the current instant; the clock does not move."""
        self._run(lambda: False, self.clock.now())

    def run_until_complete(self, fut: Future, timeout: float | timedelta | None = None) -> Any:
        if self.in_task():
            return self.wait(fut, timeout)
        limit = None
        if timeout is not None:
            delta = timeout if isinstance(timeout, timedelta) else timedelta(seconds=timeout)
            limit = self.clock.now() + delta
        self._run(lambda: fut.done, limit)
        if not fut.done:
            if limit is not None:
                raise WaitTimeout(f"{fut.name or 'future'} not done after {timeout} s")
            raise Deadlock(f"{fut.name or 'future'} is waiting on something that will never happen")
        return fut.result()

    def run_all(self, limit: datetime | None = None) -> None:
        """Run until nothing is scheduled (or up to `limit`)."""
        self._run(lambda: False, limit)

    @property
    def idle(self) -> bool:
        return not self._ready and self.next_due() is None

    def close(self) -> None:
        """Kill every parked task in a deterministic order (never leave them to the GC)."""
        for task in sorted(self._live.values(), key=lambda t: (t.name or "", id(t))):
            if not task.done and task._started:
                task.cancel()
        if self._ready:
            try:
                self._run(lambda: not self._ready, self.clock.now())
            except Exception:  # noqa: BLE001 - best effort at shutdown
                pass
        self._heap.clear()
        self._ready.clear()
        self._live.clear()
