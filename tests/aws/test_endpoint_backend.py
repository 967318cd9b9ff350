"""The endpoint backend against a real moto_server on 127.0.0.1, and `sim stack deploy`."""

import pytest

from sim.cli import main
from sim.errors import BackendUnreachable
from sim.world import World
from tests.aws import toy_handlers as toy
from tests.moto_server import moto_server


@pytest.fixture(scope="module")
def endpoint():
    with moto_server() as url:
        yield url


def test_world_on_an_endpoint_runs_handlers_against_it(endpoint):
    import boto3

    with World(seed=1, backend=endpoint, stripe=False) as w:
        assert w.env("stripe-webhook")["AWS_ENDPOINT_URL"] == endpoint
        w.add_function("five", toy.five_calls)
        assert w.invoke("five", {}) == 5
    direct = boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    items = direct.scan(TableName="Service")["Items"]
    assert {i["id"]["S"] for i in items} >= {"s0", "s4"}


def test_stack_deploy_is_idempotent(endpoint, capsys):
    assert main(["stack", "deploy", "--backend", endpoint]) == 0
    first = capsys.readouterr().out
    assert main(["stack", "deploy", "--backend", endpoint]) == 0
    second = capsys.readouterr().out
    assert "function stripe-webhook" in first
    assert "no changes" in second
    assert "created" not in second and "updated" not in second


def test_unreachable_endpoint_names_the_url_and_exits_2(capsys):
    assert main(["stack", "deploy", "--backend", "http://127.0.0.1:9"]) == 2
    assert "http://127.0.0.1:9" in capsys.readouterr().err
    with pytest.raises(BackendUnreachable, match="127.0.0.1:9"):
        World(backend="http://127.0.0.1:9", stripe=False).start()


def test_bad_backend_spec_is_input_error(capsys):
    assert main(["stack", "deploy", "--backend", "ftp://x"]) == 2
    assert "--backend" in capsys.readouterr().err


def test_a_scenario_runs_on_the_endpoint_backend(endpoint, capsys):
    assert main(["run", "scenarios/happy-payment.yaml", "--backend", endpoint, "-q", "-j", "1"]) == 0
    assert "1 passed, 0 failed" in capsys.readouterr().out


def test_world_takes_its_account_from_the_endpoint_and_routes_services(endpoint):
    with World(seed=1, backend=f"{endpoint},dynamodb={endpoint}", stripe=False) as w:
        assert w.account == "123456789012"  # moto server's STS
        assert w.env("stripe-webhook")["AWS_ENDPOINT_URL_DYNAMODB"] == endpoint
        assert w.client("dynamodb").meta.endpoint_url == endpoint
