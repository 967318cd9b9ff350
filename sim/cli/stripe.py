"""`sim stripe serve`: the fake Stripe API on 127.0.0.1 and signed webhook deliveries to a URL,
like `stripe listen --forward-to`, offline and deterministic from a seed."""

from __future__ import annotations

import sys
import threading
import time
from datetime import timedelta
from urllib.parse import urlsplit

from sim.errors import InputError


def wall_clock_now():
    """The one use of real time in the harness: signing for endpoints that live in real time."""
    from datetime import UTC, datetime

    return datetime.now(UTC).replace(microsecond=0)


def _lead_s(generate: int) -> float:
    """How far before the real now a live `--generate` starts: room for its first deliveries
    (1 s latency, 1 ms apart) to be signed before the real now."""
    return 60.0 + 0.002 * max(generate, 0) if generate else 0.0


def register(sub) -> None:
    p = sub.add_parser("stripe", help="the fake Stripe (API + webhooks)")
    verbs = p.add_subparsers(dest="stripe_verb", metavar="VERB")
    s = verbs.add_parser("serve", help="serve the fake Stripe API and forward signed webhooks",
                         description="Serve the fake Stripe API on 127.0.0.1 (for the real stripe SDK) and, "
                                     "with --forward-to, deliver every event signed to URL, like "
                                     "`stripe listen --forward-to`.")
    s.add_argument("--port", type=int, default=12111, help="port to listen on (0: a free one; default 12111)")
    s.add_argument("--seed", type=int, default=1, help="world seed (same seed, same ids and events)")
    s.add_argument("--generate", type=int, default=0, metavar="N",
                   help="generate at least N events across every flow and deliver them")
    s.add_argument("--forward-to", metavar="URL", help="deliver events (platform and Connect) to this URL")
    s.add_argument("--secret", metavar="whsec_…", help="the webhook signing secret (default: derived from the seed)")
    s.add_argument("--start", default="now",
                   help="virtual start time (ISO-8601), or 'now' (default): real endpoints check the signature's "
                        "timestamp against their own clock (Stripe's 5-minute tolerance); give an instant for "
                        "reproducible runs")
    s.add_argument("--retry", choices=["test", "live", "none"], default="test", help="retry schedule")
    s.add_argument("--once", "--exit-after-delivery", dest="once", action="store_true",
                   help="exit once the generated events are delivered (with --start: and retries settled on virtual "
                        "time; with real time, retries not yet due are dropped: they would be signed ahead of it)")
    s.add_argument("--duration", type=float, default=None, metavar="S", help="serve for S seconds, then exit")
    s.add_argument("--trace", metavar="FILE", help="write the trace (JSON lines) here on exit")
    s.set_defaults(func=run)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _check(args) -> None:
    if not 0 <= args.port <= 65535:
        raise InputError(f"port must be between 0 and 65535, got {args.port}", where="--port")
    if args.generate < 0:
        raise InputError(f"must be a non-negative number of events, got {args.generate}", where="--generate")
    if args.secret is not None and (not args.secret.startswith("whsec_") or len(args.secret) < 10):
        raise InputError("a webhook secret looks like whsec_…", where="--secret")
    if args.forward_to is not None:
        parts = urlsplit(args.forward_to)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InputError(f"not an http(s) URL: {args.forward_to!r}", where="--forward-to")
    if args.duration is not None and args.duration < 0:
        raise InputError("must be non-negative", where="--duration")


def run(args) -> int:
    _check(args)
    from sim.clock import Clock, parse_instant
    from sim.rng import Rng
    from sim.stripe import FakeStripe, RetrySchedule
    from sim.trace import Trace

    live = args.start == "now"
    try:
        start = wall_clock_now() - timedelta(seconds=_lead_s(args.generate)) if live else parse_instant(args.start)
    except ValueError as exc:
        raise InputError(str(exc), where="--start") from None
    clock = Clock(start)
    trace = Trace(clock)
    fake = FakeStripe(clock, Rng(args.seed).child("stripe"), trace=trace,
                      retry=RetrySchedule.named(args.retry), api_port=args.port)
    out = sys.stdout
    if args.forward_to:
        endpoint = fake.add_endpoint(args.forward_to, secret=args.secret)
        fake.add_endpoint(args.forward_to, secret=endpoint.secret, connect=True)
        secret = endpoint.secret
    else:
        secret = args.secret
    fake.channel.defer_foreign_threads = True
    _echo_attempts(fake, out)
    try:
        fake.start()
    except OSError as exc:
        raise InputError(f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}", where="--port") from None
    try:
        print(f"Fake Stripe API listening on {fake.url} (platform {fake.platform_id})", file=out)
        if secret:
            print(f"> Ready! Your webhook signing secret is {secret} (forwarding to {args.forward_to})", file=out)
        out.flush()
        if args.generate and live:
            # real endpoints check the signature's timestamp: generate without virtual gaps a little
            # in the past, deliver up to the real now, and leave retries to real time (never ahead of it)
            fake.generate(args.generate, advance=False)
            fake.advance(max(0.0, (wall_clock_now() - clock.now()).total_seconds()))
            _summary(fake, out)
        elif args.generate:
            fake.generate(args.generate)
            fake.drain()
            _summary(fake, out)
        if not args.once:
            _serve(fake, args.duration)
    except KeyboardInterrupt:
        pass
    finally:
        fake.close()
        if args.trace:
            trace.write(args.trace)
    return 0


def _echo_attempts(fake, out) -> None:
    """Print each delivery attempt as `stripe listen` does."""
    urls = {e.id: e.url for e in fake.channel.endpoints}

    def echo(a) -> None:
        status = a.status if a.status is not None else a.outcome
        print(f"{a.at}   --> {a.event_type} [{a.event_id}]\n{a.at}  <--  [{status}] POST "
              f"{urls.get(a.endpoint)} [{a.event_id}]", file=out)

    fake.channel.observers.append(echo)


def _summary(fake, out) -> None:
    channel = fake.channel
    ok = len({(e, p) for e, p in channel.received})
    print(f"Generated {len(fake.events)} events; {len(channel.attempts)} delivery attempts, {ok} delivered.",
          file=out)
    out.flush()


def _serve(fake, duration: float | None) -> None:
    """Serve until interrupted (or `duration` real seconds): real time drives the virtual clock."""
    stop = threading.Event()
    began = last = time.monotonic()
    while not stop.is_set():
        now = time.monotonic()
        fake.advance(now - last)
        last = now
        if duration is not None and now - began >= duration:
            return
        stop.wait(0.2)
