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
  * ``intercept`` (a seam for the harness: mocked tasks) is asked first; it answers the task's
    result, or ``NOT_INTERCEPTED`` to let the call through.

Without an adapter a Lambda task fails with Lambda.ResourceNotFoundException (what AWS reports
for a missing function) and any other resource with States.TaskFailed naming the resource.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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


NOT_INTERCEPTED = object()


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
        self._adapters: dict[str, Callable[[TaskCall], Any]] = {}
        # a seam for the harness (mocked tasks): (call) -> the task's result, or NOT_INTERCEPTED
        self.intercept: Callable[[TaskCall], Any] | None = None

    def register(self, resource: str, fn: Callable[[TaskCall], Any]) -> None:
        self._adapters[resource] = fn

    # -- dispatch ----------------------------------------------------------------------------
    def invoke(self, call: TaskCall) -> Any:
        if self.intercept is not None and (hit := self.intercept(call)) is not NOT_INTERCEPTED:
            return hit
        p = call.parsed
        base = p.arn[: -(len(p.pattern) + 1)] if p.pattern else p.arn
        fn = self._adapters.get(p.arn) or self._adapters.get(base)
        if fn is not None:
            result = fn(call)
            return self._finish_pattern(call, result)
        if p.legacy_lambda:
            return self._legacy_lambda(call)
        if p.activity:
            raise StatesError("States.TaskFailed", f"Activities are not supported by the simulator: {p.arn}")
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

    # -- Lambda --------------------------------------------------------------------------------
    def _call_lambda(self, call: TaskCall, function: str, payload: Any, invocation_type: str):
        if self.invoke_lambda is None:
            arn = function if function.startswith("arn:") else \
                f"arn:aws:lambda:{self.region}:{self.account}:function:{function}"
            raise StatesError("Lambda.ResourceNotFoundException",
                              f"Function not found: {arn} (Service: Lambda, Status Code: 404, Request ID: "
                              f"{call.run.rng.uuid4()})")
        try:
            return self.invoke_lambda(function, payload, invocation_type)
        except StatesError:
            raise
        except Exception as exc:  # noqa: BLE001 - SDK errors map to Lambda.<Code>
            info = _client_error(exc)
            if info is None:
                code = getattr(exc, "code", None) or getattr(exc, "error", None) or "ServiceException"
                raise StatesError(f"Lambda.{code}" if "." not in str(code) else str(code), str(exc)) from None
            code, msg, status, rid = info
            raise StatesError(f"Lambda.{code}",
                              f"{msg} (Service: Lambda, Status Code: {status}, Request ID: {rid})") from None

    @staticmethod
    def _function_error(payload: Any, raw: str) -> StatesError:
        if isinstance(payload, dict) and payload.get("errorType"):
            return StatesError(str(payload["errorType"]), raw)
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
        if isinstance(payload, str) and call.parsed.pattern != "waitForTaskToken":
            try:
                payload = json.loads(payload)
            except ValueError:
                pass
        inv_type = params.get("InvocationType", "RequestResponse")
        status, out, function_error, version = self._call_lambda(call, function, payload, inv_type)
        value, raw = self._decode(out)
        if function_error:
            raise self._function_error(value, raw)
        result = {"ExecutedVersion": version or "$LATEST", "Payload": value if out is not None else None,
                  **sdk_metadata(call.run, len(raw.encode()), "application/json"), "StatusCode": status}
        if inv_type != "RequestResponse":
            result["Payload"] = ""
        return result

    def _legacy_lambda(self, call: TaskCall) -> Any:
        status, out, function_error, _version = self._call_lambda(call, call.parsed.arn, call.params,
                                                                  "RequestResponse")
        value, raw = self._decode(out)
        if function_error:
            raise self._function_error(value, raw)
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
