"""Storm-mode memory bounds: what a storm's world keeps bounded, and that table reads page by
page give the same items (representation and equivalence only; the figures are in bench/)."""

from collections import deque

from sim.world import World


def test_a_storm_world_bounds_the_stripe_api_request_log_like_the_logs():
    with World(seed=1, log_limit=3) as w:
        assert isinstance(w.stripe.api.requests, deque) and w.stripe.api.requests.maxlen == 3
        for _ in range(5):
            w.stripe.api.handle("GET", "/v1/events", {"Authorization": "Bearer sk_test_x"})
        assert len(w.stripe.api.requests) == 3
    with World(seed=1) as w:
        assert isinstance(w.stripe.api.requests, list)


def test_table_items_over_many_pages_are_every_item_once_sorted_by_key():
    with World(seed=1, stripe=False) as w:
        ddb, big = w.client("dynamodb"), "x" * 40_000   # ~40 KB items: a scan page holds ~25
        with w.internal():
            for i in range(60):
                ddb.put_item(TableName=w.stack.table("ProcessedWebhooks").name,
                             Item={"eventId": {"S": f"evt_{i:03d}"}, "pad": {"S": big}, "n": {"N": str(i)}})
        items = w.table_items("ProcessedWebhooks")
    assert [i["eventId"] for i in items] == [f"evt_{i:03d}" for i in range(60)]
    assert all(i["n"] == int(i["eventId"][4:]) and i["pad"] == big for i in items)
