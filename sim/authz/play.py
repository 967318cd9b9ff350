"""Play every cell of the authorization matrix in a world and compare it with the matrix.

For each operation one world (two customers, two providers, their services); for each kind of
caller a fresh resource owned as the cell says (a paid booking of customer 0 with provider 0, its
conversation, a user's own things, an execution the owner started, a signed Stripe event), then
the operation called with the operation's `play.arguments` ({{booking}}, {{owner}}, {{execution}},
{{service}}, {{customer}}, {{start}}, {{end}}, {{amount}}, {{payload}} filled in) as that caller.
The answer is `refused` when AppSync's Unauthorized comes back, `allowed` otherwise (a business
error such as a ValidationError is still an allowed call); the effects are what changed in every
table, the Stripe ledger, the bus and SNS while the call and what it set off ran. A cell differs
when the answer is not the matrix's, when a refused call changed anything, or when an allowed
read returned a field its read rule hides.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from handlers.common.authz import CALLERS, read_rule
from sim.authz.callers import presented
from sim.authz.matrix import Matrix
from sim.rng import derive_seed

SETTLE = timedelta(minutes=5)
_SCENARIO = """
name: sim authz
tags: [authz]
world: {customers: 2, providers: 2, services: 2}
steps: [{note: the matrix played cell by cell}]
"""


@dataclass
class Cell:
    operation: str
    caller: str
    expected: str
    actual: str
    effects: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out = {"operation": self.operation, "caller": self.caller, "expected": self.expected,
               "actual": self.actual, "effects": self.effects}
        if self.error:
            out["error"] = self.error
        if self.problem:
            out["problem"] = self.problem
        return out


class _Cells:
    """One operation's world and the resources its cells need."""

    def __init__(self, run, operation: str, spec: dict):
        self.run, self.w, self.operation, self.spec = run, run.world, operation, spec
        self.n = 0

    # -- resources --------------------------------------------------------------------------------
    def booking(self) -> str:
        from sim.scenario.steps import booking as booking_steps
        from sim.scenario.steps import payments

        self.n += 1
        alias = f"authz_b{self.n}"
        booking_steps.book(self.run, {"id": alias, "customer": 0, "service": 0})
        payments.stripe_step(self.run, {"pay": alias})
        self.w.advance(60)
        return self.run.booking_id(alias)

    def user(self, caller: str) -> Any:
        kind = self.spec.get("owner", "customer")
        if caller in ("customer", "provider"):
            kind = caller
        return self.run.entities[kind][0]

    def execution(self, owner) -> str:
        from sim.scenario.appsync_calls import call

        booking = self.booking()
        out = call(self.run, "startWorkflow", {"workflowType": "DISPUTE", "input": json.dumps(
            {"bookingId": booking, "disputeType": "OTHER", "reason": "sim authz"})}, user=owner)
        self.w.advance(60)
        return out["executionArn"]

    def payload(self) -> tuple[str, dict[str, str]]:
        from sim.aws.stack import SIM_STRIPE_WEBHOOK_SECRET
        from sim.stripe.signing import STRIPE_HEADER, stripe_signature

        result = self.w.stripe.ledger.create_customer(email=f"authz{self.n}@example.com")
        self.w.advance(60)
        body = json.dumps(result.events[-1], sort_keys=True)
        ts = int(self.w.now().timestamp())
        return body, {STRIPE_HEADER.lower(): stripe_signature(body.encode(), SIM_STRIPE_WEBHOOK_SECRET, ts)}

    # -- one cell ---------------------------------------------------------------------------------
    def caller_identity(self, caller: str, owner) -> tuple[dict | None, dict[str, str]]:
        ents = self.run.entities
        who = {"customer": ents["customer"][0], "provider": ents["provider"][0],
               "other_customer": ents["customer"][1], "other_provider": ents["provider"][1]}.get(caller)
        if self.spec["resource"] == "user" and caller in ("customer", "provider"):
            who = owner
        if who is not None:
            return presented("user", who.id, who.kind, who.data.get("email"))
        return presented({"admin": "admin", "api_key": "api_key", "none": "none", "webhook": "webhook",
                          "iam": "iam"}[caller], "authz-admin", "customer")

    def values(self, caller: str) -> tuple[dict[str, Any], Any, dict[str, str]]:
        ents = self.run.entities
        resource = self.spec["resource"]
        owner = self.user(caller) if resource == "user" else ents["customer"][0]
        start = (self.w.now() + timedelta(days=5, hours=2 * self.n)).replace(minute=0, second=0, microsecond=0)
        self.n += 1
        vals: dict[str, Any] = {"owner": owner.id, "customer": ents["customer"][0].id, "service": ents["service"][0].id,
                                "start": start.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                                "end": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                                "amount": 12000}
        headers: dict[str, str] = {}
        if resource in ("booking", "conversation"):
            vals["booking"] = self.booking()
        elif resource == "execution":
            vals["execution"] = self.execution(ents["provider"][0] if caller == "provider" else ents["customer"][0])
        elif resource == "webhook":
            vals["payload"], headers = self.payload()
        return vals, owner, headers

    def play(self, caller: str) -> Cell:
        from sim.aws.appsync import resolver_event
        from sim.aws.lambdas import LambdaError
        from sim.scenario.appsync_calls import function_for

        expected = "allowed" if caller in self.spec.get("allow", ()) else "refused"
        vals, owner, headers = self.values(caller)
        self.w.advance(60)  # what the setup set off has run before the call
        args = fill(self.spec["play"]["arguments"], vals)
        identity, extra = self.caller_identity(caller, owner)
        event = resolver_event(self.spec["field"], args, identity=identity, parent=self.spec.get("type", "Mutation"),
                               headers={**headers, **extra})
        before = state(self.w)
        error = result = None
        try:
            result = self.w.invoke(function_for(self.w, self.spec["field"]), event)
        except LambdaError as exc:
            error = f"{exc.error_type}: {exc.error_message}"
        self.w.advance(SETTLE)
        effects = diff(before, state(self.w))
        actual = "refused" if error and error.startswith("Unauthorized:") else "allowed"
        cell = Cell(self.operation, caller, expected, actual, effects, error)
        if expected != actual:
            cell.problem = f"expected {expected}, was {actual}"
        elif actual == "refused" and effects:
            cell.problem = "refused, yet it changed " + ", ".join(sorted(effects))
        elif actual == "allowed" and isinstance(result, dict):
            rule = read_rule(self.operation, caller)
            hidden = sorted(set(result) & set(rule.get("except", []))) if isinstance(rule, dict) else []
            if hidden:
                cell.problem = f"the answer shows {', '.join(hidden)}, which the read rule hides from {caller}"
        return cell


