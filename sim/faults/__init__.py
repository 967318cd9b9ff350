"""The fault plane: every fault the harness can inject, as typed specs in one registry.

| spec (module)                      | KIND                   | scenario kind          | consulted by            |
|------------------------------------|------------------------|------------------------|-------------------------|
| `DeliveryFault` (delivery)         | stripe.delivery        | drop, duplicate, …     | the Stripe channel      |
| `AwsCallFault` (aws)               | aws.call               | aws                    | the botocore-hook observer |
| `LambdaTimeoutFault` (aws)         | aws.call               | lambda (timeout)       | the botocore-hook observer |
| `LambdaFault` (lambdas)            | lambda.invoke          | lambda (throttle/error)| the Lambda runtime      |
| `PutEventsFault` (putevents)       | eventbridge.putevents  | putevents              | the EventBridge router  |
| `TaskMock` (tasks)                 | sfn.task               | task                   | the interpreter's task seam |
| `StripeApiFault` (stripe_api)      | stripe.api             | stripe_api             | the fake Stripe API     |

`FaultPlane` (plane.py) is the registry: `add(spec)`, `match(KIND, …)`, `count(kind)`,
`clear(kinds)`; a world has one (`world.faults`) and hands it to each consumer. `draw(kind, rng,
rate)` (draw.py) makes specs from a seed for `sim storm` and `sim explore`. Each spec's
`to_scenario()` is its entry in a scenario's `faults:` list (None when the language has no form).
"""

from sim.faults.aws import AwsCallFault, LambdaCrash, LambdaTimeoutFault, service_id
from sim.faults.delivery import DeliveryFault
from sim.faults.draw import DRAW_KINDS, DrawTargets, draw
from sim.faults.lambdas import LambdaFault
from sim.faults.plane import FaultPlane, FaultSpec
from sim.faults.putevents import PutEventsFault
from sim.faults.stripe_api import StripeApiFault
from sim.faults.tasks import TaskMock

__all__ = ["DRAW_KINDS", "AwsCallFault", "DeliveryFault", "DrawTargets", "FaultPlane", "FaultSpec", "LambdaCrash",
           "LambdaFault", "LambdaTimeoutFault", "PutEventsFault", "StripeApiFault", "TaskMock", "draw",
           "service_id"]
