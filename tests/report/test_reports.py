"""Every report format from hand-made results: JUnit (parsed back), JSON (docs/contracts.md §5), terminal, Markdown."""

import json
import xml.etree.ElementTree as ET

from rich.console import Console

from sim.report import json_report, junit, markdown, terminal
from sim.report.mermaid import sequence_diagram
from sim.report.model import Failure, RunSummary, ScenarioResult

INV_OK = [{"name": "money-adds-up", "ok": True, "detail": "1 booking"},
          {"name": "one-record-per-event", "ok": True, "detail": "3 records"}]


def make(name, passed=True, **kw):
    invs = [dict(i) for i in INV_OK]
    failures = []
    if not passed:
        invs[0] = {"name": "money-adds-up", "ok": False, "detail": "booking b1: amount 100 != 8 + 91"}
        failures = [Failure("expectation", "booking.b1.status", "expected 'confirmed', got 'pending'",
                            where=f"scenarios/{name}.yaml:14 expect", expected="'confirmed'", actual="'pending'")]
    return ScenarioResult(name=name.replace("_", " "), file=f"scenarios/{name}.yaml", tags=["duplicate"],
                          status="passed" if passed else "failed", trace_hash="ab" * 32, invariants=invs,
                          sim_time_s=93600.0, wall_s=1.25, seed=42, run_seed=7,
                          replay=f"sim run scenarios/{name}.yaml --seed 7", failures=failures, **kw)


def run():
    return RunSummary([make("happy_path"), make("broken_refund", passed=False), make("dup_three")],
                      seed=7, backend="embedded", jobs=2, wall_s=3.5)


def test_junit_parses_with_the_right_counts(tmp_path):
    path = tmp_path / "junit.xml"
    junit.write(run(), path)
    root = ET.parse(path).getroot()
    suite = root.find("testsuite")
    assert suite.get("tests") == "3" and suite.get("failures") == "1" and suite.get("errors") == "0"
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["happy path", "broken refund", "dup three"]
    failed = [c for c in cases if c.find("failure") is not None]
    assert len(failed) == 1
    text = failed[0].find("failure").text
    assert "money-adds-up: booking b1" in text and "replay: sim run scenarios/broken_refund.yaml --seed 7" in text
    assert "expected: 'confirmed'" in text


def test_json_is_contract_5_exactly(tmp_path):
    path = tmp_path / "report.json"
    json_report.write(run(), path)
    data = json.loads(path.read_text())
    assert set(data) == {"scenarios", "summary"}
    for entry in data["scenarios"]:
        assert list(entry) == ["name", "file", "tags", "status", "trace_hash", "invariants", "sim_time_s", "wall_s"]
        assert entry["status"] in ("passed", "failed")
        for inv in entry["invariants"]:
            assert list(inv) == ["name", "ok", "detail"]
    s = data["summary"]
    assert (s["total"], s["passed"], s["failed"]) == (3, 2, 1)
    assert s["invariants_broken"] == {"money-adds-up": 1}
    assert s["failures"][0]["replay"] == "sim run scenarios/broken_refund.yaml --seed 7"


def test_terminal_shows_rows_and_the_replay_command():
    console = Console(record=True, width=200)
    terminal.render(run(), console)
    out = console.export_text()
    assert "happy path" in out and "broken refund" in out
    assert "PASS" in out and "FAIL" in out
    assert "1/2" in out and "2/2" in out
    assert "1d02h00m" in out
    assert "sim run scenarios/broken_refund.yaml --seed 7" in out
    assert "expected: 'confirmed'" in out and "actual:   'pending'" in out
    assert "2 passed, 1 failed" in out


