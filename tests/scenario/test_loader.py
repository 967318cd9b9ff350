"""The loader: schema and semantic errors name file, line and field; valid files load."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.errors import InputError
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import SCHEMA_PATH, parse_scenario

HEADER = """# yaml-language-server: $schema=../sim/scenario/schema.json
name: a test scenario
tags: [duplicate]
world: {customers: 1, providers: 1, services: 1}
steps:
  - book: {id: b1}
  - stripe: {pay: b1, as: paid}
"""
FIRST_FREE_LINE = HEADER.count("\n") + 1  # the line of the next step


def error_of(text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "scenarios/x.yaml")
    return info.value


def test_a_valid_scenario_loads_with_lines():
    s = parse_scenario(HEADER + "  - deliver: {event: paid, copies: 3, concurrent: true}\n  - advance: 26h\n"
                       "  - until: \"02:00\"\nexpect:\n  booking.b1: {status: confirmed}\n", "x.yaml")
    assert [i.kind for i in s.steps] == ["book", "stripe", "deliver", "advance", "until"]
    assert [i.line for i in s.steps] == [6, 7, 8, 9, 10]
    assert s.aliases == {"c0": "customer", "p0": "provider", "s0": "service", "b1": "booking", "paid": "event"}
    assert s.start.isoformat() == "2026-03-02T09:00:00+00:00"


def test_the_issue_example_message():
    err = error_of(HEADER + "  - advance: 1m\n  - deliver: {event: paid, copies: three}\n")
    assert str(err) == 'scenarios/x.yaml:9: steps[3].deliver.copies: expected an integer >= 1, got "three"'
    assert isinstance(err, InputError)


def test_unknown_step_kind_suggests_the_right_one():
    err = error_of(HEADER + "  - delivr: {event: paid}\n")
    assert f"x.yaml:{FIRST_FREE_LINE}: steps[2].delivr: unknown step kind \"delivr\" (did you mean \"deliver\"?)" \
        in str(err)


def test_unknown_field_and_missing_field():
    err = error_of(HEADER + "  - deliver: {event: paid, copeis: 2}\n  - advance: {}\n")
    text = str(err)
    assert 'steps[2].deliver.copeis: unknown field "copeis" (did you mean "copies"?)' in text
    assert "steps[3].advance" in text


def test_undefined_alias_and_bad_index():
    err = error_of(HEADER + "  - deliver: {event: refunded}\n  - book: {id: b2, customer: 3}\n")
    text = str(err)
    assert f":{FIRST_FREE_LINE}: steps[2].deliver.event: \"refunded\" is not defined by an earlier step" in text
    assert "steps[3].book.customer: no customer 3: the world has 1 customer" in text


def test_expectation_keys_are_checked():
    err = error_of(HEADER + "expect:\n  booking.nope: {status: confirmed}\n  bsu: {x: 1}\n")
    text = str(err)
    assert 'expect.bsu: unknown expectation "bsu"' in text


def test_yaml_syntax_error_has_a_line():
    err = error_of(HEADER + "  - deliver: {event: paid\n")
    assert str(err).startswith("scenarios/x.yaml:")
    assert "invalid YAML" in str(err)


def test_duplicate_keys_are_an_error():
    err = error_of(HEADER + "name: twice\n")
    assert "duplicate key 'name'" in str(err)


def test_yaml_scalars_mean_what_they_look_like():
    s = parse_scenario(HEADER + "  - until: 02:00\n  - note: no\n", "x.yaml")
    assert s.steps[2].spec == "02:00" and s.steps[3].spec == "no"


def test_stripe_step_needs_exactly_one_operation():
    err = error_of(HEADER + "  - stripe: {pay: b1, refund: b1}\n")
    assert "expected exactly one of pay, fail" in str(err)


def test_every_property_has_a_description():
    schema = json.loads(SCHEMA_PATH.read_text())
    missing = []

    def walk(node, path):
        if isinstance(node, dict):
            for name, sub in (node.get("properties") or {}).items():
                if isinstance(sub, dict) and "description" not in sub:
                    missing.append(f"{path}.{name}")
                walk(sub, f"{path}.{name}")
            for key in ("items", "additionalProperties", "$defs", "patternProperties"):
                value = node.get(key)
                if isinstance(value, dict):
                    if key in ("$defs", "patternProperties"):
                        for k, v in value.items():
                            walk(v, f"{path}.{k}")
                    else:
                        walk(value, f"{path}[]")
    walk(schema, "")
    assert missing == []


BAD_COPIES = st.one_of(st.integers(max_value=0), st.sampled_from(['"three"', "1.5", "true", "[1]", "{}"]))


@settings(max_examples=40, deadline=None)
@given(before=st.integers(0, 6), bad=BAD_COPIES)
def test_error_locations_follow_the_offending_line(before, bad):
    """Wherever the bad step sits, the message names its line and its index."""
    steps = "".join("  - advance: 1m\n" for _ in range(before))
    text = HEADER + steps + f"  - deliver: {{event: paid, copies: {bad}}}\n  - advance: 2h\n"
    err = error_of(text)
    assert len(err.problems) == 1
    problem = err.problems[0]
    assert problem.line == FIRST_FREE_LINE + before
    assert problem.field == f"steps[{before + 2}].deliver.copies"
    assert problem.message.startswith("expected an integer >= 1, got")


@settings(max_examples=30, deadline=None)
@given(depth=st.integers(0, 5), field=st.sampled_from(["within", "every"]))
def test_nested_error_locations(depth, field):
    """A bad duration inside a multi-line mapping points at its own line."""
    pad = "".join("  - note: hello\n" for _ in range(depth))
    body = ("  - eventually:\n      within: 5m\n      every: 10s\n      expect:\n        bus: {Booking Confirmed: 1}\n")
    body = body.replace(f"{field}: {'5m' if field == 'within' else '10s'}", f"{field}: soon")
    err = error_of(HEADER + pad + body)
    problem = err.problems[0]
    offset = 1 if field == "within" else 2
    assert problem.line == FIRST_FREE_LINE + depth + offset
    assert problem.field == f"steps[{depth + 2}].eventually.{field}"
    assert "expected a duration like 90s, 1m, 26h or 2d" in problem.message
