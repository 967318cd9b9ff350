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
        """Name the charge's transfer before it is announced (charge.succeeded carries it)."""
        charge["transfer_data"] = {"amount": pi["transfer_data"].get("amount"),
                                   "destination": pi["transfer_data"]["destination"]}
        charge["transfer_group"] = pi["transfer_group"] or f"group_{pi['id']}"
        charge["transfer"] = self.ids.new("tr", now, self.platform_id)

    def _transfer(self, pi: dict, charge: dict, result, request: dict, now: int) -> None:
        """The transfer of a succeeded destination charge, its balance transactions and transfer.created."""
        dest = pi["transfer_data"]["destination"]
        amount = pi["transfer_data"].get("amount") or pi["amount"] - (pi["application_fee_amount"] or 0)
        tr = self.factory.transfer(charge["transfer"], now, amount=amount, currency=pi["currency"], destination=dest,
                                   destination_payment=self.ids.new("py", now, dest), source_transaction=charge["id"],
                                   balance_transaction=None, transfer_group=charge["transfer_group"])
        out = self.factory.balance_transaction(now, self.platform_id, amount=-amount, currency=pi["currency"],
                                               type="transfer", reporting_category="transfer", source=tr["id"])
        self._put(out, self.platform_id)
        tr["balance_transaction"] = out["id"]
        incoming = self.factory.balance_transaction(now, dest, amount=amount, currency=pi["currency"], type="payment",
                                                    reporting_category="charge", source=tr["destination_payment"],
                                                    available_on=now + AVAILABLE_AFTER_S)
        self._put(incoming, dest)
        self._put(tr, self.platform_id)
        self._emit("transfer.created", tr, account=self.platform_id, request=request, result=result)
        result.objects["transfer"] = tr
