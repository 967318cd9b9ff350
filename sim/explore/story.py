"""The story generator: a hypothesis strategy that draws one scenario document.

`scenario_strategy(seed, kinds)` draws a dict in the scenario format (what `sim run` loads): a small
world (1–3 customers, 1–2 providers with a service each), 1–4 booking flows (pay, fail, fail then
pay, cancel before payment, the payment intent canceled, cancel after payment with a refund,
partial and full refunds, disputes won and lost, a dispute opened then closed), provider flows
(payouts paid, failed, paid-then-failed, canceled, each a drawn share of what the provider's
balance allows; onboarding enabled or rejected), messages; the
flows interleaved in a drawn order with drawn pauses; then a drawn subset of `kinds` (swarm
testing) each with drawn counts and targets; and the fixed ending: past Stripe's retry window, the
02:00 reconciliation, half an hour more.

Every draw is chosen so that hypothesis' shrinker moves toward the simpler story: lists shrink to
fewer flows and faults, `sampled_from` toward its first (simplest) entry, integers toward their
minimum (fewest copies, smallest counts and amounts), the interleaving toward "one flow after the
other". Whatever the draw, the compiled document is valid: every step refers only to what earlier
steps defined.
"""

from __future__ import annotations

from hypothesis import strategies as st

from sim.explore.kinds import aws_fault_options

BOOKING_FLOWS = ("pay", "fail", "fail_then_pay", "cancel_unpaid", "cancel_intent", "cancel_paid",
                 "refund_partial", "refund_full", "dispute", "dispute_then_close", "message")
# the `strangers` kind (issue 16): someone with no claim on a paid booking tries to act on it; the step
# takes either answer (expect_error "*") and the writes-authorized invariant judges what it changed
STRANGER_FLOWS = ("stranger_cancel", "stranger_refund", "stranger_dispute", "stranger_status")
PROVIDER_FLOWS = ("payout", "onboard")
PAUSES = (None, "30s", "5m", "1h", "4h")
ENDING = [{"advance": "4h"}, {"until": "02:00"}, {"advance": "30m"}]
# bookings and cancels take either answer: one the marketplace refuses (Stripe down when booking-processor
# sets the payment up, PutEvents failing the cancel's publish) is part of the story, not its end; the
# steps that need a refused booking are skipped and the oracle judges the rest (docs/explore.md)
ANY = "*"

EVENT_TYPES = (None, "payment_intent.*", "charge.*", "payment_intent.succeeded", "charge.refunded",
               "charge.dispute.*", "payout.*", "account.updated")
# functions a step calls synchronously (booking-processor, refund-processor, messaging-handler) get no
# AWS faults: an injected error there tests the fault, not the marketplace (Stripe faults reach them)
# (a name repeated is drawn more often: stripe-webhook is where the exactly-once machinery lives)
AWS_FUNCTIONS = ("stripe-webhook", "stripe-webhook", "stripe-webhook", "webhook-reconciliation", "notification-handler", "webhook-authorizer",
                 "payout-manager", "stripe-connect")
AWS_CALLS = ("dynamodb.*", "dynamodb.UpdateItem", "dynamodb.PutItem", "dynamodb.GetItem", "dynamodb.TransactWriteItems",
             "dynamodb.Query", "events.PutEvents")
AWS_TABLES = (None, "ProcessedWebhooks", "Booking", "Refund", "Payout", "Dispute", "UserProfile")
THROTTLES = ("ProvisionedThroughputExceededException", "ThrottlingException")
ERRORS = ("InternalServerError", "ServiceUnavailable", "ConditionalCheckFailedException")
LAMBDA_FUNCTIONS = ("stripe-webhook", "webhook-reconciliation", "notification-handler", "webhook-authorizer")
MANY = (1, 2, 4, 16, 64)  # AWS errors: a few (SDK retries absorb them) up to outlasting Stripe's retries
DETAIL_TYPES = (None, "Booking Confirmed", "Booking Cancelled", "Payment Failed", "Refund Processed")


def _times():
    return st.integers(1, 4)


