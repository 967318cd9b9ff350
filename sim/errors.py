"""The harness's error tree: every problem with what a user gave us is an `InputError`.

    ValueError
    └── InputError                    bad input: exit status 2 whichever verb meets it
        ├── BackendUnreachable        an endpoint URL that does not answer (sim.errors)
        ├── UnknownName               a name we do not model: operation, event type, fault kind (sim.errors)
        ├── ScenarioError             problems in a scenario file, each file:line: field (sim.scenario.errors)
        │   └── ExportError           a Stripe export / delivery log we cannot read (sim.replay.errors)
        ├── YamlError                 YAML syntax at a line (sim.scenario.yamllines)
        ├── InvalidDefinition         ASL that CreateStateMachine would refuse (sim.asl.errors)
        ├── MockConfigError           a Step Functions Local mock file out of layout (sim.asl.mocks)
        ├── InvalidEventPattern       an EventBridge pattern AWS would reject (sim.aws.eventbridge)
        ├── PutEventsValidationError  a PutEvents request refused as a whole (sim.aws.eventbridge)
        └── SchemaError               an object Stripe's OpenAPI schema rejects (sim.stripe.schema)

Not input errors (a run's outcome, not the user's mistake): `StepFailed` (a scenario step could
not act: exit 1), `StatesError` (a workflow failure, data), `StripeError` (an API answer, data),
`LambdaError` (a function error), and the process deaths `LambdaTimeout` / `LambdaCrash`
(BaseException, so handlers' `except Exception` cannot swallow them).

`sim.cli.main` maps `InputError` to exit status 2 and prints `sim: error: <where>: <field>: <message>`.
"""

from __future__ import annotations


class InputError(ValueError):
    """Bad input from a user: a scenario, an ASL file, a CLI argument, a payload.

    `where` is "file:line" (or just a file, or an argument name) and `field` a dotted path;
    `str()` renders "where: field: message" so every message names its origin.
    """

    def __init__(self, message: str, *, where: str | None = None, field: str | None = None):
        self.message = message
        self.where = where
        self.field = field
        super().__init__(self.render())

    def render(self) -> str:
        parts = [p for p in (self.where, self.field) if p]
        return ": ".join([*parts, self.message])


class BackendUnreachable(InputError):
    """An AWS endpoint URL that does not answer."""


class UnknownName(InputError):
    """A name we do not model (an operation, event type, fault kind…); the message lists the supported ones."""

    def __init__(self, what: str, name: str, supported):
        self.supported = sorted(supported)
        super().__init__(f"unknown {what} {name!r}; supported: {', '.join(self.supported)}", field=what)
