"""The state of one scenario being played: the world, the entities it created, the aliases its
steps named, what it observed along the way, and small helpers the steps share."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sim.scenario.model import Item, Scenario


class StepFailed(Exception):
    """A step could not do what it says (or its own expectation failed); the scenario fails here."""

    def __init__(self, message: str, *, expected: Any = None, actual: Any = None, kind: str = "step",
                 name: str | None = None):
        super().__init__(message)
        self.message = message
        self.expected = expected
        self.actual = actual
        self.kind = kind
        self.name = name


class StepSkipped(StepFailed):
    """The step needs what an earlier step was refused (a `book` with `expect_error: "*"` that the
    marketplace answered with an error): the runner skips it and the story goes on. Raised anywhere
    else (a final expectation on the refused booking) it fails like any StepFailed."""

    def __init__(self, alias: str):
        super().__init__(f"booking {alias} was refused by the marketplace (expect_error: \"*\"); this step needs it",
                         name="refused")
        self.alias = alias


@dataclass
class Entity:
    """A customer, provider or service of the world (its id in the tables and in Stripe)."""

    kind: str
    index: int
    id: str
    alias: str | None = None
    stripe_id: str | None = None      # customer cus_… / provider acct_…
    data: dict = field(default_factory=dict)


class ScenarioRun:
    """Everything a step needs: `world`, `scenario`, entities, aliases, and trace/record helpers."""

    def __init__(self, world, scenario: Scenario):
        self.world = world
        self.scenario = scenario
        self.rng = world.rng.child("scenario")
        self.entities: dict[str, list[Entity]] = {"customer": [], "provider": [], "service": []}
        self.by_alias: dict[str, Any] = {}           # alias -> Entity | booking id | event id | arn | response
        self.alias_kind: dict[str, str] = {}
        self.refused: set[str] = set()               # aliases whose step the marketplace refused (StepSkipped)
        self.refusals: list[str] = []                # "step alias: errorType" of each such refusal
        self.status_history: dict[str, list[str]] = {}
        self.reconciliations: list[datetime] = []
        self.deliveries: list[dict] = []             # manual deliveries: {event, copy, status, signature}
        self.delivered_ids: set[str] = set()          # events a manual delivery got a 2xx for
        self.item: Item | None = None                # the step being run
        self._faker = None

    # -- randomness ------------------------------------------------------------------------------
    @property
    def faker(self):
        if self._faker is None:
            from faker import Faker

            self._faker = Faker("en_US")
            self._faker.seed_instance(self.rng.child("faker").getrandbits(63))
        return self._faker

    # -- aliases -----------------------------------------------------------------------------------
    def name(self, alias: str, kind: str, value: Any) -> None:
        self.by_alias[alias] = value
        self.alias_kind[alias] = kind
        self.refused.discard(alias)

    def refuse(self, alias: str, kind: str) -> None:
        """`alias` names nothing: the marketplace refused the step that would have made it, and the
        story took either answer; every later step that needs it is skipped (StepSkipped)."""
        self.name(alias, kind, None)
        self.refused.add(alias)

    def entity(self, ref, kind: str) -> Entity:
        """A customer/provider/service by index or alias."""
        if isinstance(ref, int):
            pool = self.entities[kind]
            if ref >= len(pool):
                raise StepFailed(f"no {kind} {ref}: the world has {len(pool)}")
            return pool[ref]
        value = self.by_alias.get(ref)
        if not isinstance(value, Entity) or value.kind != kind:
            raise StepFailed(f"{ref!r} is not a {kind}")
        return value

    def booking_id(self, alias: str) -> str:
        if alias in self.refused:
            raise StepSkipped(alias)
        value = self.by_alias.get(alias)
        if self.alias_kind.get(alias) != "booking" or not value:
            raise StepFailed(f"{alias!r} is not a booking that was created")
        return value

    def event_id(self, alias: str) -> str:
        if self.alias_kind.get(alias) != "event":
            raise StepFailed(f"{alias!r} is not a Stripe event")
        return self.by_alias[alias]

    def subject(self, ref):
        """A booking alias → ("booking", id); a provider ref → ("provider", Entity)."""
        if isinstance(ref, str) and self.alias_kind.get(ref) == "booking":
            return "booking", self.booking_id(ref)
        return "provider", self.entity(ref, "provider")

    def substitute(self, value: Any) -> Any:
        """Replace `{{alias}}` in strings (recursively) by the alias's id."""
        if isinstance(value, str) and "{{" in value:
            out = value
            for alias, target in self.by_alias.items():
                token = "{{" + alias + "}}"
                if token in out and alias in self.refused:
                    raise StepSkipped(alias)
                if token in out:
                    ident = target.id if isinstance(target, Entity) else target
                    if out == token and not isinstance(ident, str):
                        return ident
                    out = out.replace(token, ident if isinstance(ident, str) else json.dumps(ident))
            return out
        if isinstance(value, dict):
            return {k: self.substitute(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.substitute(v) for v in value]
        return value

    # -- records -----------------------------------------------------------------------------------
    def get_item(self, table: str, key: dict) -> dict | None:
        return self.world.get_item(table, key)

    def booking(self, booking_id: str) -> dict | None:
        return self.get_item("Booking", {"id": booking_id})

    def observe_statuses(self) -> None:
        """Append each booking's status to its history when it changed (for the transition invariants)."""
        for item in self._changed_items("Booking"):
            bid, status = str(item.get("id")), item.get("status")
            history = self.status_history.setdefault(bid, [])
            if status is not None and (not history or history[-1] != status):
                history.append(status)

    def _changed_items(self, table: str) -> list[dict]:
        """The table's items written since the last look (all of them the first time), sorted by
        hash key as `table_items` sorts them."""
        from sim.aws.items import plain_item

        world = self.world
        writes = getattr(world, "writes", None)
        keys = writes.take(world.stack.table(table).name) if writes is not None else None
        if keys is None:
            return world.table_items(table)
        ddb, name = world.client("dynamodb"), world.stack.table(table).name
        items = []
        with world.internal():
            for key in keys:
                got = ddb.get_item(TableName=name, Key=key, ConsistentRead=True)
                if "Item" in got:
                    items.append(plain_item(got["Item"]))
        hash_key = world.stack.table(table).hash_key
        return sorted(items, key=lambda i: str(i.get(hash_key)))

    def trace(self, kind: str, cid: str | None = None, /, **details) -> None:
        self.world.trace.record("scenario", kind, cid, **details)

    # -- driving the world -----------------------------------------------------------------------
    concurrent = False  # inside `concurrently`: the step's own wait drives the scheduler

    def settle(self) -> None:
        """Run everything due at this instant (the clock does not move)."""
        if not self.concurrent:
            self.world.settle()

    def wait_all(self, tasks) -> list:
        """Run the scheduler until every task is done; their results, in order."""
        sched = self.world.scheduler
        return [sched.run_until_complete(t) if not t.done else t.result() for t in tasks]


def put_item(world, table: str, item: dict) -> None:
    """Write an item as the harness (not traced, not faulted, not a yield point)."""
    from decimal import Decimal

    from boto3.dynamodb.types import TypeSerializer

    def dec(value):
        if isinstance(value, float):
            return Decimal(str(value))
        if isinstance(value, dict):
            return {k: dec(v) for k, v in value.items()}
        if isinstance(value, list):
            return [dec(v) for v in value]
        return value

    ser = TypeSerializer()
    with world.internal():
        world.client("dynamodb").put_item(TableName=world.stack.table(table).name,
                                          Item={k: ser.serialize(dec(v)) for k, v in item.items() if v is not None})
