"""The `sim iam check` report: per principal, what its calls used, what its policy denied, and
which of its grants no call needed (candidates to remove).

`build(results, stack)` merges the `iam` summaries of many scenario results:
`{"principals": {name: {"kind", "role", "used": {action: [resources]}, "denied": [{action,
resource, scenario, step, …}], "unused": [actions], "unused_grants": [{action, resource}]}}}`.
An action is unused when no allowed request matched any of its grants; a grant (one action
pattern on one resource pattern of an Allow statement) is unused when no request matched it.
Every principal of the stack appears, including those no scenario exercised.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sim.iam.principals import principals


def _grants(policy) -> list[tuple[int, str, str]]:
    out = []
    for i, st in enumerate(policy):
        if st.get("Effect") != "Allow" or "NotAction" in st or "NotResource" in st:
            continue
        actions = st.get("Action")
        resources = st.get("Resource")
        for a in actions if isinstance(actions, list) else [actions]:
            for r in resources if isinstance(resources, list) else [resources]:
                out.append((i, str(a), str(r)))
    return out


def build(results, stack) -> dict[str, Any]:
    known = principals(stack)
    used: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    denied: dict[str, list[dict]] = defaultdict(list)
    grants_used: dict[str, set[tuple]] = defaultdict(set)
    kinds: dict[str, str] = {}
    for result in results:
        for name, data in (result.iam or {}).items():
            kinds[name] = data.get("kind", "function")
            for action, resources in data.get("used", {}).items():
                used[name][action].update(resources)
            for d in data.get("denied", []):
                step = d.get("step") or {}
                entry = {"action": d["action"], "resource": d["resource"], "scenario": result.file,
                         "step": step.get("index"), "line": step.get("line"), "step_text": step.get("text"),
                         "decision": d.get("decision"), "via": d.get("via", "sdk"), "enforced": d.get("enforced")}
                if entry not in denied[name]:
                    denied[name].append(entry)
            grants_used[name].update(tuple(g) for g in data.get("grants_used", []))
    out: dict[str, Any] = {}
    for name in sorted(set(known) | set(used) | set(denied)):
        principal = known.get(name)
        grants = _grants(principal.policy) if principal is not None else []
        hit = grants_used.get(name, set())
        unused_grants = [{"action": a, "resource": r} for (i, a, r) in grants if (i, a, r) not in hit]
        used_actions = {a for (_i, a, _r) in hit}
        unused = sorted({a for (_i, a, _r) in grants if a not in used_actions})
        out[name] = {
            "kind": principal.kind if principal is not None else kinds.get(name, "function"),
            "role": principal.role if principal is not None else None,
            "used": {a: sorted(r) for a, r in sorted(used.get(name, {}).items())},
            "denied": denied.get(name, []),
            "unused": unused,
            "unused_grants": unused_grants,
            "exercised": name in used or name in denied,
        }
    return {"principals": out}


def denied_count(report: dict) -> int:
    return sum(len(p["denied"]) for p in report["principals"].values())
