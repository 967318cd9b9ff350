"""The AWS side of a world: the backend (embedded moto or an endpoint), the declarative stack and
its deploy, the botocore hooks that make every boto3 call a yield point (and may fault or answer
it), the in-process Lambda runtime, EventBridge (PutEvents → rules → targets, the pattern
matcher), Step Functions served by our interpreter, DynamoDB Streams, TTL, AppSync's webhook
ingress and the SDK retry policy for faulted calls. `World` (sim/world.py) wires them."""
