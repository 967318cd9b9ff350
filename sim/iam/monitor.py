"""Per-world IAM monitor: who called what on which resource, allowed or not, and enforcement.

`attach(world)` (called by the World when it starts) creates the world's `IamMonitor` and plugs
it in at the two places AWS authorises a request:

- every boto3 call a principal makes (the botocore hook guard, `sim.aws.hooks.add_guard`): the
  calling principal is the Lambda invocation running the call (its task's `function`) or the
  state machine execution whose task integration is running it;
- the calls Step Functions and EventBridge make themselves without boto3: a Task state's
  `lambda:invoke` / `states:startExecution` (the interpreter's integrations) and a rule starting
  an execution with its target role.

Each request (action, resource ARN, decision) goes into the trace as an `iam` record and into the
monitor's tallies (`used`, `denied`, `grants_used`). With `enforce` on, a denied request fails as
AWS fails it: an `AccessDeniedException` / `AccessDenied` ClientError for boto3 callers, a
`Lambda.AWSLambdaException`-style task failure inside a state machine, a failed target for a rule.
Calls outside any principal (the harness, a test's top-level client) are neither checked nor
recorded.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from typing import Any

from sim.aws import hooks
from sim.iam.actions import Arns, Request, requests_for
from sim.iam.denial import denial_response
from sim.iam.evaluate import Decision, allowing_grants, evaluate
from sim.iam.principals import Principal, function_principal, principals

MAX_DECISIONS = 65_536              # remembered decisions per world (cleared when full)
MAX_DENIED = 10_000                  # details kept per world (a storm without a grant denies every call)
PRINCIPAL_META = "iam_principal"     # task.meta key naming a state machine principal
_monitors: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class IamMonitor:
    def __init__(self, world):
        self.world = world
        self.enforce = False
        self.arns = Arns(world.account, world.region)
        self.principals: dict[str, Principal] = principals(world.stack)
        self.used: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.denied: list[dict[str, Any]] = []
        self.grants_used: dict[str, set[tuple[int, str, str]]] = defaultdict(set)
        self.checked = 0
        self._runtime_checked: set[str] = set()
        self._scanned, self._step = 0, None
        self._serving: dict[int, int] = {}   # id(task) -> depth of calls the world is serving in it
        self._decisions: dict[tuple, tuple] = {}   # _decision_key -> (principal, decision, grants)

    # -- principals ------------------------------------------------------------------------------
    def principal(self, name: str | None) -> Principal | None:
        if name is None:
            return None
        found = self.principals.get(name)
        if found is None:
            try:   # a function registered after the world started (a test's extra)
                found = function_principal(self.world.stack, name)
            except KeyError:
                return None
            self.principals[name] = found
        return found

    def current_principal(self) -> Principal | None:
        w = self.world
        if w._internal:
            return None
        task = w.scheduler.current_task()
        if task is None or self._serving.get(id(task)):
            return None   # the harness, or the service's own work while serving a call (rule look-ups)
        return self.principal(task.meta.get("function") or task.meta.get(PRINCIPAL_META))

    # -- checking --------------------------------------------------------------------------------
    def check(self, principal: Principal, request: Request, *, via: str = "sdk",
              correlation_id: str | None = None) -> Decision:
        decision, grants = self._decide(principal, request)
        self.checked += 1
        self.world.trace.record("iam", "allow" if decision.allowed else "deny", correlation_id,
                                principal=principal.name, action=request.action, resource=request.resource,
                                **({"via": via} if via != "sdk" else {}),
                                **({} if decision.allowed else {"decision": decision.value}))
        if decision.allowed:
            self.used[principal.name][request.action].add(request.resource)
            self.grants_used[principal.name].update(grants)
        elif len(self.denied) < MAX_DENIED:
            self.denied.append({"principal": principal.name, "action": request.action,
                                "resource": request.resource, "decision": decision.value, "via": via,
                                "step": self._current_step(), "enforced": self.enforce})
        return decision

    def _decide(self, principal: Principal, request: Request) -> tuple[Decision, tuple]:
        """The decision and the Allow grants that match, for this principal's policy and the
        request's action, resource and condition keys: a pure function of those, so remembered
        (a storm asks the same few hundred questions hundreds of thousands of times)."""
        key = _decision_key(principal, request)
        found = self._decisions.get(key) if key is not None else None
        if found is not None and found[0] is principal:
            return found[1], found[2]
        context = {**principal.context(self.world.region), **request.context}
        decision = evaluate(principal.policy, request.action, request.resource, context)
        grants = tuple(allowing_grants(principal.policy, request.action, request.resource, context)) \
            if decision.allowed else ()
        if key is not None and MAX_DECISIONS:
            if len(self._decisions) >= MAX_DECISIONS:
                self._decisions.clear()
            self._decisions[key] = (principal, decision, grants)
        return decision, grants

    def first_denial(self, principal: Principal, requests: list[Request], *, via: str = "sdk",
                     correlation_id: str | None = None) -> tuple[Request, Decision] | None:
        """Check every request (all are recorded); the first denied one, if any."""
        first = None
        for req in requests:
            decision = self.check(principal, req, via=via, correlation_id=correlation_id)
            if not decision.allowed and first is None:
                first = (req, decision)
        return first

    def _current_step(self) -> dict | None:
        """The scenario step under way (its trace record), read on from where the last look-up stopped."""
        records = self.world.trace.records
        for rec in records[self._scanned:]:
            if rec["component"] == "scenario" and rec["kind"] == "step":
                d = rec["details"]
                self._step = {"index": d.get("index"), "line": d.get("line"), "text": d.get("text")}
        self._scanned = len(records)
        return self._step

    # -- the botocore guard ----------------------------------------------------------------------
    def guard(self, call: hooks.AwsCall):
        principal = self.current_principal()
        if principal is None:
            return None
        task = self.world.scheduler.current_task()
        cid = task.meta.get("correlation_id") if task is not None else None
        requests = requests_for(call.service, call.operation, call.params, self.world.account, self.world.region)
        denied = self.first_denial(principal, requests, correlation_id=cid)
        if denied is None or not self.enforce:
            return None
        req, decision = denied
        return denial_response(call.service, principal.denial_message(req.action, req.resource,
                                                                      decision is Decision.EXPLICIT_DENY))

    # -- Step Functions and EventBridge, which call without boto3 ---------------------------------
    def wrap_integrations(self, integrations) -> None:
        original = integrations.invoke

        def invoke(call):
            return self._integration(original, call)

        integrations.invoke = invoke

    def _integration(self, original, call):
        from sim.asl.errors import StatesError

        sm_arn = getattr(call.run, "state_machine_arn", None) or ""
        principal = self.principal(sm_arn.rsplit(":", 1)[-1]) if sm_arn else None
        task = self.world.scheduler.current_task()
        if principal is None or task is None:
            return original(call)
        direct = self._direct_requests(call)
        if direct:
            denied = self.first_denial(principal, direct, via="states")
            if denied is not None and self.enforce:
                req, decision = denied
                message = principal.denial_message(req.action, req.resource, decision is Decision.EXPLICIT_DENY)
                error = "Lambda.AWSLambdaException" if req.action.startswith("lambda:") \
                    else "StepFunctions.AccessDeniedException"
                service = "AWSLambda" if req.action.startswith("lambda:") else "AWSStepFunctions"
                status = 403 if req.action.startswith("lambda:") else 400
                raise StatesError(error, f"{message} (Service: {service}; Status Code: {status}; "
                                         f"Error Code: AccessDeniedException)")
        previous = task.meta.get(PRINCIPAL_META)
        task.meta[PRINCIPAL_META] = principal.name
        try:
            return original(call)
        finally:
            if previous is None:
                task.meta.pop(PRINCIPAL_META, None)
            else:
                task.meta[PRINCIPAL_META] = previous

    def _direct_requests(self, call) -> list[Request]:
        """The requests a Task state makes outside boto3: Lambda invocations and child executions."""
        p = call.parsed
        params = call.params if isinstance(call.params, dict) else {}
        if p.legacy_lambda:
            return [Request("lambda:InvokeFunction", p.arn)]
        if p.service == "lambda" and p.action == "invoke" and params.get("FunctionName"):
            return [Request("lambda:InvokeFunction", self.arns.function(params["FunctionName"]))]
        if p.service == "states" and p.action == "startExecution" and params.get("StateMachineArn"):
            return [Request("states:StartExecution", self.arns.state_machine(params["StateMachineArn"]))]
        return []

    def wrap_service_overrides(self, services) -> None:
        """Calls the world makes while it serves a call itself (the router listing rules for a
        PutEvents) are the service's, not the caller's."""
        original = services.handle

        def handle(call, function):
            task = self.world.scheduler.current_task()
            key = id(task)
            self._serving[key] = self._serving.get(key, 0) + 1
            try:
                return original(call, function)
            finally:
                self._serving[key] -= 1
                if not self._serving[key]:
                    del self._serving[key]

        services.handle = handle

    def wrap_rule_targets(self, services) -> None:
        original = services.start_execution_from_rule

        def start_execution_from_rule(arn, payload, info):
            rule = self._rule(info.get("rule"))
            principal = self.principal(self.world.stack.target_role_name(rule)) if rule is not None else None
            if principal is not None:
                decision = self.check(principal, Request("states:StartExecution", arn), via="eventbridge")
                if not decision.allowed and self.enforce:
                    self.world.trace.record("eventbridge", "target.failed", None, target=arn,
                                            error="AccessDeniedException")
                    return None
            return original(arn, payload, info)

        services.start_execution_from_rule = start_execution_from_rule

    # -- results -----------------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """Plain data (crosses processes): per principal, what it used, what was denied and which
        grants of its policy matched; with what the Lambda service did with each invoked function's
        role (logs, stream reads) checked the same way (`via: lambda-service`)."""
        out: dict[str, Any] = {}
        invoked = {inv.function for inv in self.world.lambdas.invocations} - self._runtime_checked
        self._runtime_checked |= invoked
        for name in sorted(invoked):
            principal = self.principal(name)
            if principal is None:
                continue
            for req in runtime_requests(self.world, principal):
                context = principal.context(self.world.region)
                decision = evaluate(principal.policy, req.action, req.resource, context)
                if decision.allowed:
                    self.used[name][req.action].add(req.resource)
                    self.grants_used[name].update(allowing_grants(principal.policy, req.action, req.resource,
                                                                  context))
                else:
                    self.denied.append({"principal": name, "action": req.action, "resource": req.resource,
                                        "decision": decision.value, "via": "lambda-service", "step": None,
                                        "enforced": False})
        names = set(self.used) | {d["principal"] for d in self.denied}
        for name in sorted(names):
            out[name] = {
                "kind": self.principals[name].kind if name in self.principals else "function",
                "used": {a: sorted(r) for a, r in sorted(self.used.get(name, {}).items())},
                "denied": [d for d in self.denied if d["principal"] == name],
                "grants_used": sorted([list(g) for g in self.grants_used.get(name, set())]),
            }
        return out

    def _rule(self, name: str | None):
        for rule in self.world.stack.rules:
            if rule.name == name:
                return rule
        return None


def _decision_key(principal: Principal, request: Request) -> tuple | None:
    """What a decision depends on besides the principal (whose policy is a frozen tuple), hashable;
    None when a condition key's value cannot be hashed (the decision is then made afresh)."""
    try:
        context = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in request.context.items()))
        key = (principal.name, id(principal), request.action, request.resource, context)
        hash(key)
    except TypeError:
        return None
    return key


