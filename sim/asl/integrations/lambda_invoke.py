"""Lambda: `arn:aws:states:::lambda:invoke` (AWS's {ExecutedVersion, Payload, SdkHttpMetadata,
SdkResponseMetadata, StatusCode} envelope) and a plain function ARN (the bare payload), both
through the World's `invoke_lambda(function, payload, invocation_type) -> (status, payload,
function_error, version)`. The shapes and causes are the ones recorded on AWS (docs/asl.md)."""

from __future__ import annotations

import json
from typing import Any

from sim.asl.errors import StatesError
from sim.asl.integrations.calls import TaskCall
from sim.asl.integrations.sdk import client_error, java_sdk_cause
from sim.asl.jsonutil import dumps

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
FUNCTION_ARNS = "arn:aws*:lambda:*"


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


def __init__(self, function: str | None = None):
        self.function = function
        super().__init__(function or "")


def function_not_found(call: TaskCall, arn: str) -> StatesError:
    """Recorded (error_handling/test_task_service_lambda::test_no_such_function)."""
    return StatesError("Lambda.ResourceNotFoundException",
                       java_sdk_cause(f"Function not found: {arn}", "AWSLambda", 404, "ResourceNotFoundException",
                                      call.run.rng.uuid4()))


def function_arn(integrations, function: str) -> str:
    """The qualified ARN AWS names in a missing function's cause ($LATEST when unqualified)."""
    if function.startswith("arn:"):
        arn = function
    elif ":" in function:  # "123456789012:function:name" or "name:qualifier"
        arn = (f"arn:aws:lambda:{integrations.region}:{function}" if ":function:" in function else
               f"arn:aws:lambda:{integrations.region}:{integrations.account}:function:{function}")
    else:
        arn = f"arn:aws:lambda:{integrations.region}:{integrations.account}:function:{function}"
    return arn if arn.count(":") >= 7 else f"{arn}:$LATEST"


def call_lambda(call: TaskCall, function: str, payload: Any, invocation_type: str):
    integrations = call.run.integrations
    if integrations.invoke_lambda is None:
        raise function_not_found(call, function_arn(integrations, function))
    try:
        return integrations.invoke_lambda(function, payload, invocation_type)
    except StatesError:
        raise
    except FunctionNotFound as exc:
        raise function_not_found(call, function_arn(integrations, exc.function or function)) from None
    except Exception as exc:  # noqa: BLE001 - SDK errors map to Lambda.<Code>
        info = client_error(exc)
        if info is None:
            code = getattr(exc, "code", None) or getattr(exc, "error", None) or "ServiceException"
            raise StatesError(f"Lambda.{code}" if "." not in str(code) else str(code), str(exc)) from None
        code, msg, status, rid = info
        raise StatesError(f"Lambda.{code}", java_sdk_cause(msg, "AWSLambda", status, code, rid)) from None


def function_error(payload: Any, raw: str, legacy: bool) -> StatesError:
    """Recorded (LocalStack error_handling/test_task_service_lambda vs test_task_lambda): the Cause is
    the error payload as compact JSON for lambda:invoke, the runtime's own text for a function ARN."""
    if isinstance(payload, dict) and payload.get("errorType"):
        return StatesError(str(payload["errorType"]), raw if legacy else dumps(payload))
    return StatesError("Lambda.Unknown", "The cause could not be determined because Lambda did not return an "
                                         f"error type. Returned payload: {raw}")


def decode(payload: Any) -> tuple[Any, str]:
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


def invoke(call: TaskCall) -> Any:
    """lambda:invoke."""
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
    status, out, error, version = call_lambda(call, function, payload, inv_type)
    value, raw = decode(out)
    if error:
        raise function_error(value, raw, legacy=False)
    version = version or "$LATEST"
    result = {"ExecutedVersion": version, "Payload": value if out is not None else None,
              **lambda_metadata(call.run, len(raw.encode()) if out is not None else 0, version),
              "StatusCode": status}
    if inv_type != "RequestResponse":
        result["Payload"] = ""
    return result


def invoke_function(call: TaskCall) -> Any:
    """A plain function ARN as the resource."""
    _status, out, error, _version = call_lambda(call, call.parsed.arn, call.params, "RequestResponse")
    value, raw = decode(out)
    if error:
        raise function_error(value, raw, legacy=True)
    return value


def register(integrations) -> None:
    integrations.register(LAMBDA_INVOKE, invoke)
    integrations.register(FUNCTION_ARNS, invoke_function)
