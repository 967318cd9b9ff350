"""`sim stack deploy --backend URL` (idempotent: a second run changes nothing and says so) and
`sim stack template` (the stack as CloudFormation JSON)."""

from __future__ import annotations

import json
import sys

from sim.errors import InputError


def register(sub) -> None:
    p = sub.add_parser("stack", help="deploy the marketplace stack or render it as CloudFormation")
    verbs = p.add_subparsers(dest="stack_verb", metavar="VERB")
    d = verbs.add_parser("deploy", help="deploy every resource to an AWS endpoint (idempotent)")
    d.add_argument("--backend", required=True, help="endpoint URL (moto server, LocalStack) or 'aws'")
    d.add_argument("--region", default="us-east-1")
    d.add_argument("--account", default="123456789012")
    d.add_argument("--no-functions", action="store_true", help="skip IAM roles and Lambda functions")
    d.set_defaults(func=deploy_cmd)
    t = verbs.add_parser("template", help="print the stack as a CloudFormation template")
    t.add_argument("--region", default="us-east-1")
    t.add_argument("--account", default="123456789012")
    t.set_defaults(func=template_cmd)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def deploy_cmd(args) -> int:
    from sim.aws.backend import EmbeddedBackend, apply_environment, make_backend, restore_environment
    from sim.aws.deploy import deploy
    from sim.aws.stack import marketplace_stack

    if args.backend in ("embedded", "moto"):
        raise InputError("deploying to the embedded backend keeps nothing; give an endpoint URL "
                         "(e.g. http://127.0.0.1:5000) or 'aws'", field="--backend")
    from sim.cli.backend_arg import check_backend

    check_backend(args.backend)  # no ambient credentials for 'aws', or an unreachable URL: exit 2
    backend = make_backend(args.backend, args.region)
    assert not isinstance(backend, EmbeddedBackend)
    saved = apply_environment(backend.environment())
    try:
        backend.start()
        stack = marketplace_stack(args.account, args.region)
        changes = deploy(stack, backend.client, functions=not args.no_functions)
    finally:
        restore_environment(saved)
    for change in changes:
        print(change)
    changed = [c for c in changes if c.action != "unchanged"]
    if changed:
        print(f"{len(changed)} of {len(changes)} resources created or updated on {backend.name}")
    else:
        print(f"no changes: all {len(changes)} resources already up to date on {backend.name}")
    return 0


def template_cmd(args) -> int:
    from sim.aws.cfn import render
    from sim.aws.stack import marketplace_stack

    json.dump(render(marketplace_stack(args.account, args.region)), sys.stdout, indent=2)
    print()
    return 0
