"""Destination charges: a payment intent made on the platform with `transfer_data[destination]`
(and optionally `transfer_data[amount]`, `application_fee_amount`, `on_behalf_of`).

When it succeeds the platform's charge carries `transfer`, `transfer_data` and `transfer_group`
(`group_<pi>`); the platform transfers `transfer_data[amount]`, else the amount less the
application fee, to the destination: a `tr_` transfer (`transfer.created` on the platform, a
`transfer` balance transaction of minus that amount) and a `payment` balance transaction of the
same amount on the connected account (its `destination_payment` `py_` id; the payment object
itself is not modelled). The platform keeps the fee by transferring less: no application_fee
object is created for a destination charge, and refunds do not reverse the transfer.
"""

from __future__ import annotations

from sim.stripe import errors, params

AVAILABLE_AFTER_S = 2 * 86400


class TransferFlows:
    def _destination(self, transfer_data, amount: int, owner: str, fee: int | None) -> dict | None:
        """The payment intent's `transfer_data`, validated (None without one)."""
        if transfer_data is None:
            return None
        if not isinstance(transfer_data, dict) or "destination" not in transfer_data:
            raise errors.required("transfer_data[destination]")
        unknown = set(transfer_data) - {"destination", "amount"}
        if unknown:
            raise errors.unknown_param(f"transfer_data[{sorted(unknown)[0]}]")
        if owner != self.platform_id:
            raise errors.invalid("transfer_data", "Destination charges (`transfer_data[destination]`) are made on "
                                                  "the platform: do not send the Stripe-Account header.")
        dest = self._account_id(transfer_data["destination"], allow_platform=False,
                                param="transfer_data[destination]")
        if self._objects[dest]["capabilities"].get("transfers") != "active":
            raise errors.invalid("transfer_data[destination]",
                                 "Your destination account needs to have at least one of the following capabilities "
                                 "enabled: transfers, crypto_transfers, legacy_payments")
        out = {"destination": dest}
        if transfer_data.get("amount") is not None:
            out["amount"] = params.integer("transfer_data[amount]", transfer_data["amount"], minimum=1)
            if out["amount"] > amount:
                raise errors.invalid("transfer_data[amount]", "The transfer amount cannot be greater than the amount "
                                                              "of the payment.")
            if fee is not None:
                raise errors.invalid("application_fee_amount", "You may only specify one of these parameters: "
                                                               "application_fee_amount, transfer_data[amount].")
        return out

    def _transfer_ids(self, pi: dict, charge: dict, now: int) -> None:
        """Name the charge's transfer (and application fee) before it is announced (charge.succeeded
        carries them)."""
        charge["transfer_data"] = {"amount": pi["transfer_data"].get("amount"),
                                   "destination": pi["transfer_data"]["destination"]}
        charge["transfer_group"] = pi["transfer_group"] or f"group_{pi['id']}"
        charge["transfer"] = self.ids.new("tr", now, self.platform_id)
        if pi["application_fee_amount"]:
            charge["application_fee"] = self.ids.new("fee", now, self.platform_id)

    def _transfer(self, pi: dict, charge: dict, result, request: dict, now: int) -> None:
        """The transfer of a succeeded destination charge, the `py_` payment it creates on the
        destination (with its balance transaction, net of the application fee), transfer.created,
        and the application fee taken back from that payment (application_fee.created)."""
        dest, currency = pi["transfer_data"]["destination"], pi["currency"]
        amount = pi["transfer_data"].get("amount") or pi["amount"]
        fee_amount = pi["application_fee_amount"] or 0
        py_id = self.ids.new("py", now, dest)
        tr = self.factory.transfer(charge["transfer"], now, amount=amount, currency=currency, destination=dest,
                                   destination_payment=py_id, source_transaction=charge["id"],
                                   balance_transaction=None, transfer_group=charge["transfer_group"])
        out = self.factory.balance_transaction(now, self.platform_id, amount=-amount, currency=currency,
                                               type="transfer", reporting_category="transfer", source=tr["id"])
        self._put(out, self.platform_id)
        tr["balance_transaction"] = out["id"]
        details = [{"amount": fee_amount, "application": self.application["id"], "currency": currency,
                    "description": "Application fee", "type": "application_fee"}] if fee_amount else []
        incoming = self.factory.balance_transaction(now, dest, amount=amount, currency=currency, type="payment",
                                                    reporting_category="charge", source=py_id, fee_details=details,
                                                    available_on=now + AVAILABLE_AFTER_S)
        self._put(incoming, dest)
        payment = self.factory.destination_payment(py_id, now, amount=amount, currency=currency, transfer=tr["id"],
                                                   application=self.application["id"],
                                                   balance_transaction=incoming["id"],
                                                   application_fee=charge["application_fee"],
                                                   fee_amount=fee_amount or None)
        self._put(payment, dest)
        self._put(tr, self.platform_id)
        self._emit("transfer.created", tr, account=self.platform_id, request=request, result=result)
        result.objects.update(transfer=tr, destination_payment=payment)
        if fee_amount:
            fee = self.factory.application_fee(now, self.platform_id, account=dest, amount=fee_amount,
                                               currency=currency, charge=py_id, application=self.application["id"],
                                               balance_transaction=None, fee_id=charge["application_fee"],
                                               originating_transaction=charge["id"])
            self._take_fee(fee, result, request, now)

    def _reverse_transfer(self, charge: dict, refund: dict, refunded: int, result, request: dict, now: int) -> None:
        """`reverse_transfer=true` on a destination charge's refund: the transfer is reversed in
        proportion to the refund (what is left of it once the charge is fully refunded): a `trr_`
        reversal (transfer_refund on the platform), a `pyr_` refund of the `py_` payment (payment_refund
        debiting the connected account), then transfer.reversed."""
        tr = self._objects[charge["transfer"]]
        left = tr["amount"] - tr["amount_reversed"]
        share = left if refunded == charge["amount"] else min(left, tr["amount"] * refund["amount"] // charge["amount"])
        if share <= 0:
            return
        dest, currency = tr["destination"], tr["currency"]
        payment = self._objects[tr["destination_payment"]]
        back = self.factory.balance_transaction(now, dest, amount=-share, currency=currency, type="payment_refund",
                                                reporting_category="refund", source="",
                                                description="REFUND FOR PAYMENT")
        pyr = self.factory.refund(now, dest, amount=share, charge=payment, reason=refund["reason"], metadata=None,
                                  status="succeeded", balance_transaction=back["id"], prefix="pyr")
        back["source"] = pyr["id"]
        self._put(back, dest)
        self._put(pyr, dest)
        plst = payment["refunds"]
        paid_back = payment["amount_refunded"] + share
        self._update(payment["id"], amount_refunded=paid_back, refunded=paid_back == payment["amount"],
                     refunds={**plst, "data": [pyr, *plst["data"]], "total_count": plst["total_count"] + 1})
        txn = self.factory.balance_transaction(now, self.platform_id, amount=share, currency=currency,
                                               type="transfer_refund", reporting_category="transfer_reversal",
                                               source=refund["transfer_reversal"])
        self._put(txn, self.platform_id)
        trr = self.factory.transfer_reversal(now, self.platform_id, transfer=tr["id"], amount=share, currency=currency,
                                             balance_transaction=txn["id"], source_refund=refund["id"],
                                             destination_payment_refund=pyr["id"], trr_id=refund["transfer_reversal"])
        self._put(trr, self.platform_id)
        rlst = tr["reversals"]
        reversed_total = tr["amount_reversed"] + share
        tr, prev = self._update(tr["id"], amount_reversed=reversed_total, reversed=reversed_total == tr["amount"],
                                reversals={**rlst, "data": [trr, *rlst["data"]], "total_count": rlst["total_count"] + 1})
        self._emit("transfer.reversed", tr, account=self.platform_id, previous=prev, request=request, result=result)
        result.objects.update(transfer=tr, transfer_reversal=trr, destination_payment_refund=pyr)
