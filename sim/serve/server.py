"""`sim serve`'s process: bind the port (exit 2 naming it when taken), start the world on its
thread (replaying `--state DIR` when it holds a journal), print the banner, serve until Ctrl-C or
SIGTERM, then shut down cleanly (the HTTP server, the world, the fake Stripe API, the journal)."""

from __future__ import annotations

import errno
import logging
import signal
import threading
from dataclasses import dataclass
from datetime import datetime

from sim.errors import InputError
from sim.serve.host import WorldHost
from sim.serve.journal import Journal
from sim.serve.request import Request, Response

HOST = "127.0.0.1"


@dataclass
class Settings:
    port: int = 4566
    stripe_port: int = 12111
    seed: int = 1
    clock: str = "virtual"
    time_scale: float = 1.0
    start: datetime | None = None
    state: str | None = None
    scenario_text: str | None = None
    scenario_file: str | None = None
    webhook_secret: str | None = None


class Server:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.clock = settings.clock
        self.time_scale = settings.time_scale
        self.port = settings.port
        self.host_header = f"{HOST}:{settings.port}"
        self.ready = False
        self.httpd = None
        self.host: WorldHost | None = None
        self.journal = Journal(settings.state) if settings.state else None
        self.replayed = 0
        self.api_key = ""
        self._thread: threading.Thread | None = None

    # -- what handlers need ----------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def urls(self) -> dict[str, str]:
        world = self.host.world if self.host else None
        stripe = world.stripe.url if world is not None and world.stripe is not None else None
        return {"aws": self.url, "graphql": f"{self.url}/graphql", "webhooks": f"{self.url}/webhooks/stripe",
                "stripe": stripe, "health": f"{self.url}/_sim/health", "state": f"{self.url}/_sim/state"}

    def run_request(self, world, req: Request) -> Response:
        from sim.serve.app import dispatch, journaled

        if self.journal is not None and journaled(req):
            from sim.serve.control import _iso

            self.journal.record(_iso(world.now()), req)
        return dispatch(world, req, self)

    def time_moved(self) -> None:
        if self.host is not None and self.replayed >= 0:
            self.host.resync()

    # -- life cycle ------------------------------------------------------------------------------
    def bind(self) -> None:
        from werkzeug.serving import make_server

        from sim.serve.app import WsgiApp

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        try:
            self.httpd = make_server(HOST, self.settings.port, WsgiApp(self), threaded=True)
        except OSError as exc:
            raise _port_error(exc, self.settings.port, "--port") from None
        except SystemExit:  # werkzeug exits when the port is taken
            raise InputError(f"port {self.settings.port} on {HOST} is already in use", field="--port") from None
        self.port = self.httpd.server_port
        self.host_header = f"{HOST}:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="sim-serve-http", daemon=True)
        self._thread.start()

    def start_world(self) -> None:
        s = self.settings
        self.host = WorldHost(self._make_world, clock=s.clock, time_scale=s.time_scale)
        try:
            self.host.start()
        except OSError as exc:
            raise _port_error(exc, s.stripe_port, "--stripe-port") from None
        self.ready = True

    def _make_world(self):
        from sim.serve.served_world import DEMO_SCENARIO, ServedWorld, prepare

        s = self.settings
        world = ServedWorld(seed=s.seed, start=s.start, stripe_port=s.stripe_port)
        world.start()
        try:
            self.api_key = "da2-" + world.rng_for("appsync-api-key").token_hex(13)
            prepare(world, s.scenario_text or DEMO_SCENARIO, s.scenario_file or "<demo world>")
            if s.webhook_secret:
                use_webhook_secret(world, s.webhook_secret)
            if self.journal is not None:
                self._replay(world)
                self.journal.open()
        except BaseException:
            world.close()
            raise
        return world

    def _replay(self, world) -> None:
        from sim.clock import parse_instant
        from sim.serve.app import dispatch

        for entry in self.journal.entries():
            when = parse_instant(entry["t"])
            if when > world.now():
                world.advance_to(when)
            if "request" in entry:
                dispatch(world, Request.from_dict(entry["request"]), self)
                world.settle()
                self.replayed += 1

    def close(self) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
        if self.host is not None and self.host.ready.is_set() and self.host.failed is None:
            if self.journal is not None:
                from sim.serve.control import _iso

                self.host.call(lambda w: self.journal.record(_iso(w.now()), stop=True))
            self.host.stop()
        if self.journal is not None:
            self.journal.close()

    def wait(self) -> None:
        """Block until Ctrl-C or SIGTERM."""
        stop = threading.Event()
        previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)


def use_webhook_secret(world, secret: str) -> None:
    """The endpoint secret of an outside sender (`stripe listen` prints its own): the functions
    verify with it and the world's own deliveries sign with it."""
    world.set_env("STRIPE_WEBHOOK_SECRET", secret)
    for endpoint in world.stripe_endpoints:
        endpoint.secret = secret


def _port_error(exc: OSError, port: int, option: str) -> InputError:
    if exc.errno == errno.EADDRINUSE:
        return InputError(f"port {port} on {HOST} is already in use", field=option)
    return InputError(f"cannot listen on {HOST}:{port}: {exc.strerror or exc}", field=option)
