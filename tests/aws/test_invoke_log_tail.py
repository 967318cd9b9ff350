"""Invoke with `LogType: Tail` answers `LogResult`: base64 of the last 4 KB of the invocation's
log in Lambda's format (START / the function's lines / END / REPORT)."""

import base64
import json
import logging
import re

import pytest


def _tail(out) -> str:
    return base64.b64decode(out["LogResult"]).decode("utf-8", "replace")


def test_tail_wraps_the_functions_output_in_start_end_report(world):
    def chatty(event, context):
        print("hello from the function")
        logging.getLogger("x").warning("careful")
        return {"ok": True}

    world.add_function("chatty", chatty, memory=256)
    out = world.client("lambda").invoke(FunctionName="chatty", Payload=b"{}", LogType="Tail")
    assert json.loads(out["Payload"].read()) == {"ok": True}
    lines = _tail(out).splitlines()
    rid = lines[0].split()[2]
    assert lines[0] == f"START RequestId: {rid} Version: $LATEST"
    assert lines[1] == "hello from the function"
    assert re.fullmatch(rf"\[WARNING\]\t\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z\t{rid}\tcareful", lines[2])
    assert lines[3] == f"END RequestId: {rid}"
    assert re.fullmatch(rf"REPORT RequestId: {rid}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\t"
                        r"Memory Size: 256 MB\tMax Memory Used: \d+ MB\t", lines[4])
    assert len(lines) == 5


def test_tail_is_the_last_4_kb_and_absent_without_log_type(world):
    def loud(event, context):
        for n in range(200):
            print(f"line {n:03d} " + "x" * 40)
        return 1

    world.add_function("loud", loud)
    client = world.client("lambda")
    assert "LogResult" not in client.invoke(FunctionName="loud", Payload=b"{}")
    raw = base64.b64decode(client.invoke(FunctionName="loud", Payload=b"{}", LogType="Tail")["LogResult"])
    assert len(raw) == 4096
    text = raw.decode()
    assert "line 199" in text and "line 000" not in text and text.endswith("\t\n")
    assert "START RequestId" not in text  # cut off: only the tail is returned


def test_tail_of_a_failed_invocation_carries_the_error(world):
    def broken(event, context):
        raise ValueError("no such booking")

    world.add_function("broken", broken)
    out = world.client("lambda").invoke(FunctionName="broken", Payload=b"{}", LogType="Tail")
    assert out["FunctionError"] == "Unhandled"
    text = _tail(out)
    assert "[ERROR] ValueError: no such booking\nTraceback (most recent call last):\n" in text
    assert text.index("[ERROR]") < text.index("END RequestId")


def test_each_invocation_tails_only_its_own_lines(world):
    def echo(event, context):
        print(f"event {event['n']}")
        return event["n"]

    world.add_function("echo", echo)
    client = world.client("lambda")
    first = _tail(client.invoke(FunctionName="echo", Payload=b'{"n": 1}', LogType="Tail"))
    second = _tail(client.invoke(FunctionName="echo", Payload=b'{"n": 2}', LogType="Tail"))
    assert "event 1" in first and "event 2" not in first
    assert "event 2" in second and "event 1" not in second


def test_an_unknown_log_type_is_a_validation_error(world):
    from botocore.exceptions import ClientError

    world.add_function("echo", lambda event, context: 1)
    with pytest.raises(ClientError) as err:
        world.client("lambda").invoke(FunctionName="echo", Payload=b"{}", LogType="Verbose")
    assert err.value.response["Error"]["Code"] == "ValidationException"
    assert "[Tail, None]" in err.value.response["Error"]["Message"]
