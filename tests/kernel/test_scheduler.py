"""The discrete-event scheduler and its cooperative tasks."""

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.clock import Clock
from sim.rng import Rng
from sim.scheduler import Deadlock, Scheduler, WaitTimeout


def make(seed=0, interleave=True):
    return Scheduler(Clock("2026-01-01T00:00:00Z"), Rng(seed), interleave=interleave)


@given(st.lists(st.integers(min_value=0, max_value=1000), max_size=30))
def test_callbacks_run_in_due_then_sequence_order(delays):
    s = make()
    seen = []
    for i, d in enumerate(delays):
        s.call_later(d, seen.append, (d, i))
    s.run_all()
    assert seen == sorted(seen)


def test_cancelled_callbacks_do_not_run():
    s = make()
    seen = []
    h = s.call_later(5, seen.append, 1)
    s.call_later(6, seen.append, 2)
    h.cancel()
    s.run_all()
    assert seen == [2]


def test_a_cancelled_handle_lets_go_of_its_callback_while_it_waits_in_the_heap():
    """A finished Lambda task's watchdog is cancelled but stays in the heap until its due time;
    the task (and its result) must not stay alive with it."""
    import gc
    import weakref

    class Result:
        pass

    s = make()
    result = Result()
    alive = weakref.ref(result)
    watchdog = s.call_later(300, lambda r: None, result)
    del result
    gc.collect()
    assert alive() is not None          # the pending handle holds it
    watchdog.cancel()
    gc.collect()
    assert alive() is None and len(s._heap) == 1   # still in the heap, holding nothing
    s.run_all()
    assert not s._heap


def test_sleep_costs_virtual_time_only():
    s = make()

    def day_long():
        s.sleep(86400)
        return s.now()

    t = s.spawn(day_long)
    end = s.run_until_complete(t)
    assert end - s.clock.now() == timedelta(0)
    assert end.day == 2


def interleaving(seed):
    s = make(seed)
    log = []

    def worker(n):
        for i in range(3):
            log.append((n, i))
            s.checkpoint()

    tasks = [s.spawn(worker, n) for n in range(3)]
    for t in tasks:
        s.run_until_complete(t)
    return log


def test_same_seed_same_interleaving_and_other_seeds_explore():
    assert interleaving(1) == interleaving(1)
    assert len({tuple(interleaving(seed)) for seed in range(20)}) > 1


def test_checkpoint_is_a_no_op_outside_tasks():
    s = make()
    s.checkpoint()  # must not raise


def test_wait_timeout_and_future_result():
    s = make()
    fut = s.future("answer")

    def waiter(timeout):
        try:
            return s.wait(fut, timeout=timeout)
        except WaitTimeout:
            return "timeout"

    t1 = s.spawn(waiter, 10)
    s.call_later(5, fut.set_result, 42)
    assert s.run_until_complete(t1) == 42
    fut2 = s.future("never")
    t2 = s.spawn(lambda: s.wait(fut2, timeout=3))
    with pytest.raises(WaitTimeout):
        s.run_until_complete(t2)


def test_cancel_throws_into_a_parked_task():
    s = make()

    class Stop(Exception):
        pass

    def sleeper():
        try:
            s.sleep(1000)
        except Stop:
            return "stopped"
        return "slept"

    t = s.spawn(sleeper)
    s.call_later(10, t.cancel, Stop())
    assert s.run_until_complete(t) == "stopped"
    assert s.now().minute == 0 and s.now().second == 10


def test_deadlock_is_reported():
    s = make()
    t = s.spawn(lambda: s.wait(s.future("nobody sets me")))
    with pytest.raises(Deadlock):
        s.run_until_complete(t)


def test_task_exceptions_are_results():
    s = make()

    def boom():
        raise ValueError("bad")

    t = s.spawn(boom)
    with pytest.raises(ValueError, match="bad"):
        s.run_until_complete(t)
    assert t in s.failed_tasks


def test_on_switch_sees_each_task_and_returns_to_none():
    s = make()
    seen = []
    s.on_switch = lambda task: seen.append(task.name if task else None)

    def w():
        s.checkpoint()

    s.run_until_complete(s.spawn(w, name="a"))
    assert seen and seen[0] == "a" and seen[-1] is None
    assert all(x in ("a", None) for x in seen)


@settings(max_examples=30)
@given(st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=8), st.integers(0, 2**16))
def test_parallel_sleeps_finish_at_the_longest(durations, seed):
    s = make(seed)
    start = s.now()
    tasks = [s.spawn(s.sleep, d) for d in durations]
    for t in tasks:
        s.run_until_complete(t)
    assert (s.now() - start).total_seconds() == max(durations)


def test_close_kills_parked_tasks_deterministically():
    s = make()
    cleaned = []

    def parked(n):
        try:
            s.sleep(100)
        finally:
            cleaned.append(n)

    for n in range(3):
        s.spawn(parked, n, name=f"t{n}")
    s.run_until_idle()
    s.close()
    assert sorted(cleaned) == [0, 1, 2]
