"""EventBridge for the world: PutEvents → rules → targets, and AWS's pattern language.

- `put_events.py`: PutEvents validated and enveloped as AWS does (`PutEventsValidationError` for
  a request refused as a whole), InputPath and InputTransformer;
- `router.py`: `EventRouter` records every accepted event and delivers it to each matching rule's
  targets (rules read from the backend; PutEvents entry faults from the fault plane);
- `targets.py`: `Targets` sends to a target by ARN (functions, state machines, SQS, SNS, logs,
  another bus) and fires scheduled rules on virtual time;
- the pattern language, as AWS's event-ruler does it: `lexer.py` (Jackson-like tokeniser and
  its error locations) → `compiler.py` (JsonRuleCompiler / RuleCompiler, wildcard complexity) →
  `values.py` (leaf values and matchers) → `matcher.py` (`matches`, `compile_pattern`,
  `validate_pattern`, `EventPattern`).

Contract (docs/contracts.md §3): `from sim.aws.eventbridge import matches, InvalidEventPattern`.
"""

from sim.aws.eventbridge.errors import InvalidEventPattern
from sim.aws.eventbridge.matcher import EventPattern, compile_pattern, matches, validate_pattern
from sim.aws.eventbridge.put_events import PutEventsValidationError

__all__ = ["EventPattern", "InvalidEventPattern", "PutEventsValidationError", "compile_pattern", "matches",
           "validate_pattern"]
