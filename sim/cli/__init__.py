"""The `sim` command line: one sub-module per verb, each exposing `register(subparsers)`.

Exit status: 0 all passed, 1 a scenario or check failed, 2 bad input.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from sim.errors import InputError

VERB_MODULES = ["sim.cli.version", "sim.cli.run", "sim.cli.asl", "sim.cli.stack", "sim.cli.stripe",
                "sim.cli.storm", "sim.cli.replay", "sim.cli.explore", "sim.cli.iam", "sim.cli.serve",
                "sim.cli.authz"]


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse exits 2 on bad arguments; keep that, with our prefix
        self.print_usage(sys.stderr)
        self.exit(2, f"sim: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="sim", description="Marketplace simulation harness (AWS + Stripe, virtual time).")
    sub = parser.add_subparsers(dest="verb", metavar="VERB", parser_class=_Parser)
    for name in VERB_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from sim import gc_tuning

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        gc_tuning.configure()
        return int(args.func(args) or 0)
    except InputError as exc:
        print(f"sim: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `sim ... | head`
        sys.stderr.close()
        return 0
