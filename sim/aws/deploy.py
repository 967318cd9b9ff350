"""Deploy a `Stack` to any backend, idempotently: create what is missing, update what differs,
and say what it did for each resource ("created", "updated" or "unchanged").

`functions=True` also creates IAM roles and Lambda functions (code zipped from `handlers/`),
for real endpoints; the world runs functions in-process and skips them. `skip` leaves out kinds of
resource a backend cannot host (`user-pools` on LocalStack's community edition, say);
`unavailable_kinds` finds them from what the backend reports. A call the backend refuses is a
`DeployError` (an InputError: exit 2) naming the service, the resource and AWS's message.
"""

from __future__ import annotations

import contextlib
import io
import json
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError

from sim.aws.stack import MAX_EVENT_AGE_S, ROOT, Stack, Table
from sim.errors import InputError

ClientFactory = Callable[[str], object]


@dataclass(frozen=True)
class Change:
    kind: str
    name: str
    action: str  # created | updated | unchanged

    def __str__(self) -> str:
        return f"{self.action:9} {self.kind} {self.name}"


def _code(err: ClientError) -> str:
    return err.response.get("Error", {}).get("Code", "")


class DeployError(InputError):
    """The backend refused a deploy call: which service, which resource, and what AWS said."""


# kind of resource (as `--skip` names it) → the service that hosts it
KIND_SERVICES = {"tables": "dynamodb", "bus": "events", "rules": "events", "topics": "sns", "buckets": "s3",
                 "log-groups": "logs", "alarms": "cloudwatch", "user-pools": "cognito-idp",
                 "functions": "lambda", "state-machines": "stepfunctions"}


@contextlib.contextmanager
def refused_as_deploy_error(service: str, kind: str, name: str):
    try:
        yield
    except ClientError as err:
        error = err.response.get("Error", {})
        raise DeployError(f"{service}: {kind} {name}: {error.get('Code', 'Error')}: "
                          f"{error.get('Message') or err}") from None
    except BotoCoreError as err:
        raise DeployError(f"{service}: {kind} {name}: {err}") from None


def unavailable_kinds(endpoint_for: Callable[[str], str | None]) -> dict[str, str]:
    """Kinds the backend says it does not serve, with the reason: a LocalStack endpoint lists its
    services at /_localstack/health; anything else (moto server, AWS) is taken to serve them all."""
    out: dict[str, str] = {}
    health: dict[str, dict | None] = {}
    for kind, service in KIND_SERVICES.items():
        url = endpoint_for(service)
        if not url:
            continue
        if url not in health:
            health[url] = _localstack_health(url)
        services = health[url]
        if services is not None and services.get(service) in (None, "disabled", "error"):
            out[kind] = f"{service} is not served by {url} (LocalStack: {services.get(service) or 'absent'})"
    return out


def _localstack_health(url: str) -> dict | None:
    try:
        with urllib.request.urlopen(f"{url}/_localstack/health", timeout=5) as resp:  # noqa: S310
            body = json.loads(resp.read().decode())
    except (urllib.error.URLError, OSError, ValueError):
        return None
    services = body.get("services") if isinstance(body, dict) else None
    return services if isinstance(services, dict) else None


