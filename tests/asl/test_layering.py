"""sim/asl's import graph is a DAG: the execution (engine) above the state types, the state types
above the per-state toolkit, no imports inside functions, and no private names across modules."""

from __future__ import annotations

import ast
from pathlib import Path

import sim.asl

PACKAGE = Path(sim.asl.__file__).parent
MODULES = {p.relative_to(PACKAGE).with_suffix("").as_posix().replace("/", "."): p
           for p in PACKAGE.rglob("*.py")}


def _name(module: str) -> str:
    return module.removesuffix(".__init__")


def _imports(path: Path) -> tuple[set[str], list[str], list[str]]:
    """(sim.asl modules imported at module level, imports inside functions, private names imported)."""
    tree = ast.parse(path.read_text())
    top, nested, private = set(), [], []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom | ast.Import):
            continue
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sim.asl"):
            base = node.module.removeprefix("sim.asl").lstrip(".")
            for alias in node.names:
                sub = f"{base}.{alias.name}".lstrip(".")
                names.append(sub if sub in MODULES or f"{sub}.__init__" in MODULES else (base or "__init__"))
                if alias.name.startswith("_"):
                    private.append(f"{node.module}.{alias.name}")
        elif isinstance(node, ast.Import):
            names = [a.name.removeprefix("sim.asl.") for a in node.names if a.name.startswith("sim.asl.")]
        if not names:
            continue
        if node.col_offset == 0:
            top.update(n for n in names if n)
        else:
            nested.append(f"line {node.lineno}: {names}")
    return top, nested, private


GRAPH = {}
for module, path in MODULES.items():
    GRAPH[_name(module)] = _imports(path)


def test_no_imports_inside_functions():
    offenders = {m: nested for m, (_, nested, _) in GRAPH.items() if nested}
    assert offenders == {}


def test_no_private_names_across_modules():
    offenders = {m: private for m, (_, _, private) in GRAPH.items() if private}
    assert offenders == {}


def test_the_import_graph_has_no_cycle():
    edges = {m: {d for d in deps if d in GRAPH and d != m} for m, (deps, _, _) in GRAPH.items() if m}
    state = {}

    def visit(m, stack):
        if state.get(m) == "done":
            return
        assert state.get(m) != "open", " -> ".join([*stack, m])
        state[m] = "open"
        for d in sorted(edges.get(m, ())):
            if not (d.startswith(m + ".") or m.startswith(d + ".") and d in ("integrations",)):
                visit(d, [*stack, m])
        state[m] = "done"

    for m in sorted(edges):
        visit(m, [])


def test_the_states_sit_below_the_execution():
    deps = {m: d for m, (d, _, _) in GRAPH.items()}
    for low in ("staterun", "loop", "simple_states", "task_state", "fanout", "distributed", "child_lines"):
        assert "engine" not in deps[low], low
    assert "fanout" not in deps["distributed"]
