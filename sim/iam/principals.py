"""Who calls AWS in the marketplace, and with which policy: read off the stack.

Three kinds of principal, each an IAM role the stack (and its CloudFormation template) defines:
a Lambda function's execution role (session name: the function), a state machine's role, and an
EventBridge rule's target role (for targets that EventBridge reaches with a role: state machines
and other buses). `principals(stack)` lists them; `Principal.denial_message()` is AWS's text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.aws.stack import Stack


@dataclass(frozen=True)
class Principal:
    name: str                          # "stripe-webhook", "ecosystem-payment-processing", "<rule>-targets-role"
    kind: str                          # "function" | "state_machine" | "target_role"
    role: str                          # the role's name
    session: str                       # the assumed-role session name AWS shows
    account: str
    policy: tuple[dict[str, Any], ...]

    @property
    def role_arn(self) -> str:
        return f"arn:aws:iam::{self.account}:role/{self.role}"

    @property
    def caller_arn(self) -> str:
        return f"arn:aws:sts::{self.account}:assumed-role/{self.role}/{self.session}"

    def context(self, region: str) -> dict[str, Any]:
        """The global condition keys every request of this principal carries."""
        return {"aws:PrincipalArn": self.role_arn, "aws:PrincipalAccount": self.account,
                "aws:PrincipalType": "AssumedRole", "aws:RequestedRegion": region,
                "aws:userid": f"AROA{self.role.upper().replace('-', '')[:17]}:{self.session}"}

    def denial_message(self, action: str, resource: str, explicit: bool) -> str:
        why = ("with an explicit deny in an identity-based policy" if explicit
               else f"because no identity-based policy allows the {action} action")
        return f"User: {self.caller_arn} is not authorized to perform: {action} on resource: {resource} {why}"


def function_principal(stack: Stack, name: str) -> Principal:
    fn = stack.function(name)
    return Principal(fn.name, "function", stack.function_role_name(fn.name), fn.name, stack.account,
                     tuple(fn.policy))


def principals(stack: Stack) -> dict[str, Principal]:
    out: dict[str, Principal] = {}
    for fn in stack.functions:
        out[fn.name] = function_principal(stack, fn.name)
    for sm in stack.state_machines:
        role = stack.state_machine_role(sm).rsplit("/", 1)[-1]
        out[sm.name] = Principal(sm.name, "state_machine", role, sm.name, stack.account,
                                 tuple(stack.state_machine_policy(sm)))
    for rule in stack.rules:
        policy = stack.target_role_policy(rule)
        if policy:
            role = stack.target_role_name(rule)
            out[role] = Principal(role, "target_role", role, rule.name, stack.account, tuple(policy))
    return out
