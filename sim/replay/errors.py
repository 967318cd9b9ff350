"""Bad exports: every problem names the file, the line (JSON lines, or where the event's id is) and
the field; the CLI exits 2 and nothing runs."""

from __future__ import annotations

from sim.scenario.errors import Problem, ScenarioError


class ExportError(ScenarioError):
    """One or more problems in an incident export (an InputError: exit status 2)."""


__all__ = ["ExportError", "Problem"]