def _guard(observer, call: hooks.AwsCall):
    monitor = _monitors.get(observer)
    return monitor.guard(call) if monitor is not None else None


def attach(world) -> IamMonitor:
    """Give a started world its IAM monitor (idempotent)."""
    monitor = _monitors.get(world)
    if monitor is None:
        monitor = IamMonitor(world)
        _monitors[world] = monitor
        monitor.wrap_integrations(world.sfn.integrations)
        monitor.wrap_rule_targets(world.services)
        monitor.wrap_service_overrides(world.services)
        hooks.add_guard(_guard)
    return monitor


def monitor_of(world) -> IamMonitor:
    """The world's monitor (attached on first use)."""
    return _monitors.get(world) or attach(world)


def enforce(world, on: bool = True) -> IamMonitor:
    monitor = monitor_of(world)
    monitor.enforce = on
    world.trace.record("iam", "enforce", None, on=on)
    return monitor


def runtime_requests(world, principal: Principal) -> list[Request]:
    """What the Lambda service itself does with a function's role for each function that ran:
    writes its logs (CreateLogGroup, CreateLogStream, PutLogEvents on /aws/lambda/<name>) and, for
    a stream-triggered function, reads the table's stream."""
    arns = Arns(world.account, world.region)
    group = f"/aws/lambda/{principal.name}"
    out = [Request("logs:CreateLogGroup", arns.log_group(group))]
    for inv in world.lambdas.invocations:
        if inv.function == principal.name:
            stream = f"{inv.started:%Y/%m/%d}/[$LATEST]{inv.request_id.replace('-', '')}"
            out += [Request("logs:CreateLogStream", arns.log_stream(group, stream)),
                    Request("logs:PutLogEvents", arns.log_stream(group, stream))]
            break   # one stream stands for all: the same grant covers every one
    for table in world.stack.tables:
        if principal.name in table.stream_targets:
            stream = arns.arn("dynamodb", f"table/{table.name}/stream/{_stream_label(world, table.name)}")
            out += [Request(f"dynamodb:{a}", stream) for a in ("DescribeStream", "GetShardIterator", "GetRecords")]
            out.append(Request("dynamodb:ListStreams", "*"))
    return out


def _stream_label(world, table: str) -> str:
    """The table's stream label as the backend reports it (an ISO timestamp on AWS)."""
    try:
        with world.internal():
            arn = world.client("dynamodb").describe_table(TableName=table)["Table"].get("LatestStreamArn") or ""
    except Exception:  # noqa: BLE001 - a backend without streams: any label
        arn = ""
    return arn.rsplit("/stream/", 1)[-1] if "/stream/" in arn else "*"
