"""Policy evaluation as AWS documents it (IAM User Guide: "Policy evaluation logic", "NotAction",
"NotResource", "Condition operators"), table-driven; and side by side with moto's evaluator on
the cases moto gets right."""

from __future__ import annotations

import json

import pytest

from sim.iam.evaluate import Decision, UnsupportedCondition, conditions_hold, evaluate, glob_match

A, D, N = Decision.ALLOW, Decision.EXPLICIT_DENY, Decision.IMPLICIT_DENY
TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/Booking"


def allow(action, resource="*", **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action, resource="*", **extra):
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


CASES = [
    # (why, statements, action, resource, context, decision)
    ("no statement: implicit deny", [], "dynamodb:GetItem", TABLE, {}, N),
    ("exact action and resource", [allow("dynamodb:GetItem", TABLE)], "dynamodb:GetItem", TABLE, {}, A),
    ("other action: implicit deny", [allow("dynamodb:GetItem", TABLE)], "dynamodb:PutItem", TABLE, {}, N),
    ("action names are case-insensitive", [allow("DynamoDB:getitem", TABLE)], "dynamodb:GetItem", TABLE, {}, A),
    ("resource ARNs are case-sensitive", [allow("dynamodb:GetItem", TABLE.lower())], "dynamodb:GetItem", TABLE,
     {}, N),
    ("service wildcard", [allow("dynamodb:*", TABLE)], "dynamodb:UpdateItem", TABLE, {}, A),
    ("prefix wildcard Get*", [allow("dynamodb:Get*", TABLE)], "dynamodb:GetItem", TABLE, {}, A),
    ("prefix wildcard does not reach Put", [allow("dynamodb:Get*", TABLE)], "dynamodb:PutItem", TABLE, {}, N),
    ("? is exactly one character", [allow("s3:?etObject", "*")], "s3:GetObject", "arn:aws:s3:::b/k", {}, A),
    ("? is not two characters", [allow("s3:?tObject", "*")], "s3:GetObject", "arn:aws:s3:::b/k", {}, N),
    ("resource wildcard", [allow("dynamodb:GetItem", "arn:aws:dynamodb:*:*:table/*")], "dynamodb:GetItem", TABLE,
     {}, A),
    ("a dot in a pattern is a dot", [allow("s3:GetObject", "arn:aws:s3:::my.bucket/*")], "s3:GetObject",
     "arn:aws:s3:::myxbucket/k", {}, N),
    ("the table grant does not cover its indexes", [allow("dynamodb:Query", TABLE)], "dynamodb:Query",
     TABLE + "/index/PaymentIntentIndex", {}, N),
    ("index/* covers every index", [allow("dynamodb:Query", [TABLE, TABLE + "/index/*"])], "dynamodb:Query",
     TABLE + "/index/PaymentIntentIndex", {}, A),
    ("one index only", [allow("dynamodb:Query", TABLE + "/index/EmailIndex")], "dynamodb:Query",
     TABLE + "/index/PaymentIntentIndex", {}, N),
    ("table/X* also matches table/XY (why AWS policies spell /index/*)", [allow("dynamodb:GetItem", TABLE + "*")],
     "dynamodb:GetItem", TABLE + "Archive", {}, A),
    ("explicit deny wins over allow", [allow("dynamodb:*", "*"), deny("dynamodb:DeleteItem", TABLE)],
     "dynamodb:DeleteItem", TABLE, {}, D),
    ("a deny elsewhere leaves the allow", [allow("dynamodb:*", "*"), deny("dynamodb:DeleteItem", TABLE)],
     "dynamodb:GetItem", TABLE, {}, A),
    ("deny alone is still a deny", [deny("dynamodb:*")], "dynamodb:GetItem", TABLE, {}, D),
    # NotAction (IAM User Guide: "NotAction with Allow" / "with Deny")
    ("NotAction allow: every other S3 action", [{"Effect": "Allow", "NotAction": "s3:DeleteBucket",
                                                 "Resource": "arn:aws:s3:::*"}],
     "s3:PutObject", "arn:aws:s3:::b/k", {}, A),
    ("NotAction allow: not the excluded one", [{"Effect": "Allow", "NotAction": "s3:DeleteBucket",
                                                "Resource": "arn:aws:s3:::*"}],
     "s3:DeleteBucket", "arn:aws:s3:::b", {}, N),
    ("NotAction allow: other services on non-S3 resources", [{"Effect": "Allow", "NotAction": "s3:DeleteBucket",
                                                             "Resource": "arn:aws:s3:::*"}],
     "dynamodb:GetItem", TABLE, {}, N),
    ("NotAction iam:* allows everything but IAM", [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}],
     "sns:Publish", "arn:aws:sns:us-east-1:123456789012:t", {}, A),
    ("NotAction iam:* does not allow IAM", [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}],
     "iam:CreateUser", "arn:aws:iam::123456789012:user/x", {}, N),
    ("NotAction deny denies the unlisted", [allow("*"), {"Effect": "Deny", "NotAction": ["iam:*", "sts:*"],
                                                          "Resource": "*"}],
     "dynamodb:GetItem", TABLE, {}, D),
    ("NotAction deny leaves the listed", [allow("*"), {"Effect": "Deny", "NotAction": ["iam:*", "sts:*"],
                                                        "Resource": "*"}],
     "sts:GetCallerIdentity", "*", {}, A),
    # NotResource (IAM User Guide: the HRPayroll example)
    ("NotResource deny: outside Payroll is denied", [allow("s3:*", "*"), {
        "Effect": "Deny", "Action": "s3:*",
        "NotResource": ["arn:aws:s3:::HRBucket/Payroll", "arn:aws:s3:::HRBucket/Payroll/*"]}],
     "s3:GetObject", "arn:aws:s3:::HRBucket/Other/x", {}, D),
    ("NotResource deny: Payroll itself is not denied", [allow("s3:*", "*"), {
        "Effect": "Deny", "Action": "s3:*",
        "NotResource": ["arn:aws:s3:::HRBucket/Payroll", "arn:aws:s3:::HRBucket/Payroll/*"]}],
     "s3:GetObject", "arn:aws:s3:::HRBucket/Payroll/march.csv", {}, A),
    ("NotResource deny grants nothing by itself", [{
        "Effect": "Deny", "Action": "s3:*", "NotResource": ["arn:aws:s3:::HRBucket/Payroll/*"]}],
     "s3:GetObject", "arn:aws:s3:::HRBucket/Payroll/march.csv", {}, N),
    ("NotResource allow: all but the excluded", [{"Effect": "Allow", "Action": "dynamodb:GetItem",
                                                   "NotResource": TABLE}],
     "dynamodb:GetItem", TABLE.replace("Booking", "Payout"), {}, A),
    ("NotResource allow: not the excluded", [{"Effect": "Allow", "Action": "dynamodb:GetItem", "NotResource": TABLE}],
     "dynamodb:GetItem", TABLE, {}, N),
    # conditions: the stack's metric namespace grant
    ("condition holds", [allow("cloudwatch:PutMetricData", "*",
                               Condition={"StringEquals": {"cloudwatch:namespace": "ECOSYSTEMAWS/Webhooks"}})],
     "cloudwatch:PutMetricData", "*", {"cloudwatch:namespace": "ECOSYSTEMAWS/Webhooks"}, A),
    ("condition fails: implicit (not explicit) deny", [allow(
        "cloudwatch:PutMetricData", "*", Condition={"StringEquals": {"cloudwatch:namespace": "ECOSYSTEMAWS/Webhooks"}})],
     "cloudwatch:PutMetricData", "*", {"cloudwatch:namespace": "Other"}, N),
    ("a failing conditional allow leaves another allow", [
        allow("cloudwatch:PutMetricData", "*", Condition={"StringEquals": {"cloudwatch:namespace": "A"}}),
        allow("cloudwatch:PutMetricData", "*", Condition={"StringEquals": {"cloudwatch:namespace": "B"}})],
     "cloudwatch:PutMetricData", "*", {"cloudwatch:namespace": "B"}, A),
    ("condition key missing: positive operator false", [allow(
        "cloudwatch:PutMetricData", "*", Condition={"StringEquals": {"cloudwatch:namespace": "X"}})],
     "cloudwatch:PutMetricData", "*", {}, N),
    ("conditional deny applies when it holds", [allow("events:PutEvents"), deny(
        "events:PutEvents", "*", Condition={"StringNotEquals": {"events:source": ["marketplace.booking"]}})],
     "events:PutEvents", "arn:aws:events:us-east-1:123456789012:event-bus/b", {"events:source": "aws.fake"}, D),
    ("conditional deny skipped when it does not hold", [allow("events:PutEvents"), deny(
        "events:PutEvents", "*", Condition={"StringNotEquals": {"events:source": ["marketplace.booking"]}})],
     "events:PutEvents", "arn:aws:events:us-east-1:123456789012:event-bus/b", {"events:source": "marketplace.booking"},
     A),
    ("negated operator with the key missing is true", [allow("events:PutEvents"), deny(
        "events:PutEvents", "*", Condition={"StringNotEquals": {"events:source": ["marketplace.booking"]}})],
     "events:PutEvents", "arn:aws:events:us-east-1:123456789012:event-bus/b", {}, D),
]


