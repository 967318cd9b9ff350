"""The JSON report (docs/contracts.md §5): {"scenarios": [...], "summary": {...}}."""

from __future__ import annotations

import json
from pathlib import Path

from sim.report.model import RunSummary


def render(run: RunSummary) -> dict:
    return {"scenarios": [r.contract() for r in run.results], "summary": run.summary()}


def write(run: RunSummary, path: str | Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(render(run), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
