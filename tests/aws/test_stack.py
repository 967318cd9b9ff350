"""The stack description: everything the architecture document names, least privilege, CFN."""

import json

from sim.aws.cfn import render
from sim.aws.stack import marketplace_stack

ARCHITECTURE_FUNCTIONS = {
    "stripe-connect", "stripe-webhook", "booking-processor", "payout-manager", "refund-processor",
    "messaging-handler", "notification-handler", "workflow-orchestrator", "webhook-authorizer",
    "webhook-reconciliation", "post-confirmation-trigger", "profile-events", "bedrock-ai"}
# added by the marketplace beyond the document: starts payment-processing once per domain event
EXTRA_FUNCTIONS = {"payment-workflow-starter"}


def test_every_function_of_the_document_with_its_timeout():
    stack = marketplace_stack()
    assert {f.name for f in stack.functions} == ARCHITECTURE_FUNCTIONS | EXTRA_FUNCTIONS
    timeouts = {f.name: f.timeout for f in stack.functions}
    assert timeouts["stripe-webhook"] == 60 and timeouts["payout-manager"] == 60 and timeouts["bedrock-ai"] == 60
    assert timeouts["webhook-reconciliation"] == 300
    assert stack.function("webhook-reconciliation").memory == 512


def test_bus_rules_cover_the_event_sources_table():
    stack = marketplace_stack()
    sources = {src for r in stack.rules if r.pattern for src in r.pattern.get("source", [])}
    assert sources == {"marketplace.booking", "marketplace.payment", "marketplace.dispute", "marketplace.provider",
                       "marketplace.workflow", "aws.states"}  # aws.states: failed executions → alerts
    schedules = {r.name: r.schedule for r in stack.rules if r.schedule}
    assert schedules["webhook-reconciliation-daily"] == "cron(0 2 * * ? *)"


def test_policies_grant_only_named_tables_and_state_machine_functions():
    stack = marketplace_stack()
    authorizer = stack.function("webhook-authorizer")
    resources = [r for st in authorizer.policy for r in st["Resource"]]
    assert not any("table/Booking" in r for r in resources)
    assert not any(a == "*" for st in authorizer.policy for a in st["Action"])
    dispute = next(sm for sm in stack.state_machines if sm.name == "ecosystem-dispute-resolution")
    invoke = stack.state_machine_policy(dispute)[0]
    assert invoke["Action"] == ["lambda:InvokeFunction"]
    assert {r.rsplit(":", 1)[-1] for r in invoke["Resource"] if not r.endswith(":*")} == {"refund-processor"}


def test_definitions_have_no_placeholders_left_after_substitution():
    stack = marketplace_stack()
    for sm in stack.state_machines:
        text = stack.definition(sm)
        assert "${" not in text
        json.loads(text)


def test_cloudformation_template_is_complete():
    template = render(marketplace_stack())
    kinds = [r["Type"] for r in template["Resources"].values()]
    assert kinds.count("AWS::DynamoDB::Table") == len(marketplace_stack().tables)
    assert kinds.count("AWS::Lambda::Function") == len(ARCHITECTURE_FUNCTIONS | EXTRA_FUNCTIONS)
    assert kinds.count("AWS::StepFunctions::StateMachine") == 4
    assert "AWS::Lambda::EventSourceMapping" in kinds
    assert all(r["Properties"].get("RoleArn") for r in template["Resources"].values()
               if r["Type"] == "AWS::StepFunctions::StateMachine")


def test_appsync_fields_route_to_exactly_one_function():
    from sim.aws.appsync import resolved_fields, resolver_function

    stack = marketplace_stack()
    fields = resolved_fields(stack)
    assert "stripeWebhook" in fields and len(fields) == len(set(fields))
    assert resolver_function(stack, "stripeWebhook") == "stripe-webhook"
    assert resolver_function(stack, "noSuchField") is None
