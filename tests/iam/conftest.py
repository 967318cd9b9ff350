import dataclasses

import pytest

COGNITO_EVENT = {
    "version": "1", "region": "us-east-1", "userPoolId": "us-east-1_simulated", "userName": "ada",
    "triggerSource": "PostConfirmation_ConfirmSignUp", "callerContext": {"clientId": "sim"},
    "request": {"userAttributes": {"sub": "user-ada-1", "email": "ada@example.com"}}, "response": {},
}


def strip_action(policy, action):
    out = []
    for st in policy:
        actions = [a for a in st["Action"] if a != action]
        if actions:
            out.append({**st, "Action": actions})
    return tuple(out)


@pytest.fixture
def remove_permission(monkeypatch):
    """remove_permission(function, action): worlds built afterwards lack that grant."""
    import sim.world
    from sim.aws.stack import marketplace_stack

    def remove(function: str, action: str):
        def patched(*args, **kwargs):
            stack = marketplace_stack(*args, **kwargs)
            stack.functions = [dataclasses.replace(fn, policy=strip_action(fn.policy, action))
                               if fn.name == function else fn for fn in stack.functions]
            return stack

        monkeypatch.setattr(sim.world, "marketplace_stack", patched)

    return remove


def with_workflow_rule(stack):
    """The stack plus a rule that starts a state machine directly (EventBridge then needs a role)."""
    from sim.aws.stack import Rule, Target

    stack.rules.append(Rule("iam-test-workflows", pattern={"source": ["iam.test"]},
                            targets=(Target("payment-processing", "state_machine", "ecosystem-payment-processing"),)))
    return stack
