"""bedrock-ai: Anthropic messages body, the answer, bounded throttling retries, bad input."""

from __future__ import annotations

import io
import json

import pytest
from botocore.exceptions import ClientError
from botocore.response import StreamingBody

from handlers import bedrock_ai
from handlers.common.appsync import NotFoundError, ValidationError
from tests.handlers.conftest_business import business_env


class FakeBedrock:
    def __init__(self, throttles: int = 0):
        self.throttles = throttles
        self.calls: list[dict] = []

    def invoke_model(self, **kw):
        self.calls.append(kw)
        if len(self.calls) <= self.throttles:
            raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, "InvokeModel")
        body = json.dumps({"content": [{"type": "text", "text": "Relaxing massage by a certified therapist."}],
                           "stop_reason": "end_turn", "usage": {"input_tokens": 10, "output_tokens": 8}}).encode()
        return {"body": StreamingBody(io.BytesIO(body), len(body)), "contentType": "application/json"}


@pytest.fixture
def env(monkeypatch):
    with business_env("bedrock-ai") as e:
        e.service()
        e.fake = FakeBedrock()
        monkeypatch.setattr(bedrock_ai, "_bedrock_client", lambda: e.fake)
        yield e


def test_generates_from_the_service(env):
    out = env.appsync("generateServiceDescription", {"serviceId": "svc-1", "tone": "professional"}, sub="prov-1")
    assert out["description"].startswith("Relaxing") and out["attempts"] == 1
    (call,) = env.fake.calls
    assert call["modelId"] == "anthropic.claude-3-haiku-20240307-v1:0"
    body = json.loads(call["body"])
    assert body["anthropic_version"] == "bedrock-2023-05-31" and body["temperature"] == 0
    assert "Deep tissue massage" in body["messages"][0]["content"][0]["text"]


def test_throttling_is_retried_a_bounded_number_of_times(env):
    env.fake.throttles = 2
    out = env.appsync("generateServiceDescription", {"title": "Dog walking"}, sub=None)
    assert out["attempts"] == 3
    env.fake.throttles, env.fake.calls = 10, []
    with pytest.raises(bedrock_ai.Throttled, match="busy"):
        env.appsync("generateServiceDescription", {"title": "Dog walking"}, sub=None)
    assert len(env.fake.calls) == 3


def test_the_client_does_no_sleeping_retries_of_its_own():
    assert bedrock_ai.Config(retries={"total_max_attempts": 1, "mode": "standard"}).retries["total_max_attempts"] == 1


@pytest.mark.parametrize("args,error", [
    ({}, ValidationError),
    ({"title": "x", "tone": "angry"}, ValidationError),
    ({"title": "x", "maxWords": 5000}, ValidationError),
    ({"title": "x", "keywords": "not a list"}, ValidationError),
    ({"serviceId": "svc-404"}, NotFoundError),
])
def test_bad_input(env, args, error):
    with pytest.raises(error):
        env.appsync("generateServiceDescription", args, sub=None)
    assert env.fake.calls == []
