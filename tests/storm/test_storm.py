"""`sim storm`: a generated scenario, valid, deterministic, holding the invariants."""

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.errors import InputError
from sim.scenario.loader import parse_scenario
from sim.storm import storm_scenario


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 60), st.integers(0, 2**31), st.floats(0, 1), st.floats(0, 1))
def test_every_generated_storm_is_a_valid_scenario(bookings, seed, dup, drop):
    spec = storm_scenario(bookings=bookings, seed=seed, duplicate_rate=dup, drop_rate=drop)
    scenario = parse_scenario(yaml.safe_dump(spec), file="storm.yaml")
    assert sum(1 for s in scenario.steps if s.kind == "book") == bookings
    assert spec == storm_scenario(bookings=bookings, seed=seed, duplicate_rate=dup, drop_rate=drop)


@pytest.mark.parametrize("kwargs,field", [({"bookings": 0}, "--bookings"), ({"duplicate_rate": 1.5}, "--duplicate-rate"),
                                          ({"copies": 1}, "--copies"), ({"mix": {"teleport": 1.0}}, "--mix")])
def test_bad_storm_parameters_name_the_option(kwargs, field):
    with pytest.raises(InputError) as info:
        storm_scenario(**kwargs)
    assert info.value.field == field


def test_a_small_storm_holds_the_invariants_and_replays_identically(tmp_path, capsys):
    emitted = tmp_path / "storm.yaml"
    args = ["storm", "--bookings", "4", "--seed", "5", "--emit", str(emitted), "--json", str(tmp_path / "r.json")]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "webhook deliveries" in out
    import json

    first = json.loads((tmp_path / "r.json").read_text())["scenarios"][0]
    assert all(i["ok"] for i in first["invariants"])
    assert main(args) == 0
    again = json.loads((tmp_path / "r.json").read_text())["scenarios"][0]
    assert again["trace_hash"] == first["trace_hash"]
    assert emitted.read_text().startswith("# yaml-language-server: $schema=")


def test_storm_cli_refuses_bad_arguments(capsys):
    assert main(["storm", "--bookings", "-3"]) == 2
    assert "--bookings" in capsys.readouterr().err
