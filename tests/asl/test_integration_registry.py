"""The built-in integrations sit behind the same register() seam a user calls."""

from __future__ import annotations

from sim.asl import execute
from sim.asl.integrations import BUILTINS, Integrations, parse_resource
from tests.asl.helpers import machine


def test_every_builtin_is_a_module_that_registers_itself():
    integ = Integrations()
    for module in BUILTINS:
        assert callable(module.register) and module.__doc__
    cases = {"arn:aws:states:::lambda:invoke": "lambda_invoke", "arn:aws:lambda:us-east-1:1:function:f": "lambda_invoke",
             "arn:aws:states:::dynamodb:putItem": "dynamodb", "arn:aws:states:::sns:publish": "sns",
             "arn:aws:states:::sqs:sendMessage.waitForTaskToken": "sqs", "arn:aws:states:::events:putEvents": "events",
             "arn:aws:states:::s3:putObject": "s3", "arn:aws:states:::aws-sdk:dynamodb:getItem": "aws_sdk",
             "arn:aws:states:::states:startExecution.sync:2": "states_start",
             "arn:aws:states:us-east-1:123456789012:activity:a": "activity",
             "arn:aws:states:us-east-1:123456789012:lambda:invoke": "lambda_invoke"}
    for arn, module in cases.items():
        fn, _ = integ.adapter(parse_resource(arn))
        assert fn.__module__ == f"sim.asl.integrations.{module}", arn
    assert integ.adapter(parse_resource("arn:aws:states:::glue:startJobRun")) is None


def test_a_registration_overrides_a_builtin_exactly_or_by_pattern():
    integ = Integrations()
    integ.register("arn:aws:states:::sqs:sendMessage", lambda call: {"exact": call.params})
    integ.register("arn:aws:states:::dynamodb:*", lambda call: {"pattern": call.parsed.action})
    d = machine({"A": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "Parameters": {"x": 1},
                       "Next": "B"},
                 "B": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem", "ResultPath": "$.b",
                       "End": True}})
    assert execute(d, {}, integrations=integ).output == {"exact": {"x": 1}, "b": {"pattern": "getItem"}}
    ex = execute(machine({"G": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun", "End": True}}), {})
    assert (ex.error, ex.cause) == ("States.TaskFailed", "No integration is registered for the resource "
                                                         "'arn:aws:states:::glue:startJobRun'")
