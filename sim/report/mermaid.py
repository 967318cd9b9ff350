"""A mermaid sequenceDiagram drawn from a trace.

Participants follow the spine: Stripe → authorizer → stripe-webhook → DynamoDB → EventBridge →
workflow → handlers (plus reconciliation and alerts). The producers of trace records are written
independently, so the mapping is defensive: it recognises components and kinds by their words
(`lambda`/`invoke`, `dynamodb`, `events`/`eventbridge`, `states`/`sfn`/`asl`, `stripe`, `sns`,
`fault`, `scenario`), takes function, table and event names from whichever detail key carries
them, and ignores what it does not understand (counted in a closing note).
"""

from __future__ import annotations

from dataclasses import dataclass

PARTICIPANTS = [
    ("SC", "Scenario"),
    ("ST", "Stripe"),
    ("AU", "webhook-authorizer"),
    ("WH", "stripe-webhook"),
    ("DB", "DynamoDB"),
    ("EB", "EventBridge"),
    ("SF", "Step Functions"),
    ("HD", "handlers"),
    ("RC", "webhook-reconciliation"),
    ("AL", "SNS / CloudWatch"),
]
FUNCTION_PARTICIPANT = {"webhook-authorizer": "AU", "stripe-webhook": "WH", "webhook-reconciliation": "RC"}
MAX_MESSAGES = 150


@dataclass
class Line:
    src: str
    dst: str | None
    text: str
    arrow: str = "->>"
    note: bool = False

    def render(self) -> str:
        text = _clean(self.text)
        if self.note:
            over = self.src if self.dst is None or self.dst == self.src else f"{self.src},{self.dst}"
            return f"    Note over {over}: {text}"
        return f"    {self.src}{self.arrow}{self.dst}: {text}"


def _clean(text: str) -> str:
    text = str(text).replace("\n", " ").replace(";", ",").replace("#", "no.").strip()
    return text[:80] if len(text) > 80 else text or "·"


def _get(d: dict, *keys, default=None):
    for k in keys:
        v = d.get(k)
        if v not in (None, ""):
            return v
    return default


def function_participant(name: str | None) -> str:
    return FUNCTION_PARTICIPANT.get(str(name or ""), "HD")


class _Context:
    """Which function is running for a correlation id (and the most recent one otherwise)."""

    def __init__(self):
        self.by_cid: dict[str, str] = {}
        self.stack: list[str] = []

    def current(self, rec: dict, details: dict) -> str:
        fn = _get(details, "function", "function_name", "caller")
        if fn:
            return function_participant(fn)
        cid = rec.get("cid")
        if cid in self.by_cid:
            return function_participant(self.by_cid[cid])
        return function_participant(self.stack[-1]) if self.stack else "SC"


def _caller_of(fn: str, details: dict) -> str:
    trigger = str(_get(details, "trigger", "source", "invoked_by", "caller", default="")).lower()
    if "event" in trigger or "rule" in trigger:
        return "EB"
    if "state" in trigger or "sfn" in trigger or "workflow" in trigger:
        return "SF"
    if "schedule" in trigger or "cron" in trigger:
        return "SC"
    if fn == "webhook-authorizer":
        return "ST"
    if fn == "stripe-webhook":
        return "AU"
    return "SC"


