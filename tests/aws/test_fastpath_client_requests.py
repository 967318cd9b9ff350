"""`sim.aws.fastpath.client_requests`: a call the embedded fast path answers builds no HTTP
request; it is validated as botocore validates it, answers and errors are the same, and a call
nothing answers is built by botocore's own code and sent as before."""

import boto3
import pytest
from botocore.exceptions import ClientError, ParamValidationError
from botocore.serialize import JSONSerializer

from sim.aws.fastpath import client_requests
from sim.world import World


@pytest.fixture
def serialised(monkeypatch):
    """The operations botocore serialised a request for."""
    seen = []
    original = JSONSerializer.serialize_to_request

    def counting(self, parameters, operation_model):
        seen.append(operation_model.name)
        return original(self, parameters, operation_model)

    monkeypatch.setattr(JSONSerializer, "serialize_to_request", counting)
    return seen


def _calls(ddb):
    out = [ddb.put_item(TableName="Service", Item={"id": {"S": "s1"}, "n": {"N": "1"}})["ResponseMetadata"]["HTTPStatusCode"],
           ddb.get_item(TableName="Service", Key={"id": {"S": "s1"}})["Item"]]
    with pytest.raises(ClientError) as err:
        ddb.put_item(TableName="Service", Item={"id": {"S": "s1"}}, ConditionExpression="attribute_not_exists(id)")
    out.append(err.value.response["Error"]["Code"])
    with pytest.raises(ParamValidationError) as bad:
        ddb.put_item(TableName="Service", Item="not a map")
    out.append(str(bad.value))
    table = boto3.resource("dynamodb", region_name="us-east-1").Table("Service")
    table.put_item(Item={"id": "s2", "tags": {"a", "b"}})
    out.append(table.get_item(Key={"id": "s2"})["Item"])
    return out


def test_answered_calls_build_no_request_and_answer_the_same(serialised):
    was = client_requests.installed()
    try:
        answers = {}
        for on in (True, False):
            with World(seed=1, stripe=False):
                (client_requests.install if on else client_requests.uninstall)()   # the world installed it
                serialised.clear()   # the world's own deployment
                answers[on] = _calls(boto3.client("dynamodb", region_name="us-east-1"))
                if on:
                    assert "PutItem" not in serialised and "GetItem" not in serialised
                    boto3.client("dynamodb", region_name="us-east-1").describe_table(TableName="Service")
                    assert serialised == ["DescribeTable"]     # not answered by the fast path: built
                else:
                    assert "PutItem" in serialised
        assert answers[True] == answers[False]
    finally:
        (client_requests.install if was else client_requests.uninstall)()


def test_a_put_off_call_nothing_answers_is_built_and_sent(serialised, monkeypatch):
    was = client_requests.installed()
    try:
        with World(seed=1, stripe=False) as w:
            assert client_requests.installed()
            monkeypatch.setattr(w.fastpath, "answer", lambda call: None)   # the fast path declines
            serialised.clear()
            ddb = boto3.client("dynamodb", region_name="us-east-1")
            ddb.put_item(TableName="Service", Item={"id": {"S": "s9"}})
            assert serialised == ["PutItem"]                                # built late, by botocore
            assert ddb.get_item(TableName="Service", Key={"id": {"S": "s9"}})["Item"] == {"id": {"S": "s9"}}
    finally:
        (client_requests.install if was else client_requests.uninstall)()
