"""A spooled trace keeps only its hash in memory and reads its records back from disk."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from sim.clock import Clock
from sim.trace import Trace, of_components


def _fill(trace):
    for i in range(50):
        trace.record("c", "k" if i % 2 else "other", f"id{i}", n=i, payload="x" * 10)


def test_spooled_and_kept_traces_agree_on_hash_records_and_jsonl(tmp_path):
    kept, spooled = Trace(Clock("2026-03-02T09:00:00Z")), Trace(Clock("2026-03-02T09:00:00Z"), spool=True)
    _fill(kept)
    _fill(spooled)
    assert spooled.hash() == kept.hash() and len(spooled) == len(kept) == 50
    assert list(spooled.records) == kept.records and list(spooled.records) == kept.records  # re-iterable
    assert spooled.select("c", "k") == kept.select("c", "k")
    assert spooled.to_jsonl() == kept.to_jsonl()
    spooled.write(tmp_path / "t.jsonl")
    assert [json.loads(x) for x in (tmp_path / "t.jsonl").read_text().splitlines()] == kept.records
    assert spooled._records == [] and spooled._lines == []
    assert spooled.counts[("c", "k")] == 25


def test_the_spool_file_is_removed_with_the_trace():
    import gc
    import os

    trace = Trace(Clock("2026-03-02T09:00:00Z"), spool=True)
    trace.record("c", "k")
    name = trace._spool.name
    assert os.path.exists(name)
    del trace
    gc.collect()
    assert not os.path.exists(name)


COMPONENTS = ["lambda", "aws", "stripe", "lambda\"x", "λ"]


@given(st.lists(st.tuples(st.sampled_from(COMPONENTS), st.sampled_from(["k", "invoke.start"]),
                          st.sampled_from(["", '"component":"lambda"', {"component": "aws"}, {"component": "lambda"}])),
                max_size=30),
       st.lists(st.sampled_from(COMPONENTS), min_size=1, max_size=2))
@settings(max_examples=60, deadline=None)
def test_records_of_components_read_from_the_spool_are_those_kept(rows, wanted):
    kept, spooled = Trace(Clock("2026-03-02T09:00:00Z")), Trace(Clock("2026-03-02T09:00:00Z"), spool=True)
    for trace in (kept, spooled):
        for component, kind, text in rows:
            trace.record(component, kind, None, text=text)   # details that hold another component's needle
    expected = [r for r in kept.records if r["component"] in wanted]
    assert list(of_components(spooled.records, *wanted)) == expected == list(of_components(kept.records, *wanted))
    spooled.close()
