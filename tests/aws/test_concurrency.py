"""Deterministic concurrency: interleavings at every boto3 call, chosen by the seed."""

from sim.world import World
from tests.aws import toy_handlers as toy


def run(seed: int, handler) -> tuple[int, list]:
    with World(seed=seed, stripe=False) as w:
        w.add_function("toy", handler)
        tasks = [w.spawn_invoke("toy", {"id": "evt_race"}) for _ in range(3)]
        w.settle()
        results = sorted(t.result().value() for t in tasks)
        effects = w.get_item("Booking", {"id": "effects"})
        order = [
            (r["details"].get("operation"), r["details"].get("function"))
            for r in w.trace.select("aws", "call")
        ]
        return (effects or {}).get("applied", 0), results, order


def test_some_seed_breaks_the_racy_handler():
    applied = {seed: run(seed, toy.racy_once)[0] for seed in range(12)}
    assert any(n > 1 for n in applied.values()), applied
    assert all(n >= 1 for n in applied.values())


def test_no_seed_breaks_the_conditional_put():
    for seed in range(12):
        applied, results, _ = run(seed, toy.conditional_once)
        assert applied == 1
        assert results == ["applied", "duplicate", "duplicate"]


def test_same_seed_same_interleaving():
    assert run(5, toy.racy_once) == run(5, toy.racy_once)
    orders = {tuple(run(seed, toy.racy_once)[2]) for seed in range(8)}
    assert len(orders) > 1