def lines_for(rec: dict, ctx: _Context) -> list[Line]:
    comp = str(rec.get("component") or "").lower()
    kind = str(rec.get("kind") or "").lower()
    d = rec.get("details") or {}
    words = f"{comp}.{kind}"
    if comp == "scenario":
        if kind in ("step", "note"):
            return [Line("SC", "HD", _get(d, "text", "step", "kind", default=kind), note=True)]
        return []
    if "fault" in words:
        target = function_participant(_get(d, "function"))
        return [Line(target, None, f"fault: {_get(d, 'error', 'fault', 'kind', default=kind)}", note=True)]
    if comp in ("lambda", "runtime", "lambdas") or kind.startswith("invoke"):
        fn = str(_get(d, "function", "function_name", "name", default="?"))
        if "start" in kind or kind in ("invoke", "invoke.begin"):
            if rec.get("cid"):
                ctx.by_cid[rec["cid"]] = fn
            ctx.stack.append(fn)
            return [Line(_caller_of(fn, d), function_participant(fn), fn)]
        if any(w in kind for w in ("end", "error", "timeout", "throttle", "result", "return")):
            if fn in ctx.stack:
                ctx.stack.reverse()
                ctx.stack.remove(fn)
                ctx.stack.reverse()
            err = _get(d, "error", "errorType", "error_type")
            if err or "error" in kind or "timeout" in kind or "throttle" in kind:
                return [Line(function_participant(fn), _caller_of(fn, d), f"{fn} {err or kind}", arrow="--x")]
            status = _get(d, "status", "statusCode", "isAuthorized")
            if status is not None and fn in FUNCTION_PARTICIPANT:
                return [Line(function_participant(fn), _caller_of(fn, d), f"{status}", arrow="-->>")]
        return []
    if comp == "stripe" or comp.startswith("stripe."):
        etype = _get(d, "type", "event_type", default="")
        if "created" in kind and "event" in kind:
            return [Line("ST", None, f"{etype} {rec.get('cid') or ''}".strip(), note=True)]
        if any(w in kind for w in ("deliver", "send", "attempt", "post", "request")):
            status = _get(d, "status", "response_status")
            label = f"{etype or 'webhook'}" + (f" → {status}" if status is not None else "")
            return [Line("ST", "AU", label)]
        if "api" in kind or "request" in kind:
            return [Line(ctx.current(rec, d), "ST", _get(d, "path", "operation", default=kind))]
        return []
    service = str(_get(d, "service", default=comp)).lower()
    op = str(_get(d, "operation", "op", "action", default=kind))
    src = ctx.current(rec, d)
    if "dynamodb" in service or "dynamodb" in comp:
        return [Line(src, "DB", f"{op} {_get(d, 'table', 'TableName', default='')}".strip())]
    if comp in ("eventbridge", "events") or service in ("events", "eventbridge"):
        dtype = _get(d, "detail_type", "detail-type", "DetailType", "detailType", default="")
        if any(w in kind for w in ("route", "match", "target", "dispatch", "deliver")):
            target = _get(d, "target", "function", "state_machine", default="")
            dst = "SF" if "state" in str(_get(d, "target_kind", "kind", default="")) or "stateMachine" in str(
                target) or str(target).startswith("ecosystem-") else function_participant(target)
            return [Line("EB", dst, f"{dtype} → {target}".strip(" →"))]
        if "fail" in kind:
            return [Line("EB", src, f"PutEvents failed {dtype}", arrow="--x")]
        return [Line(src, "EB", f"{op if 'put' not in kind else 'PutEvents'} {dtype}".strip())]
    if comp in ("sfn", "stepfunctions", "states", "asl", "workflow", "step-functions") or service in (
            "states", "stepfunctions"):
        machine = str(_get(d, "state_machine", "machine", "stateMachine", "name", default="")).removeprefix(
            "ecosystem-")
        if "start" in kind and "state" not in kind.split(".")[-1]:
            return [Line(src if src != "SC" else "EB", "SF", f"start {machine}".strip())]
        if any(w in kind for w in ("succeeded", "failed", "timed", "aborted", "end", "stop")):
            return [Line("SF", None, f"{machine} {_get(d, 'status', default=kind)}".strip(), note=True)]
        if "task" in kind:
            resource = str(_get(d, "resource", "function", default=""))
            fn = resource.rsplit(":", 1)[-1] if resource else ""
            return [Line("SF", function_participant(fn) if fn else "HD", f"{_get(d, 'state', default='task')} {fn}")]
        return []
    if "sns" in service or "sns" in comp:
        return [Line(src, "AL", f"Publish {_get(d, 'topic', 'TopicArn', default='')}".strip())]
    if "cloudwatch" in service or "metric" in words:
        return [Line(src, "AL", f"{_get(d, 'metric', 'MetricName', default='PutMetricData')}")]
    return []


def sequence_diagram(trace: list[dict], max_messages: int = MAX_MESSAGES) -> str:
    """A mermaid sequenceDiagram of the trace (repeated messages folded as ×N)."""
    ctx = _Context()
    lines: list[Line] = []
    skipped = 0
    for rec in trace:
        got = lines_for(rec, ctx)
        if not got:
            skipped += 1
        lines.extend(got)
    folded: list[tuple[Line, int]] = []
    for line in lines:
        if folded and folded[-1][0].render() == line.render():
            folded[-1] = (folded[-1][0], folded[-1][1] + 1)
        else:
            folded.append((line, 1))
    used = {ln.src for ln, _ in folded} | {ln.dst for ln, _ in folded if ln.dst}
    out = ["sequenceDiagram"]
    for key, label in PARTICIPANTS:
        if key in used:
            out.append(f"    participant {key} as {label}")
    shown = folded[:max_messages]
    for line, count in shown:
        text = line.render()
        out.append(text + (f" ×{count}" if count > 1 else ""))
    if len(folded) > max_messages:
        out.append(f"    Note over {shown[-1][0].src}: … {len(folded) - max_messages} more messages")
    if len(out) == 1:
        out += ["    participant SC as Scenario", "    Note over SC: (no recognised trace records)"]
    if skipped and len(out) > 1:
        out.append(f"    %% {skipped} trace records not drawn")
    return "\n".join(out)
