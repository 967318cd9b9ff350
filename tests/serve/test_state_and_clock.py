"""`--state DIR` keeps the world between restarts (the default is a fresh world); `--clock real`
lets the wall clock drive virtual time."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.serve.serving import ROOT, serving

QUERY = ('mutation($s: ID) { processBooking(action: "create", serviceId: $s, startDateTime: '
         '"2026-03-20T10:00:00.000Z", endDateTime: "2026-03-20T11:00:00.000Z", amount: 12000, '
         'paymentMethodId: "pm_card_visa") }')


def _book(served) -> str:
    user = served.user("persistent-customer")
    service = served.state()["entities"]["services"][0]["id"]
    status, body = served.post("/graphql", {"query": QUERY, "variables": {"s": service}},
                               {"Authorization": user["idToken"]})
    assert status == 200 and "errors" not in body, body
    return json.loads(body["data"]["processBooking"])["id"]


def test_state_dir_resumes_the_world_and_fresh_is_the_default(tmp_path):
    state = tmp_path / "world"
    with serving("--state", str(state)) as served:
        booking = _book(served)
        served.post("/_sim/advance", {"seconds": 3600})
        first = served.state()
    with serving("--state", str(state)) as served:
        assert "resumed" in served.output
        again = served.state()
        assert booking in [b["id"] for b in again["tables"]["Booking"]]
        assert again["now"] == first["now"]
        assert again["tables"]["Booking"] == first["tables"]["Booking"]
    with serving() as served:  # no --state: a fresh world
        assert booking not in [b["id"] for b in served.state()["tables"]["Booking"]]
    out = subprocess.run([sys.executable, "-m", "sim", "serve", "--state", str(state), "--seed", "99", "--port", "0"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120, env={"PYTHONPATH": str(ROOT)})
    assert out.returncode == 2 and "--seed" in out.stderr and "seed 1" in out.stderr


def test_real_clock_moves_virtual_time():
    with serving("--clock", "real", "--time-scale", "3600") as served:
        start = served.health["now"]
        assert served.health["clock"] == "real"
        for _ in range(10_000):  # each poll is a request; an hour of virtual time per wall second
            now = served.get("/_sim/health")["now"]
            if now > "2026-03-02T09:10":
                break
        assert now > start and now > "2026-03-02T09:10"


def test_same_seed_and_requests_give_the_same_trace():
    hashes, bookings = [], []
    for _ in range(2):
        with serving("--seed", "7") as served:
            booking = _book(served)
            served.post("/_sim/advance", {"until": "02:00"})
            state = served.state()
            hashes.append(state["traceHash"])
            bookings.append((booking, state["tables"]["Booking"]))
    assert hashes[0] == hashes[1]
    assert bookings[0] == bookings[1]
