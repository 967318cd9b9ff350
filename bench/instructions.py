"""Instructions a command executes, counted by valgrind (cachegrind, no cache simulation).

CPU seconds on a small shared machine move by a third with the load, and the storm bench's
ratios with them. The number of machine instructions a deterministic run executes does not: the
same tree counts the same instructions to a few parts in a hundred thousand (PYTHONHASHSEED is
fixed, so dict and set orders do not move), loaded machine or not. It is a proxy for CPU cost
(it ignores cache misses and the cost of each instruction), good for telling two trees apart and
for ratios between runs of the same Python. `valgrind` slows a run about eight times.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def available() -> bool:
    return shutil.which("valgrind") is not None


def count(cmd: list[str], *, cwd: Path) -> tuple[int, str]:
    """(instructions, the command's stdout) of one run of `cmd` under valgrind."""
    done = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                           *cmd], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "PYTHONHASHSEED": "0"}, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} under valgrind exited {done.returncode}: {done.stderr[-2000:]}")
    return refs(done.stderr), done.stdout


def refs(report: str) -> int:
    """The instruction count in valgrind's summary ("==1== I   refs:      9,307,214,696")."""
    found = _REFS.findall(report)
    if not found:
        raise RuntimeError(f"no instruction count in valgrind's report: {report[-500:]!r}")
    return int(found[-1].replace(",", ""))
