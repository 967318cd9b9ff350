"""The CloudFormation template carries exactly the policies the simulator evaluates."""

from sim.aws.cfn import render
from sim.aws.stack import marketplace_stack
from sim.iam.principals import principals
from tests.iam.conftest import with_workflow_rule


def _roles(template):
    return {r["Properties"]["RoleName"]: r["Properties"] for r in template["Resources"].values()
            if r["Type"] == "AWS::IAM::Role"}


def test_every_principal_is_a_role_in_the_template_with_the_same_policy():
    stack = with_workflow_rule(marketplace_stack())
    roles = _roles(render(stack))
    for p in principals(stack).values():
        doc = roles[p.role]["Policies"][0]["PolicyDocument"]
        assert doc["Statement"] == list(p.policy), p.name


def test_state_machine_targets_carry_their_role():
    template = render(with_workflow_rule(marketplace_stack()))
    rule = template["Resources"]["IamTestWorkflowsRule"]["Properties"]
    (target,) = rule["Targets"]
    role = template["Resources"][target["RoleArn"]["Fn::GetAtt"][0]]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "events.amazonaws.com"}
    assert role["Policies"][0]["PolicyDocument"]["Statement"] == [{
        "Effect": "Allow", "Action": ["states:StartExecution"], "Resource": [target["Arn"]]}]
    function_targets = [t for r in template["Resources"].values() if r["Type"] == "AWS::Events::Rule"
                        for t in r["Properties"]["Targets"] if ":lambda:" in t["Arn"]]
    assert function_targets and all("RoleArn" not in t for t in function_targets)