def fill(value: Any, vals: dict[str, Any]) -> Any:
    """Replace {{name}} placeholders (a whole-string placeholder keeps the value's type)."""
    if isinstance(value, str):
        for name, v in vals.items():
            token = "{{" + name + "}}"
            if value == token:
                return v
            value = value.replace(token, str(v))
        return value
    if isinstance(value, dict):
        return {k: fill(v, vals) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, vals) for v in value]
    return value


def state(w) -> dict[str, Any]:
    tables = {t.name: {json.dumps(i, sort_keys=True, default=str) for i in w.table_items(t.name)}
              for t in w.stack.tables}
    return {"tables": tables, "stripe_events": len(w.stripe.ledger.events) if w.stripe else 0,
            "bus": len(w.bus_events), "sns": len(w.sns_messages)}


def diff(before: dict, after: dict) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for table, items in after["tables"].items():
        changed = len(items ^ before["tables"].get(table, set()))
        if changed:
            out[f"table.{table}"] = changed
    for key in ("stripe_events", "bus", "sns"):
        if after[key] != before[key]:
            out[key] = after[key] - before[key]
    return out


def play_operation(name: str, spec: dict, seed: int) -> list[Cell]:
    from sim.scenario.context import ScenarioRun
    from sim.scenario.loader import parse_scenario
    from sim.scenario.steps import world as world_steps
    from sim.world import World

    scenario = parse_scenario(_SCENARIO, "<sim authz>")
    with World(seed=derive_seed(seed, "authz", name), start=scenario.start) as w:
        run = ScenarioRun(w, scenario)
        world_steps.build(run)
        w.advance(60)  # the world's own Stripe events (customers, accounts) delivered before any cell
        cells = _Cells(run, name, spec)
        return [cells.play(caller) for caller in CALLERS]


def play(matrix: Matrix, *, seed: int = 1, only: list[str] | None = None) -> list[Cell]:
    cells: list[Cell] = []
    for name, spec in matrix.operations.items():
        if only and name not in only:
            continue
        cells += play_operation(name, spec, seed)
    return cells
