"""The `sim authz` report: a rich table (operations × callers) and the JSON document
{"operations", "cells", "violations": [{"operation", "caller", "expected", "actual", "effects"}]}."""

from __future__ import annotations

from typing import Any

from handlers.common.authz import CALLERS
from sim.authz.play import Cell


def document(operations: list[str], cells: list[Cell]) -> dict[str, Any]:
    return {"operations": operations, "cells": [c.as_dict() for c in cells],
            "violations": [{**c.as_dict(), "problem": c.problem} for c in cells if c.problem]}


def table(operations: list[str], cells: list[Cell]):
    from rich.table import Table

    by = {(c.operation, c.caller): c for c in cells}
    t = Table(title="sim authz — the matrix played", show_lines=False)
    t.add_column("operation")
    for caller in CALLERS:
        t.add_column(caller.replace("_", " "), justify="center")
    for op in operations:
        row = []
        for caller in CALLERS:
            c = by.get((op, caller))
            if c is None:
                row.append("")
            elif c.problem:
                row.append(f"[bold red]{'allow' if c.actual == 'allowed' else 'deny'}!")
            else:
                row.append("[green]allow" if c.actual == "allowed" else "[dim]deny")
        t.add_row(op, *row)
    return t
