"""A mermaid sequenceDiagram drawn from a trace.

Participants follow the spine: Stripe → authorizer → stripe-webhook → DynamoDB → EventBridge →
workflow → handlers (plus reconciliation and alerts). The producers of trace records are written
independently, so the mapping is defensive: it knows the records the harness writes today
(`lambda invoke.start/end`, `aws call`, `eventbridge event/deliver`, `stripe event.created /
webhook.attempt`, `appsync response`, `scenario step`, `sns publish`), recognises others by the
words in their component and kind (`sfn`/`states`, `fault`, `metric`), takes names from whichever
detail key carries them, and leaves out what it does not understand (counted in a closing
comment). Records before the first step (building the world) are summarised in one note.
"""

from __future__ import annotations

from collections import Counter
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
QUIET_CALLS = {"ListRules", "ListTargetsByRule", "DescribeRule", "PutEvents", "StartExecution"}
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
    return text[:90] if len(text) > 90 else text or "·"


def _get(d: dict, *keys, default=None):
    for k in keys:
        v = d.get(k)
        if v not in (None, ""):
            return v
    return default


def _short(arn_or_name) -> str:
    text = str(arn_or_name or "")
    return text.rsplit(":", 1)[-1].rsplit("/", 1)[-1]


def function_participant(name: str | None) -> str:
    return FUNCTION_PARTICIPANT.get(str(name or ""), "HD")


