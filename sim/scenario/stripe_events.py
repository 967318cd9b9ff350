"""Which ledger operation produces a given Stripe event type (for `stripe: {emit: <type>, for: …}`)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Emitter:
    op: str                                  # a stripe step operation (pay, fail, refund, …)
    subject_kinds: tuple[str, ...] = ("booking",)
    options: dict = field(default_factory=dict)


_PAY = Emitter("pay")
_FAIL = Emitter("fail")
_REFUND = Emitter("refund")
_DISPUTE = Emitter("dispute")
_ONBOARD = Emitter("onboard", ("provider",))

EMITTERS: dict[str, Emitter] = {
    "payment_intent.created": _PAY,
    "payment_intent.succeeded": _PAY,
    "charge.succeeded": _PAY,
    "charge.updated": _PAY,
    "application_fee.created": _PAY,
    "payment_intent.payment_failed": _FAIL,
    "charge.failed": _FAIL,
    "payment_intent.canceled": Emitter("cancel"),
    "refund.created": _REFUND,
    "charge.refunded": _REFUND,
    "application_fee.refunded": _REFUND,
    "charge.dispute.created": _DISPUTE,
    "charge.dispute.funds_withdrawn": _DISPUTE,
    "charge.dispute.updated": Emitter("close_dispute", options={"outcome": "lost"}),
    "charge.dispute.closed": Emitter("close_dispute", options={"outcome": "lost"}),
    "charge.dispute.funds_reinstated": Emitter("close_dispute", options={"outcome": "won"}),
    "person.created": _ONBOARD,
    "account.updated": _ONBOARD,
    "capability.updated": _ONBOARD,
    "account.external_account.created": _ONBOARD,
    "payout.created": Emitter("payout", ("provider",), {"outcome": "paid"}),
    "payout.paid": Emitter("payout", ("provider",), {"outcome": "paid"}),
    "payout.failed": Emitter("payout", ("provider",), {"outcome": "failed"}),
    "payout.canceled": Emitter("payout", ("provider",), {"outcome": "canceled"}),
    "account.application.deauthorized": Emitter("deauthorize", ("provider",)),
}

# the event a plain operation's `as` names (its "main" event)
PRIMARY = {
    "pay": "payment_intent.succeeded",
    "fail": "payment_intent.payment_failed",
    "cancel": "payment_intent.canceled",
    "refund": "charge.refunded",
    "dispute": "charge.dispute.created",
    "close_dispute": "charge.dispute.closed",
    "onboard": "account.updated",
    "payout": "payout.paid",
}
