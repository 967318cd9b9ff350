"""Faults: Stripe delivery faults (drop, duplicate, delay, reorder, bad signature, stale or future
timestamp, endpoint down), AWS-call faults (throttle, error, latency, crash after the call took
effect), Lambda timeouts/throttles/errors, PutEvents partial failure and mocked workflow tasks."""

from __future__ import annotations

from sim.durations import parse_duration
from sim.faults import AwsCallFault, LambdaTimeoutFault, TaskMock
from sim.scenario.context import ScenarioRun, StepFailed
from sim.scenario.model import Item
from sim.scenario.steps import step, stripe_api_faults

STRIPE_KINDS = {"drop", "duplicate", "delay", "reorder", "bad_signature", "stale_timestamp", "future_timestamp",
                "endpoint_down"}


def _seconds(value) -> float:
    return parse_duration(value).total_seconds()


def _stripe_fault(run: ScenarioRun, kind: str, spec: dict):
    from sim.stripe.faults import Fault

    w = run.world
    if w.stripe is None:
        raise StepFailed("this world has no fake Stripe")
    match = {}
    if spec.get("type"):
        match["type"] = spec["type"]
    if spec.get("event"):
        match["event"] = run.event_id(spec["event"])
    options: dict = {"times": spec.get("times")}
    if kind == "duplicate":
        options.update(copies=int(spec.get("copies", 2)), concurrent=bool(spec.get("concurrent", True)))
    elif kind == "delay":
        options["delay_s"] = _seconds(spec["by"])
    elif kind == "reorder":
        options["window_s"] = _seconds(spec.get("window", "1m"))
    elif kind in ("stale_timestamp", "future_timestamp") and "by" in spec:
        options["offset_s"] = _seconds(spec["by"])
    elif kind == "endpoint_down":
        options["status"] = spec.get("status", 503)
    fault = w.stripe.channel.add_fault(Fault(kind, match=match, **options))
    if kind == "endpoint_down":
        from sim.clock import parse_instant

        until = w.now() + parse_duration(spec["for"]) if "for" in spec else parse_instant(spec["until"])
        w.scheduler.call_at(until, _remove, run, fault)
    return fault


def _remove(run: ScenarioRun, fault) -> None:
    channel = run.world.stripe.channel
    if fault in channel.faults:
        channel.remove_fault(fault)
        run.trace("fault.removed", None, fault=fault.kind)


def apply(run: ScenarioRun, raw: dict) -> None:
    """Add one fault (a single-key mapping) to the world."""
    kind, spec = next(iter(raw.items()))
    spec = run.substitute(spec or {})
    w = run.world
    if kind in STRIPE_KINDS:
        _stripe_fault(run, kind, spec)
    elif kind == "aws":
        try:
            w.faults.add(AwsCallFault(spec["call"], function=spec.get("function"), table=spec.get("table"),
                                      error=spec.get("error"), message=spec.get("message"), times=spec.get("times"),
                                      latency=_seconds(spec["latency"]) if "latency" in spec else None,
                                      crash_after=bool(spec.get("crash_after"))))
        except ValueError as exc:
            raise StepFailed(f"aws fault: {exc}") from None
    elif kind == "lambda":
        fn = spec["function"]
        if spec.get("throttle"):
            w.lambdas.throttle(fn, spec.get("times"))
        elif spec.get("timeout"):
            w.faults.add(LambdaTimeoutFault(fn, w.stack.function(fn).timeout, times=spec.get("times")))
        else:
            w.lambdas.fail(fn, spec["error"], times=spec.get("times"))
    elif kind == "putevents":
        times = spec.get("times")
        w.router.fail_entries(count=times or 10**9, detail_type=spec.get("detail_type"), times=1,
                              code=spec.get("error_code", "InternalFailure"))
    elif kind == "task":
        if getattr(w, "sfn", None) is None:
            raise StepFailed("the world does not simulate Step Functions: tasks cannot be mocked")
        w.faults.add(TaskMock(spec["workflow"], spec["state"], result=spec.get("result"), error=spec.get("error"),
                              cause=spec.get("cause"), times=spec.get("times"),
                              delay_s=_seconds(spec["delay"]) if "delay" in spec else None))
    elif kind == "stripe_api":
        stripe_api_faults.add(run, spec)
    else:
        raise StepFailed(f"unknown fault kind {kind}")
    run.trace("fault.added", None, fault=kind, **{k: v for k, v in spec.items() if isinstance(v, (str, int, bool))})


def apply_all(run: ScenarioRun, items: list[Item]) -> None:
    for item in items:
        run.item = item
        apply(run, {item.kind: item.spec})


@step("fault")
def fault(run: ScenarioRun, spec: dict) -> None:
    apply(run, spec)


@step("clear_faults")
def clear_faults(run: ScenarioRun, spec) -> None:
    """Remove every fault (true) or those of the named kinds, whichever consumer holds them."""
    if spec is False:
        return
    kinds = None if spec is True else set(spec or [])
    run.world.faults.clear(kinds)
    run.trace("faults.cleared", None, kinds=sorted(kinds) if kinds else "all")