@pytest.mark.parametrize(("why", "statements", "action", "resource", "context", "want"), CASES,
                         ids=[c[0] for c in CASES])
def test_decision(why, statements, action, resource, context, want):
    assert evaluate({"Version": "2012-10-17", "Statement": statements}, action, resource, context) is want


CONDITIONS = [
    ({"StringLike": {"s3:prefix": "home/*"}}, {"s3:prefix": "home/ada"}, True),
    ({"StringLike": {"s3:prefix": "home/*"}}, {"s3:prefix": "work/ada"}, False),
    ({"StringEqualsIgnoreCase": {"aws:PrincipalType": "assumedrole"}}, {"aws:PrincipalType": "AssumedRole"}, True),
    ({"StringEquals": {"aws:PrincipalType": ["User", "AssumedRole"]}}, {"aws:PrincipalType": "AssumedRole"}, True),
    ({"StringEquals": {"a": "1", "b": "2"}}, {"a": "1", "b": "3"}, False),           # keys are ANDed
    ({"StringEquals": {"a": "1"}, "StringLike": {"b": "x*"}}, {"a": "1", "b": "xy"}, True),
    ({"StringEqualsIfExists": {"a": "1"}}, {}, True),
    ({"StringEqualsIfExists": {"a": "1"}}, {"a": "2"}, False),
    ({"Null": {"a": "true"}}, {}, True),
    ({"Null": {"a": "false"}}, {}, False),
    ({"Null": {"a": "false"}}, {"a": "x"}, True),
    ({"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": True}, True),
    ({"NumericLessThanEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "10"}, True),
    ({"NumericLessThanEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "11"}, False),
    ({"ArnLike": {"aws:SourceArn": "arn:aws:events:*:123456789012:rule/*"}},
     {"aws:SourceArn": "arn:aws:events:us-east-1:123456789012:rule/r"}, True),
    ({"ArnLike": {"aws:SourceArn": "arn:aws:events:*:123456789012:rule/*"}},
     {"aws:SourceArn": "arn:aws:events:us-east-1:999999999999:rule/r"}, False),
    ({"ForAllValues:StringEquals": {"dynamodb:Attributes": ["id", "status"]}},
     {"dynamodb:Attributes": ["id", "status"]}, True),
    ({"ForAllValues:StringEquals": {"dynamodb:Attributes": ["id", "status"]}},
     {"dynamodb:Attributes": ["id", "secret"]}, False),
    ({"ForAllValues:StringEquals": {"dynamodb:Attributes": ["id"]}}, {}, True),      # vacuously
    ({"ForAnyValue:StringEquals": {"dynamodb:Attributes": ["secret"]}}, {"dynamodb:Attributes": ["id", "secret"]},
     True),
    ({"ForAnyValue:StringEquals": {"dynamodb:Attributes": ["secret"]}}, {}, False),
    ({"StringNotLike": {"a": ["x*", "y*"]}}, {"a": "xz"}, False),                    # none may match
    ({"StringNotLike": {"a": ["x*", "y*"]}}, {"a": "zz"}, True),
]


@pytest.mark.parametrize(("block", "context", "want"), CONDITIONS)
def test_condition_operators(block, context, want):
    assert conditions_hold(block, context) is want


def test_condition_keys_are_case_insensitive():
    assert conditions_hold({"StringEquals": {"CloudWatch:Namespace": "N"}}, {"cloudwatch:namespace": "N"})


def test_an_unsupported_operator_is_refused_not_ignored():
    with pytest.raises(UnsupportedCondition, match="IpAddress"):
        conditions_hold({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "203.0.113.9"})


def test_glob_escapes_regex_characters():
    assert glob_match("arn:aws:s3:::b/(x)+[y]", "arn:aws:s3:::b/(x)+[y]")
    assert not glob_match("arn:aws:s3:::b/a+", "arn:aws:s3:::b/aa")


AGREED = [c for c in CASES if not any("NotResource" in st or "Condition" in st for st in c[1])
          and "case" not in c[0] and "?" not in c[0] and "dot" not in c[0]]


@pytest.mark.parametrize(("why", "statements", "action", "resource", "context", "want"), AGREED,
                         ids=[c[0] for c in AGREED])
def test_agrees_with_moto_where_moto_is_right(why, statements, action, resource, context, want):
    from moto.iam.access_control import IAMPolicy, PermissionResult

    moto = IAMPolicy(json.dumps({"Version": "2012-10-17", "Statement": statements})).is_action_permitted(
        action, resource)
    mapped = {PermissionResult.PERMITTED: A, PermissionResult.DENIED: D, PermissionResult.NEUTRAL: N}[moto]
    assert mapped is want is evaluate(statements, action, resource, context)
