"""JSONata mode: Arguments/Output/Assign, $states, Condition, Items, scoping, evaluation failures."""

from __future__ import annotations

from sim.asl import execute
from sim.asl.integrations import Integrations
from tests.asl.helpers import machine, prevs, types


def J(states, **top):
    return machine(states, QueryLanguage="JSONata", **top)


def test_output_assign_and_variables():
    d = J({"A": {"Type": "Pass", "Assign": {"total": "{% $states.input.a + $states.input.b %}"},
                 "Output": {"sum": "{% $states.input.a + $states.input.b %}", "old": "{% $exists($total) %}"},
                 "Next": "B"},
           "B": {"Type": "Pass", "Output": "{% {'t': $total, 'in': $states.input} %}", "End": True}})
    ex = execute(d, {"a": 1, "b": 2})
    assert ex.output == {"t": 3, "in": {"sum": 3, "old": False}}


def test_choice_condition_and_context():
    d = J({"C": {"Type": "Choice", "Choices": [{"Condition": "{% $states.input.n > 1 %}", "Next": "Big",
                                                "Assign": {"why": "big"}}], "Default": "Small"},
           "Big": {"Type": "Pass", "Output": "{% $why & ':' & $states.context.State.Name %}", "End": True},
           "Small": {"Type": "Pass", "Output": "small", "End": True}})
    assert execute(d, {"n": 2}).output == "big:Big"
    assert execute(d, {"n": 0}).output == "small"


def test_undefined_output_is_query_evaluation_error_with_event():
    d = J({"M": {"Type": "Map", "Items": "{% $states.input.items %}", "MaxConcurrency": 1,
                 "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Undef",
                                   "States": {"Undef": {"Type": "Pass", "Output": {"v": "{% $states.input.missing %}"},
                                                        "End": True}}}, "End": True}})
    ex = execute(d, {"items": [1, 2]})
    assert types(ex) == ["ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapIterationStarted",
                         "PassStateEntered", "EvaluationFailed", "MapIterationFailed", "MapStateFailed",
                         "ExecutionFailed"]
    assert prevs(ex) == [0, 0, 2, 3, 4, 5, 6, 6, 8]
    cause = ("An error occurred while executing the state 'Undef' (entered at the event id #5). The JSONata "
             "expression '$states.input.missing' specified for the field 'Output/v' returned nothing (undefined).")
    assert ex.history[5]["evaluationFailedEventDetails"] == {"error": "States.QueryEvaluationError", "cause": cause,
                                                             "location": "Output/v", "state": "Undef"}
    assert (ex.error, ex.cause) == ("States.QueryEvaluationError", cause)


def test_map_items_failure_before_start():
    d = J({"Fan": {"Type": "Map", "Items": "{% $states.input.missing %}", "ItemProcessor": {
        "StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}, "End": True}})
    ex = execute(d, {"x": "a"})
    assert types(ex) == ["ExecutionStarted", "MapStateEntered", "EvaluationFailed", "MapStateFailed",
                         "ExecutionFailed"]
    assert prevs(ex) == [0, 0, 2, 3, 4]


def test_task_arguments_retry_records_evaluation_failed_per_attempt():
    d = J({"Send": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                    "Arguments": {"QueueUrl": "q", "MessageBody": "{% $states.input.missing %}"},
                    "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 1, "IntervalSeconds": 1}], "End": True}})
    ex = execute(d, {"x": "a"})
    assert types(ex) == ["ExecutionStarted", "TaskStateEntered", "EvaluationFailed", "EvaluationFailed",
                         "ExecutionFailed"]
    assert ex.history[-1]["executionFailedEventDetails"]["error"] == "States.QueryEvaluationError"


def test_task_result_output_and_catch_error_output():
    integ = Integrations()
    integ.register("arn:aws:states:::sqs:sendMessage", lambda call: {"MessageId": call.params["MessageBody"]})
    d = J({"Send": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                    "Arguments": {"QueueUrl": "q", "MessageBody": "{% $string($states.input.n) %}"},
                    "Assign": {"mid": "{% $states.result.MessageId %}"},
                    "Output": "{% $states.result.MessageId & '!' %}", "Next": "Boom"},
           "Boom": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                    "Arguments": {"FunctionName": "nope"},
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Assign": {"err": "{% $states.errorOutput.Error %}"},
                               "Output": "{% {'in': $states.input, 'mid': $mid} %}", "Next": "Done"}], "End": True},
           "Done": {"Type": "Pass", "Output": "{% $merge([$states.input, {'err': $err}]) %}", "End": True}})
    ex = execute(d, {"n": 7}, integrations=integ)
    assert ex.output == {"in": "7!", "mid": "7", "err": "Lambda.ResourceNotFoundException"}


def test_assign_is_not_visible_in_the_same_state():
    d = J({"A": {"Type": "Pass", "Assign": {"y": 2}, "Output": "{% $y %}", "End": True}})
    assert execute(d, {}).error == "States.QueryEvaluationError"


def test_parallel_and_map_scoping():
    d = J({"Init": {"Type": "Pass", "Assign": {"x": 1}, "Next": "P"},
           "P": {"Type": "Parallel", "Branches": [
               {"StartAt": "B", "States": {"B": {"Type": "Pass", "Assign": {"y": 2}, "Output": "{% $x + 2 %}",
                                               "End": True}}}], "Next": "M"},
           "M": {"Type": "Map", "Items": "{% [1, 2] %}", "ItemSelector": "{% {'v': $states.context.Map.Item.Value * $x} %}",
                 "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}},
                 "Output": "{% {'m': $states.result, 'p': $states.input, 'y': $exists($y)} %}", "End": True}})
    ex = execute(d, {})
    assert ex.output == {"m": [{"v": 1}, {"v": 2}], "p": [3], "y": False}


def test_wait_and_fail_with_expressions():
    d = J({"W": {"Type": "Wait", "Seconds": "{% $states.input.s %}", "Next": "F"},
           "F": {"Type": "Fail", "Error": "{% 'E' & $string($states.input.s) %}", "Cause": "{% 'c' %}"}})
    ex = execute(d, {"s": 5})
    assert (ex.error, ex.cause) == ("E5", "c")
    assert (ex.stop_date - ex.start_date).total_seconds() == 5
