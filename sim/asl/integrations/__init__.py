"""Service integrations by resource ARN: a registry the World fills, one module per integration.

``Integrations(invoke_lambda=…, client_factory=…)`` (registry.py):
  * ``invoke_lambda(function, payload, invocation_type) -> (status, payload, function_error, version)``
    serves ``arn:aws:states:::lambda:invoke`` and plain function ARNs (lambda_invoke.py); it raises
    ``FunctionNotFound`` for a function that does not exist.
  * ``client_factory(service) -> boto3 client`` serves events:putEvents (events.py), dynamodb:*
    (dynamodb.py), sns:publish (sns.py), sqs:sendMessage (sqs.py), s3 (s3.py; Distributed Map reads
    and writes S3 itself) and ``aws-sdk:<service>:<action>`` (aws_sdk.py), sharing sdk.py.
  * ``states:startExecution`` (plain, ``.sync``, ``.sync:2``; states_start.py) needs
    ``start_execution`` — set by StepFunctionsService — and ``.waitForTaskToken`` parks on
    ``tokens`` (tokens.py) until SendTaskSuccess/Failure (or HeartbeatSeconds pass without a
    heartbeat); activity resources wait for a worker (activity.py).
  * ``register(resource_arn_or_pattern, fn)`` adds or overrides an adapter: ``fn(call: TaskCall) -> result``.
  * ``intercept`` (a seam for the harness: mocked tasks) is asked first; it answers the task's
    result, or ``NOT_INTERCEPTED`` to let the call through.

Without an adapter a task fails States.TaskFailed naming the resource; a Lambda task without an
``invoke_lambda`` fails Lambda.ResourceNotFoundException as AWS does for a missing function.
"""

from __future__ import annotations

from sim.asl.integrations.calls import TaskCall
from sim.asl.integrations.lambda_invoke import FunctionNotFound, function_not_found, lambda_metadata
from sim.asl.integrations.registry import BUILTINS, NOT_INTERCEPTED, Integrations
from sim.asl.integrations.resources import ParsedResource, parse_resource
from sim.asl.integrations.sdk import camel_to_snake, java_sdk_cause, sdk_metadata
from sim.asl.integrations.tokens import TaskTokens

__all__ = ["BUILTINS", "NOT_INTERCEPTED", "FunctionNotFound", "Integrations", "ParsedResource", "TaskCall", "TaskTokens",
           "camel_to_snake", "function_not_found", "java_sdk_cause", "lambda_metadata", "parse_resource",
           "sdk_metadata"]
