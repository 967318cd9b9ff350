"""The embedded fast path: boto3 calls answered by moto's own code without the HTTP round trip.

On the embedded backend every boto3 call used to be serialised by botocore, signed, matched
against moto's URL table, parsed again by moto, answered, serialised to JSON and parsed once
more by botocore. Here, in the botocore `before-call` hook (after faults, telemetry and recording
have seen the call), the hot operations are answered by calling moto's response handler for the
operation directly with the call's parameters, and the parsed response is built from moto's
result. Moto stays the semantic engine; only the HTTP shape is skipped. Errors are serialised by
moto and parsed by botocore's own parser, so they are the same `ClientError`s.

`SIM_FAST_PATHS=0` in the environment (or `World(fast_paths=False)`) turns every speed-up of this
package off; the trace hash is the same either way (`tests/storm/test_fast_paths_hash.py`).
"""

from __future__ import annotations

import os

ENV_SWITCH = "SIM_FAST_PATHS"


def enabled_by_default() -> bool:
    """Fast paths are on unless SIM_FAST_PATHS is 0/false/off/no."""
    return os.environ.get(ENV_SWITCH, "1").strip().lower() not in ("0", "false", "off", "no")


def speedups() -> tuple:
    """The process-wide speed-ups, each with install/uninstall/installed (imported late: moto loads on use)."""
    from sim.aws.fastpath import (
        client_requests,
        condition_trees,
        expressions,
        item_order,
        item_sizes,
        query_index,
        random_strings,
        result_copies,
        result_dicts,
        s3_packed,
        scan_pages,
        slotted_types,
        untracked,
        update_validation,
    )

    return (slotted_types, expressions, condition_trees, untracked, query_index, item_sizes, item_order, update_validation,
            s3_packed, scan_pages, result_copies, result_dicts, client_requests, random_strings)


def configure(enabled: bool) -> None:
    """Install (or remove, in the reverse order) the process-wide speed-ups of this package for
    the next world."""
    for speedup in (speedups() if enabled else reversed(speedups())):
        if enabled:
            speedup.install()
        else:
            speedup.uninstall()
