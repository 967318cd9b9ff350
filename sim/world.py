"""The World: the composition root of a simulation (docs/contracts.md §1).

`with World(seed=1, backend="embedded") as w:` builds the kernel (virtual clock driving
time-machine, scheduler, seeded RNG, trace), starts the AWS backend, deploys the stack, and wires
the in-process Lambda runtime, the EventBridge router, the Step Functions engine (our ASL
interpreter) and the fake Stripe. Nothing global outlives it: the environment, the botocore hooks
and time-machine are restored on exit.

The world is also the botocore-hook observer (`sim.aws.hooks`): each boto3 call made inside a
task is a yield point, may be faulted and is recorded (`sim.aws.call_observer`: fault application
and call telemetry), and is answered by the world's services where the backend falls short
(Step Functions, PutEvents routing, Lambda Invoke, Bedrock: `sim.aws.services`).
"""

from __future__ import annotations

import contextlib
from collections import deque
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sim import iam
from sim.authz.identity import written_keys
from sim.aws import execution_events, fastpath, hooks, logcapture, stepfunctions, ttl
from sim.aws.appsync import WebhookIngress
from sim.aws.backend import apply_environment, make_backend, restore_environment
from sim.aws.call_observer import CallObserver
from sim.aws.deploy import deploy
from sim.aws.environment import TaskEnvironment
from sim.aws.eventbridge.router import EventRouter
from sim.aws.eventbridge.targets import Targets
from sim.aws.fastpath.router import FastPath
from sim.aws.items import plain_item
from sim.aws.lambdas import LambdaRuntime
from sim.aws.services import ServiceOverrides
from sim.aws.stack import DEFAULT_REGION, SIM_STRIPE_WEBHOOK_SECRET, Stack, marketplace_stack
from sim.aws.streams import StreamRouter
from sim.aws.writes import WriteLog
from sim.clock import Clock, parse_instant
from sim.determinism import pinned
from sim.durations import to_timedelta
from sim.faults import FaultPlane
from sim.rng import Rng
from sim.scheduler import Scheduler, Task
from sim.trace import Trace

if TYPE_CHECKING:
    from sim.asl.service import StepFunctionsService
    from sim.stripe import FakeStripe
    from sim.stripe.delivery import Endpoint