class Drawer:
    """Turns records into lines, remembering what it needs across records (who called whom)."""

    def __init__(self):
        self.by_cid: dict[str, str] = {}          # correlation id -> running function
        self.stack: list[str] = []
        self.event_types: dict[str, str] = {}     # Stripe event id -> type
        self.from_bus: Counter[str] = Counter()   # functions a bus rule is about to invoke
        self.direct: Counter[str] = Counter()     # functions the scenario invokes itself
        self.workflows_started = 0
        self.started = False
        self.setup = Counter()

    def current(self, rec: dict, details: dict) -> str:
        fn = _get(details, "function", "function_name", "caller")
        if fn:
            return function_participant(fn)
        cid = rec.get("cid")
        if cid in self.by_cid:
            return function_participant(self.by_cid[cid])
        return function_participant(self.stack[-1]) if self.stack else "SC"

    def lines(self, rec: dict) -> list[Line]:
        comp = str(rec.get("component") or "").lower()
        kind = str(rec.get("kind") or "").lower()
        d = rec.get("details") or {}
        if comp == "stripe" and kind == "event.created":
            self.event_types[str(rec.get("cid"))] = str(_get(d, "type", default="event"))
        if not self.started:
            if comp == "scenario" and kind == "step":
                self.started = True
                out = []
                if self.setup:
                    summary = ", ".join(f"{n} {k}" for k, n in sorted(self.setup.items()))
                    out.append(Line("SC", "ST", f"world built ({summary})", note=True))
                return out + self._scenario(kind, d)
            if comp == "scenario" and kind.startswith("world."):
                self.setup[kind.split(".")[-1]] += 1
            elif comp == "stripe" and kind == "event.created":
                self.setup["Stripe event"] += 1
            return []
        if comp == "scenario":
            return self._scenario(kind, d)
        if "fault" in f"{comp}.{kind}":
            target = function_participant(_get(d, "function"))
            what = _get(d, "error", "fault", "call", default="fault")
            if d.get("latency"):
                what = f"{what} +{d['latency']}s"
            return [Line(target, None, f"⚡ {what}", note=True)]
        if comp in ("lambda", "runtime", "lambdas"):
            return self._lambda(rec, kind, d)
        if comp == "appsync" and kind == "response":
            status = d.get("status")
            src = "AU" if d.get("stage") == "authorizer" else "WH"
            return [Line(src, "ST", f"{status}", arrow="-->>" if status == 200 else "--x")]
        if comp == "stripe" or comp.startswith("stripe."):
            return self._stripe(rec, kind, d)
        if comp in ("eventbridge", "events"):
            return self._bus(rec, kind, d)
        if comp in ("sfn", "stepfunctions", "states", "asl", "workflow", "step-functions"):
            return self._sfn(kind, d)
        if comp == "sns" or "sns" in kind:
            return [Line(self.current(rec, d), "AL", f"SNS {_short(_get(d, 'topic', 'TopicArn', default=''))}")]
        if comp == "aws" or kind == "call":
            return self._call(rec, d)
        return []

    def _scenario(self, kind: str, d: dict) -> list[Line]:
        if kind == "step":
            text = str(_get(d, "text", "step", default=kind))
            first = text.split(" ", 1)[0]
            if first in ("reconcile", "invoke", "appsync", "workflow"):
                self.direct[first] += 0
            return [Line("SC", "HD", f"{d.get('index', '')}. {text}".strip(". "), note=True)]
        if kind == "appsync":
            self.direct[str(d.get("function"))] += 1
        if kind == "note":
            return [Line("SC", None, f"✎ {d.get('text', '')}", note=True)]
        if kind == "workflow.start":
            self.workflows_started += 1
            return [Line("SC", "SF", f"start {_short(d.get('machine')).removeprefix('ecosystem-')}")]
        if kind == "reconcile":
            self.direct["webhook-reconciliation"] += 1
        return []

    def _lambda(self, rec: dict, kind: str, d: dict) -> list[Line]:
        fn = str(_get(d, "function", "function_name", "name", default="?"))
        part = function_participant(fn)
        if kind.endswith("start") or kind == "invoke":
            if rec.get("cid"):
                self.by_cid[rec["cid"]] = fn
            self.stack.append(fn)
            if self.from_bus[fn]:
                self.from_bus[fn] -= 1
                return []
            if fn == "webhook-authorizer":
                return [Line("ST", "AU", self.event_types.get(str(rec.get("cid")), "webhook"))]
            if fn == "stripe-webhook":
                return [Line("AU", "WH", "stripeWebhook (authorized)")]
            if self.direct[fn]:
                self.direct[fn] -= 1
                return [Line("SC", part, fn)]
            if fn == "webhook-reconciliation":
                return [Line("SC", "RC", "02:00 schedule / on demand")]
            caller = "SF" if self.workflows_started else "SC"
            return [Line(caller, part, fn)]
        if fn in self.stack:
            idx = len(self.stack) - 1 - self.stack[::-1].index(fn)
            self.stack.pop(idx)
        err = _get(d, "errorType", "error", "error_type")
        status = str(d.get("status", ""))
        if err or status in ("failed", "timeout", "throttled", "crashed") or "throttle" in kind:
            return [Line(part, None, f"✗ {fn} {err or status or kind}", note=True)]
        return []

    def _stripe(self, rec: dict, kind: str, d: dict) -> list[Line]:
        etype = _get(d, "type", "event_type", default="")
        if kind == "event.created":
            return [Line("ST", None, f"{etype}", note=True)]
        if kind == "webhook.dropped":
            return [Line("ST", None, f"dropped {etype} ({_get(d, 'fault', default='fault')})", note=True)]
        if kind == "webhook.manual":
            sig = d.get("signature")
            return [] if sig in (None, "valid") else [Line("ST", None, f"signature: {sig}", note=True)]
        if "attempt" in kind or "deliver" in kind:
            faults = d.get("faults") or []
            if faults and d.get("outcome") != "succeeded" and not str(d.get("status", "")).startswith("2"):
                label = f"{etype} ✗ {d.get('status') or d.get('outcome')} ({', '.join(map(str, faults))})"
                if d.get("next_retry_at"):
                    label += f", retry {str(d['next_retry_at'])[11:16]}"
                return [Line("ST", "AU", label, arrow="--x")]
            return []
        return []

    def _bus(self, rec: dict, kind: str, d: dict) -> list[Line]:
        dtype = _get(d, "detailType", "detail_type", "detail-type", "DetailType", default="")
        if kind == "event":
            caller = _get(d, "caller")
            src = function_participant(caller) if caller else ("SF" if self.workflows_started else
                                                               self.current(rec, d))
            return [Line(src, "EB", f"{dtype}")]
        if kind in ("deliver", "target", "route"):
            target = str(_get(d, "target", default=""))
            if ":stateMachine:" in target:
                self.workflows_started += 1
                return [Line("EB", "SF", f"{dtype} → start {_short(target).removeprefix('ecosystem-')}")]
            fn = _short(target)
            self.from_bus[fn] += 1
            return [Line("EB", function_participant(fn), f"{dtype} → {fn}")]
        if "fail" in kind:
            return [Line("EB", None, f"✗ PutEvents {dtype} {_get(d, 'code', default='')}".strip(), note=True)]
        if kind == "schedule":
            return [Line("EB", None, f"schedule {_get(d, 'rule', default='')}", note=True)]
        return []

    def _sfn(self, kind: str, d: dict) -> list[Line]:
        machine = _short(_get(d, "state_machine", "machine", "stateMachine", "name", default="")).removeprefix(
            "ecosystem-")
        if "start" in kind:
            self.workflows_started += 1
            return [Line("SF", None, f"start {machine}".strip(), note=True)]
        if any(w in kind for w in ("succeeded", "failed", "timed", "aborted", "end", "stop", "mock")):
            return [Line("SF", None, f"{machine} {_get(d, 'status', 'state', default=kind)}".strip(), note=True)]
        return []

    def _call(self, rec: dict, d: dict) -> list[Line]:
        service = str(_get(d, "service", default="")).lower()
        op = str(_get(d, "operation", "op", "action", default="call"))
        if op in QUIET_CALLS:
            return []
        src = self.current(rec, d)
        if "dynamodb" in service:
            return [Line(src, "DB", f"{op} {_get(d, 'table', 'TableName', default='')}".strip())]
        if service in ("cloudwatch", "sns"):
            return [Line(src, "AL", f"{service} {op}")]
        if service in ("sfn", "stepfunctions", "states"):
            return [Line(src, "SF", op)]
        if service in ("s3",):
            return []
        return [Line(src, src, f"{service} {op}", note=True)] if service else []


def sequence_diagram(trace: list[dict], max_messages: int = MAX_MESSAGES) -> str:
    """A mermaid sequenceDiagram of the trace (consecutive repeats folded as ×N)."""
    drawer = Drawer()
    lines: list[Line] = []
    skipped = 0
    for rec in trace:
        got = drawer.lines(rec)
        if not got:
            skipped += 1
        lines.extend(got)
    folded: list[tuple[Line, int]] = []
    for line in lines:
        if folded and folded[-1][0].render() == line.render():
            folded[-1] = (folded[-1][0], folded[-1][1] + 1)
        else:
            folded.append((line, 1))
    shown = folded[:max_messages]
    used = {ln.src for ln, _ in shown} | {ln.dst for ln, _ in shown if ln.dst}
    out = ["sequenceDiagram"]
    for key, label in PARTICIPANTS:
        if key in used or (key == "SC" and not shown):
            out.append(f"    participant {key} as {label}")
    for line, count in shown:
        out.append(line.render() + (f" ×{count}" if count > 1 else ""))
    if len(folded) > max_messages:
        out.append(f"    Note over {shown[-1][0].src}: … {len(folded) - max_messages} more messages")
    if not shown:
        out.append("    Note over SC: (no recognised trace records)")
    if skipped:
        out.append(f"    %% {skipped} trace records not drawn")
    return "\n".join(out)
