"""Load a scenario file: YAML with line numbers → JSON Schema → semantic checks → `Scenario`.

Any problem raises `ScenarioError` (an `InputError`, exit status 2) naming file, line and field,
e.g. `scenarios/x.yaml:14: steps[3].deliver.copies: expected an integer >= 1, got "three"`.
Nothing is run before a scenario has loaded cleanly.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from jsonschema import Draft202012Validator

from sim.clock import parse_instant
from sim.durations import parse_duration
from sim.safeinput import BadFile, read_text
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.model import DEFAULT_START, WORLD_DEFAULTS, Item, Scenario
from sim.scenario.schema_errors import describe, render_path
from sim.scenario.yamllines import YamlError, line_of, load_with_lines

SCHEMA_PATH = Path(__file__).with_name("schema.json")
SCHEMA_HEADER = "# yaml-language-server: $schema="

STRIPE_OPS = ("pay", "fail", "cancel", "refund", "dispute", "close_dispute", "onboard", "payout", "emit")
OUTCOMES = {"dispute": {"won", "lost"}, "close_dispute": {"won", "lost"}, "onboard": {"enabled", "rejected"},
            "payout": {"paid", "failed", "paid_then_failed", "canceled"}}
DELIVER_SOURCES = ("event", "events", "type", "pending", "github", "shopify")


@functools.cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@functools.cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(schema())


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate one scenario file."""
    path = Path(path)
    try:
        text = read_text(path)
    except BadFile as exc:
        raise ScenarioError([Problem(exc.file, exc.line, "", exc.message)]) from None
    return parse_scenario(text, str(path))