class Deployer:
    def __init__(self, stack: Stack, clients: ClientFactory):
        self.stack = stack
        self._factory = clients
        self._clients: dict[str, object] = {}
        self.changes: list[Change] = []
        self.skipped: dict[str, str] = {}
        self._at = ("aws", "resource", "?")

    def client(self, service: str):
        if service not in self._clients:
            self._clients[service] = self._factory(service)
        return self._clients[service]

    def at(self, service: str, kind: str, name: str) -> None:
        """Say which resource the next calls are for (named by a DeployError if they fail)."""
        self._at = (service, kind, name)

    def note(self, kind: str, name: str, action: str) -> None:
        self.changes.append(Change(kind, name, action))

    # -- DynamoDB ------------------------------------------------------------------------------
    def table(self, t: Table) -> None:
        self.at("dynamodb", "table", t.name)
        ddb = self.client("dynamodb")
        try:
            current = ddb.describe_table(TableName=t.name)["Table"]
        except ClientError as err:
            if _code(err) != "ResourceNotFoundException":
                raise
            current = None
        if current is None:
            ddb.create_table(**table_spec(t))
            action = "created"
        else:
            have = {ix["IndexName"] for ix in current.get("GlobalSecondaryIndexes", [])}
            missing = [ix for ix in t.indexes if ix.name not in have]
            types = t.attribute_types()
            for ix in missing:
                defs = [{"AttributeName": a, "AttributeType": types[a]} for a in (ix.hash_key, ix.range_key) if a]
                ddb.update_table(TableName=t.name, AttributeDefinitions=defs,
                                 GlobalSecondaryIndexUpdates=[{"Create": _gsi(ix)}])
            stream_missing = bool(t.stream_targets) and not current.get("StreamSpecification", {}).get("StreamEnabled")
            if stream_missing:
                ddb.update_table(TableName=t.name, StreamSpecification={"StreamEnabled": True,
                                                                        "StreamViewType": "NEW_AND_OLD_IMAGES"})
            action = "updated" if missing or stream_missing else "unchanged"
        if t.ttl_attribute:
            ttl = ddb.describe_time_to_live(TableName=t.name).get("TimeToLiveDescription", {})
            if ttl.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING") or ttl.get("AttributeName") != t.ttl_attribute:
                ddb.update_time_to_live(TableName=t.name, TimeToLiveSpecification={
                    "Enabled": True, "AttributeName": t.ttl_attribute})
                action = "updated" if action == "unchanged" else action
        self.note("table", t.name, action)

    # -- EventBridge -----------------------------------------------------------------------------
    def bus(self) -> None:
        self.at("events", "event-bus", self.stack.bus)
        ev = self.client("events")
        try:
            ev.describe_event_bus(Name=self.stack.bus)
            self.note("event-bus", self.stack.bus, "unchanged")
        except ClientError as err:
            if _code(err) != "ResourceNotFoundException":
                raise
            ev.create_event_bus(Name=self.stack.bus)
            self.note("event-bus", self.stack.bus, "created")

    def rules(self) -> None:
        for rule in self.stack.rules:
            self.rule(rule)

    def rule(self, rule) -> None:
        self.at("events", "rule", rule.name)
        ev = self.client("events")
        want = {"Name": rule.name, "EventBusName": rule.bus, "State": "ENABLED",
                "Description": rule.description}
        if rule.pattern is not None:
            want["EventPattern"] = json.dumps(rule.pattern, sort_keys=True)
        if rule.schedule is not None:
            want["ScheduleExpression"] = rule.schedule
        try:
            cur = ev.describe_rule(Name=rule.name, EventBusName=rule.bus)
        except ClientError as err:
            if _code(err) != "ResourceNotFoundException":
                raise
            cur = None
        same = cur is not None and all(
            (json.loads(cur.get(k) or "null") == json.loads(v)) if k == "EventPattern" else cur.get(k) == v
            for k, v in want.items() if k not in ("Name", "EventBusName"))
        if not same:
            ev.put_rule(**want)
        targets = [self._target(t) for t in rule.targets]
        have = ev.list_targets_by_rule(Rule=rule.name, EventBusName=rule.bus).get("Targets", [])
        if sorted(map(_norm_target, have), key=str) != sorted(map(_norm_target, targets), key=str):
            stale = [t["Id"] for t in have if t["Id"] not in {x["Id"] for x in targets}]
            if stale:
                ev.remove_targets(Rule=rule.name, EventBusName=rule.bus, Ids=stale)
            ev.put_targets(Rule=rule.name, EventBusName=rule.bus, Targets=targets)
            same = False
        self.note("rule", rule.name, "created" if cur is None else ("unchanged" if same else "updated"))

    def _target(self, t) -> dict:
        out = {"Id": t.id, "Arn": self.stack.target_arn(t)}
        if t.kind in ("state_machine", "bus"):
            out["RoleArn"] = self.stack.arn("iam", "role/ecosystem-eventbridge-targets").replace(
                f":{self.stack.region}:", "::")
        if t.input_path:
            out["InputPath"] = t.input_path
        if t.input_transformer:
            out["InputTransformer"] = dict(t.input_transformer)
        return out

    # -- Step Functions --------------------------------------------------------------------------
    def state_machines(self) -> None:
        for sm in self.stack.state_machines:
            self.state_machine(sm)

    def state_machine(self, sm) -> None:
        self.at("stepfunctions", "state-machine", sm.name)
        sfn = self.client("stepfunctions")
        role = self.stack.state_machine_role(sm)
        definition = self.stack.definition(sm)
        arn = self.stack.state_machine_arn(sm.name)
        try:
            cur = sfn.describe_state_machine(stateMachineArn=arn)
        except ClientError as err:
            if _code(err) != "StateMachineDoesNotExist":
                raise
            cur = None
        if cur is None:
            sfn.create_state_machine(name=sm.name, definition=definition, roleArn=role, type=sm.type)
            self.note("state-machine", sm.name, "created")
        elif json.loads(cur["definition"]) != json.loads(definition):
            sfn.update_state_machine(stateMachineArn=arn, definition=definition)
            self.note("state-machine", sm.name, "updated")
        else:
            self.note("state-machine", sm.name, "unchanged")

    # -- the rest ------------------------------------------------------------------------------
    def topics(self) -> None:
        sns = self.client("sns")
        have = {t["TopicArn"] for t in sns.list_topics().get("Topics", [])}
        for name in self.stack.topics:
            self.at("sns", "topic", name)
            if self.stack.topic_arn(name) in have:
                self.note("topic", name, "unchanged")
            else:
                sns.create_topic(Name=name)
                self.note("topic", name, "created")

    def buckets(self) -> None:
        s3 = self.client("s3")
        have = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
        for name in self.stack.buckets:
            self.at("s3", "bucket", name)
            if name in have:
                self.note("bucket", name, "unchanged")
            else:
                s3.create_bucket(Bucket=name)
                self.note("bucket", name, "created")

    def log_groups(self) -> None:
        logs = self.client("logs")
        for name in self.stack.log_groups:
            self.at("logs", "log-group", name)
            found = logs.describe_log_groups(logGroupNamePrefix=name).get("logGroups", [])
            if any(g["logGroupName"] == name for g in found):
                self.note("log-group", name, "unchanged")
            else:
                logs.create_log_group(logGroupName=name)
                self.note("log-group", name, "created")

    def alarms(self) -> None:
        cw = self.client("cloudwatch")
        have = {a["AlarmName"] for a in cw.describe_alarms().get("MetricAlarms", [])}
        for alarm in self.stack.alarms:
            self.at("cloudwatch", "alarm", alarm.name)
            if alarm.name in have:
                self.note("alarm", alarm.name, "unchanged")
                continue
            cw.put_metric_alarm(
                AlarmName=alarm.name, Namespace="ECOSYSTEMAWS/Webhooks", MetricName=alarm.metric,
                Statistic=alarm.statistic, Period=alarm.period, EvaluationPeriods=1, Threshold=alarm.threshold,
                ComparisonOperator=alarm.comparison, AlarmActions=[self.stack.topic_arn(alarm.topic)],
                TreatMissingData="notBreaching")
            self.note("alarm", alarm.name, "created")

    def user_pools(self) -> None:
        idp = self.client("cognito-idp")
        have = {p["Name"] for p in idp.list_user_pools(MaxResults=60).get("UserPools", [])}
        for pool in self.stack.user_pools:
            self.at("cognito-idp", "user-pool", pool["name"])
            if pool["name"] in have:
                self.note("user-pool", pool["name"], "unchanged")
                continue
            idp.create_user_pool(PoolName=pool["name"], LambdaConfig={
                "PostConfirmation": self.stack.function_arn(pool["post_confirmation"])})
            self.note("user-pool", pool["name"], "created")

    def role(self, name: str, service: str, statements) -> str:
        """An IAM role assumable by `service`, with exactly `statements` as its inline policy."""
        self.at("iam", "role", name)
        iam = self.client("iam")
        try:
            arn = iam.get_role(RoleName=name)["Role"]["Arn"]
        except ClientError as err:
            if _code(err) != "NoSuchEntity":
                raise
            arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({
                "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                        "Principal": {"Service": service}}]}))["Role"]["Arn"]
        iam.put_role_policy(RoleName=name, PolicyName="least-privilege", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": list(statements)}))
        return arn

    def state_machine_roles(self) -> None:
        for sm in self.stack.state_machines:
            self.role(f"{sm.name}-role", "states.amazonaws.com", self.stack.state_machine_policy(sm))

    def functions(self) -> None:
        lam = self.client("lambda")
        code = handlers_zip()
        for fn in self.stack.functions:
            role_arn = self.role(f"{fn.name}-role", "lambda.amazonaws.com", fn.policy)
            env = {"Variables": self.stack.environment(fn)}
            self.at("lambda", "function", fn.name)
            try:
                cur = lam.get_function_configuration(FunctionName=fn.name)
            except ClientError as err:
                if _code(err) != "ResourceNotFoundException":
                    raise
                cur = None
            if cur is None:
                lam.create_function(FunctionName=fn.name, Runtime="python3.12", Role=role_arn, Handler=fn.handler,
                                    Code={"ZipFile": code}, Timeout=fn.timeout, MemorySize=fn.memory,
                                    Environment=env)
                self.note("function", fn.name, "created")
            elif (cur.get("Timeout"), cur.get("MemorySize"), cur.get("Environment", {}).get("Variables")) != (
                    fn.timeout, fn.memory, env["Variables"]):
                lam.update_function_configuration(FunctionName=fn.name, Timeout=fn.timeout, MemorySize=fn.memory,
                                                  Environment=env)
                self.note("function", fn.name, "updated")
            else:
                self.note("function", fn.name, "unchanged")
            if fn.on_failure:
                self.event_invoke_config(lam, fn)

    def event_invoke_config(self, lam, fn) -> None:
        """Asynchronous invocations' retries, maximum event age and on-failure destination (an SNS
        topic)."""
        want = {"MaximumRetryAttempts": fn.async_retries, "MaximumEventAgeInSeconds": fn.async_max_event_age,
                "DestinationConfig": {"OnFailure": {"Destination": self.stack.topic_arn(fn.on_failure)}}}
        try:
            cur = lam.get_function_event_invoke_config(FunctionName=fn.name)
        except ClientError as err:
            if _code(err) != "ResourceNotFoundException":
                raise
            cur = {}
        # compare only what we set: LocalStack answers OnSuccess: {} and other defaults beside it
        destination = ((cur.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
        if cur.get("MaximumRetryAttempts") == fn.async_retries and \
                cur.get("MaximumEventAgeInSeconds", MAX_EVENT_AGE_S) == fn.async_max_event_age and \
                destination == want["DestinationConfig"]["OnFailure"]["Destination"]:
            return
        lam.put_function_event_invoke_config(FunctionName=fn.name, **want)
        self.note("function", f"{fn.name} event invoke config", "updated")

    def run(self, *, functions: bool, extras: bool = True, skip: dict[str, str] | None = None) -> list[Change]:
        """Deploy every kind of resource but those in `skip` (kind → why), in dependency order."""
        self.skipped = dict(skip or {})
        if not functions:
            self.skipped.setdefault("functions", "the harness runs the handlers itself")
        steps = [("tables", lambda: [self.table(t) for t in self.stack.tables]), ("bus", self.bus),
                 ("topics", self.topics), ("buckets", self.buckets)]
        if extras:
            steps += [("log-groups", self.log_groups), ("alarms", self.alarms), ("user-pools", self.user_pools)]
        steps += [("functions", self.functions), ("functions", self.state_machine_roles),
                  ("rules", self.rules), ("state-machines", self.state_machines)]
        for kind, step in steps:
            if kind in self.skipped:
                continue
            with self._refused():
                step()
        return self.changes

    @contextlib.contextmanager
    def _refused(self):
        try:
            yield
        except DeployError:
            raise
        except (ClientError, BotoCoreError):
            with refused_as_deploy_error(*self._at):
                raise


def table_spec(t: Table) -> dict:
    types = t.attribute_types()
    key = [{"AttributeName": t.hash_key, "KeyType": "HASH"}]
    if t.range_key:
        key.append({"AttributeName": t.range_key, "KeyType": "RANGE"})
    spec = {"TableName": t.name, "KeySchema": key, "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": a, "AttributeType": ty} for a, ty in sorted(types.items())]}
    if t.indexes:
        spec["GlobalSecondaryIndexes"] = [_gsi(ix) for ix in t.indexes]
    if t.stream_targets:
        spec["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    return spec


def _gsi(ix) -> dict:
    key = [{"AttributeName": ix.hash_key, "KeyType": "HASH"}]
    if ix.range_key:
        key.append({"AttributeName": ix.range_key, "KeyType": "RANGE"})
    return {"IndexName": ix.name, "KeySchema": key, "Projection": {"ProjectionType": "ALL"}}


def _norm_target(t: dict) -> dict:
    return {k: t[k] for k in ("Id", "Arn", "InputPath", "InputTransformer") if k in t}


def handlers_zip() -> bytes:
    """The `handlers/` package as a Lambda deployment zip (deterministic: sorted, fixed times)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted((ROOT / "handlers").rglob("*.py")):
            info = zipfile.ZipInfo(str(path.relative_to(ROOT)), date_time=(2026, 1, 1, 0, 0, 0))
            zf.writestr(info, path.read_bytes())
    return buf.getvalue()


def deploy(stack: Stack, clients: ClientFactory, *, functions: bool = False, extras: bool = True,
           skip: dict[str, str] | None = None) -> list[Change]:
    """Deploy the stack; the returned changes say what was created, updated or left unchanged."""
    return Deployer(stack, clients).run(functions=functions, extras=extras, skip=skip)
