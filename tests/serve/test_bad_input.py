"""Bad input to `sim serve`: a taken port is exit 2 naming it; malformed requests get the
service's own error shape (never a traceback or a dropped connection); bad control requests."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys

from tests.serve.serving import ROOT, serving


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", "serve", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


def test_a_port_in_use_is_exit_2_naming_it():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = _run("--port", str(port))
        assert out.returncode == 2, out.stderr
        assert f"port {port}" in out.stderr and "--port" in out.stderr and "Traceback" not in out.stderr
        out = _run("--port", "0", "--stripe-port", str(port))
        assert out.returncode == 2, out.stderr
        assert f"port {port}" in out.stderr and "--stripe-port" in out.stderr and "Traceback" not in out.stderr


def test_bad_options_are_exit_2():
    for args, needle in ((["--time-scale", "0"], "--time-scale"), (["--port", "70000"], "--port"),
                         (["--start", "yesterday"], "--start"), (["--scenario", "/nonexistent.yaml"], "nonexistent")):
        out = _run(*args)
        assert out.returncode == 2 and needle in out.stderr, (args, out.stderr)


def test_malformed_requests_get_each_services_error_shape_and_advance_until_runs_the_schedule():
    with serving(sig=signal.SIGTERM) as served:  # SIGTERM also shuts down cleanly with exit 0
        sfn = {"X-Amz-Target": "AWSStepFunctions.StartExecution", "Content-Type": "application/x-amz-json-1.0",
               "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260302/us-east-1/states/aws4_request, "
                                "SignedHeaders=host, Signature=00"}
        status, headers, raw = served.request("POST", "/", b"{not json", sfn)
        assert status == 400 and json.loads(raw)["__type"] == "SerializationException"
        status, _, raw = served.request("POST", "/", json.dumps({"stateMachineArn": 7}).encode(), sfn)
        assert status == 400 and json.loads(raw)["__type"] in ("InvalidArn", "ValidationException")
        unknown = {**sfn, "X-Amz-Target": "AWSStepFunctions.NoSuchThing"}
        status, _, raw = served.request("POST", "/", b"{}", unknown)
        assert status == 400 and json.loads(raw)["__type"] == "UnknownOperationException"
        lam = {"Authorization": sfn["Authorization"].replace("/states/", "/lambda/")}
        status, _, raw = served.request("POST", "/2015-03-31/functions/booking-processor/invocations", b"{oops", lam)
        assert status == 400 and json.loads(raw)["__type"] == "InvalidRequestContentException"
        events = {"X-Amz-Target": "AWSEvents.PutEvents", "Content-Type": "application/x-amz-json-1.1",
                  "Authorization": sfn["Authorization"].replace("/states/", "/events/")}
        status, _, raw = served.request("POST", "/", b"[1, 2]", events)
        assert status == 400 and json.loads(raw)["__type"] == "SerializationException"
        status, body = served.post("/_sim/advance", {"seconds": -5})
        assert status == 400 and "seconds" in body["errors"][0]["message"]
        status, body = served.post("/_sim/advance", {"until": "25:99"})
        assert status == 400 and body["errors"][0]["errorType"] == "BadRequestException"
        status, body = served.post("/_sim/advance", b"not json")
        assert status == 400
        status, body = served.post("/_sim/users", {"username": "x", "group": "wizards"})
        assert status == 400 and "group" in body["errors"][0]["message"]
        assert served.request("GET", "/_sim/nothing")[0] == 404
        status, _, raw = served.request("GET", "/graphql")
        assert status == 405 and json.loads(raw)["errors"][0]["errorType"] == "MethodNotAllowedException"
        _advance_until_a_time_of_day_runs_the_schedule(served)


def _advance_until_a_time_of_day_runs_the_schedule(served):
    """POST /_sim/advance {"until": "02:00"}: the next 02:00 UTC, the reconciliation runs."""
    assert served.health["now"].startswith("2026-03-02T09:00")
    status, body = served.post("/_sim/advance", {"until": "02:00"})
    assert status == 200 and body["now"].startswith("2026-03-03T02:00:00")
    assert 17 * 3600 - 60 < body["advancedSeconds"] <= 17 * 3600
    trace = served.request("GET", "/_sim/trace")[2].decode().splitlines()
    assert any('"webhook-reconciliation"' in line for line in trace)


def test_chunked_and_oversized_bodies(served):
    import http.client

    host, port = served.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    body = json.dumps({"seconds": 1}).encode()
    conn.request("POST", "/_sim/advance", body=iter([body[:5], body[5:]]),
                 headers={"Transfer-Encoding": "chunked"}, encode_chunked=True)
    answer = conn.getresponse()
    assert answer.status == 200 and json.loads(answer.read())["advancedSeconds"] == 1
    conn.request("POST", "/graphql", body=b"", headers={"Content-Length": str(7 * 1024 * 1024)})
    answer = conn.getresponse()
    assert answer.status == 413 and json.loads(answer.read())["errors"][0]["errorType"] == "BadRequestException"
    conn.close()
