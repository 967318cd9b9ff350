"""Stories that end degraded on purpose: `broken_invariants: [{name, reason}]` at the top level.

Some stories are about a failure the system cannot heal by itself (an event stuck FAILED at the
retry limit, money Stripe moved that no handler knows of); their oracle must say so. Each declared
invariant must be broken at the end of the story (its detail is kept, marked "broken as declared"),
and one that holds fails the scenario ("declared broken, but it held"): a declaration never hides
anything it does not name. Unknown invariant names are a load error (file:line: field: message).
"""

from __future__ import annotations

from sim.scenario.oracle import InvariantResult


def apply(results: list[InvariantResult], declared: list[dict]) -> list[InvariantResult]:
    """The oracle's results with the declared ones turned around."""
    wanted = {d["name"]: d.get("reason", "") for d in declared}
    out = []
    for r in results:
        if r.name not in wanted:
            out.append(r)
        elif r.ok:
            out.append(InvariantResult(r.name, False, f"declared broken ({wanted[r.name]}), but it held: {r.detail}"))
        else:
            out.append(InvariantResult(r.name, True, f"broken as declared ({wanted[r.name]}): {r.detail}"))
    return out