class World:
    """A deterministic marketplace: same seed and same actions give the same trace."""

    stripe_port = 0  # the fake Stripe API's port (0: a free one; `sim serve` picks one)

    def __init__(self, seed: int = 1, backend: Any = "embedded", start: datetime | str | None = None, *,
                 account: str | None = None, region: str = DEFAULT_REGION, interleave: bool = True,
                 stripe: bool = True, trace_keep: bool = True, deploy_stack: bool = True,
                 fast_paths: bool | None = None, trace_spool: bool = False, trace_listeners=(),
                 log_limit: int | None = None):
        self.seed = seed
        self.fast_paths = fastpath.enabled_by_default() if fast_paths is None else fast_paths
        self.clock = Clock(start if start is not None else "2026-03-02T09:00:00Z")
        self.rng = Rng(seed)
        self.scheduler = Scheduler(self.clock, self.rng.child("scheduler"), interleave=interleave)
        self.trace = Trace(self.clock, keep=trace_keep, spool=trace_spool)
        self.trace.listeners.extend(trace_listeners)
        self.backend = make_backend(backend, region)
        self.fastpath = FastPath(self.fast_paths and self.backend.name == "embedded")
        self.account, self.region = account, region
        self.faults = FaultPlane()  # every injected fault, whatever its kind (sim.faults)
        self.metrics: list[dict] = []
        self.sns_messages: list[dict] = []
        self.logs: list[dict] | deque[dict] = deque(maxlen=log_limit) if log_limit else []  # storms: the last N
        self._want_stripe = stripe
        self._deploy = deploy_stack
        self._internal = 0
        self._clients: dict[str, Any] = {}
        self._rngs: dict[str, Rng] = {}
        self._started = False
        self._saved_env: dict[str, str | None] = {}
        self._task_env = TaskEnvironment()
        self._pinned = None
        # Built by start(), None until then: the stack names the backend's account and the fake
        # Stripe's URL, and every piece below is wired to the deployed stack.
        self.stripe: FakeStripe | None = None
        self.stack: Stack | None = None
        self.environments: dict[str, dict[str, str]] | None = None  # per function, as deployed
        self.writes: WriteLog | None = None
        self.lambdas: LambdaRuntime | None = None
        self.router: EventRouter | None = None
        self.targets: Targets | None = None
        self.sfn: StepFunctionsService | None = None
        self.services: ServiceOverrides | None = None
        self.streams: StreamRouter | None = None
        self.observer: CallObserver | None = None
        self.webhook_ingress: WebhookIngress | None = None
        self.stripe_endpoints: list[Endpoint] = []  # the ingress's two (platform, Connect)

    # -- life cycle ----------------------------------------------------------------------------
    def __enter__(self) -> World:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> World:
        if self._started:
            return self
        self._saved_env = apply_environment(self.backend.environment())
        try:
            self._pinned = pinned(self.rng.child("process"))
            self._pinned.__enter__()
            self.backend.start()
            fastpath.configure(self.fast_paths)
            if self.account is None:
                self.account = self.backend.account()
            self.clock.freeze()
            self._start_stripe()
            api_base = getattr(getattr(self.stripe, "api", None), "url", None)
            self.stack = marketplace_stack(self.account, self.region, stripe_api_base=api_base)
            self._wire()
            hooks.install()
            hooks.activate(self)
            iam.attach(self)
            self.scheduler.on_switch = self._task_env.switch
            self._started = True
            if self._deploy:
                with self.internal():
                    deploy(self.stack, self.client, functions=False, extras=False)
                self.targets.schedule()
            if self.stripe is not None:
                self._connect_stripe()
            self.trace.record("world", "started", None, seed=self.seed,
                              backend="embedded" if self.backend.name == "embedded" else "endpoint")
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        if not self._started and not self._saved_env:
            return
        with contextlib.suppress(Exception):
            self.scheduler.close()
        self.scheduler.on_switch = None
        self._task_env.restore()
        hooks.deactivate(self)
        logcapture.deactivate()
        if self.stripe is not None:
            from sim.stripe import inprocess

            inprocess.unserve(self.stripe.api)
            with contextlib.suppress(Exception):
                self.stripe.close()
        self.clock.unfreeze()
        with contextlib.suppress(Exception):
            self.backend.stop()
        restore_environment(self._saved_env)
        self._saved_env = {}
        if self._pinned is not None:
            self._pinned.__exit__(None, None, None)
            self._pinned = None
        self._clients.clear()
        self._started = False

    # -- docs/contracts.md §1 -------------------------------------------------------------------
    def client(self, service: str):
        """A boto3 client bound to the world's backend."""
        if service not in self._clients:
            self._clients[service] = self.backend.client(service)
        return self._clients[service]

    def invoke(self, name: str, event: Any, *, correlation_id: str | None = None) -> Any:
        """Run a function through the Lambda runtime; its response (LambdaError on a function error)."""
        inv = self.lambdas.invoke_detailed(name, event, correlation_id=correlation_id)
        if not self.scheduler.in_task():
            self.settle()
        return inv.value()

    def spawn_invoke(self, name: str, event: Any, *, correlation_id: str | None = None) -> Task:
        """Start an invocation concurrently; run the scheduler (advance/settle) to make progress."""
        return self.lambdas.spawn(name, event, correlation_id=correlation_id)

    def env(self, name: str) -> dict[str, str]:
        return self.lambdas.env(name)

    def add_function(self, name: str, handler, *, timeout: int = 30, memory: int = 128,
                     env: dict[str, str] | None = None, concurrency: int | None = None) -> None:
        """Register an extra function: `handler` is a callable or a "module.attr" path."""
        from sim.aws.stack import Function

        path = handler if isinstance(handler, str) else f"{handler.__module__}.{handler.__qualname__}"
        fn = Function(name=name, handler=path, timeout=timeout, env=dict(env or {}), policy=(), memory=memory,
                      reserved_concurrency=concurrency)
        self.lambdas.register(fn, self._function_env(fn), None if isinstance(handler, str) else handler)

    def now(self) -> datetime:
        return self.clock.now()

    def advance(self, amount: float | int | timedelta | str) -> datetime:
        """Run everything due up to now + amount (seconds, timedelta or '26h'); the new time."""
        return self.advance_to(self.clock.now() + to_timedelta(amount))

    def advance_to(self, when: datetime | str) -> datetime:
        self._flush_stripe()
        self.scheduler.run_until(parse_instant(when))
        self.sweep_ttl()
        return self.clock.now()

    def settle(self) -> None:
        """Run everything due at the current instant (the clock does not move)."""
        self._flush_stripe()
        self.scheduler.run_until_idle()

    # -- helpers for tests and scenarios --------------------------------------------------------
    def rng_for(self, name: str) -> Rng:
        if name not in self._rngs:
            self._rngs[name] = self.rng.child(name)
        return self._rngs[name]

    @property
    def bus_events(self) -> list[dict]:
        return [e["event"] for e in self.router.bus_events]

    def table_items(self, name: str) -> list[dict]:
        """Every item of a table as plain Python values (Decimal → int/float), converted page by
        page (a storm's oracle reads tables of tens of thousands of items: the typed copies of one
        page at a time, not of the whole table, are alive next to the plain ones)."""
        table = self.stack.table(name).name
        ddb = self.client("dynamodb")
        items, kwargs = [], {"TableName": table}
        with self.internal():
            while True:
                page = ddb.scan(**kwargs)
                items.extend(plain_item(i) for i in page.get("Items", []))
                if "LastEvaluatedKey" not in page:
                    break
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
                del page
        key = self.stack.table(name).hash_key
        return sorted(items, key=lambda i: str(i.get(key)))

    def get_item(self, table: str, key: dict[str, Any]) -> dict | None:
        from boto3.dynamodb.types import TypeSerializer

        ser = TypeSerializer()
        with self.internal():
            got = self.client("dynamodb").get_item(TableName=self.stack.table(table).name,
                                                   Key={k: ser.serialize(v) for k, v in key.items()})
        return plain_item(got["Item"]) if "Item" in got else None

    def _publish_destination(self, topic_arn: str, message: str) -> None:
        """Lambda delivering an asynchronous invocation's record to its on-failure SNS destination."""
        with self.internal():
            self.client("sns").publish(TopicArn=topic_arn, Message=message)

    @contextlib.contextmanager
    def internal(self):
        """Harness calls inside this block are neither yield points nor faulted nor traced."""
        self._internal += 1
        try:
            yield
        finally:
            self._internal -= 1

    def sweep_ttl(self) -> int:
        """Delete items whose TTL attribute is in the past (moto never expires them)."""
        return ttl.sweep(self.stack.tables, dynamodb=self.client("dynamodb"), internal=self.internal,
                         now=int(self.clock.epoch()), trace=self.trace)

    def _hash_keys(self, table_name: str | None) -> tuple[str, ...]:
        """The key attribute of a deployed table (by its physical name), for the trace's writes."""
        for t in self.stack.tables:
            if t.name == table_name:
                return (t.hash_key,)
        return ()

    # -- the botocore-hook observer ---------------------------------------------------------------
    def before_call(self, call: hooks.AwsCall):
        self._flush_stripe()
        response = self._before_call(call)
        if response is None:
            self.streams.before(call)
            response = self.fastpath.answer(call)
        return response

    def _before_call(self, call: hooks.AwsCall):
        task = self.scheduler.current_task()
        in_task = task is not None and not self._internal
        function = task.meta.get("function") if task is not None else None
        if in_task:
            self.scheduler.checkpoint()
            faulted = self.observer.apply_faults(call, task, function)
            if faulted is not None:
                return faulted
            self.trace.record("aws", "call", task.meta.get("correlation_id"), service=call.service,
                              operation=call.operation, function=function, table=call.params.get("TableName"),
                              requestId=task.meta.get("request_id"), **written_keys(call, self._hash_keys))
        return self.services.handle(call, function)

    def after_call(self, call: hooks.AwsCall, http, parsed: dict) -> None:
        self._flush_stripe()
        ok = getattr(http, "status_code", 200) < 300
        self.streams.after(call, ok)
        self.writes.after(call, ok)
        self.observer.after(call, ok, internal=bool(self._internal))

    # -- wiring ----------------------------------------------------------------------------------
    def _wire(self) -> None:
        """Build the pieces on the stack, each given only what it uses (docs/architecture.md, The World)."""
        stack, scheduler, trace, faults = self.stack, self.scheduler, self.trace, self.faults
        account, region, client = self.account, self.region, self.client
        self.environments = {fn.name: self._function_env(fn) for fn in stack.functions}
        self.writes = WriteLog({t.name: t.hash_key for t in stack.tables})
        self.lambdas = lambdas = LambdaRuntime(stack, scheduler, trace, self.rng.child("lambda"),
                                               self.environments, faults=faults)
        lambdas.destination = self._publish_destination
        self.router = router = EventRouter(
            account=account, region=region, clock=self.clock, trace=trace, rng=self.rng.child("eventbridge"),
            internal_client=client, faults=faults,
            deliver=lambda target, payload, info: self.targets.deliver(target, payload, info))
        self.targets = Targets(
            lambdas=lambdas, client=client, internal=self.internal, logs=self.logs, publish=router.publish,
            start_execution=lambda *a: self.services.start_execution_from_rule(*a), scheduler=scheduler,
            stack=stack, rng=self.rng_for("schedule"), trace=trace, account=account, region=region)
        self.sfn = stepfunctions.make_service(
            lambdas=lambdas, client_factory=client, faults=faults, trace=trace, scheduler=scheduler,
            rng=self.rng.child("sfn"), account=account, region=region)
        execution_events.attach(self.sfn, publish=router.publish, rng=self.rng_for("sfn-status-events"),
                                clock=self.clock, account=account, region=region)
        self.services = ServiceOverrides(sfn=self.sfn, lambdas=lambdas, put_events=router.put_events,
                                         trace=trace, logs=self.logs)
        self.streams = StreamRouter(stack, client=client, internal=self.internal, lambdas=lambdas,
                                    scheduler=scheduler, trace=trace, rng=self.rng_for("streams"))
        self.observer = CallObserver(faults=faults, scheduler=scheduler, trace=trace,
                                     rng=self.rng_for("sdk-retry"), metrics=self.metrics,
                                     sns_messages=self.sns_messages, rules_changed=router.invalidate)
        self.webhook_ingress = WebhookIngress(lambdas=lambdas, scheduler=scheduler, trace=trace,
                                              rng=self.rng_for("appsync"), account=stack.account)
        logcapture.activate(logcapture.LogSink(scheduler, self.clock, self.logs))

    def _function_env(self, fn) -> dict[str, str]:
        env = dict(self.backend.environment())
        env.update(self.stack.environment(fn))
        env.update({"AWS_LAMBDA_FUNCTION_NAME": fn.name, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory),
                    "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST", "_HANDLER": fn.handler,
                    "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{fn.name}"})
        return env

    def set_env(self, key: str, value: str | None, functions: list[str] | None = None) -> list[str]:
        """Change (or with None remove) a variable of deployed functions, as a redeploy would:
        every function that has it, or the named ones. Returns the functions changed."""
        changed = []
        for name, env in self.environments.items():
            if (functions is None and key in env) or (functions is not None and name in functions):
                if value is None:
                    env.pop(key, None)
                else:
                    env[key] = value
                changed.append(name)
        self.trace.record("world", "env.set", None, key=key, functions=changed)
        return changed

    def _start_stripe(self) -> None:
        if not self._want_stripe:
            return
        from sim.stripe import FakeStripe

        self.stripe = FakeStripe(self.clock, self.rng.child("stripe"), trace=self.trace, scheduler=self.scheduler,
                                 faults=self.faults, api_port=self.stripe_port)
        if isinstance(self.logs, deque):  # storms: the API's request log is bounded like the logs
            self.stripe.api.requests = deque(maxlen=self.logs.maxlen)
        self.stripe.start()
        if self.fast_paths:
            from sim.stripe import inprocess

            inprocess.install()
            inprocess.serve(self.stripe.api)

    def _connect_stripe(self) -> None:
        """Two webhook endpoints, as a Connect platform has: its own events and its accounts'."""
        self.stripe_endpoints = [
            self.stripe.add_endpoint(self.webhook_ingress, secret=SIM_STRIPE_WEBHOOK_SECRET,
                                     description="platform events → AppSync stripeWebhook"),
            self.stripe.add_endpoint(self.webhook_ingress, secret=SIM_STRIPE_WEBHOOK_SECRET, connect=True,
                                     description="connected accounts' events → AppSync stripeWebhook"),
        ]

    def _flush_stripe(self) -> None:
        """Schedule deliveries of events the Stripe API thread committed (handlers' SDK calls)."""
        if self.stripe is not None:
            self.stripe.channel.flush()

