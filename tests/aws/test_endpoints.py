"""Per-service endpoints (one rule, boto3's, for the harness and the handlers), the account from
the backend, deploy options and deploy errors — without LocalStack (tests/backends has that)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import pytest
from botocore.stub import Stubber

from handlers.common import clients as handler_clients
from sim.aws import endpoints
from sim.aws.backend import EndpointBackend, caller_account, make_backend
from sim.aws.deploy import KIND_SERVICES, DeployError, deploy, unavailable_kinds
from sim.aws.stack import marketplace_stack
from sim.cli import main
from sim.cli.stack import KIND_NAMES
from sim.errors import InputError


@pytest.mark.parametrize("service, variable", [
    ("dynamodb", "AWS_ENDPOINT_URL_DYNAMODB"), ("stepfunctions", "AWS_ENDPOINT_URL_SFN"),
    ("cognito-idp", "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"), ("events", "AWS_ENDPOINT_URL_EVENTBRIDGE"),
    ("logs", "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS"), ("dynamodbstreams", "AWS_ENDPOINT_URL_DYNAMODB_STREAMS")])
def test_variable_names_are_boto3s(service, variable):
    assert endpoints.service_env_var(service) == variable
    assert handler_clients._service_variable(service) == variable


def test_handler_clients_follow_their_service_variable_only(monkeypatch):
    """The handlers' client cache is keyed by the variables botocore reads for the service: a new
    value of the service's own variable gives a client at the new endpoint, another service's
    variable does not make a new client."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://a:1")
    handler_clients.reset()
    try:
        first = handler_clients.client("dynamodb")
        monkeypatch.setenv("AWS_ENDPOINT_URL_SFN", "http://b:2")
        assert handler_clients.client("dynamodb") is first
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://c:3")
        assert handler_clients.client("dynamodb").meta.endpoint_url == "http://c:3"
        monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB")
        monkeypatch.setenv("AWS_ENDPOINT_URL", "http://d:4")
        assert handler_clients.client("dynamodb").meta.endpoint_url == "http://d:4"
    finally:
        handler_clients.reset()


def test_spec_with_routes_parses():
    url, routes = endpoints.parse_spec("http://127.0.0.1:4566, dynamodb=http://127.0.0.1:5000/,cognito-idp=http://h:1")
    assert url == "http://127.0.0.1:4566"
    assert routes == {"dynamodb": "http://127.0.0.1:5000", "cognito-idp": "http://h:1"}


@pytest.mark.parametrize("spec, message", [
    ("http://a:1,dynamodb", "expected service=URL"),
    ("http://a:1,dynamo=http://b:2", "unknown AWS service 'dynamo'"),
    ("http://a:1,dynamodb=ftp://b", "ftp://b"),
    ("ftp://a", "ftp://a")])
def test_bad_specs_are_input_errors_naming_backend(spec, message):
    with pytest.raises(InputError, match=message) as err:
        make_backend(spec)
    assert "--backend" in str(err.value)


def _resolved_by_both(monkeypatch, backend, service):
    for name, value in backend.environment().items():
        monkeypatch.setenv(name, value)
    handler_clients.reset()
    try:
        return backend.client(service).meta.endpoint_url, handler_clients.client(service).meta.endpoint_url
    finally:
        handler_clients.reset()


@pytest.mark.parametrize("service, want", [("dynamodb", "http://moto:5000"), ("cognito-idp", "http://moto:5000"),
                                           ("sns", "http://ls:4566"), ("stepfunctions", "http://ls:4566")])
def test_harness_and_handlers_resolve_the_same_endpoint(monkeypatch, service, want):
    backend = EndpointBackend("http://ls:4566,dynamodb=http://moto:5000,cognito-idp=http://moto:5000")
    assert _resolved_by_both(monkeypatch, backend, service) == (want, want)


def test_an_ambient_service_variable_wins_for_both(monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_SFN", "http://elsewhere:9")
    backend = EndpointBackend("http://ls:4566")
    assert _resolved_by_both(monkeypatch, backend, "stepfunctions") == ("http://elsewhere:9",) * 2
    assert _resolved_by_both(monkeypatch, backend, "sqs") == ("http://ls:4566",) * 2


def test_account_is_what_sts_says():
    sts = boto3.client("sts", region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s")
    with Stubber(sts) as stub:
        stub.add_response("get_caller_identity", {"Account": "000000000000", "Arn": "arn:aws:iam::000000000000:root",
                                                  "UserId": "x"})
        assert caller_account(sts) == "000000000000"
        stub.add_client_error("get_caller_identity", "InvalidClientTokenId")
        assert caller_account(sts) == "123456789012"  # nothing says otherwise: the harness default


def test_a_refused_deploy_call_names_service_resource_and_message():
    ddb = boto3.client("dynamodb", region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s")
    stack = marketplace_stack()
    with Stubber(ddb) as stub:
        stub.add_client_error("describe_table", "ResourceNotFoundException")
        stub.add_client_error("create_table", "LimitExceededException", "Subscriber limit exceeded")
        with pytest.raises(DeployError) as err:
            deploy(stack, lambda service: ddb)
    assert isinstance(err.value, InputError)
    assert f"dynamodb: table {stack.tables[0].name}: LimitExceededException: Subscriber limit exceeded" in str(err.value)


class _Health(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        body = json.dumps({"services": {"dynamodb": "disabled", "sns": "available", "lambda": "available"}}).encode()
        self.send_response(200 if self.path == "/_localstack/health" else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_unavailable_kinds_come_from_localstack_health():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        kinds = unavailable_kinds(lambda service: url)
    finally:
        server.shutdown()
        server.server_close()
    assert "tables" in kinds and "disabled" in kinds["tables"]
    assert "user-pools" in kinds and "absent" in kinds["user-pools"]
    assert "topics" not in kinds and "functions" not in kinds
    assert unavailable_kinds(lambda service: None) == {}


def test_skip_kinds_are_the_deployers_and_unknown_is_exit_2(capsys):
    assert set(KIND_NAMES) == set(KIND_SERVICES)
    assert main(["stack", "deploy", "--backend", "http://127.0.0.1:9", "--skip", "tables,widgets"]) == 2
    assert "--skip: unknown kind 'widgets'" in capsys.readouterr().err


def test_harness_clients_made_before_any_world_still_reach_the_worlds_hooks():
    """`sim stack deploy` makes harness clients before any world exists; a world started later in the
    same process must still answer their calls (its interpreter serves Step Functions). A fresh
    process, so that nothing imported the hooks first."""
    import subprocess
    import sys

    code = ("from sim.aws.backend import shared_client; shared_client('stepfunctions', 'us-east-1', None)\n"
            "from sim.world import World\n"
            "with World(seed=1, stripe=False) as w:\n"
            "    print(sorted(m['name'] for m in w.client('stepfunctions').list_state_machines()['stateMachines']))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "ecosystem-booking-lifecycle" in out.stdout
