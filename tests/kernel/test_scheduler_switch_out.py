"""`on_switch(None)` is owed from when a task parks until the loop runs anything else: a task
resumed straight away is not switched out and in again, but every callback, and the code after
the loop, runs switched out."""

from sim.clock import Clock
from sim.rng import Rng
from sim.scheduler import Scheduler


def _scheduler():
    s = Scheduler(Clock(), Rng(1).child("s"))
    seen: list = []
    s.on_switch = lambda task: seen.append(task.name if task is not None else None)
    return s, seen


def test_a_task_resumed_straight_away_is_not_switched_out_between():
    s, seen = _scheduler()

    def body():
        for _ in range(3):
            s.checkpoint()

    s.spawn(body, name="a")
    s.run_until_idle()
    assert seen == ["a", "a", "a", "a", None]


def test_every_callback_and_the_code_after_the_loop_run_switched_out():
    s, seen = _scheduler()
    at_callback = []

    def body():
        s.sleep(1)            # the loop's own wake-up: no switch out for it
        s.call_later(0, lambda: at_callback.append(seen[-1]))
        s.checkpoint()

    s.spawn(body, name="a")
    s.run_until(s.now().replace(year=s.now().year + 1))
    assert at_callback == [None]                 # the callback saw the task switched out
    assert seen[-1] is None and seen.count("a") == 3
    assert seen == ["a", "a", None, "a", None]


def test_two_tasks_switch_from_one_to_the_other():
    s, seen = _scheduler()
    s.interleave = False
    s.spawn(lambda: s.checkpoint(), name="a")
    s.spawn(lambda: s.checkpoint(), name="b")
    s.run_until_idle()
    assert seen == ["a", "b", "a", "b", None]
