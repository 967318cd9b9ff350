"""The one declarative description of every resource of the marketplace.

Tables (keys, GSIs, TTL), the event bus and its rules, the four state machines from `asl/`,
the thirteen functions (handler path, environment, timeout, memory, least-privilege policy),
SNS topics, the attachments bucket, the user pool, log groups, alarms and the daily
reconciliation schedule. `sim.aws.deploy` deploys it idempotently to any backend and
`sim.aws.cfn` renders it as a CloudFormation template; the world's Lambda runtime and event
router read it. Pure data: nothing here talks to AWS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ASL_DIR = ROOT / "asl"

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"
BUS_NAME = "ecosystem-marketplace-events"
METRICS_NAMESPACE = "ECOSYSTEMAWS/Webhooks"
RECONCILIATION_SCHEDULE = "cron(0 2 * * ? *)"
PAYOUT_SCHEDULE = "cron(0 6 * * ? *)"
MAX_EVENT_AGE_S = 21600  # Lambda's default MaximumEventAgeInSeconds (6 h) of asynchronous invocations
STRIPE_TIMEOUT_CAP_S = 10  # the stripe SDK's network timeout: at most this, and a third of the function's
DEFAULT_MEMORY_MB = 512  # Amplify Gen 2's defineFunction default; the document names only reconciliation's


@dataclass(frozen=True)
class Index:
    name: str
    hash_key: str
    range_key: str | None = None
    hash_type: str = "S"
    range_type: str = "S"


@dataclass(frozen=True)
class Table:
    name: str
    env_var: str
    hash_key: str = "id"
    range_key: str | None = None
    indexes: tuple[Index, ...] = ()
    ttl_attribute: str | None = None
    hash_type: str = "S"
    range_type: str = "S"
    stream_targets: tuple[str, ...] = ()  # functions invoked with the table's stream (NEW_AND_OLD_IMAGES)

    def attribute_types(self) -> dict[str, str]:
        types = {self.hash_key: self.hash_type}
        if self.range_key:
            types[self.range_key] = self.range_type
        for ix in self.indexes:
            types[ix.hash_key] = ix.hash_type
            if ix.range_key:
                types[ix.range_key] = ix.range_type
        return types


@dataclass(frozen=True)
class Target:
    id: str
    kind: str  # "function" | "state_machine" | "logs" | "sqs" | "sns" | "bus"
    ref: str   # the function, state machine, log group, queue, topic or bus name
    input_path: str | None = None
    input_transformer: dict[str, Any] | None = None  # {"InputPathsMap": {...}, "InputTemplate": "..."}


@dataclass(frozen=True)
class Rule:
    name: str
    targets: tuple[Target, ...]
    pattern: dict[str, Any] | None = None
    schedule: str | None = None
    bus: str = BUS_NAME
    description: str = ""


@dataclass(frozen=True)
class Function:
    name: str
    handler: str                       # "handlers.stripe_webhook.handler"
    timeout: int                       # seconds
    env: dict[str, str]
    policy: tuple[dict[str, Any], ...]  # IAM statements
    memory: int = DEFAULT_MEMORY_MB
    description: str = ""
    reserved_concurrency: int | None = None
    appsync_fields: tuple[str, ...] = ()
    async_retries: int = 2               # MaximumRetryAttempts of asynchronous invocations (Lambda's default)
    on_failure: str | None = None        # SNS topic: on-failure destination of asynchronous invocations
    async_max_event_age: int = MAX_EVENT_AGE_S  # MaximumEventAgeInSeconds: how long throttled events are retried


@dataclass(frozen=True)
class StateMachine:
    name: str
    env_var: str
    definition_file: str  # file name under asl/
    type: str = "STANDARD"


@dataclass(frozen=True)
class Alarm:
    name: str
    metric: str
    threshold: float
    topic: str
    comparison: str = "GreaterThanThreshold"
    statistic: str = "Sum"
    period: int = 86400


@dataclass
class Stack:
    account: str
    region: str
    tables: list[Table]
    functions: list[Function]
    rules: list[Rule]
    state_machines: list[StateMachine]
    topics: list[str]
    buckets: list[str]
    log_groups: list[str]
    queues: list[str]
    user_pools: list[dict[str, Any]]
    alarms: list[Alarm]
    bus: str = BUS_NAME
    extra_env: dict[str, str] = field(default_factory=dict)

    # -- ARNs ----------------------------------------------------------------------------------
    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{resource}"

    def table_arn(self, name: str) -> str:
        return self.arn("dynamodb", f"table/{name}")

    def function_arn(self, name: str) -> str:
        return self.arn("lambda", f"function:{name}")

    def state_machine_arn(self, name: str) -> str:
        return self.arn("states", f"stateMachine:{name}")

    def topic_arn(self, name: str) -> str:
        return self.arn("sns", name)

    def queue_arn(self, name: str) -> str:
        return self.arn("sqs", name)

    def bus_arn(self, name: str | None = None) -> str:
        return self.arn("events", f"event-bus/{name or self.bus}")

    def log_group_arn(self, name: str) -> str:
        return self.arn("logs", f"log-group:{name}")

    def target_arn(self, target: Target) -> str:
        return {
            "function": self.function_arn,
            "state_machine": self.state_machine_arn,
            "logs": self.log_group_arn,
            "sqs": self.queue_arn,
            "sns": self.topic_arn,
            "bus": self.bus_arn,
        }[target.kind](target.ref)

    # -- look-ups --------------------------------------------------------------------------------
    def function(self, name: str) -> Function:
        for fn in self.functions:
            if fn.name == name:
                return fn
        known = ", ".join(sorted(f.name for f in self.functions))
        raise KeyError(f"unknown function {name!r}; the stack has: {known}")

    def table(self, name: str) -> Table:
        for t in self.tables:
            if t.name == name or t.env_var == name:
                return t
        known = ", ".join(sorted(t.name for t in self.tables))
        raise KeyError(f"unknown table {name!r}; the stack has: {known}")

    def definition_substitutions(self) -> dict[str, str]:
        """`${Name}` placeholders in asl/*.asl.json and their values (CloudFormation style)."""
        subs = {"EventBusName": self.bus, "EventBusArn": self.bus_arn(), "Region": self.region,
                "AccountId": self.account}
        for fn in self.functions:
            subs[_camel(fn.name) + "FunctionArn"] = self.function_arn(fn.name)
        for sm in self.state_machines:
            subs[_camel(sm.name.removeprefix("ecosystem-")) + "StateMachineArn"] = self.state_machine_arn(sm.name)
        for t in self.tables:
            subs[t.name + "TableName"] = t.name
        for topic in self.topics:
            subs[_camel(topic) + "TopicArn"] = self.topic_arn(topic)
        return subs

    def state_machine_policy(self, sm: StateMachine) -> tuple[dict[str, Any], ...]:
        """Least privilege for a workflow's role, read off its definition: invoke exactly the
        functions it names, PutEvents on the bus, and (for .sync children) the executions API."""
        text = (ASL_DIR / sm.definition_file).read_text(encoding="utf-8")
        functions = [fn.name for fn in self.functions if "${" + _camel(fn.name) + "FunctionArn}" in text]
        statements: list[dict[str, Any]] = []
        if functions:
            statements.append({"Effect": "Allow", "Action": ["lambda:InvokeFunction"],
                               "Resource": [self.function_arn(f) for f in functions]
                               + [self.function_arn(f) + ":*" for f in functions]})
        if "events:putEvents" in text:
            statements.append({"Effect": "Allow", "Action": ["events:PutEvents"], "Resource": [self.bus_arn()]})
        if "states:startExecution" in text:
            statements.append({"Effect": "Allow", "Action": ["states:StartExecution", "states:DescribeExecution",
                                                             "states:StopExecution"], "Resource": ["*"]})
        statements.append({"Effect": "Allow", "Action": ["logs:CreateLogDelivery", "logs:PutLogEvents",
                                                         "xray:PutTraceSegments"], "Resource": ["*"]})
        return tuple(statements)

    def state_machine_role(self, sm: StateMachine) -> str:
        return f"arn:aws:iam::{self.account}:role/{sm.name}-role"

    def function_role_name(self, name: str) -> str:
        """The execution role of a function (one role per function: least privilege)."""
        return f"{name}-role"

    def target_role_name(self, rule: Rule) -> str:
        return f"{rule.name}-targets-role"

    def target_role_policy(self, rule: Rule) -> tuple[dict[str, Any], ...]:
        """The role EventBridge assumes for the rule's targets that need one: StartExecution on
        exactly the state machines it targets, PutEvents on exactly the buses. Functions, log
        groups, queues and topics are reached through their resource-based policies instead."""
        statements: list[dict[str, Any]] = []
        machines = [self.state_machine_arn(t.ref) for t in rule.targets if t.kind == "state_machine"]
        if machines:
            statements.append({"Effect": "Allow", "Action": ["states:StartExecution"], "Resource": machines})
        buses = [self.bus_arn(t.ref) for t in rule.targets if t.kind == "bus"]
        if buses:
            statements.append({"Effect": "Allow", "Action": ["events:PutEvents"], "Resource": buses})
        return tuple(statements)

    def definition(self, sm: StateMachine) -> str:
        """The state machine's ASL with every `${Name}` placeholder substituted."""
        text = (ASL_DIR / sm.definition_file).read_text(encoding="utf-8")
        for key, value in self.definition_substitutions().items():
            text = text.replace("${" + key + "}", value)
        return text

    def environment(self, fn: Function) -> dict[str, str]:
        env = dict(fn.env)
        env.update(self.extra_env)
        return env


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-"))


# ---------------------------------------------------------------------------------------------
# The marketplace
# ---------------------------------------------------------------------------------------------

TABLES: tuple[Table, ...] = (
    Table("ProcessedWebhooks", "PROCESSED_WEBHOOKS_TABLE", hash_key="eventId", ttl_attribute="ttl",
          indexes=(Index("StatusIndex", "status", "processedAt", range_type="N"),)),
    Table("UserProfile", "USER_PROFILE_TABLE",
          indexes=(Index("StripeAccountIndex", "stripeAccountId"), Index("EmailIndex", "email")),
          stream_targets=("profile-events",)),
    Table("Booking", "BOOKING_TABLE", indexes=(
        Index("PaymentIntentIndex", "paymentIntentId"),
        Index("ProviderBookingsIndex", "providerId", "startDateTime"),
        Index("CustomerBookingsIndex", "customerId", "startDateTime"),
    )),
    Table("Service", "SERVICE_TABLE", indexes=(Index("ProviderServicesIndex", "providerId"),)),
    Table("Dispute", "DISPUTE_TABLE", indexes=(Index("BookingDisputesIndex", "bookingId"),)),
    Table("Payout", "PAYOUT_TABLE", indexes=(Index("ProviderPayoutsIndex", "providerId", "createdAt"),)),
    Table("Refund", "REFUND_TABLE", indexes=(Index("BookingRefundsIndex", "bookingId"),)),
    Table("Conversation", "CONVERSATION_TABLE"),
    Table("Message", "MESSAGE_TABLE", indexes=(Index("ConversationMessagesIndex", "conversationId", "createdAt"),)),
    Table("Notification", "NOTIFICATION_TABLE", indexes=(Index("UserNotificationsIndex", "userId", "createdAt"),)),
    Table("NotificationPreference", "NOTIFICATION_PREFERENCE_TABLE", hash_key="userId"),
)

STATE_MACHINES: tuple[StateMachine, ...] = (
    StateMachine("ecosystem-booking-lifecycle", "BOOKING_STATE_MACHINE_ARN", "booking-lifecycle.asl.json"),
    StateMachine("ecosystem-payment-processing", "PAYMENT_STATE_MACHINE_ARN", "payment-processing.asl.json"),
    StateMachine("ecosystem-dispute-resolution", "DISPUTE_STATE_MACHINE_ARN", "dispute-resolution.asl.json"),
    StateMachine("ecosystem-provider-onboarding", "ONBOARDING_STATE_MACHINE_ARN", "provider-onboarding.asl.json"),
)

TOPICS = ("webhook-reconciliation-alerts", "critical-system-alerts")
ATTACHMENTS_BUCKET = "ecosystem-marketplace-attachments"
WORKFLOW_LOG_GROUP = "/aws/events/ecosystem-marketplace-workflow"

# the secrets the simulated world uses; a real deployment sets its own
SIM_STRIPE_SECRET_KEY = "sk_test_simulated_marketplace_key"
SIM_STRIPE_WEBHOOK_SECRET = "whsec_simulated_marketplace_secret"
SIM_GITHUB_WEBHOOK_SECRET = "github_simulated_secret"
SIM_SHOPIFY_WEBHOOK_SECRET = "shopify_simulated_secret"


def _table_statement(tables: list[str], actions: list[str], region: str, account: str) -> dict:
    resources = []
    for name in tables:
        arn = f"arn:aws:dynamodb:{region}:{account}:table/{name}"
        resources += [arn, arn + "/index/*"]
    return {"Effect": "Allow", "Action": [f"dynamodb:{a}" for a in actions], "Resource": resources}


RW = ["GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query"]
RO = ["GetItem", "Query"]

# per function: (handler module, timeout, memory or None, tables rw, tables ro, extra capabilities, appsync fields)
_FUNCTIONS: dict[str, dict[str, Any]] = {
    "stripe-connect": dict(module="stripe_connect", timeout=30, rw=["UserProfile"], ro=["Booking"],
                           caps={"stripe", "events"}, fields=("stripeConnect",)),
    "stripe-webhook": dict(module="stripe_webhook", timeout=60,
                           rw=["ProcessedWebhooks", "Booking", "UserProfile", "Dispute", "Payout", "Refund"],
                           ro=[], caps={"stripe", "events", "webhook-secrets", "metrics", "sns"},
                           fields=("stripeWebhook",)),
    "booking-processor": dict(module="booking_processor", timeout=30, rw=["Booking"],
                              ro=["Service", "UserProfile"], caps={"stripe", "events", "s3"},
                              fields=("processBooking",)),
    "payout-manager": dict(module="payout_manager", timeout=60, rw=["Payout", "Booking"], ro=["UserProfile"],
                           scan=["UserProfile"], caps={"stripe", "events"}, fields=("processPayouts",),
                           env={"PAYOUT_DELAY_DAYS": "2"}),
    "refund-processor": dict(module="refund_processor", timeout=30, rw=["Refund", "Booking", "Dispute"],
                             ro=["UserProfile"], caps={"stripe", "events"}, fields=("processRefund",)),
    "messaging-handler": dict(module="messaging_handler", timeout=30, rw=["Conversation", "Message"],
                              ro=["UserProfile", "Booking"], caps={"s3"}, fields=("sendMessage", "getMessages")),
    "notification-handler": dict(module="notification_handler", timeout=30,
                                 rw=["Notification", "NotificationPreference"], ro=["UserProfile", "Booking"],
                                 caps=set(), fields=("sendNotification", "getNotifications",
                                                                 "updateNotificationPreferences")),
    "workflow-orchestrator": dict(module="workflow_orchestrator", timeout=30, rw=[], ro=["Booking"],
                                  caps={"states", "events"},
                                  fields=("startWorkflow", "stopWorkflow", "getWorkflowStatus")),
    "payment-workflow-starter": dict(module="payment_workflow_starter", timeout=30, rw=[], ro=[], caps={"states"},
                                     fields=()),
    "webhook-authorizer": dict(module="webhook_authorizer", timeout=30, rw=[], ro=["ProcessedWebhooks"],
                               caps={"webhook-secrets"}, fields=()),
    "webhook-reconciliation": dict(module="webhook_reconciliation", timeout=300, memory=512,
                                   rw=["ProcessedWebhooks", "Booking", "UserProfile", "Dispute", "Payout",
                                       "Refund"],
                                   ro=[], scan=["UserProfile"],
                                   caps={"stripe", "events", "sns", "metrics", "webhook-secrets"},
                                   env={"RECONCILIATION_WINDOW_HOURS": "24", "RECONCILIATION_OVERLAP_MINUTES": "60",
                                        "RECONCILIATION_MAX_RETRIES": "3"},
                                   # a run failed on all of Lambda's retries: "system failures in reconciliation"
                                   on_failure=TOPICS[1], fields=()),
    "post-confirmation-trigger": dict(module="post_confirmation_trigger", timeout=30, rw=["UserProfile"], ro=[],
                                      caps=set(), fields=()),
    "profile-events": dict(module="profile_events", timeout=30, rw=["UserProfile"], ro=[],
                           caps={"stripe", "events"}, fields=()),
    "bedrock-ai": dict(module="bedrock_ai", timeout=60, rw=[], ro=["Service"], caps={"bedrock"},
                       fields=("generateServiceDescription",)),
}


def stripe_timeout(function_timeout: int) -> int:
    """The stripe SDK's network timeout for a function: a Stripe that never answers fails the call
    (APIConnectionError) with time left for the handler to fail cleanly, instead of the SDK's 80 s
    outliving the Lambda timeout. A third of it, capped (one invocation may wait on two calls)."""
    return max(1, min(STRIPE_TIMEOUT_CAP_S, function_timeout // 3))


def _functions(account: str, region: str, stripe_api_base: str | None) -> list[Function]:
    bus_arn = f"arn:aws:events:{region}:{account}:event-bus/{BUS_NAME}"
    common_env = {t.env_var: t.name for t in TABLES}
    common_env.update({
        "MARKETPLACE_EVENT_BUS_ARN": bus_arn,
        "EVENT_BUS_NAME": BUS_NAME,
        "METRICS_NAMESPACE": METRICS_NAMESPACE,
        "PLATFORM_FEE_PERCENT": "8",
        "LOG_LEVEL": "INFO",
    })
    out = []
    for name, spec in _FUNCTIONS.items():
        caps = spec["caps"]
        env = dict(common_env)
        policy: list[dict[str, Any]] = []
        if spec["rw"]:
            policy.append(_table_statement(spec["rw"], RW, region, account))
        if spec["ro"]:
            policy.append(_table_statement(spec["ro"], RO, region, account))
        if spec.get("scan"):
            policy.append(_table_statement(spec["scan"], ["Scan"], region, account))
        env.update(spec.get("env", {}))
        if "events" in caps or "states" in caps:
            policy.append({"Effect": "Allow", "Action": ["events:PutEvents"], "Resource": [bus_arn]})
        if "stripe" in caps:
            env["STRIPE_SECRET_KEY"] = SIM_STRIPE_SECRET_KEY
            env["STRIPE_TIMEOUT_SECONDS"] = str(stripe_timeout(spec["timeout"]))
            if stripe_api_base:
                env["STRIPE_API_BASE"] = stripe_api_base
        if "webhook-secrets" in caps:
            env["STRIPE_WEBHOOK_SECRET"] = SIM_STRIPE_WEBHOOK_SECRET
            env["GITHUB_WEBHOOK_SECRET"] = SIM_GITHUB_WEBHOOK_SECRET
            env["SHOPIFY_WEBHOOK_SECRET"] = SIM_SHOPIFY_WEBHOOK_SECRET
            env["WEBHOOK_TOLERANCE_SECONDS"] = "300"
        if "states" in caps:
            for sm in STATE_MACHINES:
                env[sm.env_var] = f"arn:aws:states:{region}:{account}:stateMachine:{sm.name}"
            # StartExecution is authorised on the state machine, Describe/Stop on its executions
            policy.append({"Effect": "Allow", "Action": ["states:StartExecution"],
                           "Resource": [f"arn:aws:states:{region}:{account}:stateMachine:{sm.name}"
                                        for sm in STATE_MACHINES]})
            policy.append({"Effect": "Allow", "Action": ["states:DescribeExecution", "states:StopExecution"],
                           "Resource": [f"arn:aws:states:{region}:{account}:execution:{sm.name}:*"
                                        for sm in STATE_MACHINES]})
        if "sns" in caps:
            env["RECONCILIATION_ALERTS_TOPIC_ARN"] = f"arn:aws:sns:{region}:{account}:{TOPICS[0]}"
            env["CRITICAL_ALERTS_TOPIC_ARN"] = f"arn:aws:sns:{region}:{account}:{TOPICS[1]}"
            policy.append({"Effect": "Allow", "Action": ["sns:Publish"],
                           "Resource": [f"arn:aws:sns:{region}:{account}:{t}" for t in TOPICS]})
        if "metrics" in caps:
            policy.append({"Effect": "Allow", "Action": ["cloudwatch:PutMetricData"], "Resource": ["*"],
                           "Condition": {"StringEquals": {"cloudwatch:namespace": METRICS_NAMESPACE}}})
        if "s3" in caps:
            env["ATTACHMENTS_BUCKET"] = ATTACHMENTS_BUCKET
            policy.append({"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
                           "Resource": [f"arn:aws:s3:::{ATTACHMENTS_BUCKET}/*"]})
        streamed = [t.name for t in TABLES if name in t.stream_targets]
        if streamed:
            policy.append({"Effect": "Allow", "Action": ["dynamodb:DescribeStream", "dynamodb:GetRecords",
                                                         "dynamodb:GetShardIterator"],
                           "Resource": [f"arn:aws:dynamodb:{region}:{account}:table/{t}/stream/*"
                                        for t in streamed]})
            # ListStreams takes no resource: granted on a stream ARN it never authorises anything
            policy.append({"Effect": "Allow", "Action": ["dynamodb:ListStreams"], "Resource": ["*"]})
        if "bedrock" in caps:
            env["BEDROCK_MODEL_ID"] = "anthropic.claude-3-haiku-20240307-v1:0"
            policy.append({"Effect": "Allow", "Action": ["bedrock:InvokeModel"],
                           "Resource": [f"arn:aws:bedrock:{region}::foundation-model/{env['BEDROCK_MODEL_ID']}"]})
        policy.append({"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream",
                                                     "logs:PutLogEvents"],
                       "Resource": [f"arn:aws:logs:{region}:{account}:log-group:/aws/lambda/{name}:*"]})
        out.append(Function(
            name=name, handler=f"handlers.{spec['module']}.handler", timeout=spec["timeout"],
            memory=spec.get("memory") or DEFAULT_MEMORY_MB, env=env, policy=tuple(policy),
            appsync_fields=tuple(spec["fields"]), on_failure=spec.get("on_failure"),
        ))
    return out


def _rules() -> list[Rule]:
    fn = lambda name: Target(name, "function", name)  # noqa: E731
    return [
        Rule("marketplace-booking-events",
             pattern={"source": ["marketplace.booking"],
                      "detail-type": ["Booking Confirmed", "Booking Cancelled", "Booking Updated"]},
             targets=(fn("notification-handler"), fn("messaging-handler")),
             description="Booking domain events to notifications and messaging"),
        Rule("marketplace-cancel-refunds",
             pattern={"source": ["marketplace.booking"], "detail-type": ["Booking Refund Required"]},
             targets=(fn("refund-processor"),),
             description="A booking cancelled after Stripe took its money is refunded once by refund-processor"),
        Rule("marketplace-payment-events",
             pattern={"source": ["marketplace.payment"],
                      "detail-type": ["Payment Succeeded", "Payment Failed", "Payout Completed"]},
             targets=(fn("payout-manager"),),
             description="Payment domain events to the payout manager"),
        Rule("marketplace-payment-workflows",
             pattern={"source": ["marketplace.payment"], "detail-type": ["Payment Succeeded"],
                      "detail": {"origin": ["stripe-webhook"], "paymentType": ["DIRECT"]}},
             targets=(fn("payment-workflow-starter"),),
             description="A payment confirmed by Stripe schedules the provider's payout workflow (started "
                         "by payment-workflow-starter with an execution name derived from the domain event id, "
                         "so a redelivered event starts nothing)"),
        Rule("marketplace-dispute-events",
             pattern={"source": ["marketplace.dispute"], "detail-type": ["Dispute Created", "Dispute Resolved"]},
             targets=(fn("notification-handler"),),
             description="Dispute domain events to notifications"),
        Rule("marketplace-provider-events",
             pattern={"source": ["marketplace.provider"],
                      "detail-type": ["Provider Onboarded", "Provider Updated"]},
             targets=(fn("notification-handler"),),
             description="Provider domain events to notifications"),
        Rule("marketplace-workflow-events",
             pattern={"source": ["marketplace.workflow"],
                      "detail-type": ["Workflow Started", "Workflow Stopped", "Workflow Error"]},
             targets=(Target("workflow-logs", "logs", WORKFLOW_LOG_GROUP),),
             description="Workflow lifecycle events to CloudWatch Logs"),
        Rule("workflow-execution-failures", bus="default",
             pattern={"source": ["aws.states"], "detail-type": ["Step Functions Execution Status Change"],
                      "detail": {"status": ["FAILED", "TIMED_OUT", "ABORTED"],
                                 "stateMachineArn": [{"wildcard": "arn:aws:states:*:*:stateMachine:ecosystem-*"}]}},
             targets=(Target("critical-alerts", "sns", "critical-system-alerts", input_transformer={
                 "InputPathsMap": {"arn": "$.detail.executionArn", "name": "$.detail.name",
                                   "machine": "$.detail.stateMachineArn", "status": "$.detail.status",
                                   "error": "$.detail.error", "cause": "$.detail.cause"},
                 "InputTemplate": '"Workflow execution <name> ended <status>: <error> (<cause>). '
                                  'Execution: <arn>. State machine: <machine>."'}),),
             description="A failed, timed-out or aborted execution of any marketplace workflow alerts "
                         "critical-system-alerts (Step Functions' status change events on the default bus)"),
        Rule("webhook-reconciliation-daily", schedule=RECONCILIATION_SCHEDULE, bus="default",
             targets=(fn("webhook-reconciliation"),),
             description="Daily reconciliation between Stripe and the database at 02:00 UTC"),
        Rule("payout-manager-daily", schedule=PAYOUT_SCHEDULE, bus="default",
             targets=(fn("payout-manager"),),
             description="Daily scheduled provider payouts at 06:00 UTC"),
    ]


def marketplace_stack(account: str = DEFAULT_ACCOUNT, region: str = DEFAULT_REGION, *,
                      stripe_api_base: str | None = None) -> Stack:
    """The whole marketplace. `stripe_api_base` points the functions' stripe SDK at a fake Stripe."""
    return Stack(
        account=account,
        region=region,
        tables=list(TABLES),
        functions=_functions(account, region, stripe_api_base),
        rules=_rules(),
        state_machines=list(STATE_MACHINES),
        topics=list(TOPICS),
        buckets=[ATTACHMENTS_BUCKET],
        log_groups=[WORKFLOW_LOG_GROUP] + [f"/aws/vendedlogs/states/{sm.name}" for sm in STATE_MACHINES],
        queues=[],
        user_pools=[{"name": "ecosystem-marketplace-users", "post_confirmation": "post-confirmation-trigger"}],
        alarms=[
            Alarm("webhook-reconciliation-missed-events", "WebhookReconciliation.MissedEvents", 0,
                  "webhook-reconciliation-alerts"),
            Alarm("webhook-reconciliation-discrepancies", "WebhookReconciliation.Discrepancies", 0,
                  "critical-system-alerts"),
        ],
    )
