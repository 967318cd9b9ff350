"""The story generator: every drawn story is a valid scenario, within the kinds asked for, and the
same run seed draws the same story."""

import pytest
import yaml
from hypothesis import HealthCheck, given, settings

from sim.explore import kinds as kinds_mod
from sim.explore.execute import render
from sim.explore.search import draw_story, run_seed_for
from sim.explore.story import ENDING, scenario_strategy
from sim.scenario.loader import parse_scenario

ALL = kinds_mod.available()


@settings(max_examples=60, suppress_health_check=list(HealthCheck))
@given(scenario_strategy(7, ALL))
def test_every_drawn_story_is_a_valid_scenario(doc):
    text = render(doc)
    scenario = parse_scenario(text, "drawn.yaml")
    assert scenario.seed == 7
    assert [{i.kind: i.spec} for i in scenario.steps][-len(ENDING):] == ENDING
    assert yaml.safe_load(text)["tags"] == ["explore"]


@settings(max_examples=30, suppress_health_check=list(HealthCheck))
@given(scenario_strategy(3, ("duplicate", "aws_crash")))
def test_a_story_only_uses_the_kinds_it_was_given(doc):
    faults = {next(iter(f)) for f in doc.get("faults", [])}
    assert faults <= {"duplicate", "aws"}
    assert all(f["aws"]["crash_after"] for f in doc.get("faults", []) if "aws" in f)
    assert set(doc["x_kinds"]) <= {"duplicate", "aws_crash"}


def test_no_kinds_no_faults():
    doc = draw_story(run_seed_for(1, 0), ())
    assert "faults" not in doc and not any("rotate_secret" in s for s in doc["steps"])


def test_the_same_run_seed_draws_the_same_story_and_runs_differ():
    a, b = draw_story(run_seed_for(5, 0), ALL), draw_story(run_seed_for(5, 0), ALL)
    assert a == b
    others = [draw_story(run_seed_for(5, i), ALL) for i in range(1, 4)]
    assert all(o != a for o in others)


def test_run_seeds_derive_from_the_exploration_seed_and_the_index():
    assert run_seed_for(1, 0) == run_seed_for(1, 0)
    assert len({run_seed_for(1, i) for i in range(50)} | {run_seed_for(2, 0)}) == 51


def test_fault_kinds_parse_with_groups_and_none():
    assert kinds_mod.parse_kinds("none") == ()
    assert kinds_mod.parse_kinds("aws,drop") == ("drop", "aws_throttle", "aws_error", "aws_latency", "aws_crash")
    assert kinds_mod.parse_kinds(None) == ALL


@pytest.mark.parametrize("text", ["teleport", "drop,teleport"])
def test_an_unknown_fault_kind_is_named(text):
    with pytest.raises(kinds_mod.InputError) as info:
        kinds_mod.parse_kinds(text)
    assert "teleport" in str(info.value) and info.value.field == "--faults"


@pytest.mark.parametrize("kind", ALL)
def test_every_offered_fault_kind_has_a_generator_that_loads(kind):
    """A kind the schema offers but the generator cannot draw would crash every exploration."""
    from hypothesis import find

    doc = find(scenario_strategy(5, (kind,)), lambda d: kind in d.get("x_kinds", ()),
               settings=settings(max_examples=200, database=None, suppress_health_check=list(HealthCheck)))
    parse_scenario(render(doc), "drawn.yaml")



def test_a_story_does_not_depend_on_what_the_process_imported_before(tmp_path, monkeypatch):
    """hypothesis mixes constants from every local module loaded so far into its draws; the search
    turns that off, so run N's story is the same in a fresh worker and after other runs."""
    import importlib.util
    import sys

    from sim.explore.kinds import parse_kinds

    kinds = parse_kinds(None)
    before = draw_story(run_seed_for(1, 9), kinds)
    source = tmp_path / "freshly_imported_constants.py"  # a local module with constants no other has
    source.write_text("VALUES = (" + ", ".join(str(n) for n in range(3, 99_999, 997)) + ")\n")
    spec = importlib.util.spec_from_file_location("freshly_imported_constants", source)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setitem(sys.modules, "freshly_imported_constants", module)
    assert draw_story(run_seed_for(1, 9), kinds) == before
