"""`sim asl run FILE --input JSON [--mock FILE --test-case NAME] [--history]` and
`sim asl validate FILE…`: run a definition on virtual time, or check definitions as AWS would."""

from __future__ import annotations

import json
import sys

from sim.errors import InputError
from sim.safeinput import BadFile, load_json, read_text


def register(sub) -> None:
    p = sub.add_parser("asl", help="run or validate Amazon States Language definitions")
    verbs = p.add_subparsers(dest="asl_verb", metavar="VERB")
    r = verbs.add_parser("run", help="run a definition on virtual time and print its output")
    r.add_argument("file", help="the .asl.json definition")
    r.add_argument("--input", default="{}", help="execution input (JSON text, or @FILE)")
    r.add_argument("--mock", help="a MockConfigFile (JSON or YAML) with mocked task results")
    r.add_argument("--test-case", help="the test case in the mock file (default: its first)")
    r.add_argument("--history", action="store_true", help="print the history events too")
    r.add_argument("--seed", type=int, default=0)
    r.set_defaults(func=run)
    v = verbs.add_parser("validate", help="validate definitions; exit 2 with AWS-style errors")
    v.add_argument("files", nargs="+")
    v.set_defaults(func=validate)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _definition(path: str):
    text = read_text(path)
    try:
        return load_json(text, path)
    except json.JSONDecodeError as exc:
        raise InputError(f"INVALID_JSON_DESCRIPTION: {exc}", where=f"{path}:{exc.lineno}") from None


def run(args) -> int:
    from sim.asl import InvalidDefinition, execute
    from sim.asl.mocks import MockConfig, MockConfigError, parse_text

    definition = _definition(args.file)
    raw, source = args.input, "--input"
    if raw.startswith("@"):
        raw, source = read_text(raw[1:]), raw[1:]
    try:
        value = load_json(raw, source)
    except json.JSONDecodeError as exc:
        raise InputError(f"InvalidExecutionInput: {exc}", field="--input") from None
    options = {"seed": args.seed}
    if args.mock:
        try:
            config = MockConfig(parse_text(read_text(args.mock), args.mock))
        except BadFile:
            raise
        except (MockConfigError, ValueError) as exc:
            raise InputError(getattr(exc, "message", str(exc)), where=args.mock) from None
        case = args.test_case
        if case is None:
            for m in config.machines.values():
                cases = list((m or {}).get("TestCases") or {})
                if cases:
                    case = cases[0]
                    break
        options.update(mocks=config, test_case=case)
    try:
        ex = execute(definition, value, **options)
    except InvalidDefinition as exc:
        raise InputError("; ".join(exc.problems) or str(exc), where=args.file) from None
    except MockConfigError as exc:
        raise InputError(str(exc), where=args.mock) from None
    if args.history:
        for event in ex.history:
            event = dict(event, timestamp=event["timestamp"].isoformat())
            print(json.dumps(event, separators=(",", ":")))
    if ex.status == "SUCCEEDED":
        print(json.dumps(ex.output, indent=2))
        return 0
    print(json.dumps({"status": ex.status, "error": ex.error, "cause": ex.cause}, indent=2))
    return 1


def validate(args) -> int:
    from sim.asl.validate import problems

    bad = 0
    for path in args.files:
        text = read_text(path)
        try:
            load_json(text, path)
        except json.JSONDecodeError:
            pass  # the validator reports it in AWS's words
        found = problems(text)
        for problem in found:
            print(f"{path}: {problem}", file=sys.stderr)
        bad += bool(found)
        if not found:
            print(f"{path}: OK")
    return 2 if bad else 0