def _booking_flow(draw, i: int, customers: int, providers: int) -> list[dict]:
    b = f"b{i}"
    kind = draw(st.sampled_from(BOOKING_FLOWS))
    customer = draw(st.integers(0, customers - 1))
    service = draw(st.integers(0, providers - 1))
    amount = draw(st.integers(100, 99_999))
    book = {"book": {"id": b, "customer": customer, "service": service, "amount": amount, "expect_error": ANY}}
    pay = {"stripe": {"pay": b}}
    cancel = {"cancel": {"booking": b, "expect_error": ANY}}
    if kind == "pay":
        return [book, pay]
    if kind == "fail":
        return [book, {"stripe": {"fail": b}}]
    if kind == "fail_then_pay":
        return [book, {"stripe": {"fail": b}}, pay]
    if kind == "cancel_unpaid":
        return [book, cancel]
    if kind == "cancel_intent":
        return [book, {"stripe": {"cancel": b}}]
    if kind == "cancel_paid":
        # the cancel refunds a paid booking by itself (Booking Refund Required → refund-processor), so
        # the provider's refund after it is a probe racing that refund: ConflictError once the booking
        # is refunded, a refund while it is not yet; either answer (the oracle judges the money)
        return [book, pay, {"advance": "5m"}, cancel,
                {"appsync": {"field": "processRefund", "identity": f"p{service}", "expect_error": "*",
                             "arguments": {"bookingId": "{{" + b + "}}", "reason": "requested_by_customer"}}}]
    if kind == "refund_partial":
        percent = draw(st.integers(1, 99))
        return [book, pay, {"stripe": {"refund": b, "amount": max(1, amount * percent // 100)}}]
    if kind == "refund_full":
        return [book, pay, {"stripe": {"refund": b}}]
    if kind == "dispute":
        return [book, pay, {"stripe": {"dispute": b, "outcome": draw(st.sampled_from(("won", "lost")))}}]
    if kind == "dispute_then_close":
        return [book, pay, {"stripe": {"dispute": b}},
                {"stripe": {"close_dispute": b, "outcome": draw(st.sampled_from(("won", "lost")))}}]
    # message: the customer writes to the provider about the booking
    return [book, {"appsync": {"field": "sendMessage", "identity": f"c{customer}",
                               "arguments": {"bookingId": "{{" + b + "}}", "content": "See you then"}}}]


def _stranger_flow(draw, i: int, customers: int, providers: int) -> list[dict]:
    b = f"x{i}"
    customer = draw(st.integers(0, customers - 1))
    service = draw(st.integers(0, providers - 1))
    book = {"book": {"id": b, "customer": customer, "service": service, "amount": draw(st.integers(100, 99_999)),
                     "expect_error": ANY}}
    kind = draw(st.sampled_from(STRANGER_FLOWS))
    return [book, {"stripe": {"pay": b}}, _stranger_call(draw, kind, b, customer, service, customers, providers)]


def _stranger_call(draw, kind: str, b: str, customer: int, service: int, customers: int, providers: int) -> dict:
    strangers = [f"c{c}" for c in range(customers) if c != customer]
    strangers += [f"p{p}" for p in range(providers) if p != service] + ["none", "api_key"]
    who = draw(st.sampled_from(strangers))
    ref = "{{" + b + "}}"
    if kind == "stranger_refund":
        call = {"field": "processRefund", "arguments": {"bookingId": ref, "reason": "requested_by_customer"}}
    elif kind == "stranger_cancel":
        call = {"field": "startWorkflow",
                "arguments": {"workflowType": "BOOKING", "input": '{"action": "CANCEL", "bookingId": "' + ref + '"}'}}
    elif kind == "stranger_dispute":
        call = {"field": "startWorkflow",
                "arguments": {"workflowType": "DISPUTE",
                              "input": '{"bookingId": "' + ref + '", "disputeType": "REFUND_REQUEST", "reason": "x"}'}}
    else:
        call = {"field": "processBooking", "arguments": {"action": "cancel", "bookingId": ref}}
    return {"appsync": {**call, "identity": who, "expect_error": "*"}}


def _provider_flow(draw, i: int, providers: int) -> list[dict]:
    kind = draw(st.sampled_from(PROVIDER_FLOWS))
    if kind == "payout":
        outcome = draw(st.sampled_from(("paid", "failed", "paid_then_failed", "canceled")))
        # a share of what the balance allows (Stripe refuses more: balance_insufficient would cut the story short)
        return [{"stripe": {"payout": draw(st.integers(0, providers - 1)), "share": draw(st.integers(1, 100)),
                            "outcome": outcome}}]
    alias = f"n{i}"
    outcome = draw(st.sampled_from(("enabled", "rejected")))
    return [{"provider": {"as": alias, "onboard": "none"}}, {"stripe": {"onboard": alias, "outcome": outcome}}]


def _with_type(draw, spec: dict) -> dict:
    kind = draw(st.sampled_from(EVENT_TYPES))
    if kind:
        spec["type"] = kind
    return spec


def _fault(draw, kind: str) -> dict:
    """One fault of `kind` (a top-level `faults:` entry)."""
    if kind == "drop":
        return {"drop": _with_type(draw, {"times": draw(_times())})}
    if kind == "duplicate":
        return {"duplicate": _with_type(draw, {"copies": draw(st.integers(2, 4)),
                                               "concurrent": draw(st.booleans()), "times": draw(_times())})}
    if kind == "delay":
        return {"delay": _with_type(draw, {"by": draw(st.sampled_from(("1m", "30m", "2h", "5h"))),
                                           "times": draw(_times())})}
    if kind == "reorder":
        return {"reorder": {"window": draw(st.sampled_from(("1m", "10m", "1h")))}}
    if kind == "endpoint_down":
        return {"endpoint_down": {"for": draw(st.sampled_from(("5m", "1h", "3h", "8h")))}}
    if kind in ("bad_signature", "stale_timestamp", "future_timestamp"):
        return {kind: _with_type(draw, {"times": draw(_times())})}
    if kind.startswith("aws_"):
        spec: dict = {"call": draw(st.sampled_from(AWS_CALLS)), "function": draw(st.sampled_from(AWS_FUNCTIONS))}
        table = draw(st.sampled_from(AWS_TABLES))
        if table and spec["call"].startswith("dynamodb."):
            spec["table"] = table
        if kind == "aws_throttle":
            spec.update(error=draw(st.sampled_from(THROTTLES)), times=draw(st.sampled_from(MANY)))
        elif kind == "aws_error":
            spec.update(error=draw(st.sampled_from(ERRORS)), times=draw(st.sampled_from(MANY)))
        elif kind == "aws_latency":
            spec.update(latency=draw(st.sampled_from(("2s", "20s", "70s"))), times=draw(_times()))
        else:
            spec.update(crash_after=True, times=1)
        if kind in ("aws_crash", "aws_error") and "after" in aws_fault_options():
            after = draw(st.integers(0, 6))
            if after:
                spec["after"] = after
        return {"aws": spec}
    if kind.startswith("lambda_"):
        spec = {"function": draw(st.sampled_from(LAMBDA_FUNCTIONS)), "times": draw(_times())}
        mode = kind.removeprefix("lambda_")
        spec[mode] = "RuntimeError" if mode == "error" else True
        return {"lambda": spec}
    if kind == "putevents":
        spec = {"times": draw(_times())}
        detail = draw(st.sampled_from(DETAIL_TYPES))
        if detail:
            spec["detail_type"] = detail
        return {"putevents": spec}
    if kind == "stripe_api":
        spec = {"status": draw(st.sampled_from((429, 500, 503, "timeout"))),
                "path": draw(st.sampled_from(("*", "/v1/events*", "/v1/refunds*", "/v1/payouts*", "/v1/balance*")))}
        if spec["status"] == "timeout" and draw(st.booleans()):
            spec["applied"] = True  # Stripe did it; only the answer was lost
        if draw(st.booleans()):
            spec["for"] = draw(st.sampled_from(("5m", "1h", "6h")))
        else:
            spec["times"] = draw(_times())
        return {"stripe_api": spec}
    raise ValueError(f"no generator for fault kind {kind}")


def _merge(draw, flows: list[list[dict]]) -> list[dict]:
    """Interleave the flows (each keeps its own order); pauses between steps."""
    queues = [list(f) for f in flows if f]
    out: list[dict] = []
    while queues:
        k = draw(st.integers(0, len(queues) - 1)) if len(queues) > 1 else 0
        out.append(queues[k].pop(0))
        if not queues[k]:
            queues.pop(k)
        pause = draw(st.sampled_from(PAUSES))
        if pause:
            out.append({"advance": pause})
    return out


def scenario_strategy(seed: int, kinds: tuple[str, ...]) -> st.SearchStrategy[dict]:
    """Stories for one run: `seed` is the scenario's own seed (the world's interleaving and data),
    fixed for the run so that shrinking changes the story, not the dice."""

    @st.composite
    def story(draw) -> dict:
        customers = draw(st.integers(1, 3))
        providers = draw(st.integers(1, 2))
        n_bookings = draw(st.integers(1, 4))
        flows = [_booking_flow(draw, i, customers, providers) for i in range(n_bookings)]
        flows += [_provider_flow(draw, i, providers) for i in range(draw(st.integers(0, 2)))]
        enabled = draw(st.lists(st.sampled_from(kinds), unique=True, max_size=len(kinds))) if kinds else []
        faults = []
        for kind in sorted(enabled, key=kinds.index):
            if kind == "strangers":
                flows += [_stranger_flow(draw, j, customers, providers) for j in range(draw(st.integers(1, 2)))]
                continue
            if kind == "rotate_secret":
                flows.append([{"rotate_secret": {"grace": draw(st.sampled_from(("0s", "1h", "24h"))),
                                                 "deploy": draw(st.booleans())}}])
                continue
            for _ in range(draw(st.integers(1, 2))):
                faults.append(_fault(draw, kind))
        steps = _merge(draw, flows)
        doc = {"name": f"explored story (seed {seed})", "tags": ["explore"], "seed": seed,
               "world": {"customers": customers, "providers": providers, "services": providers}}
        if faults:
            doc["faults"] = faults
        doc["steps"] = steps + [dict(s) for s in ENDING]
        doc["x_kinds"] = sorted(enabled, key=kinds.index)
        return doc

    return story()


def fault_kinds_of(doc: dict) -> list[str]:
    return list(doc.get("x_kinds") or [])


def document(doc: dict) -> dict:
    """The scenario document without the generator's bookkeeping keys."""
    return {k: v for k, v in doc.items() if not k.startswith("x_")}
