"""AWS services the world answers itself, in-process, whatever the backend:

- Step Functions (`sfn`): served by our ASL interpreter (sim.asl.service), so handler code such
  as workflow-orchestrator uses boto3 unchanged and Waits cost no wall time;
- EventBridge PutEvents: the world's router (validation, envelope, rules, targets);
- Lambda Invoke: the in-process Lambda runtime (`LogType: Tail` answers the log, invocation_log.py);
- Bedrock Runtime InvokeModel: a deterministic fake model.

Everything else goes to the backend (moto or the endpoint).
"""

from __future__ import annotations

import hashlib
import io
import json
from typing import Any

from botocore.response import StreamingBody

from sim.aws import hooks


class ServiceOverrides:
    """Answers the calls above: `sfn` (sim.asl.service.StepFunctionsService), the Lambda runtime,
    the EventBridge router's `put_events`, the trace for rule targets that fail, and the captured
    function logs (`LogType: Tail`)."""

    def __init__(self, *, sfn, lambdas, put_events, trace, logs: list[dict]):
        self.sfn = sfn
        self.lambdas = lambdas
        self.put_events = put_events
        self.trace = trace
        self.logs = logs
        self.started_by_rules: list[dict] = []

    # -- dispatch ------------------------------------------------------------------------------
    def handle(self, call: hooks.AwsCall, function: str | None):
        if call.service == "sfn":
            return self._sfn(call)
        if call.service == "eventbridge" and call.operation == "PutEvents":
            from sim.aws.eventbridge import PutEventsValidationError

            try:
                return hooks.ok_response(self.put_events(call.params, caller=function))
            except PutEventsValidationError as err:
                return hooks.error_response(err.code, err.message)
        if call.service == "eventbridge" and call.operation == "TestEventPattern":
            return self._test_event_pattern(call)
        if call.service == "lambda" and call.operation == "Invoke":
            return self._lambda_invoke(call)
        if call.service == "bedrock-runtime" and call.operation in ("InvokeModel", "Converse"):
            return self._bedrock(call)
        return None

    def _sfn(self, call: hooks.AwsCall):
        from sim.asl.service import ServiceError

        try:
            return hooks.ok_response(self.sfn.handle(call.operation, dict(call.params)))
        except ServiceError as err:
            return hooks.error_response(err.code, err.message, getattr(err, "status", 400))

    def start_execution_from_rule(self, arn: str, payload: Any, info: dict) -> None:
        """An EventBridge rule target: start an execution with the (transformed) event as input."""
        self.started_by_rules.append({"stateMachineArn": arn, "input": payload, "rule": info.get("rule")})
        try:
            self.sfn.start_execution({"stateMachineArn": arn, "input": json.dumps(payload)})
        except Exception as exc:  # noqa: BLE001 - a failed target is recorded, as EventBridge would
            self.trace.record("eventbridge", "target.failed", None, target=arn, error=type(exc).__name__)

    def _test_event_pattern(self, call: hooks.AwsCall):
        from sim.aws.eventbridge import InvalidEventPattern, matches

        try:
            event = json.loads(call.params.get("Event") or "")
        except json.JSONDecodeError:
            return hooks.error_response("ValidationException", "Parameter Event is not valid.")
        if not isinstance(event, dict):
            return hooks.error_response("ValidationException", "Parameter Event is not valid.")
        try:
            return hooks.ok_response({"Result": matches(call.params.get("EventPattern") or "", event)})
        except InvalidEventPattern as exc:
            return hooks.error_response("InvalidEventPatternException", str(exc))

    # -- Lambda --------------------------------------------------------------------------------
    def _lambda_invoke(self, call: hooks.AwsCall):
        p = call.params
        name = str(p.get("FunctionName", "")).rsplit(":", 1)[-1]
        if name.startswith("function:"):
            name = name[len("function:"):]
        try:
            fn = self.lambdas.function(name)
        except Exception:  # noqa: BLE001
            return hooks.error_response("ResourceNotFoundException", f"Function not found: {p.get('FunctionName')}",
                                        404)
        if p.get("LogType", "None") not in ("None", "Tail"):
            return hooks.error_response("ValidationException", f"1 validation error detected: Value '{p['LogType']}' "
                                        "at 'logType' failed to satisfy constraint: Member must satisfy enum value "
                                        "set: [Tail, None]")
        raw = p.get("Payload") or b"{}"
        event = json.loads(raw.decode() if isinstance(raw, (bytes, bytearray)) else (raw.read() if hasattr(raw, "read") else raw))
        if p.get("InvocationType") == "Event":
            self.lambdas.spawn(name, event)
            return hooks.ok_response({"StatusCode": 202, "Payload": _body(b"")})
        inv = self.lambdas.invoke_detailed(name, event)
        if inv.status == "throttled":
            return hooks.error_response("TooManyRequestsException", "Rate Exceeded.", 429)
        out = {"StatusCode": 200, "ExecutedVersion": "$LATEST"}
        if inv.error is not None:
            out["FunctionError"] = "Unhandled"
            data = json.dumps(inv.error).encode()
        else:
            data = json.dumps(inv.result).encode()
        out["Payload"] = _body(data)
        if p.get("LogType") == "Tail":
            from sim.aws import invocation_log

            log = invocation_log.text(inv, self.logs, fn.memory, fn.timeout)
            out["LogResult"] = invocation_log.log_result(log)
        return hooks.ok_response(out)

    # -- Bedrock -------------------------------------------------------------------------------
    def _bedrock(self, call: hooks.AwsCall):
        p = call.params
        raw = p.get("body") or b""
        raw = raw if isinstance(raw, (bytes, bytearray)) else str(raw).encode()
        digest = hashlib.sha256(raw).hexdigest()
        text = fake_model_text(raw, digest)
        if call.operation == "Converse":
            return hooks.ok_response({"output": {"message": {"role": "assistant", "content": [{"text": text}]}},
                                      "stopReason": "end_turn",
                                      "usage": {"inputTokens": len(raw) // 4, "outputTokens": len(text) // 4,
                                                "totalTokens": (len(raw) + len(text)) // 4},
                                      "metrics": {"latencyMs": 0}})
        body = json.dumps({"id": f"msg_sim_{digest[:24]}", "type": "message", "role": "assistant",
                           "model": p.get("modelId"), "content": [{"type": "text", "text": text}],
                           "stop_reason": "end_turn", "stop_sequence": None,
                           "usage": {"input_tokens": len(raw) // 4, "output_tokens": len(text) // 4}}).encode()
        return hooks.ok_response({"body": _body(body), "contentType": "application/json"})


def fake_model_text(prompt: bytes, digest: str) -> str:
    """A deterministic, plausible answer: the same prompt always gets the same text."""
    words = ["Professional", "reliable", "friendly", "certified", "experienced", "local", "flexible",
             "punctual", "careful", "top-rated"]
    pick = [words[int(digest[i:i + 2], 16) % len(words)] for i in range(0, 8, 2)]
    return (f"{pick[0]} service by a {pick[1].lower()} provider: {pick[2].lower()}, {pick[3].lower()} and "
            f"ready to help. (simulated model, prompt {digest[:8]})")


def _body(data: bytes) -> StreamingBody:
    return StreamingBody(io.BytesIO(data), len(data))
