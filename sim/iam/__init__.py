"""IAM as AWS enforces it: every principal's calls recorded and checked against its policy.

`attach(world)` (done by the World), `monitor_of(world)` for the tallies, `enforce(world)` to make
denied calls fail as on AWS; `sim.iam.report` builds the `sim iam check` report. See docs/iam.md.
"""

from sim.iam.monitor import IamMonitor, attach, enforce, monitor_of

__all__ = ["IamMonitor", "attach", "enforce", "monitor_of"]
