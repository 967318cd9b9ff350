"""AWS-call faults moved to the fault plane (`sim.faults`); these names stay importable from here."""

from sim.faults.aws import SERVER_ERRORS, AwsCallFault, LambdaCrash, LambdaTimeoutFault, service_id
from sim.faults.plane import FaultPlane

AwsFault = AwsCallFault
FaultInjector = FaultPlane

__all__ = ["SERVER_ERRORS", "AwsCallFault", "AwsFault", "FaultInjector", "FaultPlane", "LambdaCrash",
           "LambdaTimeoutFault", "service_id"]
