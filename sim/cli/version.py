"""`sim version`: the harness version and the versions of the libraries it drives."""

from __future__ import annotations

from importlib import metadata

import sim

LIBRARIES = ["boto3", "moto", "stripe", "jsonata-python", "time-machine"]


def register(sub) -> None:
    p = sub.add_parser("version", help="print the harness and library versions")
    p.set_defaults(func=run)


def run(args) -> int:
    print(f"sim {sim.__version__}")
    for lib in LIBRARIES:
        try:
            print(f"  {lib} {metadata.version(lib)}")
        except metadata.PackageNotFoundError:
            print(f"  {lib} (not installed)")
    return 0
