"""Properties of the engine (hypothesis): Pass/Result, templates, Map order, Parallel length, history ids."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from sim.asl import execute
from tests.asl.helpers import machine

json_scalars = st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=8)
json_values = st.recursive(json_scalars, lambda c: st.lists(c, max_size=4) |
                           st.dictionaries(st.text("abcxyz", min_size=1, max_size=4), c, max_size=4), max_leaves=12)
keys = st.text("abcdefgh", min_size=1, max_size=5)
FAST = settings(max_examples=40, deadline=None)


@FAST
@given(json_values, json_values)
def test_pass_with_result_returns_it(result, inp):
    assert execute(machine({"A": {"Type": "Pass", "Result": result, "End": True}}), json.dumps(inp)).output == result


@FAST
@given(st.dictionaries(keys, json_values, min_size=1, max_size=5))
def test_parameters_template_copies_selected_fields(doc):
    params = {f"{k}.$": f"$.{k}" for k in doc}
    params["const"] = {"nested": [1, "x"]}
    ex = execute(machine({"A": {"Type": "Pass", "Parameters": params, "End": True}}), doc)
    assert ex.output == {**doc, "const": {"nested": [1, "x"]}}


@FAST
@given(st.lists(json_values, max_size=8), st.integers(0, 4))
def test_map_output_order_equals_input_order(items, conc):
    proc = {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}
    ex = execute(machine({"M": {"Type": "Map", "MaxConcurrency": conc, "ItemProcessor": proc, "End": True}}), json.dumps(items))
    assert ex.output == items


@FAST
@given(st.integers(1, 5), json_values)
def test_parallel_result_length_equals_branches(n, inp):
    branches = [{"StartAt": f"B{i}", "States": {f"B{i}": {"Type": "Pass", "End": True}}} for i in range(n)]
    ex = execute(machine({"P": {"Type": "Parallel", "Branches": branches, "End": True}}), json.dumps(inp))
    assert ex.output == [inp] * n


@FAST
@given(st.lists(st.integers(0, 100), max_size=6), st.integers(0, 3), st.booleans())
def test_history_ids_increase_and_previous_ids_point_backwards(waits, conc, fail):
    proc = {"StartAt": "W", "States": {"W": {"Type": "Wait", "SecondsPath": "$", "Next": "C"},
                                       "C": {"Type": "Choice", "Choices": [
                                           {"Variable": "$", "NumericGreaterThan": 90, "Next": "F"}], "Default": "D"},
                                       "F": {"Type": "Fail", "Error": "Big"}, "D": {"Type": "Succeed"}}}
    d = machine({"M": {"Type": "Map", "MaxConcurrency": conc, "ItemProcessor": proc, "Next": "End"},
                 "End": {"Type": "Pass", "End": True}})
    if fail:
        d["States"]["M"]["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": "End"}]
    ex = execute(d, waits)
    h = ex.history
    assert [e["id"] for e in h] == list(range(1, len(h) + 1))
    assert all(0 <= e["previousEventId"] < e["id"] for e in h)
    assert h[-1]["type"] in ("ExecutionSucceeded", "ExecutionFailed")
    assert ex.history == execute(d, waits).history  # deterministic
