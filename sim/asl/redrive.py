"""RedriveExecution: continue a FAILED, TIMED_OUT or ABORTED standard execution from the state
that did not succeed, with the input that state originally received (AWS: "it continues the
failed execution from the unsuccessful step and uses the same input … preserves the results and
execution history of the successful steps"; same ARN, same definition, within 14 days).

`redrive(run)` appends `ExecutionRedriven {redriveCount}` (chained to the execution's last event),
sets `$$.Execution.RedriveCount`, puts the execution back to RUNNING and re-enters the top-level
state that was under way, whose entry then chains to ExecutionRedriven. Simplification: a failed
Parallel or inline Map state is re-run whole (AWS reruns only its failed or aborted branches and
iterations); Map Runs are not redriven separately (MapRunRedriven is not recorded).
"""

from __future__ import annotations

REDRIVABLE = ("FAILED", "TIMED_OUT", "ABORTED")
REDRIVABLE_SECONDS = 14 * 24 * 3600


def redrive(run) -> None:
    """Restart `run` (a finished execution whose status is in REDRIVABLE) from its unsuccessful state."""
    if run.status not in REDRIVABLE or run.resume is None:
        raise ValueError(f"execution {run.arn} is {run.status} and cannot be redriven")
    run.redrive_count += 1
    run.redrive_date = run.clock.now()
    if "RedriveCount" in run.context_base.execution:
        run.context_base.execution["RedriveCount"] = run.redrive_count
    run.restart_from_resume()
