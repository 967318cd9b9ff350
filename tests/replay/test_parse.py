"""The export parser: every accepted shape, and clear errors (file, line, field) for bad files."""

from __future__ import annotations

import json

import pytest

from sim.errors import InputError
from sim.replay import load_export, parse_text
from sim.replay.errors import ExportError
from tests.replay.conftest import DELIVERIES, INCIDENT, event


def ids(export) -> list[str]:
    return [r.id for r in export.events]


def test_the_shipped_incident_loads():
    export = load_export([str(INCIDENT)], str(DELIVERIES))
    assert len(export.events) == 20 and len(export.attempts) == 40
    assert [r.created for r in export.events] == sorted(r.created for r in export.events)
    assert export.unknown_types == []
    assert {export.event(e).type for e in export.never_delivered} == {"charge.dispute.created",
                                                                       "charge.dispute.funds_withdrawn"}
    # Stripe lists newest first: within one second, the causal order is the reverse of the file's
    first = [r.type for r in export.events[:5]]
    assert first == ["payment_intent.created", "charge.succeeded", "payment_intent.succeeded", "charge.updated",
                     "application_fee.created"]


@pytest.mark.parametrize("shape", ["page", "array", "lines", "bundle", "pages", "single"])
def test_every_shape_gives_the_same_events(shape):
    events = [event(1, created=100), event(2, created=200)]
    text = {"page": json.dumps({"object": "list", "data": events[::-1], "has_more": False, "url": "/v1/events"}),
            "array": json.dumps(events),
            "lines": "\n".join(json.dumps(e) for e in events) + "\n",
            "bundle": json.dumps({"name": "x", "events": events, "deliveries": []}),
            "pages": json.dumps([{"object": "list", "data": [e]} for e in events]),
            "single": None}[shape]
    if text is None:
        assert ids(parse_text(json.dumps(events[0]), "one.json")) == ["evt_1"]
        return
    export = parse_text(text, f"x.{shape}")
    assert ids(export) == ["evt_1", "evt_2"]
    assert (export.attempts == []) if shape == "bundle" else export.attempts is None


def test_overlapping_pages_merge_and_conflicts_are_errors(tmp_path):
    a, b = tmp_path / "p1.json", tmp_path / "p2.json"
    a.write_text(json.dumps({"object": "list", "data": [event(2, created=200), event(1, created=100)]}))
    b.write_text(json.dumps({"object": "list", "data": [event(1, created=100)]}))
    assert ids(load_export([str(a), str(b)])) == ["evt_1", "evt_2"]
    b.write_text(json.dumps({"object": "list", "data": [event(1, created=101)]}))
    with pytest.raises(ExportError, match="evt_1 appears twice with different content"):
        load_export([str(a), str(b)])


def test_deliveries_accept_unix_and_iso_times_and_null_status():
    events = [event(1, created=100)]
    log = "\n".join(json.dumps(a) for a in [
        {"event_id": "evt_1", "attempted_at": 101, "status": 500},
        {"event": "evt_1", "created": "1970-01-01T00:03:20Z", "http_status": None},
        {"event_id": "evt_1", "timestamp": "150.5", "status_code": "200", "reached": False}])
    export = parse_text(json.dumps(events), "e.json", (log, "d.jsonl"))
    assert [(a.at, a.status, a.reached) for a in export.attempts] == [(101.0, 500, True), (150.5, 200, False),
                                                                      (200.0, None, True)]


@pytest.mark.parametrize("mutate, field, message", [
    (lambda e: e.pop("id"), "id", "missing"),
    (lambda e: e.update(id="ch_1"), "id", "evt_"),
    (lambda e: e.pop("type"), "type", "missing"),
    (lambda e: e.update(type=7), "type", "event type"),
    (lambda e: e.update(created="yesterday"), "created", "unix seconds"),
    (lambda e: e.update(created=True), "created", "unix seconds"),
    (lambda e: e.pop("data"), "data", "data.object"),
    (lambda e: e["data"].pop("object"), "data.object", "missing"),
    (lambda e: e["data"].update(object="pi_1"), "data.object", "expected an object"),
    (lambda e: e.update(account="platform"), "account", "acct_"),
    (lambda e: e.update(object="charge"), "object", '"event"'),
])
def test_bad_events_name_file_line_and_field(mutate, field, message):
    good, bad = event(1), event(2)
    mutate(bad)
    text = json.dumps(good) + "\n" + json.dumps(bad) + "\n"
    with pytest.raises(ExportError) as info:
        parse_text(text, "incident.jsonl")
    rendered = str(info.value)
    assert f"incident.jsonl:2: {field}: " in rendered and message in rendered
    assert isinstance(info.value, InputError)


def test_json_document_problems_point_at_the_line_of_the_field():
    bad = event(2)
    bad["created"] = "soon"
    text = json.dumps({"object": "list", "data": [event(1), bad]}, indent=2)
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if '"soon"' in ln)
    with pytest.raises(ExportError, match=rf"^x.json:{line}: data\[1\].created: expected unix seconds"):
        parse_text(text, "x.json")


@pytest.mark.parametrize("text, expected", [
    ("", "empty file"),
    ("{\"object\": \"list\", \"data\": [", "invalid JSON"),
    ("{\"id\": \"evt_1\"}\n{nope\n", "x:2: invalid JSON"),
    ("42", "expected a"),
    ('{"object": "list", "data": {}}', "data: expected the page's array"),
    ('{"events": [], "extra": 1}', "unknown bundle key"),
    ("[]", "no events"),
])
def test_bad_files(text, expected):
    with pytest.raises(ExportError, match=expected):
        parse_text(text, "x")


@pytest.mark.parametrize("attempt, expected", [
    ({"attempted_at": 1, "status": 200}, "which event"),
    ({"event_id": "evt_9", "attempted_at": 1, "status": 200}, "evt_9 is not among the exported events"),
    ({"event_id": "evt_1", "attempted_at": "later", "status": 200}, "attempted_at: expected unix seconds"),
    ({"event_id": "evt_1", "attempted_at": 1}, "HTTP status"),
    ({"event_id": "evt_1", "attempted_at": 1, "status": 99}, "status: expected an HTTP status"),
    ({"event_id": "evt_1", "attempted_at": 1, "status": 200, "reached": "no"}, "reached: expected true or false"),
])
def test_bad_delivery_logs(attempt, expected):
    log = json.dumps({"event_id": "evt_1", "attempted_at": 1, "status": 200}) + "\n" + json.dumps(attempt)
    with pytest.raises(ExportError) as info:
        parse_text(json.dumps([event(1)]), "e.json", (log, "d.jsonl"))
    assert "d.jsonl:2:" in str(info.value) and expected in str(info.value)


def test_one_event_delivered_to_two_endpoints_is_refused():
    log = json.dumps([{"event_id": "evt_1", "attempted_at": 1, "status": 200, "endpoint": "we_a"},
                      {"event_id": "evt_1", "attempted_at": 2, "status": 200, "endpoint": "we_b"}])
    with pytest.raises(ExportError, match="several endpoints"):
        parse_text(json.dumps([event(1)]), "e.json", (log, "d.json"))


def test_unknown_types_are_accepted_and_reported():
    export = parse_text(json.dumps([event(1, "invoice.paid"), event(2)]), "e.json")
    assert export.unknown_types == ["invoice.paid"]


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_export([str(tmp_path / "nope.json")])
