"""Deliberately broken handlers (mutants): the proof that the search finds what it should.

`active(name)` is a context manager that patches the handler modules in this process for the
duration (the explore workers enter it around every world they play; handlers/ itself is never
edited). Each mutant is a small, realistic slip:

- `fee-rounding`: the provider's earnings are rounded down on their own instead of being the
  amount minus the (half-up) fee — a cent goes missing whenever 8 % of the amount is fractional.
- `precedence-inverted`: a failed payment outranks a succeeded one, so "failure, then success"
  (a declined card, then a good one) leaves the booking failed.
- `reconciliation-skips-failed`: the 02:00 reconciliation retries only missed and stale
  PROCESSING events, never FAILED records (nor counts them as unsettled: the run passes).
- `lock-timeout-short`: the webhook lock expires after 15 s, less than stripe-webhook's 60 s
  Lambda timeout, so a slow holder can be taken over while it still runs.
- `dedup-no-conditional-create`: the ProcessedWebhooks record is created without its
  `attribute_not_exists` condition, so two concurrent deliveries both acquire the lock.
- `refund-without-dedup`: charge.refunded records each refund under a key of its own per event
  (the refund id and the event id), so one Stripe refund is recorded more than once.
"""

from __future__ import annotations

import contextlib
import importlib
import pkgutil
import sys
from collections.abc import Callable, Iterator
from decimal import ROUND_FLOOR, Decimal
from unittest import mock


def _load_handlers() -> None:
    import handlers

    for info in pkgutil.walk_packages(handlers.__path__, "handlers."):
        importlib.import_module(info.name)


@contextlib.contextmanager
def _everywhere(module: str, name: str, replacement) -> Iterator[None]:
    """Replace `module.name` and every `from module import name` binding in handlers.*."""
    _load_handlers()
    original = getattr(importlib.import_module(module), name)
    with contextlib.ExitStack() as stack:
        for mod_name, mod in list(sys.modules.items()):
            if (mod_name == "handlers" or mod_name.startswith("handlers.")) and getattr(mod, name, None) is original:
                stack.enter_context(mock.patch.object(mod, name, replacement))
        yield


# -- the mutants ---------------------------------------------------------------------------------
def _fee_rounding():
    from handlers.common import money

    def split(amount, percent=None):
        fee = money.platform_fee(amount, percent)
        pct = money._percent(percent)
        earnings = int((Decimal(int(amount)) * (100 - pct) / 100).quantize(Decimal(1), rounding=ROUND_FLOOR))
        return money.FeeSplit(int(amount), fee, earnings)

    return _everywhere("handlers.common.money", "split", split)


def _precedence_inverted():
    from handlers.common import precedence

    return mock.patch.dict(precedence.PAYMENT_RANK, {"failed": 3, "succeeded": 1})


def _reconciliation_skips_failed():
    import handlers.webhook_reconciliation as rec
    from handlers.common.dedup import FAILED

    def retryable(self, record):
        if record.get("status") == FAILED:
            return False
        stale = int(record.get("processingStartedAt") or 0) < (self.now - rec.lock_timeout_seconds()) * 1000
        return record.get("status") == rec.PROCESSING and stale

    class Repo(rec.ProcessedWebhooksRepository):
        def by_status(self, status, *args, **kwargs):
            return [] if status == FAILED else super().by_status(status, *args, **kwargs)

    real_unsettled = rec.Reconciliation.unsettled

    def unsettled(self):
        return [eid for eid in real_unsettled(self) if (self.dedup.check(eid) or {}).get("status") != FAILED]

    stack = contextlib.ExitStack()
    stack.enter_context(mock.patch.object(rec.Reconciliation, "_retryable", retryable))
    stack.enter_context(mock.patch.object(rec.Reconciliation, "unsettled", unsettled))
    stack.enter_context(mock.patch.object(rec, "ProcessedWebhooksRepository", Repo))
    return stack


def _lock_timeout_short():
    return _everywhere("handlers.common.config", "lock_timeout_seconds", lambda: 15)


def _dedup_no_conditional_create():
    from handlers.common.repositories.processed_webhooks import ProcessedWebhooksRepository

    def create(self, item):
        self.put(item)
        return True

    return mock.patch.object(ProcessedWebhooksRepository, "create", create)


def _refund_without_dedup():
    from handlers.common import stripe_events as se

    def refund_step(run, refund, booking_id, pi_id):
        status = refund.get("status") if refund.get("status") in se.REFUND_RANK else "pending"
        fact = se.RecordFact(run.id, run.at, status, se.REFUND_RANK[status], fields=(
            ("bookingId", booking_id), ("chargeId", se.object_id(refund.get("charge"))), ("paymentIntentId", pi_id),
            ("amount", se._int(refund.get("amount"))), ("currency", refund.get("currency"))))
        key = f"{refund['id']}:{run.id}"
        run.apply(f"refund:{key}", se.RefundRepository(), key, lambda old: se.reduce_record(old, fact),
                  se.RECORD_WATCH, se.RECORD_VIEW, create=True)

    return mock.patch.object(se, "_refund_step", refund_step)


MUTANTS: dict[str, Callable[[], contextlib.AbstractContextManager]] = {
    "fee-rounding": _fee_rounding,
    "precedence-inverted": _precedence_inverted,
    "reconciliation-skips-failed": _reconciliation_skips_failed,
    "lock-timeout-short": _lock_timeout_short,
    "dedup-no-conditional-create": _dedup_no_conditional_create,
    "refund-without-dedup": _refund_without_dedup,
}


@contextlib.contextmanager
def active(name: str | None) -> Iterator[None]:
    """Patch the handlers with mutant `name` (None: the real handlers) while the block runs."""
    if not name:
        yield
        return
    if name not in MUTANTS:
        raise KeyError(f"unknown mutant {name!r}; mutants are {', '.join(MUTANTS)}")
    with MUTANTS[name]():
        yield
