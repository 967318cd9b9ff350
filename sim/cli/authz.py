"""`sim authz [--matrix F] [--schema F] [--only OP …] [--seed N] [--json F]`: play every cell of the
authorization matrix in a world and compare answers and effects with it (exit 1 on a differing
cell, 2 on a bad matrix or schema)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sim.errors import InputError


def register(sub) -> None:
    p = sub.add_parser("authz", help="play every cell of the authorization matrix and compare it",
                       description=__doc__)
    p.add_argument("--matrix", default=None, help="the matrix (default handlers/common/authz_matrix.json)")
    p.add_argument("--schema", default=None, help="the GraphQL schema (default handlers/appsync/schema.graphql)")
    p.add_argument("--only", nargs="+", metavar="OP", help="play only these operations")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", metavar="F", help="write the JSON report here")
    p.add_argument("-q", "--quiet", action="store_true", help="print only the summary line")
    p.set_defaults(func=run)


def run(args) -> int:
    from rich.console import Console

    from sim.authz import matrix as matrix_mod
    from sim.authz.play import play
    from sim.authz.report import document, table

    m = matrix_mod.load(args.matrix or matrix_mod.DEFAULT_MATRIX, args.schema or matrix_mod.DEFAULT_SCHEMA)
    unknown = [o for o in args.only or [] if o not in m.operations]
    if unknown:
        raise InputError(f"not an operation of the matrix: {', '.join(unknown)}", field="--only")
    cells = play(m, seed=args.seed, only=args.only)
    operations = [o for o in m.operations if not args.only or o in args.only]
    doc = document(operations, cells)
    if args.json:
        Path(args.json).write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    console = Console(file=sys.stdout, width=None if sys.stdout.isatty() else 200)
    if not args.quiet:
        console.print(table(operations, cells))
        for v in doc["violations"]:
            console.print(f"[red]✗[/red] {v['operation']} as {v['caller']}: {v['problem']}"
                          + (f" ({v['error']})" if v.get("error") else ""))
    n = len(doc["violations"])
    console.print(f"{len(operations)} operations, {len(cells)} cells, {n} differing from the matrix")
    return 1 if n else 0