def parse_scenario(text: str, file: str = "<scenario>") -> Scenario:
    """Validate scenario text; `file` is used in messages and reports."""
    try:
        data, lines = load_with_lines(text)
    except YamlError as exc:
        raise ScenarioError([Problem(file, exc.line, "", exc.message)]) from None
    if not isinstance(data, dict):
        raise ScenarioError([Problem(file, 1, "", "a scenario is a mapping with name, tags and steps")])
    problems = []
    for error in _validator().iter_errors(data):
        path, message = describe(error)
        problems.append(Problem(file, line_of(lines, path), render_path(path), message))
    if problems:
        raise ScenarioError(_dedupe(problems))
    checker = _Semantics(file, data, lines)
    checker.check()
    if checker.problems:
        raise ScenarioError(checker.problems)
    return _build(file, data, lines, checker.aliases)


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen, out = set(), []
    for p in problems:
        key = (p.line, p.field, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def _build(file: str, data: dict, lines: dict, aliases: dict[str, str]) -> Scenario:
    world = {**WORLD_DEFAULTS, **(data.get("world") or {})}
    items = {}
    for section in ("steps", "faults"):
        items[section] = [Item(next(iter(raw)), raw[next(iter(raw))], i, line_of(lines, (section, i)), section)
                          for i, raw in enumerate(data.get(section) or [])]
    return Scenario(
        file=file, name=data["name"], tags=list(data["tags"]), seed=int(data.get("seed", 0)),
        start=parse_instant(data.get("start", DEFAULT_START)), world=world,
        delivery={"mode": "auto", **(data.get("delivery") or {})}, faults=items["faults"],
        steps=items["steps"], expect=data.get("expect") or {}, description=data.get("description", ""),
        iam=data.get("iam", "record"), lines=lines, aliases=aliases,
        broken_invariants=list(data.get("broken_invariants") or []))


class _Semantics:
    """Checks the schema cannot express: one operation per step, aliases defined before use,
    entity indexes within the world, outcomes that fit the operation."""

    def __init__(self, file: str, data: dict, lines: dict):
        self.file = file
        self.data = data
        self.lines = lines
        self.problems: list[Problem] = []
        self.aliases: dict[str, str] = {}
        world = {**WORLD_DEFAULTS, **(data.get("world") or {})}
        self.counts = {"customer": world["customers"], "provider": world["providers"],
                       "service": world["services"]}
        for kind, prefix in (("customer", "c"), ("provider", "p"), ("service", "s")):
            for i in range(self.counts[kind]):  # the world's own entities: c0…, p0…, s0…
                self.aliases[f"{prefix}{i}"] = kind

    def fail(self, path: tuple, message: str) -> None:
        self.problems.append(Problem(self.file, line_of(self.lines, path), render_path(path), message))

    def check(self) -> None:
        if "start" in self.data:
            try:
                parse_instant(self.data["start"])
            except ValueError:
                self.fail(("start",), f"not a valid instant: {self.data['start']!r}")
        if self.counts["service"] and not self.counts["provider"]:
            self.fail(("world", "services"), "services need at least one provider")
        for i, raw in enumerate(self.data.get("faults") or []):
            self.fault(("faults", i), raw)
        for i, raw in enumerate(self.data["steps"]):
            kind = next(iter(raw))
            getattr(self, "step_" + kind, lambda p, s: None)(("steps", i, kind), raw[kind])
        self.expectations(("expect",), self.data.get("expect") or {})
        self.broken_invariants()

    def broken_invariants(self) -> None:
        from sim.scenario.oracle import NAMES

        seen = set()
        for i, entry in enumerate(self.data.get("broken_invariants") or []):
            name = entry.get("name")
            if name not in NAMES:
                self.fail(("broken_invariants", i, "name"), f"no invariant {name!r}; the oracle has: "
                                                            + ", ".join(NAMES))
            elif name in seen:
                self.fail(("broken_invariants", i, "name"), f"{name!r} is declared twice")
            seen.add(name)

    # -- aliases ----------------------------------------------------------------------------
    def define(self, path: tuple, alias: str, kind: str) -> None:
        if alias in self.aliases:
            self.fail(path, f'"{alias}" is already defined (as a {self.aliases[alias]})')
        else:
            self.aliases[alias] = kind

    def use(self, path: tuple, alias, *kinds: str) -> None:
        if isinstance(alias, int):
            kind = kinds[0] if kinds else "customer"
            if kind in self.counts and alias >= self.counts[kind]:
                self.fail(path, f"no {kind} {alias}: the world has {self.counts[kind]} "
                                f"{kind}{'s' if self.counts[kind] != 1 else ''} (indexes from 0)")
            return
        have = self.aliases.get(alias)
        if have is None:
            defined = ", ".join(sorted(a for a, k in self.aliases.items() if not kinds or k in kinds))
            self.fail(path, f'"{alias}" is not defined by an earlier step'
                            + (f"; defined so far: {defined}" if defined else ""))
        elif kinds and have not in kinds:
            self.fail(path, f'"{alias}" is a {have}, expected a {" or ".join(kinds)}')

    # -- steps ------------------------------------------------------------------------------
    def step_customer(self, path, spec):
        self.define((*path, "as"), spec["as"], "customer")

    def step_provider(self, path, spec):
        self.define((*path, "as"), spec["as"], "provider")

    def step_service(self, path, spec):
        self.use((*path, "provider"), spec["provider"], "provider")
        self.define((*path, "as"), spec["as"], "service")

    def step_book(self, path, spec):
        for key, kind in (("customer", "customer"), ("service", "service"), ("provider", "provider")):
            if key in spec:
                self.use((*path, key), spec[key], kind)
        if "service" not in spec and not self.counts["service"]:
            self.fail(path, "no service to book: add world.services or give service:")
        if "customer" not in spec and not self.counts["customer"]:
            self.fail(path, "no customer to book: add world.customers or give customer:")
        if "start" in spec:
            value = spec["start"]
            try:
                parse_duration(value)
            except ValueError:
                try:
                    parse_instant(value)
                except (ValueError, TypeError):
                    self.fail((*path, "start"), f"expected an instant or a duration from now, got {value!r}")
        self.define((*path, "id"), spec["id"], "booking")

    def step_cancel(self, path, spec):
        self.use((*path, "booking"), spec["booking"], "booking")

    def step_stripe(self, path, spec):
        ops = [k for k in STRIPE_OPS if k in spec]
        if len(ops) != 1:
            self.fail(path, f"expected exactly one of {', '.join(STRIPE_OPS)}, got "
                            f"{', '.join(ops) if ops else 'none'}")
            return
        op = ops[0]
        if op == "emit":
            from sim.scenario.stripe_events import EMITTERS

            if spec["emit"] not in EMITTERS:
                self.fail((*path, "emit"), f"cannot emit {spec['emit']!r}; expected one of: "
                                           + ", ".join(sorted(EMITTERS)))
                return
            if "for" not in spec:
                self.fail(path, 'emit needs "for" (the booking or provider the event is about)')
            else:
                self.use((*path, "for"), spec["for"], *EMITTERS[spec["emit"]].subject_kinds)
        elif op in ("onboard", "payout"):
            self.use((*path, op), spec[op], "provider")
        else:
            self.use((*path, op), spec[op], "booking")
        if "outcome" in spec:
            allowed = OUTCOMES.get(op if op != "emit" else "", None)
            if allowed is None and op != "emit":
                self.fail((*path, "outcome"), f"{op} takes no outcome")
            elif allowed is not None and spec["outcome"] not in allowed:
                self.fail((*path, "outcome"), f"expected one of {', '.join(sorted(allowed))}, "
                                              f"got {spec['outcome']!r}")
        if op == "payout" and ("amount" in spec) == ("share" in spec):
            self.fail(path, 'payout needs "amount" or "share" (not both)')
        elif "share" in spec and op != "payout":
            self.fail((*path, "share"), f"{op} takes no share (only payout does)")
        if "as" in spec:
            self.define((*path, "as"), spec["as"], "event")
        for etype, alias in (spec.get("name") or {}).items():
            self.define((*path, "name", etype), alias, "event")

    def step_stripe_import(self, path, spec):
        if "as" in spec:
            self.define((*path, "as"), spec["as"], "event")

    def step_deliver(self, path, spec):
        sources = [k for k in DELIVER_SOURCES if k in spec]
        if len(sources) != 1:
            self.fail(path, f"expected exactly one of {', '.join(DELIVER_SOURCES)}, got "
                            f"{', '.join(sources) if sources else 'none'}")
        if "event" in spec:
            self.use((*path, "event"), spec["event"], "event")
        for j, alias in enumerate(spec.get("events", [])):
            self.use((*path, "events", j), alias, "event")
        if ("github" in spec or "shopify" in spec) and "as" in spec:
            self.define((*path, "as"), spec["as"], "response")
        if ("github" in spec or "shopify" in spec) and spec.get("signature", "valid") not in ("valid", "bad", "missing"):
            self.fail((*path, "signature"), "a GitHub or Shopify webhook's signature is valid, bad or missing")
        if "for" in spec:
            if "type" not in spec:
                self.fail((*path, "for"), '"for" goes with "type"')
            self.use((*path, "for"), spec["for"], "booking", "provider")

    def use_caller(self, path, ref) -> None:
        """A step's `identity`: a customer or provider, or a caller kind (admin, none, …)."""
        from sim.scenario.appsync_calls import CALLER_KINDS

        if not (isinstance(ref, str) and ref in CALLER_KINDS and ref not in self.aliases):
            self.use(path, ref, "customer", "provider")

    def step_preferences(self, path, spec):
        self.use((*path, "user"), spec["user"], "customer", "provider")
        if "identity" in spec:
            self.use_caller((*path, "identity"), spec["identity"])
        if not any(k in spec for k in ("email", "push", "in_app", "muted")):
            self.fail(path, "expected at least one of email, push, in_app, muted")

    def step_appsync(self, path, spec):
        if "identity" in spec:
            self.use_caller((*path, "identity"), spec["identity"])
        if "as" in spec:
            self.define((*path, "as"), spec["as"], "response")

    def step_invoke(self, path, spec):
        if "as" in spec:
            self.define((*path, "as"), spec["as"], "response")

    def step_workflow(self, path, spec):
        if ("start" in spec) == ("stop" in spec):
            self.fail(path, 'expected exactly one of "start", "stop"')
            return
        if "identity" in spec:
            self.use_caller((*path, "identity"), spec["identity"])
        if "stop" in spec:
            self.use((*path, "stop"), spec["stop"], "execution")
        elif "as" in spec:
            self.define((*path, "as"), spec["as"], "execution")

    def step_db_write(self, path, spec):
        if ("booking" in spec) == ("key" in spec):
            self.fail(path, 'expected exactly one of "booking", "key"')
        if "booking" in spec:
            self.use((*path, "booking"), spec["booking"], "booking")
        if not spec.get("set") and not spec.get("remove"):
            self.fail(path, 'expected "set" or "remove"')

    def step_concurrently(self, path, spec):
        from sim.scenario.steps.concurrent import NOT_CONCURRENT

        if len(spec) < 2:
            self.fail(path, "concurrently needs at least two steps")
        for j, raw in enumerate(spec):
            kind = next(iter(raw))
            if kind in NOT_CONCURRENT:
                self.fail((*path, j, kind), f"{kind} cannot run concurrently with other steps")
                continue
            getattr(self, "step_" + kind, lambda p, s: None)((*path, j, kind), raw[kind])

    def step_fault(self, path, spec):
        self.fault(path, spec)

    def step_expect(self, path, spec):
        self.expectations(path, spec)

    def step_eventually(self, path, spec):
        self.expectations((*path, "expect"), spec["expect"])

    # -- faults -----------------------------------------------------------------------------
    def fault(self, path, raw):
        kind = next(iter(raw))
        spec = raw[kind] or {}
        if "event" in spec:
            self.use((*path, kind, "event"), spec["event"], "event")
        if kind == "lambda":
            modes = [k for k in ("timeout", "throttle", "error") if spec.get(k)]
            if len(modes) != 1:
                self.fail((*path, kind), "expected exactly one of timeout, throttle, error")
        if kind == "task" and "result" in spec and "error" in spec:
            self.fail((*path, kind), 'a mocked task has "result" or "error", not both')
        if kind == "stripe_api" and "for" in spec and "until" in spec:
            self.fail((*path, kind), 'expected at most one of "for", "until"')
        if kind == "stripe_api" and not any(k in spec for k in ("for", "until", "times")):
            self.fail((*path, kind), 'say how long: "for", "until" or "times"')
        if kind == "stripe_api" and spec.get("applied") and spec.get("status") != "timeout":
            self.fail((*path, kind, "applied"), "applied is for status: timeout (an error answer means Stripe did nothing)")
        if kind == "endpoint_down" and ("for" in spec) == ("until" in spec):
            self.fail((*path, kind), 'expected exactly one of "for", "until"')

    # -- expectations -----------------------------------------------------------------------
    def empty_matchers(self, path, value) -> None:
        """An empty mapping in an expectation checks nothing: refuse it (file:line: field)."""
        if isinstance(value, dict):
            if not value:
                self.fail(path, "an empty matcher checks nothing; give a value, a matcher (eq, exists, …) "
                                "or remove the key")
            for k, v in value.items():
                self.empty_matchers((*path, k), v)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                self.empty_matchers((*path, i), v)

    def expectations(self, path, spec):
        for key, value in spec.items():
            self.empty_matchers((*path, key), value)
        for key in spec:
            head, _, rest = key.partition(".")
            if not rest:
                continue
            kinds = {"booking": ("booking",), "webhooks": ("event",), "customer": ("customer",),
                     "provider": ("provider",), "service": ("service",), "stripe": ()}.get(head)
            if kinds is None:
                continue
            ref = int(rest) if rest.isdigit() else rest
            if head == "stripe" and isinstance(ref, str) and ref not in self.aliases:
                self.fail((*path, key), f'"{ref}" is not defined by any step')
            elif head != "stripe":
                self.use((*path, key), ref, *kinds)
