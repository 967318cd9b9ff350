"""`sim serve`: the simulated marketplace as a local cloud (see sim/serve and docs/serve.md).

Exit status: 0 after Ctrl-C (clean shutdown), 2 bad input (a taken port, a bad option, a scenario
that does not load), 1 when the starting scenario's steps fail."""

from __future__ import annotations

import sys

from sim.errors import InputError


def register(sub) -> None:
    p = sub.add_parser("serve", help="serve the world over HTTP: AWS endpoint, AppSync GraphQL, webhooks",
                       description="One long-lived world on 127.0.0.1: every AWS service on one port "
                                   "(Step Functions by the interpreter), /graphql (AppSync), /webhooks/stripe, "
                                   "/_sim/* control; the fake Stripe API on its own port. Ctrl-C stops it.")
    p.add_argument("--port", type=int, default=4566, help="the AWS / GraphQL / webhook port (default 4566; 0: free)")
    p.add_argument("--stripe-port", type=int, default=12111,
                   help="the fake Stripe API's port (default 12111; 0: a free one)")
    p.add_argument("--seed", type=int, default=None, metavar="N", help="world seed (default 1)")
    p.add_argument("--clock", choices=["real", "virtual"], default="virtual",
                   help="virtual (default): time moves only on POST /_sim/advance; real: the wall clock "
                        "drives virtual time, scaled by --time-scale")
    p.add_argument("--time-scale", type=float, default=1.0, metavar="X",
                   help="with --clock real: virtual seconds per wall second (default 1)")
    p.add_argument("--start", default=None, metavar="ISO",
                   help="virtual start instant (default: now, so real clients' signatures and tokens line up)")
    p.add_argument("--state", metavar="DIR",
                   help="keep the world in DIR and resume it on the next start (default: start fresh)")
    p.add_argument("--webhook-secret", metavar="whsec_…",
                   help="the Stripe endpoint secret to verify with (e.g. the one `stripe listen` prints; "
                        "default: the harness's whsec_simulated_marketplace_secret)")
    p.add_argument("--scenario", metavar="FILE",
                   help="build the starting world from this scenario's world: block and steps "
                        "(default: 2 customers, 2 providers, 3 services)")
    p.set_defaults(func=run)


def _check(args) -> None:
    for name in ("port", "stripe_port"):
        value = getattr(args, name)
        if not 0 <= value <= 65535:
            raise InputError(f"expected a port between 0 and 65535, got {value}", field=f"--{name.replace('_', '-')}")
    if args.port and args.port == args.stripe_port:
        raise InputError(f"the Stripe API needs its own port, not {args.port}", field="--stripe-port")
    if not args.time_scale > 0 or args.time_scale > 1e6:
        raise InputError(f"expected a positive scale (at most 1e6), got {args.time_scale}", field="--time-scale")
    secret = args.webhook_secret
    if secret is not None and (not secret.startswith("whsec_") or len(secret) < 10):
        raise InputError("a webhook secret looks like whsec_…", field="--webhook-secret")
    if args.seed is not None and args.seed < 0:
        raise InputError(f"expected a seed >= 0, got {args.seed}", field="--seed")


def settings_from(args):
    from datetime import UTC, datetime

    from sim.clock import parse_instant
    from sim.serve.journal import Journal
    from sim.serve.server import Settings

    _check(args)
    start = None
    if args.start is not None:
        try:
            start = parse_instant(args.start)
        except ValueError as exc:
            raise InputError(f"not an ISO-8601 instant: {args.start!r} ({exc})", field="--start") from None
    seed = args.seed
    if args.state:
        journal = Journal(args.state)
        stored = journal.settings()
        if stored is not None:
            if seed is not None and seed != stored["seed"]:
                raise InputError(f"the stored world has seed {stored['seed']}, not {seed} (omit --seed, or use "
                                 f"another directory)", field="--seed")
            seed, start = stored["seed"], parse_instant(stored["start"])
    seed = 1 if seed is None else seed
    if start is None:
        start = datetime.now(UTC).replace(microsecond=0)  # real clients sign and expire tokens in real time
    scenario_text = None
    if args.scenario:
        from sim.scenario.loader import parse_scenario

        try:
            with open(args.scenario, encoding="utf-8") as fh:
                scenario_text = fh.read()
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}", where=args.scenario) from None
        parse_scenario(scenario_text, args.scenario)  # bad input: exit 2 before anything starts
    if args.state and Journal(args.state).settings() is None:
        Journal(args.state).create({"seed": seed, "start": start.isoformat()})
    return Settings(port=args.port, stripe_port=args.stripe_port, seed=seed, clock=args.clock,
                    time_scale=args.time_scale, start=start, state=args.state, scenario_text=scenario_text,
                    scenario_file=args.scenario, webhook_secret=args.webhook_secret)


def run(args) -> int:
    from sim.scenario.context import StepFailed
    from sim.serve.banner import render
    from sim.serve.server import Server

    settings = settings_from(args)
    server = Server(settings)
    try:
        server.bind()
        try:
            server.start_world()
        except StepFailed as exc:
            print(f"sim serve: the starting scenario failed: {exc.message}", file=sys.stderr)
            return 1
        print(render(server), flush=True)
        server.wait()
        print("sim serve: stopping", flush=True)
    finally:
        server.close()
    return 0
