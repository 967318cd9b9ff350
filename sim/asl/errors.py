"""Errors of the ASL interpreter: runtime States errors and definition validation failures."""

from __future__ import annotations

from sim.errors import InputError


class StatesError(Exception):
    """A runtime error as Step Functions names it: `error` (e.g. "States.Timeout") and `cause`."""

    def __init__(self, error: str, cause: str | None = ""):
        self.error = error
        self.cause = cause
        super().__init__(f"{error}: {cause}" if cause else error)


class InvalidDefinition(InputError):
    """A definition AWS would refuse at CreateStateMachine (error code InvalidDefinition).

    `problems` holds one line per problem in AWS's shape, e.g.
    "SCHEMA_VALIDATION_FAILED: The field 'Next' should be a string at /States/A/Next".
    """

    code = "InvalidDefinition"

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        # one problem, as recorded on AWS: "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: … at /'"
        # (no count); the "(N errors)" suffix for several problems is unverified
        count = len(self.problems)
        text = f"Invalid State Machine Definition: '{', '.join(self.problems)}'"
        super().__init__(text if count == 1 else f"{text} ({count} errors)" if count else
                         "Invalid State Machine Definition")
