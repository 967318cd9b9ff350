"""Service integrations by resource ARN: a registry the World fills, with built-in adapters.

``Integrations(invoke_lambda=…, client_factory=…)``:
  * ``invoke_lambda(function, payload, invocation_type) -> (status, payload, function_error, version)``
    serves ``arn:aws:states:::lambda:invoke`` (AWS's {ExecutedVersion, Payload, SdkHttpMetadata,
    SdkResponseMetadata, StatusCode} envelope) and plain function ARNs (the bare payload).
  * ``client_factory(service) -> boto3 client`` serves events:putEvents, dynamodb:*, sns:publish,
    sqs:sendMessage, s3 (distributed Map) and ``aws-sdk:<service>:<action>``.
  * ``states:startExecution`` (plain, ``.sync``, ``.sync:2``) needs ``start_execution`` — set by
    StepFunctionsService — and ``.waitForTaskToken`` parks on ``tokens`` until SendTaskSuccess/
    Failure (or HeartbeatSeconds passes without SendTaskHeartbeat).
  * ``register(resource_arn, fn)`` adds or overrides an adapter: ``fn(call: TaskCall) -> result``.

Without an adapter a Lambda task fails with Lambda.ResourceNotFoundException (what AWS reports
for a missing function) and any other resource with States.TaskFailed naming the resource.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sim.asl.activities import Activities, QueuedTask
from sim.asl.errors import StatesError
from sim.asl.jsonutil import dumps, to_json_value

SERVICE_PREFIX = {
    "dynamodb": "DynamoDb", "s3": "S3", "sqs": "Sqs", "sns": "Sns", "lambda": "Lambda", "eventbridge": "EventBridge",
    "events": "EventBridge", "sfn": "Sfn", "states": "Sfn", "secretsmanager": "SecretsManager", "ssm": "Ssm",
    "ec2": "Ec2", "iam": "Iam", "sts": "Sts", "kms": "Kms", "cloudwatch": "CloudWatch", "ecs": "Ecs",
    "apigateway": "ApiGateway", "cognitoidentityprovider": "CognitoIdentityProvider", "ses": "Ses",
    "sesv2": "SesV2", "kinesis": "Kinesis", "athena": "Athena", "glue": "Glue", "rds": "Rds", "bedrock": "Bedrock",
}
BOTO_NAME = {"eventbridge": "events", "sfn": "stepfunctions", "cognitoidentityprovider": "cognito-idp"}
OPTIMIZED_PREFIX = {"dynamodb": "DynamoDB", "sns": "SNS", "sqs": "SQS", "events": "EventBridge",
                    "lambda": "Lambda", "states": "StepFunctions", "s3": "S3"}


@dataclass
class ParsedResource:
    arn: str
    resource_type: str  # "lambda", "dynamodb", "aws-sdk:dynamodb", …
    resource: str  # "invoke", "putItem.waitForTaskToken", the function ARN for legacy Lambda
    service: str  # "lambda", "aws-sdk:dynamodb"
    action: str
    pattern: str  # "", "sync", "sync:2", "waitForTaskToken"
    legacy_lambda: bool = False
    activity: bool = False


_SVC_RE = re.compile(r"^arn:aws[\w-]*:states:[^:]*:[^:]*:(?P<rest>.+)$")


def parse_resource(arn: str) -> ParsedResource:
    if re.match(r"^arn:aws[\w-]*:lambda:", arn):
        return ParsedResource(arn, "lambda", arn, "lambda", "invoke", "", legacy_lambda=True)
    m = _SVC_RE.match(arn)
    if m is None:
        return ParsedResource(arn, "unknown", arn, "unknown", "", "")
    rest = m.group("rest")
    if rest.startswith("activity:"):
        return ParsedResource(arn, "activity", arn, "activity", "", "", activity=True)
    pattern = ""
    for suffix in (".sync:2", ".sync", ".waitForTaskToken"):
        if rest.endswith(suffix):
            pattern = suffix[1:]
            rest = rest[: -len(suffix)]
            break
    if rest.startswith("aws-sdk:"):
        _, service, action = (rest.split(":", 2) + ["", ""])[:3]
        rtype = f"aws-sdk:{service}"
    else:
        service, _, action = rest.partition(":")
        rtype = service
    res = action + (f".{pattern}" if pattern else "")
    return ParsedResource(arn, rtype, res, rtype, action, pattern)


@dataclass
class TaskCall:
    """What an adapter receives: the resolved parameters and the running execution."""

    run: Any
    state_name: str
    parsed: ParsedResource
    params: Any
    token: str | None = None
    heartbeat: float | None = None
    submitted: Callable[[Any], None] = field(default=lambda _o: None)
    started: Callable[[str | None], None] = field(default=lambda _w: None)  # an activity worker took it

    @property
    def scheduler(self):
        return self.run.scheduler


class TaskTokens:
    """Outstanding .waitForTaskToken tokens: SendTaskSuccess/Failure/Heartbeat resolve them."""

    def __init__(self):
        self._pending: dict[str, dict] = {}
        self._closed: dict[str, str] = {}

    def new_token(self, rng) -> str:
        import base64

        raw = rng.getrandbits(8 * 48).to_bytes(48, "big")
        return base64.b64encode(raw).decode()

    def register(self, token: str, future, scheduler) -> dict:
        entry = {"future": future, "beat": scheduler.clock.now(), "scheduler": scheduler}
        self._pending[token] = entry
        return entry

    def close(self, token: str, why: str = "done") -> None:
        if self._pending.pop(token, None) is not None:
            self._closed[token] = why
            if len(self._closed) > 100_000:
                self._closed.clear()

    def _entry(self, token: str) -> dict:
        entry = self._pending.get(token)
        if entry is None:
            if self._closed.get(token) == "timeout":
                raise LookupError("TaskTimedOut")
            raise KeyError(token)
        return entry

    def success(self, token: str, output: Any) -> None:
        entry = self._entry(token)
        self.close(token)
        entry["future"].set_result(output)

    def failure(self, token: str, error: str | None, cause: str | None) -> None:
        entry = self._entry(token)
        self.close(token)
        entry["future"].set_exception(StatesError(error if error is not None else "", cause))

    def is_pending(self, token: str) -> bool:
        return token in self._pending

    def heartbeat(self, token: str) -> None:
        entry = self._entry(token)
        entry["beat"] = entry["scheduler"].clock.now()


def sdk_metadata(run, content_length: int, content_type: str = "application/x-amz-json-1.0") -> dict:
    rid = run.rng.uuid4() if hasattr(run.rng, "uuid4") else "00000000-0000-0000-0000-000000000000"
    date = run.clock.now().strftime("%a, %d %b %Y %H:%M:%S GMT")
    headers = {"Connection": "keep-alive", "Content-Length": str(content_length), "Content-Type": content_type,
               "Date": date, "x-amzn-RequestId": rid}
    return {
        "SdkHttpMetadata": {"AllHttpHeaders": {k: [v] for k, v in headers.items()}, "HttpHeaders": headers,
                            "HttpStatusCode": 200},
        "SdkResponseMetadata": {"RequestId": rid},
    }


def lambda_metadata(run, content_length: int, version: str = "$LATEST") -> dict:
    """SdkHttpMetadata of a lambda:invoke result in AWS's order (recorded: LocalStack
    services/test_lambda_task_service::test_invoke): AllHttpHeaders in the order Lambda sends them,
    HttpHeaders sorted, with X-Amz-Executed-Version, x-amzn-Remapped-Content-Length and X-Amzn-Trace-Id."""
    rid = run.rng.uuid4() if hasattr(run.rng, "uuid4") else "00000000-0000-0000-0000-000000000000"
    now = run.clock.now()
    hexed = rid.replace("-", "")
    trace = f"Root=1-{int(now.timestamp()):08x}-{hexed[:24]};Parent={hexed[16:]};Sampled=0;Lineage=1:{hexed[:8]}:0"
    ordered = [("X-Amz-Executed-Version", version), ("x-amzn-Remapped-Content-Length", "0"),
               ("Connection", "keep-alive"), ("x-amzn-RequestId", rid), ("Content-Length", str(content_length)),
               ("Date", now.strftime("%a, %d %b %Y %H:%M:%S GMT")), ("X-Amzn-Trace-Id", trace),
               ("Content-Type", "application/json")]
    return {
        "SdkHttpMetadata": {"AllHttpHeaders": {k: [v] for k, v in ordered},
                            "HttpHeaders": dict(sorted(ordered, key=lambda kv: kv[0].lower())),
                            "HttpStatusCode": 200},
        "SdkResponseMetadata": {"RequestId": rid},
    }


class FunctionNotFound(LookupError):
    """Raised by an `invoke_lambda` callable for a function that does not exist."""

    def __init__(self, function: str | None = None):
        self.function = function
        super().__init__(function or "")


def java_sdk_cause(message: str, service: str, status: int, code: str, request_id: str) -> str:
    """How Step Functions words an AWS error its Java SDK met (recorded for a missing function)."""
    return (f"{message} (Service: {service}; Status Code: {status}; Error Code: {code}; "
            f"Request ID: {request_id}; Proxy: null)")


def function_not_found(call: TaskCall, arn: str) -> StatesError:
    """Recorded (error_handling/test_task_service_lambda::test_no_such_function)."""
    return StatesError("Lambda.ResourceNotFoundException",
                       java_sdk_cause(f"Function not found: {arn}", "AWSLambda", 404, "ResourceNotFoundException",
                                      call.run.rng.uuid4()))


def camel_to_snake(name: str) -> str:
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    return s.lower()


def _client_error(exc: Exception) -> tuple[str, str, int, str] | None:
    resp = getattr(exc, "response", None)
    if not isinstance(resp, dict) or "Error" not in resp:
        return None
    err = resp.get("Error") or {}
    meta = resp.get("ResponseMetadata") or {}
    return (str(err.get("Code") or type(exc).__name__), str(err.get("Message") or ""),
            int(meta.get("HTTPStatusCode") or 400), str(meta.get("RequestId") or ""))


class Integrations:
    """The registry of task adapters an execution calls through."""

    def __init__(self, *, invoke_lambda: Callable | None = None, client_factory: Callable | None = None,
                 region: str = "us-east-1", account: str = "123456789012",
                 start_execution: Callable | None = None):
        self.invoke_lambda = invoke_lambda
        self.client_factory = client_factory
        self.region = region
        self.account = account
        self.start_execution = start_execution  # (call, sm_arn, input, name) -> Run
        self.tokens = TaskTokens()
        self.activities = Activities(region, account)
        self._adapters: dict[str, Callable[[TaskCall], Any]] = {}

    def register(self, resource: str, fn: Callable[[TaskCall], Any]) -> None:
        self._adapters[resource] = fn

    # -- dispatch ----------------------------------------------------------------------------
    def invoke(self, call: TaskCall) -> Any:
        p = call.parsed
        base = p.arn[: -(len(p.pattern) + 1)] if p.pattern else p.arn
        fn = self._adapters.get(p.arn) or self._adapters.get(base)
        if fn is not None:
            result = fn(call)
            return self._finish_pattern(call, result)
        if p.legacy_lambda:
            return self._legacy_lambda(call)
        if p.activity:
            return self._activity(call)
        if p.service == "lambda" and p.action == "invoke":
            return self._finish_pattern(call, self._lambda_invoke(call))
        if p.service == "states" and p.action == "startExecution":
            return self._start_execution(call)
        if p.service.startswith("aws-sdk:"):
            return self._finish_pattern(call, self._aws_sdk(call, p.service[8:], p.action))
        if p.service in ("dynamodb", "sns", "sqs", "events", "s3"):
            return self._finish_pattern(call, self._optimized(call))
        raise StatesError("States.TaskFailed", f"No integration is registered for the resource '{p.arn}'")

    def _finish_pattern(self, call: TaskCall, result: Any) -> Any:
        if call.parsed.pattern != "waitForTaskToken":
            return result
        call.submitted(result)
        return self.wait_for_token(call)

    def wait_for_token(self, call: TaskCall) -> Any:
        from sim.scheduler import WaitTimeout

        sched = call.run.scheduler
        fut = sched.future(name=f"token:{call.state_name}")
        entry = self.tokens.register(call.token, fut, sched)
        try:
            while True:
                if call.heartbeat is None:
                    return sched.wait(fut)
                due = entry["beat"].timestamp() + call.heartbeat - sched.clock.now().timestamp()
                try:
                    return sched.wait(fut, timeout=max(due, 0))
                except WaitTimeout:
                    if entry["beat"].timestamp() + call.heartbeat <= sched.clock.now().timestamp():
                        self.tokens.close(call.token, "timeout")
                        raise StatesError("States.HeartbeatTimeout", None) from None
        finally:
            if call.token in self.tokens._pending:
                self.tokens.close(call.token, "timeout")

    def _activity(self, call: TaskCall) -> Any:
        """Queue the task for a worker (GetActivityTask) and wait for SendTask* on its token."""
        self.activities.schedule(call.parsed.arn, QueuedTask(call.token, dumps(call.params), call.started))
        return self.wait_for_token(call)

    # -- Lambda --------------------------------------------------------------------------------
    def _call_lambda(self, call: TaskCall, function: str, payload: Any, invocation_type: str):
        if self.invoke_lambda is None:
            raise function_not_found(call, self.function_arn(function))
        try:
            return self.invoke_lambda(function, payload, invocation_type)
        except StatesError:
            raise
        except FunctionNotFound as exc:
            raise function_not_found(call, self.function_arn(exc.function or function)) from None
        except Exception as exc:  # noqa: BLE001 - SDK errors map to Lambda.<Code>
            info = _client_error(exc)
            if info is None:
                code = getattr(exc, "code", None) or getattr(exc, "error", None) or "ServiceException"
                raise StatesError(f"Lambda.{code}" if "." not in str(code) else str(code), str(exc)) from None
            code, msg, status, rid = info
            raise StatesError(f"Lambda.{code}", java_sdk_cause(msg, "AWSLambda", status, code, rid)) from None

    def function_arn(self, function: str) -> str:
        """The qualified ARN AWS names in a missing function's cause ($LATEST when unqualified)."""
        if function.startswith("arn:"):
            arn = function
        elif ":" in function:  # "123456789012:function:name" or "name:qualifier"
            arn = (f"arn:aws:lambda:{self.region}:{function}" if ":function:" in function else
                   f"arn:aws:lambda:{self.region}:{self.account}:function:{function}")
        else:
            arn = f"arn:aws:lambda:{self.region}:{self.account}:function:{function}"
        return arn if arn.count(":") >= 7 else f"{arn}:$LATEST"

    @staticmethod
    def _function_error(payload: Any, raw: str, legacy: bool) -> StatesError:
        """Recorded (LocalStack error_handling/test_task_service_lambda vs test_task_lambda): the Cause is
        the error payload as compact JSON for lambda:invoke, the runtime's own text for a function ARN."""
        if isinstance(payload, dict) and payload.get("errorType"):
            return StatesError(str(payload["errorType"]), raw if legacy else dumps(payload))
        return StatesError("Lambda.Unknown", "The cause could not be determined because Lambda did not return an "
                                             f"error type. Returned payload: {raw}")

    @staticmethod
    def _decode(payload: Any) -> tuple[Any, str]:
        if isinstance(payload, bytes | bytearray):
            payload = bytes(payload).decode()
        if hasattr(payload, "read"):
            payload = payload.read().decode()
        if isinstance(payload, str):
            try:
                return json.loads(payload), payload
            except ValueError:
                return payload, payload
        return payload, dumps(payload)

    def _lambda_invoke(self, call: TaskCall) -> Any:
        params = call.params if isinstance(call.params, dict) else {}
        function = params.get("FunctionName")
        if not function:
            raise StatesError("States.Runtime", "The field 'FunctionName' is required by lambda:invoke")
        payload = params.get("Payload")
        if payload is None:
            payload = {}  # recorded (test_lambda_task_service::test_invoke): no/null Payload → the function gets {}
        elif isinstance(payload, str) and call.parsed.pattern != "waitForTaskToken":
            try:
                payload = json.loads(payload)
            except ValueError:
                pass
        inv_type = params.get("InvocationType", "RequestResponse")
        status, out, function_error, version = self._call_lambda(call, function, payload, inv_type)
        value, raw = self._decode(out)
        if function_error:
            raise self._function_error(value, raw, legacy=False)
        version = version or "$LATEST"
        result = {"ExecutedVersion": version, "Payload": value if out is not None else None,
                  **lambda_metadata(call.run, len(raw.encode()) if out is not None else 0, version),
                  "StatusCode": status}
        if inv_type != "RequestResponse":
            result["Payload"] = ""
        return result

    def _legacy_lambda(self, call: TaskCall) -> Any:
        status, out, function_error, _version = self._call_lambda(call, call.parsed.arn, call.params,
                                                                  "RequestResponse")
        value, raw = self._decode(out)
        if function_error:
            raise self._function_error(value, raw, legacy=True)
        return value

    # -- SDK services --------------------------------------------------------------------------
    def _client(self, service: str, error_prefix: str):
        if self.client_factory is None:
            raise StatesError(f"{error_prefix}.ResourceNotFoundException" if False else "States.TaskFailed",
                              f"No AWS client is configured for '{service}' in this simulation")
        return self.client_factory(BOTO_NAME.get(service, service))

    def _sdk_call(self, call: TaskCall, service: str, method: str, params: dict, prefix: str, sdk_style: bool):
        client = self._client(service, prefix)
        try:
            fn = getattr(client, method)
        except AttributeError:
            raise StatesError("States.Runtime", f"The API action '{call.parsed.action}' is not supported by "
                                                f"{service}") from None
        try:
            resp = fn(**params)
        except Exception as exc:  # noqa: BLE001 - AWS errors become <Prefix>.<Code>
            info = _client_error(exc)
            if info is None:
                if type(exc).__name__ in ("ParamValidationError", "TypeError"):
                    raise StatesError("States.TaskFailed", str(exc)) from None
                raise
            code, msg, status, rid = info
            if sdk_style and not code.endswith("Exception"):
                code = code.split(".")[-1] + "Exception"
            raise StatesError(f"{prefix}.{code}",
                              f"{msg} (Service: {prefix}, Status Code: {status}, Request ID: {rid})") from None
        resp = dict(resp)
        resp.pop("ResponseMetadata", None)
        return to_json_value(resp)

    def _aws_sdk(self, call: TaskCall, service: str, action: str) -> Any:
        prefix = SERVICE_PREFIX.get(service, service[:1].upper() + service[1:])
        params = call.params if isinstance(call.params, dict) else {}
        return self._sdk_call(call, service, camel_to_snake(action), params, prefix, True)

    def _optimized(self, call: TaskCall) -> Any:
        p = call.parsed
        params = dict(call.params) if isinstance(call.params, dict) else {}
        prefix = OPTIMIZED_PREFIX.get(p.service, p.service)
        if p.service == "events" and p.action == "putEvents":
            entries = []
            for e in params.get("Entries") or []:
                e = dict(e)
                if "Detail" in e and not isinstance(e["Detail"], str):
                    e["Detail"] = dumps(e["Detail"])
                entries.append(e)
            params["Entries"] = entries
            resp = self._sdk_call(call, "events", "put_events", params, prefix, False)
            if resp.get("FailedEntryCount"):
                raise StatesError("EventBridge.FailedEntry", dumps(resp))
            return resp
        if p.service == "sns" and "Message" in params and not isinstance(params["Message"], str):
            params["Message"] = dumps(params["Message"])
        if p.service == "sqs" and "MessageBody" in params and not isinstance(params["MessageBody"], str):
            params["MessageBody"] = dumps(params["MessageBody"])
        resp = self._sdk_call(call, p.service, camel_to_snake(p.action), params, prefix, False)
        if p.service in ("dynamodb", "sns", "sqs"):
            resp.update(sdk_metadata(call.run, len(dumps(resp))))
        return resp

    # -- nested executions -----------------------------------------------------------------------
    def _start_execution(self, call: TaskCall) -> Any:
        if self.start_execution is None:
            raise StatesError("StepFunctions.StateMachineDoesNotExistException",
                              "No Step Functions service is attached to this simulation")
        params = call.params if isinstance(call.params, dict) else {}
        child = self.start_execution(call, params)
        pattern = call.parsed.pattern
        started = {"ExecutionArn": child.arn, "StartDate": _millis(child.start_date)}
        if pattern not in ("sync", "sync:2"):
            return self._finish_pattern(call, started) if pattern else started
        call.submitted({**started, **sdk_metadata(call.run, 100)})
        sched = call.run.scheduler
        sched.wait(child.task)
        as_json = pattern == "sync:2"
        desc = {
            "ExecutionArn": child.arn,
            "Input": child.input if as_json else child.input_text,
            "InputDetails": {"Included": True},
            "Name": child.name,
            "Output": child.output if as_json else child.output_text,
            "OutputDetails": {"Included": True},
            "RedriveCount": 0, "RedriveStatus": "NOT_REDRIVABLE",
            "StartDate": _millis(child.start_date),
            "StateMachineArn": child.state_machine_arn,
            "Status": child.status,
            "StopDate": _millis(child.stop_date),
        }
        if child.status == "SUCCEEDED":
            return desc
        desc.pop("Output")
        desc.pop("OutputDetails")
        if child.error is not None:
            desc["Error"] = child.error
        if child.cause is not None:
            desc["Cause"] = child.cause
        error = {"FAILED": "States.TaskFailed", "TIMED_OUT": "States.Timeout"}.get(child.status, "States.TaskFailed")
        raise StatesError(error, dumps(desc))


def _millis(dt) -> int | None:
    return None if dt is None else int(dt.timestamp() * 1000)
