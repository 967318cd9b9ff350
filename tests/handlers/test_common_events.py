"""The event publisher (FailedEntryCount retried, bounded), metrics, appsync helpers, clients, log."""

import json

import pytest

from handlers.common import appsync, events, log, metrics
from handlers.common.events import DomainEvent, PublishError


class FlakyEvents:
    """A PutEvents stand-in rejecting the first `fail` attempts of entries whose DetailType is 'bad'."""

    def __init__(self, fail):
        self.fail, self.calls = fail, []

    def put_events(self, Entries):
        self.calls.append([e["DetailType"] for e in Entries])
        out, failed = [], 0
        for e in Entries:
            if e["DetailType"] == "bad" and len(self.calls) <= self.fail:
                out.append({"ErrorCode": "InternalFailure", "ErrorMessage": "try again"})
                failed += 1
            else:
                out.append({"EventId": f"id-{len(self.calls)}-{e['DetailType']}"})
        return {"FailedEntryCount": failed, "Entries": out}


def test_published_events_reach_the_bus_with_correlation_id(hx):
    with hx.as_function("stripe-webhook"):
        log.set_correlation_id("cid-9")
        events.publish("marketplace.payment", "Payment Succeeded", {"bookingId": "b1"})
    [ev] = hx.events()
    assert ev["detail"] == {"bookingId": "b1", "correlationId": "cid-9"}


def test_failed_entries_are_retried_only_themselves(monkeypatch):
    fake = FlakyEvents(fail=2)
    monkeypatch.setattr(events, "client", lambda service: fake)
    monkeypatch.setenv("MARKETPLACE_EVENT_BUS_ARN", "arn:bus")
    ids = events.publish_all([DomainEvent("s", "good", {}), DomainEvent("s", "bad", {})])
    assert fake.calls == [["good", "bad"], ["bad"], ["bad"]]
    assert ids == ["id-1-good", "id-3-bad"]


def test_publish_gives_up_after_bounded_attempts(monkeypatch):
    fake = FlakyEvents(fail=99)
    monkeypatch.setattr(events, "client", lambda service: fake)
    monkeypatch.setenv("MARKETPLACE_EVENT_BUS_ARN", "arn:bus")
    with pytest.raises(PublishError) as info:
        events.publish_all([DomainEvent("s", "bad", {})])
    assert len(fake.calls) == events.MAX_ATTEMPTS
    assert info.value.failed[0]["ErrorCode"] == "InternalFailure"


def test_batches_of_ten(monkeypatch):
    fake = FlakyEvents(fail=0)
    monkeypatch.setattr(events, "client", lambda service: fake)
    monkeypatch.setenv("EVENT_BUS_NAME", "bus")
    monkeypatch.delenv("MARKETPLACE_EVENT_BUS_ARN", raising=False)
    assert len(events.publish_all([DomainEvent("s", f"e{i}", {}) for i in range(23)])) == 23
    assert [len(c) for c in fake.calls] == [10, 10, 3]


def test_metrics_put_and_failure_swallowed(hx, monkeypatch):
    with hx.as_function("webhook-reconciliation"):
        assert metrics.put_metrics({"WebhookReconciliation.MissedEvents": 2})
        listed = hx.client("cloudwatch").list_metrics(Namespace="ECOSYSTEMAWS/Webhooks")["Metrics"]
        assert [m["MetricName"] for m in listed] == ["WebhookReconciliation.MissedEvents"]

        class Broken:
            def put_metric_data(self, **kw):
                from botocore.exceptions import ClientError
                raise ClientError({"Error": {"Code": "Throttling", "Message": "x"}}, "PutMetricData")

        monkeypatch.setattr(metrics, "client", lambda s: Broken())
        assert metrics.put_metrics({"x": 1}) is False


def test_resolver_maps_errors():
    @appsync.resolver("t")
    def handler(ev, context):
        if ev.arguments.get("boom"):
            raise KeyError("secret internals")
        if ev.arguments.get("bad"):
            raise appsync.ValidationError("amount must be positive")
        return {"field": ev.field_name, "caller": ev.caller_id, "admin": ev.is_admin}

    ok = handler({"arguments": {}, "identity": {"sub": "u1", "groups": ["admin"]}, "info": {"fieldName": "f"}}, None)
    assert ok == {"field": "f", "caller": "u1", "admin": True}
    with pytest.raises(appsync.ValidationError) as bad:
        handler({"arguments": {"bad": 1}}, None)
    assert appsync.error_dict(bad.value) == {"errorType": "ValidationError", "message": "amount must be positive"}
    with pytest.raises(appsync.InternalError) as boom:
        handler({"arguments": {"boom": 1}}, None)
    assert "secret" not in str(boom.value)
    with pytest.raises(appsync.ValidationError):
        handler("garbage", None)
    with pytest.raises(appsync.ValidationError):
        handler({"arguments": ["x"]}, None)


def test_json_log_lines(monkeypatch):
    monkeypatch.setenv("LOG_LEVEL", "INFO")
    log.set_correlation_id("cid-1")
    logger, lines = log.get_logger("t"), []
    monkeypatch.setattr(logger._logger, "log", lambda level, text: lines.append(text))
    logger.info("hello", n=1)
    line = json.loads(lines[-1])
    assert line["message"] == "hello" and line["correlationId"] == "cid-1" and line["n"] == 1


def test_log_level_follows_the_environment_from_one_line_to_the_next(monkeypatch):
    """The level is set only when it changes (setLevel clears every logger's cache), so a
    function whose LOG_LEVEL differs from the last one's still filters by its own."""
    logger, lines = log.get_logger("levels"), []
    monkeypatch.setattr(logger._logger, "log", lambda level, text: lines.append(json.loads(text)["message"]))
    for level, message in (("INFO", "a"), ("WARNING", "b"), ("WARNING", "c"), ("DEBUG", "d"), ("bogus", "e")):
        monkeypatch.setenv("LOG_LEVEL", level)
        logger.info(message)
        logger.debug(message + "-debug")
    assert lines == ["a", "d", "d-debug", "e"]


def test_correlation_id_sources():
    class Ctx:
        aws_request_id = "req-7"

    assert log.correlation_id_from({"detail": {"correlationId": "c1"}}) == "c1"
    assert log.correlation_id_from({"requestContext": {"requestId": "r1"}}) == "r1"
    assert log.correlation_id_from({}, Ctx()) == "req-7"