TRACE = [
    {"seq": 0, "t": "T", "component": "scenario", "kind": "world.customer", "cid": "u1", "details": {}},
    {"seq": 1, "t": "T", "component": "scenario", "kind": "step", "cid": None,
     "details": {"index": 0, "text": "deliver event: paid"}},
    {"seq": 2, "t": "T", "component": "stripe", "kind": "event.created", "cid": "evt_1",
     "details": {"type": "payment_intent.succeeded"}},
    {"seq": 3, "t": "T", "component": "lambda", "kind": "invoke.start", "cid": "evt_1",
     "details": {"function": "webhook-authorizer"}},
    {"seq": 4, "t": "T", "component": "lambda", "kind": "invoke.end", "cid": "evt_1",
     "details": {"function": "webhook-authorizer", "status": "succeeded"}},
    {"seq": 5, "t": "T", "component": "lambda", "kind": "invoke.start", "cid": "evt_1",
     "details": {"function": "stripe-webhook"}},
    {"seq": 6, "t": "T", "component": "aws", "kind": "call", "cid": "evt_1",
     "details": {"service": "dynamodb", "operation": "PutItem", "table": "ProcessedWebhooks",
                 "function": "stripe-webhook"}},
    {"seq": 7, "t": "T", "component": "eventbridge", "kind": "event", "cid": "evt_1",
     "details": {"detailType": "Booking Confirmed", "caller": "stripe-webhook"}},
    {"seq": 8, "t": "T", "component": "eventbridge", "kind": "deliver", "cid": "evt_1",
     "details": {"detailType": "Booking Confirmed",
                 "target": "arn:aws:lambda:us-east-1:1:function:notification-handler"}},
    {"seq": 9, "t": "T", "component": "eventbridge", "kind": "deliver", "cid": "evt_1",
     "details": {"detailType": "Payment Succeeded",
                 "target": "arn:aws:states:us-east-1:1:stateMachine:ecosystem-payment-processing"}},
    {"seq": 10, "t": "T", "component": "lambda", "kind": "invoke.start", "cid": None,
     "details": {"function": "notification-handler"}},
    {"seq": 11, "t": "T", "component": "appsync", "kind": "response", "cid": "evt_1",
     "details": {"status": 200, "stage": "resolver"}},
    {"seq": 12, "t": "T", "component": "aws", "kind": "fault", "cid": "evt_1",
     "details": {"call": "dynamodb.UpdateItem", "function": "stripe-webhook",
                 "error": "ProvisionedThroughputExceededException"}},
    {"seq": 13, "t": "T", "component": "something-new", "kind": "odd", "cid": None, "details": {"x": [1]}},
    {"seq": 14, "t": "T", "component": "lambda", "kind": "invoke.end", "cid": None,
     "details": {"function": "payout-manager", "status": "timeout", "errorType": "Sandbox.Timedout"}},
]


def test_mermaid_follows_the_spine_and_ignores_unknown_records():
    text = sequence_diagram(TRACE)
    lines = text.splitlines()
    assert lines[0] == "sequenceDiagram"
    assert "    ST->>AU: payment_intent.succeeded" in lines
    assert "    AU->>WH: stripeWebhook (authorized)" in lines
    assert "    WH->>DB: PutItem ProcessedWebhooks" in lines
    assert "    WH->>EB: Booking Confirmed" in lines
    assert "    EB->>HD: Booking Confirmed → notification-handler" in lines
    assert "    EB->>SF: Payment Succeeded → start payment-processing" in lines
    assert "    WH-->>ST: 200" in lines
    assert any("⚡ ProvisionedThroughputExceededException" in ln for ln in lines)
    assert any("Sandbox.Timedout" in ln for ln in lines)
    assert any("world built (1 customer)" in ln for ln in lines)
    assert lines[-1].startswith("    %%")
    # notification-handler invoked by the rule is not drawn twice
    assert sum("notification-handler" in ln for ln in lines) == 1
    order = [ln.split(" as ")[0].split()[-1] for ln in lines if "participant" in ln]
    assert order == ["SC", "ST", "AU", "WH", "DB", "EB", "SF", "HD"]


def test_mermaid_survives_garbage():
    garbage = [{}, {"component": None, "kind": None}, {"component": "lambda", "kind": "invoke.start",
                                                         "details": None}, {"component": "aws", "kind": "call"}]
    assert sequence_diagram(garbage).startswith("sequenceDiagram")
    assert "no recognised" in sequence_diagram([])


def test_markdown_page(tmp_path):
    r = make("broken_refund", passed=False)
    path = markdown.write(r, TRACE, tmp_path, {"Booking": [{"id": "b1", "status": "pending"}]}, "Why it matters.")
    text = path.read_text()
    assert path.name == "broken_refund.md"
    assert text.startswith("# broken refund")
    assert "```mermaid\nsequenceDiagram" in text
    assert "| money-adds-up | ❌ |" in text
    assert '"status": "pending"' in text and "### Booking" in text
    assert "`sim run scenarios/broken_refund.yaml --seed 7`" in text
    index = markdown.index([r, make("happy_path")], tmp_path).read_text()
    assert "[broken refund](broken_refund.md)" in index


def test_results_roundtrip_through_dicts():
    r = make("broken_refund", passed=False)
    assert ScenarioResult.from_dict(r.to_dict()) == r
