"""Render the `Stack` as a CloudFormation template (JSON), for review or a real deployment.

State machines use `DefinitionSubstitutions` with the same `${Name}` placeholders as `asl/`;
functions reference a code artefact parameter (the zipped `handlers/` package).
"""

from __future__ import annotations

import json
from typing import Any

from sim.aws.deploy import table_spec
from sim.aws.stack import ASL_DIR, Stack


def _logical(name: str) -> str:
    return "".join(ch for ch in name.title() if ch.isalnum())


def render(stack: Stack) -> dict[str, Any]:
    res: dict[str, Any] = {}
    for t in stack.tables:
        spec = table_spec(t)
        props = {k: v for k, v in spec.items()}
        if "StreamSpecification" in props:  # the API's StreamEnabled has no CloudFormation property
            props["StreamSpecification"] = {"StreamViewType": props["StreamSpecification"]["StreamViewType"]}
        if t.ttl_attribute:
            props["TimeToLiveSpecification"] = {"AttributeName": t.ttl_attribute, "Enabled": True}
        res[_logical(t.name) + "Table"] = {"Type": "AWS::DynamoDB::Table", "Properties": props}
        for target in t.stream_targets:
            res[_logical(t.name) + _logical(target) + "Mapping"] = {
                "Type": "AWS::Lambda::EventSourceMapping", "Properties": {
                    "EventSourceArn": {"Fn::GetAtt": [_logical(t.name) + "Table", "StreamArn"]},
                    "FunctionName": target, "StartingPosition": "LATEST", "BatchSize": 100,
                    "MaximumRetryAttempts": 3, "MaximumBatchingWindowInSeconds": 0}}
    res["MarketplaceEventBus"] = {"Type": "AWS::Events::EventBus", "Properties": {"Name": stack.bus}}
    for topic in stack.topics:
        res[_logical(topic) + "Topic"] = {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": topic}}
    for bucket in stack.buckets:
        res[_logical(bucket) + "Bucket"] = {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": bucket}}
    for group in stack.log_groups:
        res[_logical(group) + "LogGroup"] = {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": group}}
    for fn in stack.functions:
        lid = _logical(fn.name)
        res[lid + "Role"] = {"Type": "AWS::IAM::Role", "Properties": {
            "RoleName": stack.function_role_name(fn.name),
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "Policies": [{"PolicyName": "least-privilege",
                          "PolicyDocument": {"Version": "2012-10-17", "Statement": list(fn.policy)}}]}}
        res[lid + "Function"] = {"Type": "AWS::Lambda::Function", "Properties": {
            "FunctionName": fn.name, "Runtime": "python3.12", "Handler": fn.handler, "Timeout": fn.timeout,
            "MemorySize": fn.memory, "Role": {"Fn::GetAtt": [lid + "Role", "Arn"]},
            "Code": {"S3Bucket": {"Ref": "CodeBucket"}, "S3Key": {"Ref": "CodeKey"}},
            "Environment": {"Variables": stack.environment(fn)}}}
        if fn.on_failure:
            res[lid + "EventInvokeConfig"] = {"Type": "AWS::Lambda::EventInvokeConfig", "Properties": {
                "FunctionName": {"Ref": lid + "Function"}, "Qualifier": "$LATEST",
                "MaximumRetryAttempts": fn.async_retries, "MaximumEventAgeInSeconds": fn.async_max_event_age,
                "DestinationConfig": {"OnFailure": {"Destination": {"Ref": _logical(fn.on_failure) + "Topic"}}}}}
    for sm in stack.state_machines:
        res[_logical(sm.name) + "Role"] = {"Type": "AWS::IAM::Role", "Properties": {
            "RoleName": f"{sm.name}-role",
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "Policies": [{"PolicyName": "least-privilege", "PolicyDocument": {
                "Version": "2012-10-17", "Statement": list(stack.state_machine_policy(sm))}}]}}
        res[_logical(sm.name) + "StateMachine"] = {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
            "StateMachineName": sm.name, "StateMachineType": sm.type,
            "Definition": json.loads((ASL_DIR / sm.definition_file).read_text()),
            "DefinitionSubstitutions": stack.definition_substitutions(),
            "RoleArn": {"Fn::GetAtt": [_logical(sm.name) + "Role", "Arn"]}}}
    for rule in stack.rules:
        role = _target_role(stack, rule, res)
        props: dict[str, Any] = {"Name": rule.name, "EventBusName": rule.bus, "State": "ENABLED",
                                 "Description": rule.description,
                                 "Targets": [_target(stack, t, role) for t in rule.targets]}
        if rule.pattern:
            props["EventPattern"] = rule.pattern
        if rule.schedule:
            props["ScheduleExpression"] = rule.schedule
        res[_logical(rule.name) + "Rule"] = {"Type": "AWS::Events::Rule", "Properties": props}
    for alarm in stack.alarms:
        res[_logical(alarm.name) + "Alarm"] = {"Type": "AWS::CloudWatch::Alarm", "Properties": {
            "AlarmName": alarm.name, "Namespace": "ECOSYSTEMAWS/Webhooks", "MetricName": alarm.metric,
            "Statistic": alarm.statistic, "Period": alarm.period, "EvaluationPeriods": 1,
            "Threshold": alarm.threshold, "ComparisonOperator": alarm.comparison,
            "AlarmActions": [stack.topic_arn(alarm.topic)]}}
    for pool in stack.user_pools:
        res[_logical(pool["name"]) + "UserPool"] = {"Type": "AWS::Cognito::UserPool", "Properties": {
            "UserPoolName": pool["name"],
            "LambdaConfig": {"PostConfirmation": stack.function_arn(pool["post_confirmation"])}}}
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "ecosystem marketplace (rendered by `sim stack template`)",
        "Parameters": {"CodeBucket": {"Type": "String"}, "CodeKey": {"Type": "String"}},
        "Resources": res,
    }


def _target_role(stack: Stack, rule, res: dict[str, Any]) -> str | None:
    """The rule's target role (state machine and bus targets need one), added to `res`; its logical id."""
    policy = stack.target_role_policy(rule)
    if not policy:
        return None
    lid = _logical(stack.target_role_name(rule))
    res[lid] = {"Type": "AWS::IAM::Role", "Properties": {
        "RoleName": stack.target_role_name(rule),
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "Policies": [{"PolicyName": "least-privilege",
                      "PolicyDocument": {"Version": "2012-10-17", "Statement": list(policy)}}]}}
    return lid


def _target(stack: Stack, t, role: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"Id": t.id, "Arn": stack.target_arn(t)}
    if role is not None and t.kind in ("state_machine", "bus"):
        out["RoleArn"] = {"Fn::GetAtt": [role, "Arn"]}
    if t.input_path:
        out["InputPath"] = t.input_path
    if t.input_transformer:
        out["InputTransformer"] = t.input_transformer
    return out
