"""Step Functions for a world: our ASL interpreter behind the Step Functions API
(sim.asl.service), its Lambda tasks run by the in-process Lambda runtime, its other service
integrations calling the backend through boto3, and its Task states mockable by fault-plane
task faults (sim.faults.tasks).
"""

from __future__ import annotations

import json
from typing import Any


def make_service(*, lambdas, client_factory, faults, trace, scheduler, rng, account: str, region: str):
    """A StepFunctionsService (sim.asl.service) wired to the pieces it calls."""
    from sim.asl.integrations import Integrations
    from sim.asl.service import StepFunctionsService
    from sim.faults.tasks import task_seam

    def invoke_lambda(function: str, payload: Any, invocation_type: str):
        from sim.asl.errors import StatesError
        from sim.asl.integrations import FunctionNotFound

        name = str(function).rsplit(":function:", 1)[-1].split(":", 1)[0]
        try:
            lambdas.function(name)
        except Exception:  # noqa: BLE001
            raise FunctionNotFound(function) from None
        if invocation_type == "Event":
            lambdas.spawn(name, payload)
            return 202, None, None, "$LATEST"
        inv = lambdas.invoke_detailed(name, payload)
        if inv.status == "throttled":
            raise StatesError("Lambda.TooManyRequestsException",
                              "Rate Exceeded. (Service: Lambda, Status Code: 429)")
        if inv.error is not None:
            return 200, json.dumps(inv.error), "Unhandled", "$LATEST"
        return 200, json.dumps(inv.result), None, "$LATEST"

    integrations = Integrations(invoke_lambda=invoke_lambda, client_factory=client_factory,
                                region=region, account=account)
    integrations.intercept = task_seam(faults, trace)  # mocked Task states
    return StepFunctionsService(scheduler, integrations, account=account, region=region, rng=rng)
