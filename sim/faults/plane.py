"""The fault registry: every injected fault of a world, whatever its kind, in one place.

A fault spec is a small object with a class attribute `KIND` (which consumer asks for it: the
Stripe channel, the botocore-hook observer, the Lambda runtime, the EventBridge router, the Step
Functions task seam, the fake Stripe API), a `take(*args) -> bool` that says whether it fires on
the consumer's occasion (and counts it when it does), a `fired` count and a `scenario_kind` (its
key in a scenario's `faults:` list, also what `clear_faults` names).

    plane = FaultPlane()
    plane.add(AwsCallFault("dynamodb.UpdateItem", error="ThrottlingException", times=2))
    plane.match(AwsCallFault.KIND, "dynamodb.UpdateItem", params, "stripe-webhook")   # first that fires
    plane.count("aws")          # how many times faults of that scenario kind fired
    plane.clear(["lambda"])     # or plane.clear() for every fault

Specs of one KIND are consulted in the order they were added (the first that fires wins), except
kinds whose spec class sets `NEWEST_FIRST` (task mocks: the latest mock of a state wins).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar


class FaultSpec:
    """Base of the typed fault specs (see the module docstring for the protocol)."""

    KIND: ClassVar[str] = ""
    NEWEST_FIRST: ClassVar[bool] = False
    fired: int = 0

    @property
    def scenario_kind(self) -> str:
        raise NotImplementedError

    def take(self, *args: Any, **kwargs: Any) -> bool:
        raise NotImplementedError

    def to_scenario(self) -> dict | None:
        """The fault as one entry of a scenario's `faults:` list, or None when it has no such form."""
        return None


class FaultPlane:
    """One registry of typed fault specs: add, match, count, clear."""

    def __init__(self):
        self._by_kind: dict[str, list[FaultSpec]] = {}
        self._cleared_fired: dict[str, int] = {}

    # -- registering ------------------------------------------------------------------------
    def add(self, spec: FaultSpec | str, /, **kwargs: Any) -> FaultSpec:
        """Register a spec; `add("dynamodb.UpdateItem", error=…)` is short for an AwsCallFault."""
        if isinstance(spec, str):
            from sim.faults.aws import AwsCallFault

            spec = AwsCallFault(call=spec, **kwargs)
        elif kwargs:
            raise TypeError("keyword arguments go with a call name, not with a fault spec")
        self._by_kind.setdefault(spec.KIND, []).append(spec)
        return spec

    def remove(self, spec: FaultSpec) -> None:
        specs = self._by_kind.get(spec.KIND, [])
        for i, s in enumerate(specs):
            if s is spec:
                del specs[i]
                return
        raise ValueError("fault not registered")

    def clear(self, kinds: Iterable[str] | None = None) -> list[FaultSpec]:
        """Remove every fault, or those whose scenario kind is in `kinds`; the removed specs."""
        wanted = None if kinds is None else set(kinds)
        removed = []
        for specs in self._by_kind.values():
            keep = []
            for s in specs:
                (removed if wanted is None or s.scenario_kind in wanted else keep).append(s)
            specs[:] = keep
        for s in removed:
            self._cleared_fired[s.scenario_kind] = self._cleared_fired.get(s.scenario_kind, 0) + s.fired
        return removed

    # -- consulting ------------------------------------------------------------------------
    def of(self, kind: str) -> list[FaultSpec]:
        """The live list of specs of one KIND, in the order they are consulted."""
        return self._by_kind.setdefault(kind, [])

    def match(self, kind: str, *args: Any, **kwargs: Any) -> Any:
        """The first spec of `kind` that fires for this occasion (counted), or None."""
        specs = self._by_kind.get(kind)
        if not specs:
            return None
        for spec in reversed(specs) if specs[0].NEWEST_FIRST else specs:
            if spec.take(*args, **kwargs):
                return spec
        return None

    def match_all(self, kind: str, *args: Any, **kwargs: Any) -> list:
        """Every spec of `kind` that fires for this occasion (each counted), in order."""
        specs = self._by_kind.get(kind)
        if not specs:
            return []
        return [spec for spec in specs if spec.take(*args, **kwargs)]

    # -- reading -----------------------------------------------------------------------------
    def specs(self, kinds: Iterable[str] | None = None) -> list[FaultSpec]:
        """Every registered spec (or those of these scenario kinds)."""
        wanted = None if kinds is None else set(kinds)
        return [s for specs in self._by_kind.values() for s in specs
                if wanted is None or s.scenario_kind in wanted]

    def count(self, kind: str | None = None) -> int:
        """How many times faults fired: all, or of one scenario kind (cleared faults included)."""
        live = sum(s.fired for s in self.specs(None if kind is None else [kind]))
        gone = sum(n for k, n in self._cleared_fired.items() if kind is None or k == kind)
        return live + gone

    def counts(self) -> dict[str, int]:
        """Fires per scenario kind (what `sim explore` reports as `fault_kinds`)."""
        kinds = {s.scenario_kind for s in self.specs()} | set(self._cleared_fired)
        return {k: self.count(k) for k in sorted(kinds)}

    def __len__(self) -> int:
        return sum(len(specs) for specs in self._by_kind.values())

    def __iter__(self):
        return iter(self.specs())
