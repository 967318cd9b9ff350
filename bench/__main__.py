"""`make bench`: run every bench/*_bench.py module's `run()` and print its rows.

Each row: name, value, unit, and where it has one, a baseline measured in the same run, the
ratio and the target. Targets are printed, never asserted: the machine is small and noisy.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table


def collect(only: list[str]) -> list[dict]:
    rows = []
    here = Path(__file__).parent
    for info in sorted(pkgutil.iter_modules([str(here)]), key=lambda m: m.name):
        if not info.name.endswith("_bench") or (only and not any(o in info.name for o in only)):
            continue
        module = importlib.import_module(f"bench.{info.name}")
        try:
            for row in module.run():
                rows.append({"suite": info.name, **row})
        except Exception as exc:  # noqa: BLE001 - one broken bench must not hide the others
            rows.append({"suite": info.name, "name": "FAILED", "value": None, "unit": "", "note": repr(exc)})
    return rows


def main(argv: list[str]) -> int:
    only = [a for a in argv if not a.startswith("-")]
    rows = collect(only)
    table = Table(title="make bench (2-core machine; ratios are against a baseline measured in this run)")
    for col in ("suite", "measure", "value", "baseline", "ratio", "target"):
        table.add_column(col)
    def fmt(v) -> str:
        return "" if v is None else (f"{v:,.3f}" if isinstance(v, float) else str(v))

    for r in rows:
        value = f"{fmt(r.get('value'))} {r.get('unit', '')}".strip()
        table.add_row(r["suite"], r["name"], value, fmt(r.get("baseline")),
                      "" if r.get("ratio") is None else f"{r['ratio']:.2f}×", r.get("target", r.get("note", "")))
    Console(width=160).print(table)
    out = Path("build")
    out.mkdir(exist_ok=True)
    (out / "bench.json").write_text(json.dumps(rows, indent=2, default=str))
    return 0 if all(r["name"] != "FAILED" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
