"""`sim stack deploy --backend URL` (idempotent: a second run changes nothing and says so) and
`sim stack template` (the stack as CloudFormation JSON)."""

from __future__ import annotations

import json
import sys

from sim.errors import InputError

KIND_NAMES = ("tables", "bus", "rules", "topics", "buckets", "log-groups", "alarms", "user-pools", "functions",
              "state-machines")


def register(sub) -> None:
    p = sub.add_parser("stack", help="deploy the marketplace stack or render it as CloudFormation")
    verbs = p.add_subparsers(dest="stack_verb", metavar="VERB")
    d = verbs.add_parser("deploy", help="deploy every resource to an AWS endpoint (idempotent)")
    d.add_argument("--backend", required=True, metavar="URL[,svc=URL…]|aws",
                   help="endpoint URL (moto server, LocalStack) or 'aws'; ',dynamodb=URL' and the like send a "
                        "service elsewhere")
    d.add_argument("--region", default="us-east-1")
    d.add_argument("--account", default=None,
                   help="account for the ARNs (default: what the backend's STS says)")
    d.add_argument("--no-functions", action="store_true",
                   help="skip IAM roles and Lambda functions (the harness runs the handlers itself)")
    d.add_argument("--skip", default="", metavar="KIND,…",
                   help=f"kinds of resource to leave out: {', '.join(sorted(KIND_NAMES))}")
    d.add_argument("--no-auto-skip", action="store_true",
                   help="deploy every kind even where the backend reports the service unavailable")
    d.set_defaults(func=deploy_cmd)
    t = verbs.add_parser("template", help="print the stack as a CloudFormation template")
    t.add_argument("--region", default="us-east-1")
    t.add_argument("--account", default="123456789012")
    t.set_defaults(func=template_cmd)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def deploy_cmd(args) -> int:
    from sim.aws.backend import EmbeddedBackend, apply_environment, make_backend, restore_environment
    from sim.aws.deploy import deploy, unavailable_kinds
    from sim.aws.stack import marketplace_stack

    skip = {kind: "--skip" for kind in _kinds(args.skip)}

    if args.backend in ("embedded", "moto"):
        raise InputError("deploying to the embedded backend keeps nothing; give an endpoint URL "
                         "(e.g. http://127.0.0.1:5000) or 'aws'", field="--backend")
    backend = make_backend(args.backend, args.region)
    assert not isinstance(backend, EmbeddedBackend)
    saved = apply_environment(backend.environment())
    try:
        backend.start()
        if not args.no_auto_skip:
            skip = {**unavailable_kinds(backend.endpoint_for), **skip}
        stack = marketplace_stack(args.account or backend.account(), args.region)
        changes = deploy(stack, backend.client, functions=not args.no_functions, extras=True, skip=skip)
    finally:
        restore_environment(saved)
    for kind, why in sorted(skip.items()):
        print(f"skipped   {kind} ({why})")
    for change in changes:
        print(change)
    changed = [c for c in changes if c.action != "unchanged"]
    if changed:
        print(f"{len(changed)} of {len(changes)} resources created or updated on {backend.describe()}")
    else:
        print(f"no changes: all {len(changes)} resources already up to date on {backend.describe()}")
    return 0


def _kinds(text: str) -> list[str]:
    kinds = [k.strip() for k in text.split(",") if k.strip()]
    for kind in kinds:
        if kind not in KIND_NAMES:
            raise InputError(f"unknown kind {kind!r}; expected some of {', '.join(KIND_NAMES)}", field="--skip")
    return kinds


def template_cmd(args) -> int:
    from sim.aws.cfn import render
    from sim.aws.stack import marketplace_stack

    json.dump(render(marketplace_stack(args.account, args.region)), sys.stdout, indent=2)
    print()
    return 0
