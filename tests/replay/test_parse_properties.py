"""Property tests for the parser: any valid export parses the same in every shape, and nothing a
user can feed it raises anything but an ExportError (exit 2)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from sim.replay import parse_text
from sim.replay.errors import ExportError

ident = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=12)
types = st.sampled_from(["payment_intent.succeeded", "charge.refunded", "charge.dispute.created",
                         "account.updated", "invoice.paid"])
json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8)
                           | st.floats(allow_nan=False, allow_infinity=False),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                                        max_size=3),
                           max_leaves=8)


@st.composite
def events(draw):
    n = draw(st.integers(min_value=1, max_value=6))
    suffixes = draw(st.lists(ident, min_size=n, max_size=n, unique=True))
    out = []
    for s in suffixes:
        ev = {"id": f"evt_{s}", "object": "event", "type": draw(types),
              "created": draw(st.integers(min_value=0, max_value=2_000_000_000)),
              "data": {"object": {"id": f"obj_{s}", "object": "thing", "extra": draw(json_values)}}}
        if draw(st.booleans()):
            ev["account"] = f"acct_{s}"
        out.append(ev)
    return out


@settings(max_examples=60, deadline=None)
@given(events())
def test_every_shape_parses_to_the_same_sorted_events(evs):
    page = parse_text(json.dumps({"object": "list", "data": evs}), "p.json")
    lines = parse_text("\n".join(json.dumps(e) for e in evs) + "\n", "l.jsonl")
    bundle = parse_text(json.dumps({"events": evs}), "b.json")
    expected = sorted(e["created"] for e in evs)
    for export in (page, lines, bundle):
        assert [r.created for r in export.events] == expected
        assert {r.id for r in export.events} == {e["id"] for e in evs}
    assert [r.id for r in lines.events] == [r.id for r in bundle.events]


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.text(max_size=200), json_values.map(json.dumps),
                 st.lists(json_values, max_size=4).map(lambda v: "\n".join(json.dumps(x) for x in v))))
def test_junk_is_refused_with_an_export_error_only(text):
    try:
        parse_text(text, "junk")
    except ExportError as exc:
        assert str(exc).startswith("junk")


@settings(max_examples=100, deadline=None)
@given(events(), st.data())
def test_a_broken_field_is_always_named(evs, data):
    i = data.draw(st.integers(min_value=0, max_value=len(evs) - 1))
    key = data.draw(st.sampled_from(["id", "type", "created", "data"]))
    evs[i][key] = data.draw(st.sampled_from([None, 3.5, "", [], {"x": 1}]))
    text = "\n".join(json.dumps(e) for e in evs) + "\n"
    try:
        parse_text(text, "e.jsonl")
    except ExportError as exc:
        assert f"e.jsonl:{i + 1}: {key}" in str(exc)
    else:
        raise AssertionError("a broken field was accepted")


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.text(max_size=6), json_values, max_size=4), st.text(max_size=20))
def test_emitted_events_load_back_unchanged(extra, text):
    from sim.replay import build_plan, render_scenario
    from sim.scenario.loader import parse_scenario

    obj = {"id": "pi_1", "object": "payment_intent", "amount": 500, "currency": "usd",
           "metadata": {"bookingId": "bk_1", "note": text}, "extra": extra}
    ev = {"id": "evt_1", "object": "event", "type": "payment_intent.succeeded", "created": 1_771_318_931,
          "account": "acct_1abc", "data": {"object": obj}}
    plan = build_plan(parse_text(json.dumps({"name": text, "events": [ev]}), "e.json"))
    scenario = parse_scenario(render_scenario(plan), "e.yaml")
    imported = next(s.spec["event"] for s in scenario.steps if s.kind == "stripe_import")
    assert imported == ev and scenario.name == (text or "replay of e.json")
