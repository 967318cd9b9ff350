"""Which calls the embedded fast path answers, and with which moto account and region.

`FastPath(enabled).answer(call)` is called by the world last, after faults, telemetry, recording
and its own services (Step Functions, PutEvents, Lambda) have had the call: it returns
`(http, parsed)` for a call it answers, None for everything else (which then takes botocore's
HTTP path into moto as before). Only the embedded backend has a fast path.
"""

from __future__ import annotations

import os

from sim.aws.fastpath import dynamodb


class FastPath:
    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.answered = 0

    def answer(self, call):
        if not self.enabled or call.service != "dynamodb" or not dynamodb.handles(call.operation):
            return None
        model, signer = call.context.get("sim_model"), call.context.get("sim_signer")
        if model is None or signer is None:
            return None
        self.answered += 1
        return dynamodb.answer(model, call.params, _account(signer), signer._region_name)


def _account(signer) -> str:
    """The account moto would derive for this client (MOTO_ACCOUNT_ID, else its access key)."""
    if "MOTO_ACCOUNT_ID" in os.environ:
        return os.environ["MOTO_ACCOUNT_ID"]
    from moto.iam.models import get_account_id_from

    credentials = signer._credentials
    access_key = credentials.get_frozen_credentials().access_key if credentials is not None else None
    return get_account_id_from(access_key or "")
