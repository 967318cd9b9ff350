"""The harness on LocalStack (its Python runtime, no Docker) with DynamoDB, DynamoDB Streams and
Cognito on a moto server beside it — the way `docs/backends.md` says to run it.

Each scenario gets fresh endpoints (a new LocalStack and a new moto server), so no state leaks
from one to the next. Skipped, with the reason, where no Python 3.13 can be found.
"""

from __future__ import annotations

import contextlib
import json

import pytest

from sim.cli import main
from tests.localstack_server import find_python313, localstack_python, localstack_server
from tests.moto_server import moto_server

PYTHON313, WHY_NOT = find_python313()
pytestmark = pytest.mark.skipif(PYTHON313 is None, reason=WHY_NOT)

MOTO_SERVICES = ("dynamodb", "dynamodbstreams", "cognito-idp")
REPRESENTATIVE = ["happy-payment", "duplicate-concurrent-3", "out-of-order-refund-before-success",
                  "missed-healed-by-reconciliation", "workflow-dispute-resolution"]


@pytest.fixture(scope="module")
def ls_python():
    return localstack_python(PYTHON313)


@contextlib.contextmanager
def backend(ls_python, *, moto_for=MOTO_SERVICES):
    with localstack_server(ls_python) as ls, moto_server() as moto:
        yield ",".join([ls, *(f"{service}={moto}" for service in moto_for)]), ls, moto


def test_deploy_twice_second_changes_nothing(ls_python, capsys):
    with backend(ls_python) as (spec, ls, moto):
        assert main(["stack", "deploy", "--backend", spec]) == 0
        first = capsys.readouterr().out
        assert main(["stack", "deploy", "--backend", spec]) == 0
        second = capsys.readouterr().out
    assert "created   table ProcessedWebhooks" in first
    assert "created   user-pool" in first  # Cognito went to the moto server
    assert "created   state-machine ecosystem-booking-lifecycle" in first
    assert "no changes" in second, second
    assert "created" not in second and "updated" not in second


def test_account_comes_from_localstack_and_cognito_is_skipped_where_absent(ls_python, capsys):
    import boto3

    with backend(ls_python, moto_for=("dynamodb", "dynamodbstreams")) as (spec, ls, moto):
        assert main(["stack", "deploy", "--backend", spec, "--no-functions"]) == 0
        out = capsys.readouterr().out
        sns = boto3.client("sns", endpoint_url=ls, region_name="us-east-1", aws_access_key_id="testing",
                           aws_secret_access_key="testing")
        topics = [t["TopicArn"] for t in sns.list_topics()["Topics"]]
    assert "skipped   user-pools (cognito-idp is not served by" in out
    assert "arn:aws:sns:us-east-1:000000000000:critical-system-alerts" in topics


def test_a_service_localstack_cannot_host_is_a_clear_deploy_error(ls_python, capsys):
    with localstack_server(ls_python) as ls:
        assert main(["stack", "deploy", "--backend", ls, "--no-auto-skip", "--skip", "user-pools"]) == 2
    err = capsys.readouterr().err
    assert "dynamodb: table" in err, err


@pytest.mark.parametrize("name", REPRESENTATIVE)
def test_representative_scenarios_pass_on_localstack(ls_python, name, tmp_path, capsys):
    report = tmp_path / "report.json"
    with backend(ls_python) as (spec, ls, moto):
        code = main(["run", f"scenarios/{name}.yaml", "--backend", spec, "-q", "-j", "1", "--json", str(report),
                     "--report", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0, (out, sorted(tmp_path.iterdir()))
    scenario = json.loads(report.read_text())["scenarios"][0]
    assert scenario["status"] == "passed" and all(i["ok"] for i in scenario["invariants"])
